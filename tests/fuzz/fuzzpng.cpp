// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The PNG decoder's fuzz target (core/screens/pngdecoder.h): untrusted screenshot bytes.
#include "fuzztargets.h"

#include "core/screens/pngdecoder.h"

#include <QByteArray>
#include <QImage>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace Mouse::Fuzz {

namespace {

void require(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
        std::abort();
    }
}

quint32 be32(const uint8_t *p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

} // namespace

void pngDecoder(const uint8_t *data, size_t size)
{
    // A small pixel cap keeps each run cheap; the cap itself is one of the things tested.
    constexpr qint64 Cap = 1 << 20;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    QImage image;
    const PngDecoder::Result result = PngDecoder::decode(bytes, Cap, &image);
    if (result != PngDecoder::Result::Decoded) {
        require(image.isNull(), "an image on failure");
        return;
    }
    // Decoded: a well-formed header said exactly this size, under the cap.
    require(size >= 33 && std::memcmp(data + 12, "IHDR", 4) == 0, "decoded without IHDR");
    require(!image.isNull(), "decoded to a null image");
    require(quint32(image.width()) == be32(data + 16) && quint32(image.height()) == be32(data + 20),
            "size differs from IHDR");
    require(qint64(image.width()) * image.height() <= Cap, "pixel cap exceeded");
    require(image.format() == QImage::Format_RGB32 || image.format() == QImage::Format_ARGB32,
            "unexpected format");
    // Every pixel is readable (ASan sees an out-of-bounds row).
    quint32 sum = 0;
    for (int y = 0; y < image.height(); ++y)
        sum += reinterpret_cast<const quint32 *>(image.constScanLine(y))[image.width() - 1];
    (void)sum;

    // The same bytes scaled while decoding (AreaScaler), to a size taken from the input:
    // decoded too, to exactly that size.
    const QSize to(1 + int(data[size - 1]) % image.width(),
                   1 + int(data[size - 2]) % image.height());
    QImage small;
    require(PngDecoder::decode(bytes, Cap, &small, to) == PngDecoder::Result::Decoded,
            "decoded at full size but not scaled");
    const bool shrinks = to.width() < image.width() && to.height() < image.height();
    require(small.size() == (shrinks ? to : image.size()), "scaled to another size");
    for (int y = 0; y < small.height(); ++y)
        sum += reinterpret_cast<const quint32 *>(small.constScanLine(y))[small.width() - 1];
    (void)sum;
}

} // namespace Mouse::Fuzz

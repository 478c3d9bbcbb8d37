// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sandbox/pngencoder.h"

#include <QtEndian>

#include <array>
#include <cstring>

namespace Mouse {

namespace {

// CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks need it.
const std::array<quint32, 256> &crcTable()
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t{};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    return table;
}

quint32 crc32(const char *data, qsizetype size, quint32 crc = 0xFFFFFFFFU)
{
    const auto &table = crcTable();
    for (qsizetype i = 0; i < size; ++i)
        crc = table[(crc ^ static_cast<quint8>(data[i])) & 0xFF] ^ (crc >> 8);
    return crc;
}

void appendChunk(QByteArray &png, const char type[4], const QByteArray &data)
{
    char length[4];
    qToBigEndian(quint32(data.size()), length);
    png.append(length, 4);
    const qsizetype start = png.size();
    png.append(type, 4);
    png.append(data);
    const quint32 crc = crc32(png.constData() + start, png.size() - start) ^ 0xFFFFFFFFU;
    char crcBytes[4];
    qToBigEndian(crc, crcBytes);
    png.append(crcBytes, 4);
}

} // namespace

QByteArray PngEncoder::encode(const QImage &source, int zlibLevel)
{
    const QImage image = source.format() == QImage::Format_RGB32
                                 ? source
                                 : source.convertToFormat(QImage::Format_RGB32);
    const int width = image.width();
    const int height = image.height();
    const qsizetype stride = qsizetype(width) * 3 + 1; // filter byte + RGB

    // Filtered scanlines: RGB bytes, then Up (row repeats the previous one) or Sub.
    QByteArray raw(stride * height, Qt::Uninitialized);
    QByteArray row(width * 3, Qt::Uninitialized);
    QByteArray previous(width * 3, '\0');
    for (int y = 0; y < height; ++y) {
        const auto *pixels = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        auto *rgb = reinterpret_cast<quint8 *>(row.data());
        for (int x = 0; x < width; ++x) {
            rgb[3 * x] = quint8(qRed(pixels[x]));
            rgb[3 * x + 1] = quint8(qGreen(pixels[x]));
            rgb[3 * x + 2] = quint8(qBlue(pixels[x]));
        }
        auto *out = reinterpret_cast<quint8 *>(raw.data() + y * stride);
        if (y > 0 && std::memcmp(rgb, previous.constData(), size_t(width) * 3) == 0) {
            out[0] = 2; // Up: all zeros
            std::memset(out + 1, 0, size_t(width) * 3);
        } else {
            out[0] = 1; // Sub
            for (int i = 0; i < 3 && i < width * 3; ++i)
                out[1 + i] = rgb[i];
            for (int i = 3; i < width * 3; ++i)
                out[1 + i] = quint8(rgb[i] - rgb[i - 3]);
        }
        std::swap(row, previous);
    }

    QByteArray header(13, '\0');
    qToBigEndian(quint32(width), header.data());
    qToBigEndian(quint32(height), header.data() + 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: RGB
    // compression, filter method and interlace stay 0

    // qCompress gives a zlib stream behind a 4-byte length: exactly IDAT's content after it.
    const QByteArray deflated = qCompress(raw, zlibLevel).mid(4);

    QByteArray png;
    png.reserve(deflated.size() + 64);
    png.append("\x89PNG\r\n\x1a\n", 8);
    appendChunk(png, "IHDR", header);
    appendChunk(png, "IDAT", deflated);
    appendChunk(png, "IEND", QByteArray());
    return png;
}

} // namespace Mouse

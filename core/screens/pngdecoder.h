// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>
#include <QSize>

#include <functional>

namespace Mouse::PngDecoder {

// A direct decoder for the PNGs screenshots come as: 8-bit grey, RGB, palette, grey + alpha
// and RGBA, not interlaced. The IDAT stream is inflated in one call (libdeflate) into a
// buffer sized from IHDR, rows are unfiltered and converted straight into the QImage:
// several times faster than QImageReader (libpng + zlib + Qt's conversions).
enum class Result {
    Decoded,     // *image is the picture: RGB32 when opaque, ARGB32 with alpha
    Unsupported, // a valid-looking PNG of another kind (16-bit, 1-bit, interlaced, colour-key
                 // tRNS...): the caller decodes it with QImageReader
    Corrupt,     // not a well-formed PNG: bad chunk structure or CRC, truncated, bad zlib data,
                 // too few or too many bytes after inflating, unknown filter
    TooLarge     // IHDR declares more than maxPixels pixels (nothing was allocated)
};

// When scaleTo is smaller than the picture in both directions, *image is the picture scaled to
// scaleTo, the same pixels as ImageCodec::scaled makes from the full-size picture (Qt's smooth
// scale: RGB32, or ARGB32_Premultiplied with alpha), made from the rows as they are
// unfiltered: the full-size picture is never stored. Otherwise *image is the full-size
// picture.
//
// `both` runs two pieces of work, on two threads or one after the other (none: no threads):
// with it, grey and RGB rows are scaled on the second while the first unfilters them.
using Both = std::function<void(const std::function<void()> &, const std::function<void()> &)>;

// Told the scaled picture's rows as they are made, so that work on them (its luma, a JPEG
// model's DCT) overlaps the rest of the decode. Only where the decode scales on two threads
// (grey and RGB rows, with `both`); elsewhere never called.
class RowSink
{
public:
    static constexpr int BandRows = 8; // bands start at multiples of this (the JPEG grid)

    virtual ~RowSink() = default;
    // Before any band, on the calling thread: the picture's pixels as they will be made.
    virtual void start(const uchar *bits, qsizetype bytesPerLine, const QSize &size) = 0;
    // Rows [from, to) are final: a band of BandRows rows (the last one may be shorter). Every
    // band exactly once, on either thread, two at once; all of them before decode() returns
    // Decoded (none is promised when it fails).
    virtual void rows(int from, int to) = 0;
};

Result decode(const QByteArray &bytes,
              qint64 maxPixels,
              QImage *image,
              const QSize &scaleTo = QSize(),
              const Both &both = {},
              RowSink *sink = nullptr);

} // namespace Mouse::PngDecoder

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>

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

// Told, on the decoding thread, that the first `rows` rows of `image` are final (at least
// every 16 rows); `image` is the picture being written, whose later rows are still being
// written through its raw bits: the callee may keep a shallow copy and read the finished rows
// from another thread (the copy also keeps the pixels alive if the decode then fails).
using RowsDone = std::function<void(const QImage &image, int rows)>;

Result
decode(const QByteArray &bytes, qint64 maxPixels, QImage *image, const RowsDone &rowsDone = {});

} // namespace Mouse::PngDecoder

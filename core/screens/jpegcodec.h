// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>

namespace Mouse::JpegCodec {

// libjpeg-turbo directly, for what QImageWriter does not offer: the chroma subsampling choice
// and a fast decode of our own test encodes (SIMD colour conversion straight into RGB32).
enum class Chroma { Subsampled420, Full444 };

// image: opaque RGB32/ARGB32 (alpha ignored: flatten first). Empty on failure.
QByteArray
encode(const QImage &image, int quality, Chroma chroma, bool optimized, bool progressive);

// Decodes JPEG bytes to RGB32; a null image on any error. For bytes this process made: the
// untrusted sources go through ImageCodec::decode and its guard.
QImage decode(const QByteArray &bytes);

} // namespace Mouse::JpegCodec

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>

#include <array>
#include <memory>
#include <vector>

namespace Mouse::JpegCodec {

// libjpeg-turbo directly, for what QImageWriter does not offer: the chroma subsampling choice
// and a fast decode of our own test encodes (SIMD colour conversion straight into RGB32).
enum class Chroma {
    Subsampled420,
    Full444,
    Grey // one component: for images whose pixels are all grey (no chroma bytes at all)
};

// Quantisation tables: libjpeg's standard ones scaled by quality, or ours for screen content
// (see screenLumaTable in jpegcodec.cpp and docs/screenshots.md).
enum class Tables { Standard, Screen };

// How many 8x8 luma blocks (on the JPEG grid) are flat, per level: the picture's background
// colours. With it the encoder picks a DC step that reconstructs those levels exactly.
struct FlatLevels
{
    std::array<quint32, 256> blocks{};
    quint32 total = 0;

    void add(const FlatLevels &other);
};
FlatLevels flatLevels(const quint8 *luma, int width, int height);
// The same count over the blocks whose top row is in [fromRow, toRow) (multiples of 8, or the
// height): bands counted apart and added up give flatLevels().
FlatLevels flatLevels(const quint8 *luma, int width, int height, int fromRow, int toRow);

struct EncodeSettings
{
    double quality = 75; // 1..100 as libjpeg; our tables take fractions (finer steps)
    Chroma chroma = Chroma::Subsampled420;
    bool optimized = true;   // optimised Huffman tables (one more pass over the coefficients)
    bool progressive = true; // our own short scan script: same pixels, fewer bytes
    Tables tables = Tables::Screen;
    const FlatLevels *flat = nullptr; // Screen tables: the DC step fits these levels
    double chromaScale = 1.0; // chroma steps times this (coarser when > 1): for 4:4:4, whose
                              // full-resolution chroma needs less precision per sample
};

// image: opaque RGB32/ARGB32 (alpha ignored: flatten first). Empty on failure.
QByteArray encode(const QImage &image, const EncodeSettings &settings);
QByteArray
encode(const QImage &image, int quality, Chroma chroma, bool optimized, bool progressive);

// Quantised coefficients in libjpeg's own block arrays, for encodeCoefficients(): sized for one
// geometry (picture size and chroma mode) and kept while it stays the same, so that a frame's
// encodes take no fresh memory (a 1024x576 picture's arrays are ~1.8 MB: ~430 page faults).
// Filled a row at a time (different rows may be filled on different threads), then read by
// any number of encodes at once.
class CoefficientStore
{
public:
    CoefficientStore();
    ~CoefficientStore();
    CoefficientStore(const CoefficientStore &) = delete;
    CoefficientStore &operator=(const CoefficientStore &) = delete;

    // Arrays for a width x height picture in this chroma mode: the kept ones when they are
    // already so (their coefficients are then the last ones written); false on failure.
    bool reserve(int width, int height, Chroma chroma);
    int components() const; // 1 (grey) or 3
    int blocksWide(int component) const;
    int blocksHigh(int component) const;
    // Row `row` of a component: blocksWide() blocks of 64 coefficients, natural order.
    qint16 *row(int component, int row);
    size_t bytes() const;

private:
    friend QByteArray encodeCoefficients(const CoefficientStore &, const EncodeSettings &);
    struct Arrays;
    std::unique_ptr<Arrays> d;
};

// The bytes encode() makes of the picture with these settings (its chroma mode the store's),
// from its quantised coefficients (e.g. a TrialModel's) instead of its pixels: no colour
// conversion, downsampling or DCT. The same headers, tables, sampling, scan script and
// Huffman coding (libjpeg's jpeg_write_coefficients); the same bytes when the store holds
// libjpeg's coefficients (tst_jpegcoefficients). Empty on failure.
QByteArray encodeCoefficients(const CoefficientStore &store, const EncodeSettings &settings);

// The luma quantisation table (natural order) that encode() uses for these settings.
void lumaTable(const EncodeSettings &settings, int table[64]);

// The chroma quantisation table (natural order) that encode() uses for these settings (not
// used by Chroma::Grey).
void chromaTable(const EncodeSettings &settings, int table[64]);

// Decodes JPEG bytes to RGB32; a null image on any error. For bytes this process made: the
// untrusted sources go through ImageCodec::decode and its guard.
QImage decode(const QByteArray &bytes);

// Decodes our own JPEG bytes straight to BT.601 luma of the RGB the decoder makes (clamped,
// as a viewer sees it): width * height bytes, row-major; false on any error.
bool decodeLuma(const QByteArray &bytes, int *width, int *height, std::vector<quint8> *luma);

} // namespace Mouse::JpegCodec

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
    // The picture's rows of MCUs (whole blocks of every component: 16 pixel rows in 4:2:0, 8
    // otherwise), for encodeCoefficientRows(); 0 without arrays.
    int mcuRows() const;
    int mcuHeight() const;

private:
    friend struct StoreEncode;
    struct Arrays;
    std::unique_ptr<Arrays> d;
};

// The bytes encode() makes of the picture with these settings (its chroma mode the store's),
// from its quantised coefficients (e.g. a TrialModel's) instead of its pixels: no colour
// conversion, downsampling or DCT. The same headers, tables, sampling, scan script and
// Huffman coding (libjpeg's jpeg_write_coefficients); the same bytes when the store holds
// libjpeg's coefficients (tst_jpegcoefficients). Empty on failure.
QByteArray encodeCoefficients(const CoefficientStore &store, const EncodeSettings &settings);

// The answer's progressive encode in two parts, on two threads. Each scan of our script (DC;
// luma 1-8; Cb 1-63; Cr 1-63; luma 9-63; grey: DC; 1-8; 9-63) stands alone in libjpeg's output:
// its optimised Huffman table (a DHT of its own), its SOS and its data, the entropy coder's
// state started afresh. So two compressors over the same arrays can each write some of the
// scans, and joinScans() puts them in the script's order: the bytes of the whole encode
// (tst_jpegcoefficients). Scan i of the script is bit i of a mask.
int progressiveScans(Chroma chroma); // 5, or 3 for grey

// The scans of encodeCoefficients(store, settings) whose bits are set in `scans` (settings
// progressive), each byte for byte as in the whole encode. libjpeg writes no AC scan before a
// DC scan of its component: without bit 0, a stand-in DC scan comes first (a cheap one, with a
// point transform), which joinScans() drops. Empty on failure.
QByteArray encodeCoefficientScans(const CoefficientStore &store,
                                  const EncodeSettings &settings,
                                  unsigned scans);

struct ScanPart
{
    QByteArray bytes; // encodeCoefficientScans(..., scans)
    unsigned scans = 0;
};

// The whole progressive encode from two parts that hold every one of the `count` scans once
// (the DC scan in one of them): that part's headers, every scan in the script's order, the
// end marker. Empty when they do not (a scan missing or twice, a part not what its mask says).
QByteArray joinScans(const ScanPart &first, const ScanPart &second, int count);

// encodeCoefficients() of the picture's MCU rows [fromRow, toRow) alone, for the check's decode
// in two parts: a JPEG of the same width and of pixel rows fromRow * mcuHeight() to
// min(height, toRow * mcuHeight()), written from the same arrays. Its pixels are the whole
// picture's on those rows, but for the rows whose 4:2:0 upsampling reads a chroma row beyond a
// cut (the first row when fromRow > 0, the last when toRow < mcuRows()): the decoder repeats the
// edge row there. Empty on failure or an empty range.
QByteArray encodeCoefficientRows(const CoefficientStore &store,
                                 const EncodeSettings &settings,
                                 int fromRow,
                                 int toRow);

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

// decodeLuma() of the rows [from, to) of our own JPEG's picture, into `out` (row `from` first,
// `width` bytes a row): the rows above are decoded and dropped, the rows below are not decoded.
// false on any error, a picture of another width or fewer than `to` rows.
bool decodeLumaRows(const QByteArray &bytes, int width, int from, int to, quint8 *out);

} // namespace Mouse::JpegCodec

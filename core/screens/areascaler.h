// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QSize>

#include <vector>

namespace Mouse {

// Qt's smooth (area-averaging) downscale, the same pixels to the bit, made separable and fed
// one source row at a time, so a decoder can scale rows as it produces them and never store
// the full-size picture. Only for shrinking in both directions (Qt's "down_xy" case; anything
// else is left to QImage::scaled).
//
// Qt computes each output pixel as: per contributing source row, a horizontal sum of the
// row's pixels with 14-bit weights, shifted right by 4; then a vertical sum of those with
// 14-bit weights, shifted right by 24. The horizontal sums of a source row do not depend on
// the output row, so each is made once per source row here (Qt makes the boundary rows'
// twice) and kept in a small ring until the output rows that read it are written.
class AreaScaler
{
public:
    enum class Input {
        Grey,         // one byte a pixel
        Rgb,          // three bytes a pixel: R, G, B
        Opaque,       // QRgb words, RGB32 (the alpha byte is taken as 255)
        Premultiplied // QRgb words, ARGB32_Premultiplied
    };

    // Whether AreaScaler makes `to` from `from` (both dimensions shrink, none empty).
    static bool handles(const QSize &from, const QSize &to);

    // Writes into `out` (to.width() QRgb words a row, `outStride` bytes apart).
    AreaScaler(const QSize &from, const QSize &to, Input input, uchar *out, qsizetype outStride);

    // The next source row, from the top (only the row's own bytes are read).
    void addRow(const uchar *row);

    // Output rows written so far, from the top (final: never written again).
    int rowsMade() const { return m_nextOut; }

private:
    struct Axis
    {
        std::vector<int> first;   // first source index of each output
        std::vector<int> count;   // source indexes it reads
        std::vector<int> start;   // where its `taps` padded weights start (<= first)
        std::vector<int> weights; // `taps` per output, zero where unused
        int taps = 0;             // the most source indexes an output reads
    };
    static Axis plan(int from, int to);
    void horizontal(const uchar *row, quint32 *sums) const;
    void planSimd(int sourceWidth);
    void emitRow(int y);

    Axis m_x, m_y;
    Input m_input;
    int m_lanes = 4; // sums per output pixel: 1 for grey, else B, G, R, A
    int m_width = 0;
    uchar *m_out = nullptr;
    qsizetype m_outStride = 0;
    int m_nextRow = 0, m_nextOut = 0;
    std::vector<quint32> m_ring; // horizontal sums of the last m_y.taps source rows
    std::vector<quint32> m_acc;
    std::vector<const quint32 *> m_rows; // the ring's rows an output row reads
    int m_simdWidth = 0;                 // outputs made by the SIMD loop, from the left
    std::vector<qint16> m_simdWeights;
};

namespace AreaScale {

// The image scaled to `size` as QImage::scaled(..., Qt::SmoothTransformation) makes it from
// RGB32 or ARGB32_Premultiplied, the same pixels, on the calling thread only.
QImage scaled(const QImage &image, const QSize &size);

} // namespace AreaScale

} // namespace Mouse

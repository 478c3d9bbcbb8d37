// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/areascaler.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace Mouse {

namespace {

constexpr int One = 1 << 14;                     // the weights' unit: a whole source pixel
constexpr quint32 OpaqueSum = (255u * One) >> 4; // an alpha lane of 255 after the horizontal sum

// The horizontal sums of one output pixel over `Taps` source pixels `Step` bytes apart, for
// the lanes B, G, R (and A when `Alpha`); the weights after an output's last pixel are 0.
template<int Taps, int Step, bool Alpha>
inline void sumPixel(const uchar *p, const int *w, int taps, int blue, int red, quint32 *sums)
{
    quint32 b = 0, g = 0, r = 0, a = 0;
    for (int t = 0; t < (Taps ? Taps : taps); ++t, p += Step) {
        const quint32 weight = quint32(w[t]);
        b += p[blue] * weight;
        g += p[1] * weight;
        r += p[red] * weight;
        if constexpr (Alpha)
            a += p[3] * weight;
    }
    sums[0] = b >> 4;
    sums[1] = g >> 4;
    sums[2] = r >> 4;
    sums[3] = Alpha ? a >> 4 : OpaqueSum;
}

// Taps 0: any number, `taps` weights an output (the generic, slower loop).
template<int Taps>
void sumGrey(
        const uchar *row, const int *first, const int *weights, int taps, int width, quint32 *sums)
{
    for (int x = 0; x < width; ++x) {
        const uchar *p = row + first[x];
        const int *w = weights + x * taps;
        quint32 v = 0;
        for (int t = 0; t < (Taps ? Taps : taps); ++t)
            v += p[t] * quint32(w[t]);
        sums[x] = v >> 4;
    }
}

// Byte offsets of blue and red in a pixel: RGB bytes are R, G, B; QRgb words are read as
// bytes in the machine's order.
constexpr bool LittleEndian = Q_BYTE_ORDER == Q_LITTLE_ENDIAN;

template<int Taps, int Step, bool Alpha>
void sumColour(
        const uchar *row, const int *first, const int *weights, int taps, int width, quint32 *sums)
{
    constexpr int blue = Step == 3 ? 2 : LittleEndian ? 0 : 3;
    constexpr int red = Step == 3 ? 0 : LittleEndian ? 2 : 1;
    for (int x = 0; x < width; ++x)
        sumPixel<Taps, Step, Alpha>(
                row + first[x] * Step, weights + x * taps, taps, blue, red, sums + 4 * x);
}

template<int Taps>
void sumRow(AreaScaler::Input input,
            const uchar *row,
            const int *first,
            const int *weights,
            int taps,
            int width,
            quint32 *sums)
{
    switch (input) {
    case AreaScaler::Input::Grey:
        sumGrey<Taps>(row, first, weights, taps, width, sums);
        break;
    case AreaScaler::Input::Rgb:
        sumColour<Taps, 3, false>(row, first, weights, taps, width, sums);
        break;
    case AreaScaler::Input::Opaque:
        sumColour<Taps, 4, false>(row, first, weights, taps, width, sums);
        break;
    case AreaScaler::Input::Premultiplied:
        sumColour<Taps, 4, true>(row, first, weights, taps, width, sums);
        break;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MOUSE_AREA_SSSE3 1

// The horizontal sums of outputs of at most 4 source pixels, 4 lanes at once: one load of the
// 4 pixels, their channels shuffled into 16-bit pairs (p0, p1) and (p2, p3), each pair
// multiplied by its two weights and added (pmaddwd), the pairs added. `weights` holds 16
// int16 per output: (w0, w1) four times, then (w2, w3) four times. Integer sums: the same
// values as the scalar loop.
template<int Step, bool Alpha>
__attribute__((target("ssse3"))) void
sumColourSsse3(const uchar *row, const int *start, const qint16 *weights, int width, quint32 *sums)
{
    // Step 3: bytes R, G, B; step 4: B, G, R, A; the lanes are B, G, R, A.
    const __m128i low
            = Step == 3 ? _mm_setr_epi8(2, -1, 5, -1, 1, -1, 4, -1, 0, -1, 3, -1, -1, -1, -1, -1)
                        : _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const __m128i high
            = Step == 3
                      ? _mm_setr_epi8(8, -1, 11, -1, 7, -1, 10, -1, 6, -1, 9, -1, -1, -1, -1, -1)
                      : _mm_setr_epi8(8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1);
    const __m128i colour = _mm_setr_epi32(-1, -1, -1, 0);
    const __m128i opaque = _mm_setr_epi32(0, 0, 0, int(OpaqueSum));
    for (int x = 0; x < width; ++x) {
        const __m128i p = _mm_loadu_si128(reinterpret_cast<const __m128i *>(row + start[x] * Step));
        const auto *w = reinterpret_cast<const __m128i *>(weights + 16 * x);
        __m128i sum
                = _mm_add_epi32(_mm_madd_epi16(_mm_shuffle_epi8(p, low), _mm_loadu_si128(w)),
                                _mm_madd_epi16(_mm_shuffle_epi8(p, high), _mm_loadu_si128(w + 1)));
        sum = _mm_srli_epi32(sum, 4);
        if constexpr (!Alpha)
            sum = _mm_or_si128(_mm_and_si128(sum, colour), opaque);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(sums + 4 * x), sum);
    }
}

bool hasSsse3()
{
    static const bool has = __builtin_cpu_supports("ssse3");
    return has;
}
#endif

// The vertical sum of `count` rows of horizontal sums; unsigned, as Qt's SIMD code is: a
// white pixel's sum, 255 << 24 less a little, needs all 32 bits.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx2", "default")))
#endif
void weighRows(const quint32 *const *rows,
               const int *weights,
               int count,
               size_t n,
               quint32 *__restrict acc)
{
    const quint32 *first = rows[0];
    const quint32 w0 = quint32(weights[0]);
    for (size_t i = 0; i < n; ++i)
        acc[i] = first[i] * w0;
    for (int t = 1; t < count; ++t) {
        const quint32 *__restrict row = rows[t];
        const quint32 w = quint32(weights[t]);
        for (size_t i = 0; i < n; ++i)
            acc[i] += row[i] * w;
    }
}

} // namespace

bool AreaScaler::handles(const QSize &from, const QSize &to)
{
    return !to.isEmpty() && to.width() < from.width() && to.height() < from.height();
}

// Qt's plan for shrinking `from` pixels to `to` (qimagescale.cpp, the "down" case): output i
// starts at source pixel (i * inc) >> 16 with inc = (from << 16) / to in 16.16 fixed point;
// its first pixel weighs what is left of it, ((0x10000 - fraction) * Cp) >> 16, with Cp the
// weight of a whole source pixel (to / from in 14 bits, rounded up); then whole pixels of Cp
// while more than Cp of the unit is left, then the rest. The weights add up to exactly One.
AreaScaler::Axis AreaScaler::plan(int from, int to)
{
    Axis axis;
    std::vector<std::vector<int>> weights(static_cast<size_t>(to));
    const qint64 inc = (qint64(from) << 16) / to;
    const int whole = int(((qint64(to) << 14) + from - 1) / from);
    qint64 val = 0;
    for (int i = 0; i < to; ++i, val += inc) {
        std::vector<int> &w = weights[size_t(i)];
        const int part = int(((0x10000 - (val & 0xffff)) * whole) >> 16);
        w.push_back(part);
        int left = One - part;
        for (; left > whole; left -= whole)
            w.push_back(whole);
        w.push_back(left);
        // Qt's plan stays inside the source; clamp rather than read outside if it ever did not.
        axis.first.push_back(int(std::clamp<qint64>(val >> 16, 0, from - qint64(w.size()))));
        axis.count.push_back(int(w.size()));
        axis.taps = std::max(axis.taps, int(w.size()));
    }
    // Every output reads `taps` pixels from `start`, the ones it does not use weighing 0; near
    // the end, `start` moves left (zeros first) so that no read passes the source's end.
    axis.weights.assign(size_t(to) * size_t(axis.taps), 0);
    for (int i = 0; i < to; ++i) {
        const int start = std::max(0, std::min(axis.first[size_t(i)], from - axis.taps));
        axis.start.push_back(start);
        std::copy(weights[size_t(i)].begin(),
                  weights[size_t(i)].end(),
                  axis.weights.begin() + i * axis.taps + (axis.first[size_t(i)] - start));
    }
    return axis;
}

AreaScaler::AreaScaler(
        const QSize &from, const QSize &to, Input input, uchar *out, qsizetype outStride)
    : m_x(plan(from.width(), to.width()))
    , m_y(plan(from.height(), to.height()))
    , m_input(input)
    , m_lanes(input == Input::Grey ? 1 : 4)
    , m_width(to.width())
    , m_out(out)
    , m_outStride(outStride)
{
    const size_t sums = size_t(m_width) * size_t(m_lanes);
    m_ring.resize(sums * size_t(m_y.taps));
    m_acc.resize(sums);
    m_rows.resize(size_t(m_y.taps));
    planSimd(from.width());
}

void AreaScaler::horizontal(const uchar *row, quint32 *sums) const
{
    int from = 0;
#ifdef MOUSE_AREA_SSSE3
    if (m_simdWidth > 0) {
        if (m_input == Input::Rgb)
            sumColourSsse3<3, false>(
                    row, m_x.start.data(), m_simdWeights.data(), m_simdWidth, sums);
        else if (m_input == Input::Opaque)
            sumColourSsse3<4, false>(
                    row, m_x.start.data(), m_simdWeights.data(), m_simdWidth, sums);
        else
            sumColourSsse3<4, true>(row, m_x.start.data(), m_simdWeights.data(), m_simdWidth, sums);
        from = m_simdWidth;
    }
#endif
    const int taps = m_x.taps, width = m_width - from;
    const int *start = m_x.start.data() + from;
    const int *weights = m_x.weights.data() + size_t(from) * size_t(taps);
    quint32 *out = sums + size_t(from) * size_t(m_lanes);
    switch (taps) { // the usual ratios get loops of a fixed length
    case 2:
        sumRow<2>(m_input, row, start, weights, 2, width, out);
        break;
    case 3:
        sumRow<3>(m_input, row, start, weights, 3, width, out);
        break;
    case 4:
        sumRow<4>(m_input, row, start, weights, 4, width, out);
        break;
    case 5:
        sumRow<5>(m_input, row, start, weights, 5, width, out);
        break;
    default:
        sumRow<0>(m_input, row, start, weights, taps, width, out);
        break;
    }
}

// The outputs the SIMD loop makes: all but the last few, whose 16-byte load would pass the
// row's end (none when an output reads more than 4 pixels, or for grey rows).
void AreaScaler::planSimd(int sourceWidth)
{
#ifdef MOUSE_AREA_SSSE3
    if (m_input == Input::Grey || m_x.taps > 4 || !hasSsse3())
        return;
    const int step = m_input == Input::Rgb ? 3 : 4;
    while (m_simdWidth < m_width
           && qint64(m_x.start[size_t(m_simdWidth)]) * step + 16 <= qint64(sourceWidth) * step)
        ++m_simdWidth;
    m_simdWeights.assign(size_t(m_simdWidth) * 16, 0);
    for (int x = 0; x < m_simdWidth; ++x) {
        for (int t = 0; t < m_x.taps; ++t) {
            const auto w = qint16(m_x.weights[size_t(x) * size_t(m_x.taps) + size_t(t)]);
            for (int lane = 0; lane < 4; ++lane)
                m_simdWeights[size_t(x) * 16 + size_t(t / 2) * 8 + size_t(lane) * 2 + size_t(t % 2)]
                        = w;
        }
    }
#else
    Q_UNUSED(sourceWidth);
#endif
}

void AreaScaler::addRow(const uchar *row)
{
    const int y = m_nextRow++;
    const int outputs = int(m_y.first.size());
    // Rows no output reads (none, for Qt's plan) are skipped.
    if (m_nextOut >= outputs || y < m_y.first[size_t(m_nextOut)])
        return;
    const size_t sums = m_acc.size();
    horizontal(row, m_ring.data() + size_t(y % m_y.taps) * sums);
    while (m_nextOut < outputs
           && m_y.first[size_t(m_nextOut)] + m_y.count[size_t(m_nextOut)] - 1 == y)
        emitRow(m_nextOut++);
}

void AreaScaler::emitRow(int y)
{
    const int first = m_y.first[size_t(y)], count = m_y.count[size_t(y)];
    const size_t sums = m_acc.size();
    for (int t = 0; t < count; ++t)
        m_rows[size_t(t)] = m_ring.data() + size_t((first + t) % m_y.taps) * sums;
    // The vertical weights start at the output's first row (`start` is only for columns).
    const int *weights
            = m_y.weights.data() + size_t(y) * size_t(m_y.taps) + (first - m_y.start[size_t(y)]);
    weighRows(m_rows.data(), weights, count, sums, m_acc.data());

    auto *out = reinterpret_cast<QRgb *>(m_out + qsizetype(y) * m_outStride);
    const quint32 *acc = m_acc.data();
    if (m_lanes == 1) {
        for (int x = 0; x < m_width; ++x) {
            const int v = int(acc[x] >> 24);
            out[x] = qRgb(v, v, v);
        }
        return;
    }
#if defined(__x86_64__)
    // The lanes B, G, R, A are a QRgb's bytes: 16 sums to 16 bytes at a time (SSE2).
    auto *bytes = reinterpret_cast<uchar *>(out);
    const size_t n = size_t(m_width) * 4;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const auto *from = reinterpret_cast<const __m128i *>(acc + i);
        const __m128i low = _mm_packs_epi32(_mm_srli_epi32(_mm_loadu_si128(from), 24),
                                            _mm_srli_epi32(_mm_loadu_si128(from + 1), 24));
        const __m128i high = _mm_packs_epi32(_mm_srli_epi32(_mm_loadu_si128(from + 2), 24),
                                             _mm_srli_epi32(_mm_loadu_si128(from + 3), 24));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(bytes + i), _mm_packus_epi16(low, high));
    }
    for (; i < n; ++i)
        bytes[i] = uchar(acc[i] >> 24);
    return;
#endif
    for (int x = 0; x < m_width; ++x, acc += 4)
        out[x] = qRgba(int(acc[2] >> 24), int(acc[1] >> 24), int(acc[0] >> 24), int(acc[3] >> 24));
}

namespace AreaScale {

QImage scaled(const QImage &image, const QSize &size)
{
    const bool alpha = image.format() == QImage::Format_ARGB32_Premultiplied;
    if (!AreaScaler::handles(image.size(), size)
        || (!alpha && image.format() != QImage::Format_RGB32))
        return image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    QImage out(size, image.format());
    if (out.isNull())
        return out;
    AreaScaler scaler(image.size(),
                      size,
                      alpha ? AreaScaler::Input::Premultiplied : AreaScaler::Input::Opaque,
                      out.bits(),
                      out.bytesPerLine());
    for (int y = 0; y < image.height(); ++y)
        scaler.addRow(image.constScanLine(y));
    return out;
}

} // namespace AreaScale

} // namespace Mouse

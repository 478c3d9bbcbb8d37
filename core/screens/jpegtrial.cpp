// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/jpegtrial.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MOUSE_IDCT_AVX2 1
#endif

// The arithmetic below is libjpeg-turbo 2.1's (jccolor.c, jcsample.c, jcprepct.c, jfdctint.c,
// jcdctmgr.c, jidctint.c, jdsample.c, jdcolor.c), restated so that a trial's pixels are the
// real decoder's: its SIMD paths compute the same values as these C ones (its own tests hold
// both to the same checksums). Where a loop is written for arithmetic instead of tables
// (colour conversion), the integers are the tables' sums.

namespace Mouse::JpegCodec {

namespace {

// The loops written to vectorise in AVX-512 and AVX2 copies too, picked at load time (see
// imagecodec.cpp). Integer arithmetic: every copy gives the same samples.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MOUSE_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define MOUSE_SIMD_CLONES
#endif

constexpr int ScaleBits = 16;
constexpr qint32 fix(double x)
{
    return qint32(x * (1 << ScaleBits) + 0.5);
}
constexpr qint32 Half = 1 << (ScaleBits - 1);

// jfdctint.c / jidctint.c constants (CONST_BITS 13, PASS1_BITS 2).
constexpr int ConstBits = 13, Pass1Bits = 2;
constexpr qint32 F0298 = 2446, F0390 = 3196, F0541 = 4433, F0765 = 6270, F0899 = 7373, F1175 = 9633,
                 F1501 = 12299, F1847 = 15137, F1961 = 16069, F2053 = 16819, F2562 = 20995,
                 F3072 = 25172;

constexpr qint32 descale(qint32 x, int n)
{
    return (x + (qint32(1) << (n - 1))) >> n;
}

// One pass of jpeg_fdct_islow over 8 lanes at once (GCC vectorises the lane loop): in[k][l]
// is element k of lane l, out[k][l] lane l's coefficient k. Pass 0 runs over the rows, pass 1
// over the columns, with libjpeg's scaling for each.
template<int Pass>
inline void dctPass(const qint32 (&in)[8][8], qint32 (&out)[8][8])
{
    constexpr int shift = Pass == 0 ? ConstBits - Pass1Bits : ConstBits + Pass1Bits;
    for (int l = 0; l < 8; ++l) {
        const qint32 tmp0 = in[0][l] + in[7][l], tmp7 = in[0][l] - in[7][l];
        const qint32 tmp1 = in[1][l] + in[6][l], tmp6 = in[1][l] - in[6][l];
        const qint32 tmp2 = in[2][l] + in[5][l], tmp5 = in[2][l] - in[5][l];
        const qint32 tmp3 = in[3][l] + in[4][l], tmp4 = in[3][l] - in[4][l];
        const qint32 tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3;
        const qint32 tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        out[0][l] = Pass == 0 ? (tmp10 + tmp11) * (1 << Pass1Bits)
                              : descale(tmp10 + tmp11, Pass1Bits);
        out[4][l] = Pass == 0 ? (tmp10 - tmp11) * (1 << Pass1Bits)
                              : descale(tmp10 - tmp11, Pass1Bits);
        const qint32 z1 = (tmp12 + tmp13) * F0541;
        out[2][l] = descale(z1 + tmp13 * F0765, shift);
        out[6][l] = descale(z1 - tmp12 * F1847, shift);
        const qint32 z5 = (tmp4 + tmp6 + tmp5 + tmp7) * F1175;
        const qint32 y1 = (tmp4 + tmp7) * -F0899, y2 = (tmp5 + tmp6) * -F2562;
        const qint32 y3 = (tmp4 + tmp6) * -F1961 + z5, y4 = (tmp5 + tmp7) * -F0390 + z5;
        out[7][l] = descale(tmp4 * F0298 + y1 + y3, shift);
        out[5][l] = descale(tmp5 * F2053 + y2 + y4, shift);
        out[3][l] = descale(tmp6 * F3072 + y2 + y3, shift);
        out[1][l] = descale(tmp7 * F1501 + y1 + y4, shift);
    }
}

// jpeg_fdct_islow: centred samples (row-major) to coefficients (natural order); rows, then
// columns, each pass on 8 lanes.
MOUSE_SIMD_CLONES void forwardDct(const qint32 *data, qint32 *coefficients)
{
    qint32 a[8][8], b[8][8];
    for (int r = 0; r < 8; ++r)
        for (int k = 0; k < 8; ++k)
            a[k][r] = data[8 * r + k]; // lane r: row r
    dctPass<0>(a, b);                  // b[k][r]: row r's coefficient k
    for (int r = 0; r < 8; ++r)
        for (int k = 0; k < 8; ++k)
            a[r][k] = b[k][r]; // lane k: column k, element r
    dctPass<1>(a, b);          // b[u][k]: column k's coefficient u
    for (int u = 0; u < 8; ++u)
        for (int k = 0; k < 8; ++k)
            coefficients[8 * u + k] = b[u][k];
}

// The post-IDCT range limit of jdmaster.c: a value v (centred) indexes a table of 1024 with
// v & 1023, which clamps to 0..255 for |v| < 512 and wraps beyond, as the decoder does.
struct RangeLimit
{
    quint8 table[1024];
    RangeLimit()
    {
        for (int i = 0; i < 1024; ++i)
            table[i] = quint8(i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896);
    }
};
const RangeLimit Limits;

quint8 rangeLimit(qint32 v)
{
    return Limits.table[v & 1023];
}

// 64-bit as libjpeg's JLONG: the sums of products need not fit 32 bits for every input.
constexpr qint32 descaleLong(qint64 x, int n)
{
    return qint32((x + (qint64(1) << (n - 1))) >> n);
}

// jpeg_idct_islow, with its shortcuts for columns and rows without AC (exact: they compute
// what the general path would).
void inverseDct(const qint32 *in, quint8 *out, int stride)
{
    qint32 ws[64];
    for (int c = 0; c < 8; ++c) {
        const qint32 *p = in + c;
        qint32 *w = ws + c;
        if (!p[8] && !p[16] && !p[24] && !p[32] && !p[40] && !p[48] && !p[56]) {
            const qint32 dc = p[0] * (1 << Pass1Bits);
            for (int k = 0; k < 8; ++k)
                w[8 * k] = dc;
            continue;
        }
        qint64 z2 = p[16], z3 = p[48];
        qint64 z1 = (z2 + z3) * F0541;
        qint64 tmp2 = z1 - z3 * F1847, tmp3 = z1 + z2 * F0765;
        z2 = p[0];
        z3 = p[32];
        qint64 tmp0 = (z2 + z3) * (1 << ConstBits), tmp1 = (z2 - z3) * (1 << ConstBits);
        const qint64 tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2,
                     tmp12 = tmp1 - tmp2;
        tmp0 = p[56];
        tmp1 = p[40];
        tmp2 = p[24];
        tmp3 = p[8];
        z1 = tmp0 + tmp3;
        z2 = tmp1 + tmp2;
        z3 = tmp0 + tmp2;
        qint64 z4 = tmp1 + tmp3;
        const qint64 z5 = (z3 + z4) * F1175;
        tmp0 *= F0298;
        tmp1 *= F2053;
        tmp2 *= F3072;
        tmp3 *= F1501;
        z1 *= -F0899;
        z2 *= -F2562;
        z3 = z3 * -F1961 + z5;
        z4 = z4 * -F0390 + z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
        constexpr int s = ConstBits - Pass1Bits;
        w[0] = descaleLong(tmp10 + tmp3, s);
        w[56] = descaleLong(tmp10 - tmp3, s);
        w[8] = descaleLong(tmp11 + tmp2, s);
        w[48] = descaleLong(tmp11 - tmp2, s);
        w[16] = descaleLong(tmp12 + tmp1, s);
        w[40] = descaleLong(tmp12 - tmp1, s);
        w[24] = descaleLong(tmp13 + tmp0, s);
        w[32] = descaleLong(tmp13 - tmp0, s);
    }
    for (int r = 0; r < 8; ++r) {
        const qint32 *w = ws + 8 * r;
        quint8 *o = out + size_t(r) * stride;
        if (!w[1] && !w[2] && !w[3] && !w[4] && !w[5] && !w[6] && !w[7]) {
            std::memset(o, rangeLimit(descale(w[0], Pass1Bits + 3)), 8);
            continue;
        }
        qint64 z2 = w[2], z3 = w[6];
        qint64 z1 = (z2 + z3) * F0541;
        qint64 tmp2 = z1 - z3 * F1847, tmp3 = z1 + z2 * F0765;
        qint64 tmp0 = (qint64(w[0]) + w[4]) * (1 << ConstBits),
               tmp1 = (qint64(w[0]) - w[4]) * (1 << ConstBits);
        const qint64 tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2,
                     tmp12 = tmp1 - tmp2;
        tmp0 = w[7];
        tmp1 = w[5];
        tmp2 = w[3];
        tmp3 = w[1];
        z1 = tmp0 + tmp3;
        z2 = tmp1 + tmp2;
        z3 = tmp0 + tmp2;
        qint64 z4 = tmp1 + tmp3;
        const qint64 z5 = (z3 + z4) * F1175;
        tmp0 *= F0298;
        tmp1 *= F2053;
        tmp2 *= F3072;
        tmp3 *= F1501;
        z1 *= -F0899;
        z2 *= -F2562;
        z3 = z3 * -F1961 + z5;
        z4 = z4 * -F0390 + z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
        constexpr int s = ConstBits + Pass1Bits + 3;
        o[0] = rangeLimit(descaleLong(tmp10 + tmp3, s));
        o[7] = rangeLimit(descaleLong(tmp10 - tmp3, s));
        o[1] = rangeLimit(descaleLong(tmp11 + tmp2, s));
        o[6] = rangeLimit(descaleLong(tmp11 - tmp2, s));
        o[2] = rangeLimit(descaleLong(tmp12 + tmp1, s));
        o[5] = rangeLimit(descaleLong(tmp12 - tmp1, s));
        o[3] = rangeLimit(descaleLong(tmp13 + tmp0, s));
        o[4] = rangeLimit(descaleLong(tmp13 - tmp0, s));
    }
}

// jcdctmgr.c's compute_reciprocal for a 16-bit DCTELEM (the SIMD build's): quantising t by
// `divisor` is sign(t) * (((|t| + correction) * reciprocal) >> shift). Per quality, the 64
// positions side by side (the quantising loop vectorises), with their steps for dequantising
// and the least |t| any AC position keeps: a block whose ACs are all below it is DC only.
struct Quantiser
{
    alignas(32) quint32 reciprocal[64];
    alignas(32) quint32 correction[64];
    alignas(32) quint32 shift[64];
    alignas(32) qint32 step[64];
    quint32 keepsFrom = 0;
    qint64 largest = 0; // the largest |dequantised coefficient| any 16-bit coefficient gives
};

void makeQuantiser(const int table[64], Quantiser *q)
{
    q->keepsFrom = ~0u;
    q->largest = 0;
    for (int i = 0; i < 64; ++i) {
        const quint32 divisor = quint32(table[i]) << 3;
        int b = 0;
        while ((divisor >> (b + 1)) != 0)
            ++b; // floor(log2(divisor))
        int r = 16 + b;
        quint32 fq = quint32((quint64(1) << r) / divisor);
        const quint32 fr = quint32((quint64(1) << r) % divisor);
        quint32 c = divisor / 2;
        if (fr == 0) {
            fq >>= 1;
            --r;
        } else if (fr <= divisor / 2) {
            ++c;
        } else {
            ++fq;
        }
        q->reciprocal[i] = fq;
        q->correction[i] = c;
        q->shift[i] = quint32(r);
        q->step[i] = table[i];
        q->largest = std::max(q->largest, qint64(((quint64(32768) + c) * fq) >> r) * table[i]);
        if (i > 0) { // the least a with ((a + c) * fq) >> r >= 1
            const quint64 need = ((quint64(1) << r) + fq - 1) / fq;
            q->keepsFrom = std::min(q->keepsFrom, need > c ? quint32(need - c) : 0u);
        }
    }
}

MOUSE_SIMD_CLONES void
dequantised(const qint16 *__restrict t, const Quantiser &__restrict q, qint32 *__restrict out)
{
    for (int i = 0; i < 64; ++i) {
        const qint32 v = t[i];
        const quint32 a = quint32(v < 0 ? -v : v);
        const qint32 m = qint32(((a + q.correction[i]) * q.reciprocal[i]) >> q.shift[i]);
        out[i] = (v < 0 ? -m : m) * q.step[i];
    }
}

// One component: the forward DCT of its blocks (made once) and its decoded samples (per trial).
struct Component
{
    int width = 0, height = 0;          // the samples the decoder uses
    int blocksWide = 0, blocksHigh = 0; // real blocks (dummy blocks of an MCU are never shown)
    std::vector<qint16> coefficients;   // 64 per block, natural order, blocks row by row
    std::vector<quint16> largestAc;     // per block, the largest |AC coefficient| (0: flat)
    std::vector<quint8> samples;        // decoded, blocksWide * 8 wide, blocksHigh * 8 high
    int stride() const { return blocksWide * 8; }
    bool empty() const { return blocksWide == 0; }
};

// A component's buffers, sized for its blocks; not cleared (transform() writes every
// coefficient, reconstruct() every sample), so a reused model's memory is not touched twice.
void prepare(Component *c)
{
    const size_t blocks = size_t(c->blocksWide) * c->blocksHigh;
    c->coefficients.resize(blocks * 64);
    c->largestAc.resize(blocks);
    c->samples.resize(size_t(c->stride()) * c->blocksHigh * 8);
}

// The DCT of a component's block rows [fromRow, toRow) from its padded samples (stride() x
// blocksHigh * 8), into buffers prepare() made.
void transform(Component *c, const std::vector<quint8> &padded, int fromRow, int toRow)
{
    const int stride = c->stride();
    qint32 data[64], dct[64];
    for (int by = fromRow; by < toRow; ++by) {
        for (int bx = 0; bx < c->blocksWide; ++bx) {
            const size_t block = size_t(by) * c->blocksWide + bx;
            const quint8 *s = padded.data() + size_t(by) * 8 * stride + size_t(bx) * 8;
            for (int y = 0; y < 8; ++y)
                for (int x = 0; x < 8; ++x)
                    data[8 * y + x] = qint32(s[size_t(y) * stride + x]) - 128;
            qint32 differ = 0;
            for (int i = 0; i < 64; ++i)
                differ |= data[i] ^ data[0];
            qint16 *out = c->coefficients.data() + block * 64;
            if (!differ) { // what the DCT gives a flat block, without it
                out[0] = qint16(data[0] * 64);
                std::memset(out + 1, 0, 63 * sizeof(qint16));
                c->largestAc[block] = 0;
                continue;
            }
            forwardDct(data, dct);
            for (int i = 0; i < 64; ++i)
                out[i] = qint16(dct[i]);
            qint32 largest = 0;
            for (int i = 1; i < 64; ++i)
                largest = std::max(largest, std::abs(dct[i]));
            c->largestAc[block] = quint16(largest);
        }
    }
}

// The geometry of a full-resolution component of width x height samples.
void shape(Component *c, int width, int height)
{
    c->width = width;
    c->height = height;
    c->blocksWide = (width + 7) / 8;
    c->blocksHigh = (height + 7) / 8;
}

// Rows [from, to) of padded()'s plane (`out` already sized).
void padRows(const quint8 *plane, const Component &c, quint8 *out, int from, int to)
{
    const int width = c.width, stride = c.stride();
    for (int y = from; y < to; ++y) {
        const quint8 *in = plane + size_t(std::min(y, c.height - 1)) * width;
        quint8 *row = out + size_t(y) * stride;
        std::memcpy(row, in, size_t(width));
        std::memset(row + width, in[width - 1], size_t(stride - width));
    }
}

// jcprepct.c / jcsample.c padding: a plane of width x height samples, extended to whole blocks
// by repeating its last column and row. `to` gets the geometry and keeps its buffers.
void padded(const quint8 *plane, int width, int height, std::vector<quint8> *out, Component *to)
{
    shape(to, width, height);
    const int rows = to->blocksHigh * 8;
    out->resize(size_t(to->stride()) * rows);
    padRows(plane, *to, out->data(), 0, rows);
}

// h2v2_downsample's columns [0, n) of a row, whose pixel pairs are all inside the picture: no
// clamping, so the loop vectorises.
MOUSE_SIMD_CLONES void downsampleRow(const quint8 *__restrict r0,
                                     const quint8 *__restrict r1,
                                     quint8 *__restrict to,
                                     int n)
{
    for (int x = 0; x < n; ++x)
        to[x] = quint8((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 1 + (x & 1)) >> 2);
}

// h2v2_downsample (bias 1, 2, 1, 2... per output column) on the full-resolution chroma padded
// to twice the chroma blocks' width, rows beyond the picture repeated; then the rows below
// the last chroma row repeat it (jcprepct.c pads the downsampled rows, not the pixels).
void subsampled(
        const quint8 *plane, int width, int height, std::vector<quint8> *out, Component *into)
{
    Component &c = *into;
    c.width = (width + 1) / 2;
    c.height = (height + 1) / 2;
    c.blocksWide = (c.width + 7) / 8;
    c.blocksHigh = (c.height + 7) / 8;
    const int stride = c.stride(), rows = c.blocksHigh * 8;
    out->resize(size_t(stride) * rows);
    for (int y = 0; y < rows; ++y) {
        quint8 *to = out->data() + size_t(y) * stride;
        if (y >= c.height) {
            std::memcpy(to, to - stride, size_t(stride));
            continue;
        }
        const quint8 *r0 = plane + size_t(std::min(2 * y, height - 1)) * width;
        const quint8 *r1 = plane + size_t(std::min(2 * y + 1, height - 1)) * width;
        const int inside = std::min(stride, width / 2); // 2 x + 1 <= width - 1
        downsampleRow(r0, r1, to, inside);
        for (int x = inside; x < stride; ++x) {
            const int x0 = std::min(2 * x, width - 1), x1 = std::min(2 * x + 1, width - 1);
            to[x] = quint8((r0[x0] + r0[x1] + r1[x0] + r1[x1] + 1 + (x & 1)) >> 2);
        }
    }
}

// rgb_ycc_convert's table sums as arithmetic (vectorises): BGRX pixels to Y, Cb, Cr.
MOUSE_SIMD_CLONES void yccRow(const quint8 *__restrict bgrx,
                              quint8 *__restrict y,
                              quint8 *__restrict cb,
                              quint8 *__restrict cr,
                              int n)
{
    constexpr qint32 ry = fix(0.299), gy = fix(0.587), by = fix(0.114);
    constexpr qint32 rcb = -fix(0.16874), gcb = -fix(0.33126), bcb = fix(0.5);
    constexpr qint32 gcr = -fix(0.41869), bcr = -fix(0.08131);
    constexpr qint32 offset = (128 << ScaleBits) + Half - 1;
    for (int x = 0; x < n; ++x) {
        const qint32 b = bgrx[4 * x], g = bgrx[4 * x + 1], r = bgrx[4 * x + 2];
        y[x] = quint8((ry * r + gy * g + by * b + Half) >> ScaleBits);
        cb[x] = quint8((rcb * r + gcb * g + bcb * b + offset) >> ScaleBits);
        cr[x] = quint8((bcb * r + gcr * g + bcr * b + offset) >> ScaleBits);
    }
}

// ycc_rgb_convert (range-limited) then decodeLuma's BT.601 weights.
MOUSE_SIMD_CLONES void lumaRow(const quint8 *__restrict y,
                               const quint8 *__restrict cb,
                               const quint8 *__restrict cr,
                               quint8 *__restrict out,
                               int n)
{
    constexpr qint32 crr = fix(1.402), cbb = fix(1.772), crg = -fix(0.71414), cbg = -fix(0.34414);
    for (int x = 0; x < n; ++x) {
        const qint32 v = y[x], xb = qint32(cb[x]) - 128, xr = qint32(cr[x]) - 128;
        const qint32 r = std::clamp(v + ((crr * xr + Half) >> ScaleBits), 0, 255);
        const qint32 g = std::clamp(v + ((cbg * xb + Half + crg * xr) >> ScaleBits), 0, 255);
        const qint32 b = std::clamp(v + ((cbb * xb + Half) >> ScaleBits), 0, 255);
        out[x] = quint8((77 * r + 150 * g + 29 * b + 128) >> 8);
    }
}

// h2v2_fancy_upsample of one output row: 3/4 nearer + 1/4 further chroma row, then the same
// across columns, rounding +8 on even and +7 on odd outputs; edges repeat the last sample.
MOUSE_SIMD_CLONES void upsampleRow(const quint8 *__restrict nearer,
                                   const quint8 *__restrict further,
                                   qint32 *__restrict sums,
                                   quint8 *__restrict out,
                                   int chromaWidth,
                                   int width)
{
    for (int j = 0; j < chromaWidth; ++j)
        sums[j + 1] = 3 * qint32(nearer[j]) + further[j];
    sums[0] = sums[1];
    sums[chromaWidth + 1] = sums[chromaWidth];
    for (int j = 0; j < width / 2; ++j) {
        out[2 * j] = quint8((3 * sums[j + 1] + sums[j] + 8) >> 4);
        out[2 * j + 1] = quint8((3 * sums[j + 1] + sums[j + 2] + 7) >> 4);
    }
    if (width & 1)
        out[width - 1] = quint8((3 * sums[chromaWidth] + sums[chromaWidth - 1] + 8) >> 4);
}

#if defined(MOUSE_IDCT_AVX2)
// A trial's blocks with AVX2: dequantising and jpeg_idct_islow on 8 lanes at a time in 32-bit
// integers instead of 64 (2.5x faster), with the same results. Pass 1 (the columns, a lane
// per column) is exact: each of its sums is at most 61214 times the largest input, so below
// 2^31 for inputs up to 35081 (the caller checks the quantiser's `largest`: at most 4216 with
// steps up to 255, 8192 with any 16-bit step, so it is a guard, never taken). Pass 2 (the
// rows, after a transpose) wraps modulo 2^32, which keeps the low 32 bits of every sum, and
// the range limit reads only bits 18..27 of its results (the same wrap-around as the
// decoder's table). The IDCT's shortcuts for columns and rows without AC compute what this
// does. Tested against the scalar path on blocks of any 16-bit coefficients.
#define MOUSE_AVX2 __attribute__((target("avx2")))

constexpr qint64 LanesLimit = 35081;

MOUSE_AVX2 inline __m256i times(__m256i a, qint32 c)
{
    return _mm256_mullo_epi32(a, _mm256_set1_epi32(c));
}

MOUSE_AVX2 inline __m256i add(__m256i a, __m256i b)
{
    return _mm256_add_epi32(a, b);
}

MOUSE_AVX2 inline __m256i sub(__m256i a, __m256i b)
{
    return _mm256_sub_epi32(a, b);
}

// One 1-D pass of jpeg_idct_islow on 8 lanes: v[k] holds element k of every lane; v[k] gets
// output k, before descaling.
MOUSE_AVX2 inline void islowPass(__m256i v[8])
{
    __m256i z1 = times(add(v[2], v[6]), F0541);
    const __m256i e2 = sub(z1, times(v[6], F1847)), e3 = add(z1, times(v[2], F0765));
    const __m256i e0 = _mm256_slli_epi32(add(v[0], v[4]), ConstBits);
    const __m256i e1 = _mm256_slli_epi32(sub(v[0], v[4]), ConstBits);
    const __m256i tmp10 = add(e0, e3), tmp13 = sub(e0, e3), tmp11 = add(e1, e2),
                  tmp12 = sub(e1, e2);
    __m256i tmp0 = v[7], tmp1 = v[5], tmp2 = v[3], tmp3 = v[1];
    z1 = add(tmp0, tmp3);
    __m256i z2 = add(tmp1, tmp2), z3 = add(tmp0, tmp2), z4 = add(tmp1, tmp3);
    const __m256i z5 = times(add(z3, z4), F1175);
    tmp0 = times(tmp0, F0298);
    tmp1 = times(tmp1, F2053);
    tmp2 = times(tmp2, F3072);
    tmp3 = times(tmp3, F1501);
    z1 = times(z1, -F0899);
    z2 = times(z2, -F2562);
    z3 = add(times(z3, -F1961), z5);
    z4 = add(times(z4, -F0390), z5);
    tmp0 = add(tmp0, add(z1, z3));
    tmp1 = add(tmp1, add(z2, z4));
    tmp2 = add(tmp2, add(z2, z3));
    tmp3 = add(tmp3, add(z1, z4));
    v[0] = add(tmp10, tmp3);
    v[7] = sub(tmp10, tmp3);
    v[1] = add(tmp11, tmp2);
    v[6] = sub(tmp11, tmp2);
    v[2] = add(tmp12, tmp1);
    v[5] = sub(tmp12, tmp1);
    v[3] = add(tmp13, tmp0);
    v[4] = sub(tmp13, tmp0);
}

MOUSE_AVX2 inline void transpose(__m256i v[8])
{
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(v[i], v[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(v[i], v[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; ++i) {
        v[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
        v[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
    }
}

template<typename T>
MOUSE_AVX2 inline __m256i at(const T *p, int k)
{
    return _mm256_load_si256(reinterpret_cast<const __m256i *>(p + 8 * k));
}

// Dequantises one block's coefficients (natural order) and writes its 8x8 samples.
MOUSE_AVX2 void reconstructAvx2(const qint16 *t, const Quantiser &q, quint8 *out, int stride)
{
    __m256i v[8];
    for (int k = 0; k < 8; ++k) {
        const __m256i c = _mm256_cvtepi16_epi32(
                _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + 8 * k)));
        const __m256i negative = _mm256_srai_epi32(c, 31);
        const __m256i a = _mm256_abs_epi32(c);
        const __m256i m = _mm256_srlv_epi32(
                _mm256_mullo_epi32(_mm256_add_epi32(a, at(q.correction, k)), at(q.reciprocal, k)),
                at(q.shift, k));
        const __m256i signedM = _mm256_sub_epi32(_mm256_xor_si256(m, negative), negative);
        v[k] = _mm256_mullo_epi32(signedM, at(q.step, k)); // row k, lane: column
    }
    islowPass(v); // the columns
    const __m256i bias1 = _mm256_set1_epi32(1 << (ConstBits - Pass1Bits - 1));
    for (int k = 0; k < 8; ++k)
        v[k] = _mm256_srai_epi32(_mm256_add_epi32(v[k], bias1), ConstBits - Pass1Bits);
    transpose(v); // v[k]: element k of every row
    islowPass(v); // the rows
    constexpr int s = ConstBits + Pass1Bits + 3;
    const __m256i bias2 = _mm256_set1_epi32(1 << (s - 1)), centre = _mm256_set1_epi32(128);
    for (int k = 0; k < 8; ++k) // bits s..s+9, sign-extended: the range limit's index, centred
        v[k] = _mm256_add_epi32(
                _mm256_srai_epi32(_mm256_slli_epi32(_mm256_add_epi32(v[k], bias2), 22 - s), 22),
                centre);
    transpose(v); // v[r]: row r
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int r = 0; r < 8; r += 4) {
        const __m256i bytes = _mm256_permutevar8x32_epi32(
                _mm256_packus_epi16(_mm256_packs_epi32(v[r], v[r + 1]),
                                    _mm256_packs_epi32(v[r + 2], v[r + 3])),
                order);
        const __m128i lo = _mm256_castsi256_si128(bytes), hi = _mm256_extracti128_si256(bytes, 1);
        _mm_storel_epi64(reinterpret_cast<__m128i *>(out + size_t(r) * stride), lo);
        _mm_storeh_pd(reinterpret_cast<double *>(out + size_t(r + 1) * stride),
                      _mm_castsi128_pd(lo));
        _mm_storel_epi64(reinterpret_cast<__m128i *>(out + size_t(r + 2) * stride), hi);
        _mm_storeh_pd(reinterpret_cast<double *>(out + size_t(r + 3) * stride),
                      _mm_castsi128_pd(hi));
    }
}

bool hasAvx2()
{
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
}
#endif

// Quantise, dequantise and inverse-DCT the blocks of rows [fromRow, toRow) of a component.
void reconstruct(Component *c, const Quantiser &q, int fromRow, int toRow)
{
    const int stride = c->stride();
    alignas(32) qint32 coefficients[64];
#if defined(MOUSE_IDCT_AVX2)
    const bool lanes = hasAvx2() && q.largest <= LanesLimit;
#endif
    for (int by = fromRow; by < toRow; ++by) {
        for (int bx = 0; bx < c->blocksWide; ++bx) {
            const size_t block = size_t(by) * c->blocksWide + bx;
            const qint16 *t = c->coefficients.data() + block * 64;
            quint8 *out = c->samples.data() + size_t(by) * 8 * stride + size_t(bx) * 8;
            if (c->largestAc[block] < q.keepsFrom) { // DC only: the IDCT's shortcuts, a level
                const qint32 v = t[0];
                const quint32 a = quint32(v < 0 ? -v : v);
                const qint32 m = qint32(((a + q.correction[0]) * q.reciprocal[0]) >> q.shift[0]);
                const qint32 dc = (v < 0 ? -m : m) * q.step[0];
                const quint8 level = rangeLimit(descale(dc * (1 << Pass1Bits), Pass1Bits + 3));
                for (int y = 0; y < 8; ++y)
                    std::memset(out + size_t(y) * stride, level, 8);
                continue;
            }
#if defined(MOUSE_IDCT_AVX2)
            if (lanes) {
                reconstructAvx2(t, q, out, stride);
                continue;
            }
#endif
            dequantised(t, q, coefficients);
            inverseDct(coefficients, out, stride);
        }
    }
}

} // namespace

// A chroma mode's quantised coefficients, kept with the model's buffers, and the tables they
// were quantised with (none: they are another picture's, or not made).
struct TrialModel::Quantised
{
    CoefficientStore store;
    bool valid = false;
    int luma[64] = {}, chroma[64] = {};

    bool holds(const int lumaSteps[64], const int chromaSteps[64], int components) const
    {
        return valid && std::equal(lumaSteps, lumaSteps + 64, luma)
               && (components == 1 || std::equal(chromaSteps, chromaSteps + 64, chroma));
    }
};

struct TrialModel::State
{
    int width = 0, height = 0;
    std::vector<quint8> fullY, fullCb, fullCr; // full resolution; chroma for the modes' DCTs
    std::vector<quint8> padY, padCb, padCr;    // planes padded to whole blocks
    Component luma, cb420, cr420, cb444, cr444;
    Quantiser lumaQuantiser, chromaQuantiser;
    Quantised quantised[3]; // per chroma mode (4:2:0, 4:4:4, grey): the answer's coefficients

    // For the next picture: no chroma DCT made yet; every buffer kept.
    void reset()
    {
        for (Component *c : {&luma, &cb420, &cr420, &cb444, &cr444})
            c->blocksWide = c->blocksHigh = c->width = c->height = 0;
        for (Quantised &q : quantised)
            q.valid = false; // the last picture's
    }

    size_t bytes() const
    {
        size_t n = 0;
        for (const auto *v : {&fullY, &fullCb, &fullCr, &padY, &padCb, &padCr})
            n += v->capacity();
        for (const Component *c : {&luma, &cb420, &cr420, &cb444, &cr444})
            n += c->coefficients.capacity() * 2 + c->largestAc.capacity() * 2
                 + c->samples.capacity();
        for (const Quantised &q : quantised)
            n += q.store.bytes();
        return n;
    }

    // A chroma mode's DCT, made at its first trial: Cb and Cr as the two halves.
    void makeChroma(Chroma mode, const Both &both)
    {
        Component &cb = mode == Chroma::Full444 ? cb444 : cb420;
        Component &cr = mode == Chroma::Full444 ? cr444 : cr420;
        if (!cb.empty())
            return;
        const auto make
                = [this,
                   mode](Component *c, const std::vector<quint8> &plane, std::vector<quint8> *pad) {
                      if (mode == Chroma::Full444)
                          padded(plane.data(), width, height, pad, c);
                      else
                          subsampled(plane.data(), width, height, pad, c);
                      prepare(c);
                      transform(c, *pad, 0, c->blocksHigh);
                  };
        both([&] { make(&cb, fullCb, &padCb); }, [&] { make(&cr, fullCr, &padCr); });
    }
};

// A model's buffers (7 MB for 1024x576 with both chroma modes) are kept by its thread for the
// next model: fresh, their page faults were much of the setup's cost (~1000 a 1080p frame at
// medium, ~2 ms). Up to this much is kept; a larger picture's buffers are freed.
constexpr size_t KeptStateBytes = size_t(64) << 20;

std::unique_ptr<TrialModel::State> &TrialModel::spare()
{
    thread_local std::unique_ptr<State> state;
    return state;
}

TrialModel::TrialModel(const QSize &size)
    : d(std::move(spare()))
{
    if (!d)
        d = std::make_unique<State>();
    d->reset();
    const int w = size.width(), h = size.height();
    d->width = w;
    d->height = h;
    if (w <= 0 || h <= 0)
        return;
    d->fullY.resize(size_t(w) * h);
    d->fullCb.resize(d->fullY.size());
    d->fullCr.resize(d->fullY.size());
    shape(&d->luma, w, h);
    d->padY.resize(size_t(d->luma.stride()) * d->luma.blocksHigh * 8);
    prepare(&d->luma);
}

void TrialModel::addRows(const uchar *bits, qsizetype bytesPerLine, int from, int to)
{
    const int w = d->width, h = d->height;
    if (from >= to)
        return;
    for (int row = from; row < to; ++row) {
        const size_t at = size_t(row) * w;
        yccRow(bits + qsizetype(row) * bytesPerLine,
               d->fullY.data() + at,
               d->fullCb.data() + at,
               d->fullCr.data() + at,
               w);
    }
    // The last band's block row takes its last row again below the picture (jcprepct.c).
    const int padTo = to == h ? d->luma.blocksHigh * 8 : to;
    padRows(d->fullY.data(), d->luma, d->padY.data(), from, padTo);
    transform(&d->luma, d->padY, from / 8, padTo / 8);
}

TrialModel::TrialModel(const QImage &source, const Both &both)
    : TrialModel(source.size())
{
    const QImage image
            = source.format() == QImage::Format_RGB32 || source.format() == QImage::Format_ARGB32
                      ? source
                      : source.convertToFormat(QImage::Format_RGB32);
    const int h = image.height();
    if (image.width() <= 0 || h <= 0)
        return;
    const int half = std::min(h, (h / 2 + BandRows - 1) / BandRows * BandRows);
    const auto rows = [&](int from, int to) {
        addRows(image.constBits(), image.bytesPerLine(), from, to);
    };
    if (both) {
        both([&] { rows(0, half); }, [&] { rows(half, h); });
    } else {
        rows(0, half);
        rows(half, h);
    }
}

bool reconstructBothWays(const qint16 coefficients[64],
                         const int table[64],
                         quint8 lanes[64],
                         quint8 scalar[64])
{
    Quantiser q;
    makeQuantiser(table, &q);
    alignas(32) qint32 block[64];
    dequantised(coefficients, q, block);
    inverseDct(block, scalar, 8);
#if defined(MOUSE_IDCT_AVX2)
    if (hasAvx2() && q.largest <= LanesLimit) {
        reconstructAvx2(coefficients, q, lanes, 8);
        return true;
    }
#endif
    Q_UNUSED(lanes)
    return false;
}

TrialModel::~TrialModel()
{
    if (d && d->bytes() <= KeptStateBytes)
        spare() = std::move(d);
}

int TrialModel::width() const
{
    return d->width;
}

int TrialModel::height() const
{
    return d->height;
}

void TrialModel::decodeLuma(const EncodeSettings &settings,
                            std::vector<quint8> *luma,
                            const Both &both)
{
    const int w = d->width, h = d->height;
    luma->resize(size_t(w) * h);
    if (w <= 0 || h <= 0)
        return;
    const Chroma mode = settings.chroma;
    if (mode != Chroma::Grey)
        d->makeChroma(mode, both);
    Component *cb = mode == Chroma::Full444 ? &d->cb444 : &d->cb420;
    Component *cr = mode == Chroma::Full444 ? &d->cr444 : &d->cr420;
    int lumaSteps[64], chromaSteps[64];
    lumaTable(settings, lumaSteps);
    makeQuantiser(lumaSteps, &d->lumaQuantiser);
    if (mode != Chroma::Grey) {
        chromaTable(settings, chromaSteps);
        makeQuantiser(chromaSteps, &d->chromaQuantiser);
    }

    // The blocks in two halves of their rows (each component's own), then the pixels.
    const auto blocks = [&](int part) {
        const auto rows = [part](const Component &c, int *from, int *to) {
            *from = part == 0 ? 0 : c.blocksHigh / 2;
            *to = part == 0 ? c.blocksHigh / 2 : c.blocksHigh;
        };
        int from = 0, to = 0;
        rows(d->luma, &from, &to);
        reconstruct(&d->luma, d->lumaQuantiser, from, to);
        if (mode == Chroma::Grey)
            return;
        rows(*cb, &from, &to);
        reconstruct(cb, d->chromaQuantiser, from, to);
        reconstruct(cr, d->chromaQuantiser, from, to);
    };
    both([&] { blocks(0); }, [&] { blocks(1); });

    const auto pixels = [&](int from, int to) {
        const int ys = d->luma.stride();
        if (mode == Chroma::Grey) {
            for (int y = from; y < to; ++y)
                std::memcpy(luma->data() + size_t(y) * w,
                            d->luma.samples.data() + size_t(y) * ys,
                            size_t(w));
            return;
        }
        if (mode == Chroma::Full444) {
            const int cs = cb->stride();
            for (int y = from; y < to; ++y)
                lumaRow(d->luma.samples.data() + size_t(y) * ys,
                        cb->samples.data() + size_t(y) * cs,
                        cr->samples.data() + size_t(y) * cs,
                        luma->data() + size_t(y) * w,
                        w);
            return;
        }
        const int cs = cb->stride(), ch = cb->height, cw = cb->width;
        std::vector<qint32> sums(size_t(cw) + 2);
        std::vector<quint8> upCb(static_cast<size_t>(w)), upCr(static_cast<size_t>(w));
        for (int y = from; y < to; ++y) {
            const int nearer = y / 2;
            const int further = std::clamp(nearer + ((y & 1) ? 1 : -1), 0, ch - 1);
            if (cw <= 2) { // jdsample.c: too narrow for the fancy filter, plain replication
                for (int x = 0; x < w; ++x) {
                    upCb[size_t(x)] = cb->samples[size_t(nearer) * cs + size_t(x / 2)];
                    upCr[size_t(x)] = cr->samples[size_t(nearer) * cs + size_t(x / 2)];
                }
            } else {
                upsampleRow(cb->samples.data() + size_t(nearer) * cs,
                            cb->samples.data() + size_t(further) * cs,
                            sums.data(),
                            upCb.data(),
                            cw,
                            w);
                upsampleRow(cr->samples.data() + size_t(nearer) * cs,
                            cr->samples.data() + size_t(further) * cs,
                            sums.data(),
                            upCr.data(),
                            cw,
                            w);
            }
            lumaRow(d->luma.samples.data() + size_t(y) * ys,
                    upCb.data(),
                    upCr.data(),
                    luma->data() + size_t(y) * w,
                    w);
        }
    };
    both([&] { pixels(0, h / 2); }, [&] { pixels(h / 2, h); });
}

namespace {

// jcdctmgr.c's quantize(): libjpeg-turbo's reciprocal rounding of the DCT's output, the
// coefficients an encode of the picture writes.
MOUSE_SIMD_CLONES void
quantised(const qint16 *__restrict t, const Quantiser &__restrict q, qint16 *__restrict out)
{
    for (int i = 0; i < 64; ++i) {
        const qint32 v = t[i];
        const quint32 a = quint32(v < 0 ? -v : v);
        const qint32 m = qint32(((a + q.correction[i]) * q.reciprocal[i]) >> q.shift[i]);
        out[i] = qint16(v < 0 ? -m : m);
    }
}

// A row of a component's blocks, quantised; blocks without an AC coefficient the quantiser
// keeps (most of a desktop's) are their DC alone.
void quantisedRow(const Component &c, const Quantiser &q, int row, qint16 *out)
{
    for (int bx = 0; bx < c.blocksWide; ++bx, out += 64) {
        const size_t block = size_t(row) * c.blocksWide + bx;
        const qint16 *t = c.coefficients.data() + block * 64;
        if (c.largestAc[block] >= q.keepsFrom) {
            quantised(t, q, out);
            continue;
        }
        const qint32 v = t[0];
        const quint32 a = quint32(v < 0 ? -v : v);
        const qint32 m = qint32(((a + q.correction[0]) * q.reciprocal[0]) >> q.shift[0]);
        out[0] = qint16(v < 0 ? -m : m);
        std::memset(out + 1, 0, 63 * sizeof(qint16));
    }
}

int modeIndex(Chroma mode)
{
    return mode == Chroma::Subsampled420 ? 0 : mode == Chroma::Full444 ? 1 : 2;
}

} // namespace

void TrialModel::quantise(const EncodeSettings &settings, const Both &both)
{
    const Chroma mode = settings.chroma;
    Quantised &q = d->quantised[modeIndex(mode)];
    int lumaSteps[64], chromaSteps[64] = {};
    lumaTable(settings, lumaSteps);
    if (mode != Chroma::Grey)
        chromaTable(settings, chromaSteps);
    const int count = mode == Chroma::Grey ? 1 : 3;
    if (d->width <= 0 || d->height <= 0 || q.holds(lumaSteps, chromaSteps, count))
        return;
    q.valid = false;
    const Both halves
            = both ? both
                   : Both([](const std::function<void()> &a, const std::function<void()> &b) {
                         a();
                         b();
                     });
    if (mode != Chroma::Grey)
        d->makeChroma(mode, halves);
    const Component *components[3] = {&d->luma,
                                      mode == Chroma::Full444 ? &d->cb444 : &d->cb420,
                                      mode == Chroma::Full444 ? &d->cr444 : &d->cr420};
    if (!q.store.reserve(d->width, d->height, mode) || q.store.components() != count)
        return;
    for (int c = 0; c < count; ++c) { // libjpeg's geometry is the model's (never seen otherwise)
        if (q.store.blocksWide(c) != components[c]->blocksWide
            || q.store.blocksHigh(c) != components[c]->blocksHigh)
            return;
    }
    Quantiser quantisers[2];
    makeQuantiser(lumaSteps, &quantisers[0]);
    if (count > 1)
        makeQuantiser(chromaSteps, &quantisers[1]);
    const auto rows = [&](int part) { // each component's block rows in two halves
        for (int c = 0; c < count; ++c) {
            const int high = components[c]->blocksHigh;
            for (int r = part == 0 ? 0 : high / 2; r < (part == 0 ? high / 2 : high); ++r)
                quantisedRow(*components[c], quantisers[c == 0 ? 0 : 1], r, q.store.row(c, r));
        }
    };
    halves([&] { rows(0); }, [&] { rows(1); });
    std::copy(lumaSteps, lumaSteps + 64, q.luma);
    std::copy(chromaSteps, chromaSteps + 64, q.chroma);
    q.valid = true;
}

QByteArray TrialModel::encode(const EncodeSettings &settings) const
{
    const CoefficientStore *store = coefficients(settings);
    return store ? encodeCoefficients(*store, settings) : QByteArray();
}

const CoefficientStore *TrialModel::coefficients(const EncodeSettings &settings) const
{
    const Chroma mode = settings.chroma;
    const Quantised &q = d->quantised[modeIndex(mode)];
    int lumaSteps[64], chromaSteps[64] = {};
    lumaTable(settings, lumaSteps);
    if (mode != Chroma::Grey)
        chromaTable(settings, chromaSteps);
    return q.holds(lumaSteps, chromaSteps, mode == Chroma::Grey ? 1 : 3) ? &q.store : nullptr;
}

} // namespace Mouse::JpegCodec

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/pngdecoder.h"

#include "core/screens/areascaler.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <libdeflate.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace Mouse::PngDecoder {

namespace {

quint32 be32(const uchar *p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

bool isType(const uchar *p, const char *type)
{
    return std::memcmp(p, type, 4) == 0;
}

struct Header
{
    quint32 width = 0, height = 0;
    int bitDepth = 0, colourType = 0, interlace = 0;
    int channels() const
    {
        switch (colourType) {
        case 2:
            return 3;
        case 4:
            return 2;
        case 6:
            return 4;
        default:
            return 1; // grey, palette
        }
    }
};

// The combinations the PNG specification allows.
bool validDepth(int colourType, int depth)
{
    switch (colourType) {
    case 0:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
        return depth == 8 || depth == 16;
    default:
        return false;
    }
}

// The joined IDAT data of this thread's last PNG, kept (bounded) for its next.
std::vector<uchar> &joinedIdat()
{
    thread_local std::vector<uchar> joined;
    constexpr size_t KeptBytes = size_t(16) << 20;
    if (joined.capacity() > KeptBytes)
        std::vector<uchar>().swap(joined);
    return joined;
}

struct Chunks
{
    Header header;
    QRgb palette[256] = {};
    int paletteSize = 0;
    bool paletteAlpha = false;
    std::vector<uchar> &joined = joinedIdat(); // the IDAT data when there are several chunks
    const uchar *data = nullptr;               // the IDAT data, in place when there is one chunk
    size_t size = 0;
};

// Walks the chunks: structure, CRCs of the critical ones, the order rules; keeps what the
// decode needs. Decoded here means "go on".
Result readChunks(const QByteArray &bytes, qint64 maxPixels, Chunks *out)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    const size_t size = size_t(bytes.size());
    if (size < 8 || std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0)
        return Result::Corrupt;
    size_t pos = 8;
    bool seenHeader = false, seenEnd = false, inIdat = false, idatDone = false;
    std::vector<std::pair<const uchar *, size_t>> idats;
    while (!seenEnd) {
        if (size - pos < 12)
            return Result::Corrupt; // truncated
        const quint32 length = be32(p + pos);
        if (length > 0x7fffffffu || size - pos - 12 < length)
            return Result::Corrupt;
        const uchar *type = p + pos + 4, *data = p + pos + 8;
        const bool critical = (type[0] & 0x20) == 0;
        if (critical && libdeflate_crc32(0, type, length + 4) != be32(data + length))
            return Result::Corrupt;
        if (!seenHeader && !isType(type, "IHDR"))
            return Result::Corrupt;
        if (inIdat && !isType(type, "IDAT")) {
            inIdat = false;
            idatDone = true;
        }
        if (isType(type, "IHDR")) {
            if (seenHeader || length != 13)
                return Result::Corrupt;
            seenHeader = true;
            Header &h = out->header;
            h.width = be32(data);
            h.height = be32(data + 4);
            h.bitDepth = data[8];
            h.colourType = data[9];
            h.interlace = data[12];
            if (h.width == 0 || h.height == 0 || h.width > 0x7fffffffu || h.height > 0x7fffffffu
                || !validDepth(h.colourType, h.bitDepth) || data[10] != 0 || data[11] != 0
                || h.interlace > 1)
                return Result::Corrupt;
            if (qint64(h.width) * qint64(h.height) > maxPixels)
                return Result::TooLarge;
            if (h.bitDepth != 8 || h.interlace != 0)
                return Result::Unsupported;
        } else if (isType(type, "PLTE")) {
            if (out->paletteSize || inIdat || idatDone || length % 3 || length == 0 || length > 768)
                return Result::Corrupt;
            out->paletteSize = int(length / 3);
            for (int i = 0; i < out->paletteSize; ++i)
                out->palette[i] = qRgb(data[3 * i], data[3 * i + 1], data[3 * i + 2]);
        } else if (isType(type, "tRNS")) {
            const int colourType = out->header.colourType;
            if (colourType == 0 || colourType == 2)
                return Result::Unsupported; // a colour key: QImageReader handles it
            if (colourType == 3) {
                if (!out->paletteSize || int(length) > out->paletteSize)
                    return Result::Corrupt;
                for (quint32 i = 0; i < length; ++i)
                    out->palette[i] = (out->palette[i] & 0x00ffffffu) | (quint32(data[i]) << 24);
                out->paletteAlpha = length > 0;
            }
        } else if (isType(type, "IDAT")) {
            if (idatDone)
                return Result::Corrupt; // IDAT chunks must be consecutive
            inIdat = true;
            idats.emplace_back(data, length);
        } else if (isType(type, "IEND")) {
            seenEnd = true;
        } else if (critical) {
            return Result::Corrupt; // an unknown critical chunk
        }
        pos += 12 + size_t(length);
    }
    if (idats.empty() || (out->header.colourType == 3 && !out->paletteSize))
        return Result::Corrupt;
    if (idats.size() == 1) {
        out->data = idats.front().first;
        out->size = idats.front().second;
    } else {
        // Joined in the thread's kept buffer (a 1080p frame's IDAT is up to ~1 MB: fresh, a
        // page fault per 4 KiB each frame), which the decode reads before this thread's next.
        std::vector<uchar> &joined = out->joined;
        size_t total = 0;
        for (const auto &[data, length] : idats)
            total += length;
        joined.resize(total);
        size_t at = 0;
        for (const auto &[data, length] : idats) {
            std::memcpy(joined.data() + at, data, length);
            at += length;
        }
        out->data = joined.data();
        out->size = total;
    }
    return Result::Decoded;
}

// The SIMD Paeth reads rows 4 bytes at a time: a 3-byte pixel's load takes one byte past it, which
// the buffers have (RowPadding): the next row's filter byte, or padding after the last row.
constexpr size_t RowPadding = 16;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MOUSE_PAETH_SSE41 1

__attribute__((target("sse4.1"))) inline __m128i loadPixel(const uchar *p)
{
    quint32 bytes = 0;
    std::memcpy(&bytes, p, 4);
    return _mm_cvtepu8_epi16(_mm_cvtsi32_si128(int(bytes)));
}

// Paeth for 3- and 4-byte pixels, one pixel's channels at once in 16-bit lanes. Each pixel
// waits for its left neighbour, so the gain is a shorter chain per pixel: |b - c| is made
// before the left pixel is known, abs and blend are one instruction each (SSSE3, SSE4.1), and
// the final add is byte-wise (its high bytes stay 0: no masking). A pixel is stored as 4
// bytes, the fourth over the next pixel's first, which was loaded before (the last pixel is
// stored byte by byte, not to touch the next row's filter byte).
template<int Bpp>
__attribute__((target("sse4.1"))) void paethSse41(uchar *row, const uchar *prev, size_t length)
{
    if (length < Bpp)
        return;
    __m128i a = _mm_setzero_si128(), c = _mm_setzero_si128();
    __m128i next = loadPixel(row);
    const size_t last = length - Bpp;
    for (size_t i = 0;; i += Bpp) {
        const __m128i b = loadPixel(prev + i), x = next;
        const __m128i bc = _mm_sub_epi16(b, c), ac = _mm_sub_epi16(a, c);
        const __m128i pa = _mm_abs_epi16(bc), pb = _mm_abs_epi16(ac);
        const __m128i pc = _mm_abs_epi16(_mm_add_epi16(ac, bc));
        const __m128i notA = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
        const __m128i bOrC = _mm_blendv_epi8(b, c, _mm_cmpgt_epi16(pb, pc));
        a = _mm_add_epi8(x, _mm_blendv_epi8(a, bOrC, notA));
        const auto out = quint32(_mm_cvtsi128_si32(_mm_packus_epi16(a, a)));
        if (i == last) {
            for (int k = 0; k < Bpp; ++k)
                row[i + size_t(k)] = uchar(out >> (8 * k));
            return;
        }
        next = loadPixel(row + i + Bpp);
        std::memcpy(row + i, &out, 4);
        c = b;
    }
}

// Consecutive Paeth rows at once, on a wavefront: row r of the group works on pixel x - r at
// step x, so the pixels above it (row r - 1's x - r and x - r - 1) were made in the steps
// before. Rows go in pairs, one 16-bit lane group each (the upper row low, the lower high);
// a step's chains, one per pair, run side by side, each about as long as one pixel's, so a
// group of rows costs little more than one row. Pixels before a row's start are 0 (their
// inputs all are); pixels after its end are made but not stored. Loads never overlap a store
// made before them (4-byte loads read ahead, stores are of whole pixels).
template<int Bpp>
__attribute__((target("sse4.1"))) inline __m128i
rawPixels(const uchar *upper, const uchar *lower, qint64 x, qint64 pixels)
{
    quint32 up = 0, low = 0;
    if (x >= 0 && x < pixels)
        std::memcpy(&up, upper + x * Bpp, 4);
    if (x >= 1 && x <= pixels)
        std::memcpy(&low, lower + (x - 1) * Bpp, 4);
    return _mm_cvtepu8_epi16(
            _mm_unpacklo_epi32(_mm_cvtsi32_si128(int(up)), _mm_cvtsi32_si128(int(low))));
}

template<int Bpp>
__attribute__((target("sse4.1"))) inline void
storePixels(uchar *upper, uchar *lower, __m128i a, qint64 x, qint64 pixels)
{
    const auto out = quint64(_mm_cvtsi128_si64(_mm_packus_epi16(a, a)));
    if (x >= 0 && x < pixels)
        std::memcpy(upper + x * Bpp, &out, Bpp);
    if (x >= 1 && x <= pixels) {
        const auto low = quint32(out >> 32);
        std::memcpy(lower + (x - 1) * Bpp, &low, Bpp);
    }
}

template<int Bpp, int Pairs>
__attribute__((target("sse4.1"))) void
paethRowsSse41(uchar *first, size_t stride, const uchar *prev, size_t length)
{
    const auto pixels = qint64(length / Bpp);
    __m128i a[Pairs], b[Pairs], c[Pairs];
    for (int j = 0; j < Pairs; ++j)
        a[j] = c[j] = _mm_setzero_si128();
    for (qint64 x = 0; x < pixels + 2 * Pairs - 1; ++x) {
        quint32 above = 0;
        if (x < pixels)
            std::memcpy(&above, prev + x * Bpp, 4);
        b[0] = _mm_unpacklo_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(int(above))), a[0]);
        for (int j = 1; j < Pairs; ++j)
            b[j] = _mm_alignr_epi8(a[j], a[j - 1], 8); // (pair j - 1's lower, pair j's upper)
        for (int j = 0; j < Pairs; ++j) {
            uchar *upper = first + size_t(2 * j) * stride, *lower = upper + stride;
            const qint64 at = x - 2 * j;
            const __m128i bc = _mm_sub_epi16(b[j], c[j]), ac = _mm_sub_epi16(a[j], c[j]);
            const __m128i pa = _mm_abs_epi16(bc), pb = _mm_abs_epi16(ac);
            const __m128i pc = _mm_abs_epi16(_mm_add_epi16(ac, bc));
            const __m128i notA = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
            const __m128i bOrC = _mm_blendv_epi8(b[j], c[j], _mm_cmpgt_epi16(pb, pc));
            a[j] = _mm_add_epi8(rawPixels<Bpp>(upper, lower, at, pixels),
                                _mm_blendv_epi8(a[j], bOrC, notA));
            c[j] = b[j];
            storePixels<Bpp>(upper, lower, a[j], at, pixels);
        }
    }
}

bool hasSse41()
{
    static const bool has = __builtin_cpu_supports("sse4.1");
    return has;
}
#endif

// One row's filter undone in place, for `Bpp` bytes per pixel, one loop per filter: the left
// and upper-left bytes stay in registers (one independent chain per channel) instead of being
// read back from the row just written.
template<int Bpp>
void unfilterRow(int filter, uchar *row, const uchar *prev, size_t length)
{
    int left[Bpp] = {}, upLeft[Bpp] = {};
    switch (filter) {
    case 1:
        for (size_t i = 0; i + Bpp <= length; i += Bpp)
            for (int k = 0; k < Bpp; ++k)
                row[i + size_t(k)] = uchar(left[k] = (row[i + size_t(k)] + left[k]) & 0xff);
        break;
    case 2:
        for (size_t i = 0; i < length; ++i)
            row[i] = uchar(row[i] + prev[i]);
        break;
    case 3:
        for (size_t i = 0; i + Bpp <= length; i += Bpp)
            for (int k = 0; k < Bpp; ++k)
                row[i + size_t(k)] = uchar(
                        left[k]
                        = (row[i + size_t(k)] + ((left[k] + prev[i + size_t(k)]) >> 1)) & 0xff);
        break;
    default:
#ifdef MOUSE_PAETH_SSE41
        if constexpr (Bpp >= 3) {
            if (hasSse41()) {
                paethSse41<Bpp>(row, prev, length);
                break;
            }
        }
#endif
        // Paeth with p = a + b - c: |p - a| = |b - c| does not wait for the left byte.
        for (size_t i = 0; i + Bpp <= length; i += Bpp) {
            for (int k = 0; k < Bpp; ++k) {
                const int a = left[k], b = prev[i + size_t(k)], c = upLeft[k];
                const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
                const int predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                left[k] = (row[i + size_t(k)] + predictor) & 0xff;
                row[i + size_t(k)] = uchar(left[k]);
                upLeft[k] = b;
            }
        }
        break;
    }
}

// Undoes one row's filter in place; prev is the previous row, already unfiltered (zeros for
// the first). length is a multiple of bpp (8-bit samples).
bool unfilter(int filter, uchar *row, const uchar *prev, size_t length, int bpp)
{
    if (filter == 0)
        return true;
    if (filter > 4)
        return false;
    switch (bpp) {
    case 1:
        unfilterRow<1>(filter, row, prev, length);
        break;
    case 2:
        unfilterRow<2>(filter, row, prev, length);
        break;
    case 3:
        unfilterRow<3>(filter, row, prev, length);
        break;
    default:
        unfilterRow<4>(filter, row, prev, length);
        break;
    }
    return true;
}

void convertRow(const Chunks &c, const uchar *in, QRgb *out, quint32 width)
{
    switch (c.header.colourType) {
    case 0:
        for (quint32 x = 0; x < width; ++x)
            out[x] = qRgb(in[x], in[x], in[x]);
        break;
    case 2:
        for (quint32 x = 0; x < width; ++x, in += 3)
            out[x] = qRgb(in[0], in[1], in[2]);
        break;
    case 3:
        // Indexes beyond the palette are black, as libpng makes them.
        for (quint32 x = 0; x < width; ++x)
            out[x] = in[x] < c.paletteSize ? c.palette[in[x]] : qRgba(0, 0, 0, 255);
        break;
    case 4:
        for (quint32 x = 0; x < width; ++x, in += 2)
            out[x] = qRgba(in[0], in[0], in[0], in[1]);
        break;
    default:
        for (quint32 x = 0; x < width; ++x, in += 4)
            out[x] = qRgba(in[0], in[1], in[2], in[3]);
        break;
    }
}

// The big buffers of a decode (the inflated rows, 6 MB at 1080p, and the picture, 8 MB) are
// reused from frame to frame: fresh memory costs a page fault per 4 KiB page, which the kernel
// clears first; for a 1080p frame that was 2-7 ms, as much as the decode itself. A few
// buffers are kept (the image pool's threads and the helper each hold one or two at a time),
// within a byte budget; larger ones are freed. The picture's buffer comes back through
// QImage's cleanup function, on whichever thread drops the last copy.
class BufferPool
{
public:
    static uchar *take(size_t size)
    {
        {
            const std::lock_guard lock(mutex());
            auto &free = buffers();
            auto best = free.end();
            for (auto it = free.begin(); it != free.end(); ++it)
                if (capacity(*it) >= size
                    && (best == free.end() || capacity(*it) < capacity(*best)))
                    best = it;
            if (best != free.end()) {
                uchar *buffer = *best;
                free.erase(best);
                kept() -= capacity(buffer);
                return buffer;
            }
        }
        auto *block = static_cast<uchar *>(std::malloc(size + Header));
        if (!block)
            return nullptr;
        std::memcpy(block, &size, sizeof size);
        return block + Header;
    }

    static void give(uchar *buffer)
    {
        if (!buffer)
            return;
        const size_t size = capacity(buffer);
        {
            const std::lock_guard lock(mutex());
            auto &free = buffers();
            if (free.size() < MaxBuffers && kept() + size <= MaxBytes) {
                free.push_back(buffer);
                kept() += size;
                return;
            }
        }
        std::free(buffer - Header);
    }

    static void giveImage(void *buffer) { give(static_cast<uchar *>(buffer)); }

private:
    static constexpr size_t Header = 64; // the capacity, and the pixels 64-byte aligned
    static constexpr size_t MaxBuffers = 8;
    static constexpr size_t MaxBytes = size_t(96) << 20;

    static size_t capacity(const uchar *buffer)
    {
        size_t size = 0;
        std::memcpy(&size, buffer - Header, sizeof size);
        return size;
    }
    static std::mutex &mutex()
    {
        static std::mutex m;
        return m;
    }
    static std::vector<uchar *> &buffers()
    {
        static auto *free = new std::vector<uchar *>; // never destroyed: images may outlive main
        return *free;
    }
    static size_t &kept()
    {
        static size_t bytes = 0;
        return bytes;
    }
};

struct PooledDeleter
{
    void operator()(uchar *buffer) const { BufferPool::give(buffer); }
};

struct DecompressorDeleter
{
    void operator()(libdeflate_decompressor *d) const { libdeflate_free_decompressor(d); }
};

// A picture of `size` in a pooled buffer (returned to the pool when the last copy goes).
QImage pooledImage(const QSize &size, QImage::Format format)
{
    const qsizetype stride = qsizetype(size.width()) * 4; // rows stay 32-bit aligned
    uchar *pixels = BufferPool::take(size_t(stride) * size_t(size.height()));
    if (!pixels)
        return {};
    QImage out(pixels, size.width(), size.height(), stride, format, BufferPool::giveImage, pixels);
    if (out.isNull())
        BufferPool::give(pixels);
    return out;
}

// Up to `count` consecutive Paeth rows undone together where the SIMD code does it (3- and
// 4-byte pixels): returns how many (4 or 2), 0 when none (undo them one by one).
quint32
paethRows(uchar *first, size_t stride, quint32 count, const uchar *prev, size_t length, int bpp)
{
#ifdef MOUSE_PAETH_SSE41
    if (bpp < 3 || count < 2 || !hasSse41())
        return 0;
    const bool four = count >= 4;
    if (bpp == 3)
        (four ? paethRowsSse41<3, 2> : paethRowsSse41<3, 1>)(first, stride, prev, length);
    else
        (four ? paethRowsSse41<4, 2> : paethRowsSse41<4, 1>)(first, stride, prev, length);
    return four ? 4 : 2;
#else
    Q_UNUSED(first);
    Q_UNUSED(stride);
    Q_UNUSED(count);
    Q_UNUSED(prev);
    Q_UNUSED(length);
    Q_UNUSED(bpp);
    return 0;
#endif
}

// The inflated rows, unfiltered one by one, each handed to `sink(y, row)` once done; false
// when a row has an unknown filter.
template<typename Sink>
bool unfilterRows(const Header &h, uchar *raw, Sink &&sink)
{
    const int bpp = h.channels();
    const size_t rowBytes = size_t(h.width) * size_t(bpp);
    const std::vector<uchar> zeros(rowBytes + RowPadding, 0);
    const uchar *prev = zeros.data();
    const size_t stride = rowBytes + 1;
    for (quint32 y = 0; y < h.height; ++y) {
        uchar *row = raw + size_t(y) * stride;
        quint32 run = 0; // consecutive Paeth rows from here, up to 4
        while (run < 4 && y + run < h.height && row[size_t(run) * stride] == 4)
            ++run;
        if (const quint32 done = paethRows(row + 1, stride, run, prev, rowBytes, bpp)) {
            for (quint32 k = 0; k < done; ++k)
                sink(y + k, row + 1 + size_t(k) * stride);
            prev = row + 1 + size_t(done - 1) * stride;
            y += done - 1;
            continue;
        }
        if (!unfilter(row[0], row + 1, prev, rowBytes, bpp))
            return false;
        sink(y, row + 1);
        prev = row + 1;
    }
    return true;
}

bool hasAlpha(const Chunks &c)
{
    const int type = c.header.colourType;
    return type == 4 || type == 6 || (type == 3 && c.paletteAlpha);
}

// Rows converted into the full-size picture.
Result decodeFull(const Chunks &chunks, uchar *raw, QImage *image)
{
    const Header &h = chunks.header;
    QImage out = pooledImage(QSize(int(h.width), int(h.height)),
                             hasAlpha(chunks) ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    if (out.isNull())
        return Result::TooLarge;
    uchar *bits = out.bits();
    const qsizetype stride = out.bytesPerLine();
    const bool ok = unfilterRows(h, raw, [&](quint32 y, const uchar *row) {
        convertRow(chunks, row, reinterpret_cast<QRgb *>(bits + qsizetype(y) * stride), h.width);
    });
    if (!ok)
        return Result::Corrupt;
    *image = std::move(out);
    return Result::Decoded;
}

void spinPause()
{
#if defined(__x86_64__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

// A wait for another thread's progress that does not sleep: pauses at first, then yields the
// core, which on a busy machine the thread waited for may need (session 4: pure spinning made
// frames 5-9 ms slower when another process held a core).
class Backoff
{
public:
    void wait()
    {
        constexpr int Pauses = 512; // ~20 us where a pause is ~140 cycles (Skylake on)
        if (m_waits < Pauses) {
            ++m_waits;
            spinPause();
        } else {
            std::this_thread::yield();
        }
    }
    void reset() { m_waits = 0; }

private:
    int m_waits = 0;
};

// The bands of a RowSink, handed out in order to whichever thread is free: a band is taken
// only once the scaler has made its rows, and only once (compare-and-swap on the next band).
class Bands
{
public:
    Bands(RowSink *sink, int height)
        : m_sink(sink)
        , m_height(height)
        , m_count(sink ? (height + RowSink::BandRows - 1) / RowSink::BandRows : 0)
    {}

    // The scaler's output rows made so far (the scaling thread, after each source row).
    void made(int rows) { m_made.store(rows, std::memory_order_release); }

    // Takes and does the next band if its rows are made; whether it did one.
    bool doOne()
    {
        int band = m_next.load(std::memory_order_relaxed);
        const int made = m_made.load(std::memory_order_acquire);
        while (band < m_count && end(band) <= made) {
            if (m_next.compare_exchange_weak(band, band + 1, std::memory_order_relaxed)) {
                m_sink->rows(band * RowSink::BandRows, end(band));
                return true;
            }
        }
        return false;
    }

    bool allTaken() const { return m_next.load(std::memory_order_relaxed) >= m_count; }

private:
    int end(int band) const { return std::min(m_height, (band + 1) * RowSink::BandRows); }

    RowSink *m_sink;
    const int m_height, m_count;
    std::atomic<int> m_made{0}, m_next{0};
};

// Grey and RGB rows unfiltered on the first of `both`'s pieces and scaled on the second, which
// follows the rows published so far (a row is only read once unfiltered, and never again
// written). The scaler's work is a third of a 1080p RGB decode; the rows after the first
// group are ready before it needs them, so the wait is short: pauses, then yields (Backoff),
// never a sleep.
// With a sink, its bands (work on the scaled rows) fill both threads' gaps: the second piece
// takes them whenever no row is ready to scale and once all are scaled; the first, once its
// rows are unfiltered, takes them as the second makes them. `both` may run the pieces one
// after the other (the helper busy): the first then finds the second not started and leaves
// the bands to it rather than wait for rows no one scales. Neither waits for a band once all
// rows are scaled (a band never made would be left to the sink's owner, not hang the decode).
bool unfilterAndScale(
        const Header &h, uchar *raw, AreaScaler *scaler, const Both &both, Bands *bands)
{
    std::atomic<quint32> ready{0};
    std::atomic<bool> stopped{false}, scaling{false}, scaled{false};
    bool ok = false;
    const size_t stride = size_t(h.width) * size_t(h.channels()) + 1;
    both(
            [&] {
                ok = unfilterRows(h, raw, [&](quint32 y, const uchar *) {
                    ready.store(y + 1, std::memory_order_release);
                });
                stopped.store(true, std::memory_order_release);
                Backoff backoff;
                while (ok && scaling.load(std::memory_order_acquire) && !bands->allTaken()) {
                    const bool last = scaled.load(std::memory_order_acquire);
                    if (bands->doOne())
                        backoff.reset();
                    else if (last)
                        break;
                    else
                        backoff.wait(); // the scaler has not made the next band's rows yet
                }
            },
            [&] {
                scaling.store(true, std::memory_order_release);
                Backoff backoff;
                for (quint32 y = 0; y < h.height; ++y) {
                    while (ready.load(std::memory_order_acquire) <= y) {
                        if (stopped.load(std::memory_order_acquire)
                            && ready.load(std::memory_order_acquire) <= y)
                            return; // a bad filter byte: the rows below never come
                        if (bands->doOne())
                            backoff.reset();
                        else
                            backoff.wait();
                    }
                    backoff.reset();
                    scaler->addRow(raw + size_t(y) * stride + 1);
                    bands->made(scaler->rowsMade());
                }
                scaled.store(true, std::memory_order_release);
                while (bands->doOne()) {
                }
            });
    return ok;
}

// Rows folded into the downscale as they are unfiltered: grey and RGB rows as they are, the
// other kinds converted first (premultiplied when there is alpha, as ImageCodec::scaled
// scales ARGB32_Premultiplied).
Result decodeScaled(const Chunks &chunks,
                    uchar *raw,
                    const QSize &size,
                    QImage *image,
                    const Both &both,
                    RowSink *sink)
{
    const Header &h = chunks.header;
    const bool alpha = hasAlpha(chunks);
    QImage out
            = pooledImage(size, alpha ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
    if (out.isNull())
        return Result::TooLarge;
    const int type = h.colourType;
    const AreaScaler::Input input = type == 0   ? AreaScaler::Input::Grey
                                    : type == 2 ? AreaScaler::Input::Rgb
                                    : alpha     ? AreaScaler::Input::Premultiplied
                                                : AreaScaler::Input::Opaque;
    AreaScaler scaler(
            QSize(int(h.width), int(h.height)), size, input, out.bits(), out.bytesPerLine());
    std::vector<QRgb> line(type == 0 || type == 2 ? 0 : h.width);
    if (line.empty() && both) {
        if (sink)
            sink->start(out.constBits(), out.bytesPerLine(), size);
        Bands bands(sink, size.height());
        if (!unfilterAndScale(h, raw, &scaler, both, &bands))
            return Result::Corrupt;
        *image = std::move(out);
        return Result::Decoded;
    }
    const bool ok = unfilterRows(h, raw, [&](quint32, const uchar *row) {
        if (line.empty()) {
            scaler.addRow(row);
            return;
        }
        convertRow(chunks, row, line.data(), h.width);
        if (alpha) {
            for (QRgb &p : line)
                p = qPremultiply(p);
        }
        scaler.addRow(reinterpret_cast<const uchar *>(line.data()));
    });
    if (!ok)
        return Result::Corrupt;
    *image = std::move(out);
    return Result::Decoded;
}

} // namespace

Result decode(const QByteArray &bytes,
              qint64 maxPixels,
              QImage *image,
              const QSize &scaleTo,
              const Both &both,
              RowSink *sink)
{
    Chunks chunks;
    const Result structure = readChunks(bytes, maxPixels, &chunks);
    if (structure != Result::Decoded)
        return structure;

    const Header &h = chunks.header;
    const size_t rowBytes = size_t(h.width) * size_t(h.channels());
    const size_t total = (rowBytes + 1) * size_t(h.height);
    // Reused, not zeroed (6 MB at 1080p): the inflate must fill exactly `total` bytes or fail.
    const std::unique_ptr<uchar, PooledDeleter> raw(BufferPool::take(total + RowPadding));
    if (!raw)
        return Result::TooLarge;
    const std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> inflater(
            libdeflate_alloc_decompressor());
    // No actual-size pointer: anything but exactly `total` bytes is an error.
    if (!inflater
        || libdeflate_zlib_decompress(
                   inflater.get(), chunks.data, chunks.size, raw.get(), total, nullptr)
                   != LIBDEFLATE_SUCCESS)
        return Result::Corrupt;

    if (AreaScaler::handles(QSize(int(h.width), int(h.height)), scaleTo))
        return decodeScaled(chunks, raw.get(), scaleTo, image, both, sink);
    return decodeFull(chunks, raw.get(), image);
}

} // namespace Mouse::PngDecoder

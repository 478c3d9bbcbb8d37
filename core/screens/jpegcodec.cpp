// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/jpegcodec.h"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <QtAlgorithms>

#include <jpeglib.h>

#include <type_traits>

namespace Mouse::JpegCodec {

static_assert(std::is_same_v<JCOEF, qint16>, "CoefficientStore hands out libjpeg's JCOEF rows");

namespace {

struct ErrorManager
{
    jpeg_error_mgr base;
    std::jmp_buf jump;
};

[[noreturn]] void onError(j_common_ptr info)
{
    std::longjmp(reinterpret_cast<ErrorManager *>(info->err)->jump, 1);
}

void onMessage(j_common_ptr, int) {} // warnings are not printed

} // namespace

namespace {

// libjpeg's standard luminance table (natural order), which quality scales.
constexpr int StdLuminance[64]
        = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
           14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
           18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
           49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

// libjpeg's standard chrominance table (natural order).
constexpr int StdChrominance[64]
        = {17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
           99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
           99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

int scaled(int base, int quality)
{
    quality = std::clamp(quality, 1, 100);
    const int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
    return std::clamp((base * scale + 50) / 100, 1, 255);
}

// libjpeg's scaling without its integer steps.
double scaledFine(int base, double quality)
{
    quality = std::clamp(quality, 1.0, 100.0);
    const double scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
    return std::clamp(base * scale / 100, 1.0, 255.0);
}

// A flat 8x8 block of level v has the DC coefficient (v - 128) * 8, which comes back as the
// nearest multiple of the DC step: black (-1024) with a step of 20 comes back as -1020, a
// mean of 0.5 that the decoder rounds to 1, and a background one or two levels off next to
// blocks that are not is a visible step at every block edge. SSIM sees both: its luminance
// term divides by the squared means (+ a small constant), so black turned into 1 scores like
// heavy damage, and a step of e levels across a window that was flat costs about e^2 / 4
// against a constant of 58. Of the steps within -20 % .. +20 % of the table's (bytes barely
// change), the one whose reconstruction of the picture's flat blocks is closest wins; black
// alone (no statistics) is assumed otherwise.
// The error, in levels, of a flat block of `level` coming back through a DC step.
int reconstructionError(int level, int step)
{
    const int dc = (level - 128) * 8;
    const int q = dc >= 0 ? (dc + step / 2) / step : -((-dc + step / 2) / step);
    const int back = std::clamp(int(std::lround(128 + double(q) * step / 8)), 0, 255);
    return std::abs(back - level);
}

int fittedDcStep(int step, const FlatLevels *flat)
{
    FlatLevels blackOnly;
    if (!flat || flat->total == 0) {
        blackOnly.blocks[0] = 1;
        blackOnly.total = 1;
        flat = &blackOnly;
    }
    int best = step;
    double bestCost = -1;
    const int low = std::max(1, step - step / 5), high = std::min(255, step + step / 5);
    for (int s = high; s >= low; --s) { // ties: the coarser step, fewer bytes
        double cost = 0;
        for (int v = 0; v < 256; ++v) {
            if (flat->blocks[size_t(v)]) {
                const int e = reconstructionError(v, s);
                cost += double(flat->blocks[size_t(v)]) * e * e;
            }
        }
        if (bestCost < 0 || cost < bestCost) {
            bestCost = cost;
            best = s;
        }
    }
    return best;
}

// A short progressive script: the DC of all components, then each component's AC in one
// or two spectral bands, no successive approximation. Most of the gain of progressive JPEG
// (per-band Huffman tables, end-of-band runs over the many empty high bands of flat screen
// content) for about the cost of a baseline encode with optimised tables.
void setScanScript(jpeg_compress_struct &info, std::vector<jpeg_scan_info> &scans)
{
    const auto scan = [&scans](std::initializer_list<int> components, int ss, int se) {
        jpeg_scan_info s{};
        s.comps_in_scan = int(components.size());
        int i = 0;
        for (const int c : components)
            s.component_index[i++] = c;
        s.Ss = ss;
        s.Se = se;
        scans.push_back(s);
    };
    if (info.num_components == 1) {
        scan({0}, 0, 0);
        scan({0}, 1, 8);
        scan({0}, 9, 63);
    } else {
        scan({0, 1, 2}, 0, 0);
        scan({0}, 1, 8);
        scan({1}, 1, 63);
        scan({2}, 1, 63);
        scan({0}, 9, 63);
    }
    info.scan_info = scans.data();
    info.num_scans = int(scans.size());
}

// Our luma table for screen content. SSIM over 8x8 windows is driven by the variance of the
// error, and the DCT is orthonormal, so every coefficient's error counts the same: equal
// steps give the least error per byte, where libjpeg's table (steps 6x larger at the
// highest frequencies, for photographs seen from afar) blurs text edges first. Ours rises
// gently with frequency (u + v), 3x at the corner, keeping a little of that weighting for the
// eye; the DC step is half the base step, as block-mean errors show as banding in gradients
// and weigh in SSIM's luminance term; black-safe (above). The base step is libjpeg's DC step
// for that quality, so quality still means "smaller is coarser". On the corpus at medium this
// table needs 9 % fewer bytes than libjpeg's for the same SSIM (docs/benchmarks).
void screenLumaTable(double quality, const FlatLevels *flat, int table[64])
{
    const double base = scaledFine(16, quality);
    for (int i = 0; i < 64; ++i) {
        const int u = i % 8, v = i / 8;
        table[i] = std::clamp(int(std::lround(base * (1 + 2.0 * (u + v) / 14))), 1, 255);
    }
    table[0] = fittedDcStep(std::clamp(int(std::lround(base / 2)), 1, 255), flat);
}

} // namespace

void FlatLevels::add(const FlatLevels &other)
{
    for (size_t i = 0; i < blocks.size(); ++i)
        blocks[i] += other.blocks[i];
    total += other.total;
}

FlatLevels flatLevels(const quint8 *luma, int width, int height)
{
    return flatLevels(luma, width, height, 0, height);
}

FlatLevels flatLevels(const quint8 *luma, int width, int height, int fromRow, int toRow)
{
    FlatLevels out;
    for (int by = fromRow; by < toRow && by + 8 <= height; by += 8) {
        for (int bx = 0; bx + 8 <= width; bx += 8) {
            const quint8 *block = luma + size_t(by) * width + bx;
            const quint8 first = block[0];
            bool flat = true;
            for (int y = 0; y < 8 && flat; ++y) {
                const quint8 *row = block + size_t(y) * width;
                for (int x = 0; x < 8; ++x)
                    flat = flat && row[x] == first;
            }
            if (flat) {
                ++out.blocks[first];
                ++out.total;
            }
        }
    }
    return out;
}

void lumaTable(const EncodeSettings &settings, int table[64])
{
    if (settings.tables == Tables::Screen) {
        screenLumaTable(settings.quality, settings.flat, table);
        return;
    }
    for (int i = 0; i < 64; ++i)
        table[i] = scaled(StdLuminance[i], int(std::lround(settings.quality)));
}

void chromaTable(const EncodeSettings &settings, int table[64])
{
    const int quality = int(std::lround(settings.quality)); // as jpeg_set_quality gets it
    for (int i = 0; i < 64; ++i) {
        const int step = scaled(StdChrominance[i], quality);
        table[i] = settings.chromaScale == 1.0
                           ? step
                           : std::clamp(int(std::lround(step * settings.chromaScale)), 1, 255);
    }
}

namespace {

// The parameters of an encode with these settings, once jpeg_create_compress and a destination
// are set: the pixels' encode (encode()) and the coefficients' (encodeCoefficients()) share
// them, so both write the same headers, tables, sampling, scans and Huffman coding.
void configure(jpeg_compress_struct &info,
               int width,
               int height,
               const EncodeSettings &settings,
               std::vector<jpeg_scan_info> &scans)
{
    info.image_width = JDIMENSION(width);
    info.image_height = JDIMENSION(height);
    info.input_components = 4;
    info.in_color_space = JCS_EXT_BGRX; // QImage RGB32 in little-endian memory
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, int(std::lround(settings.quality)), TRUE); // chroma: whole steps
    int luma[64];
    lumaTable(settings, luma);
    unsigned int table[64];
    for (int i = 0; i < 64; ++i)
        table[i] = unsigned(luma[i]);
    jpeg_add_quant_table(&info, 0, table, 100, TRUE);
    if (settings.chroma == Chroma::Grey) {
        jpeg_set_colorspace(&info, JCS_GRAYSCALE); // keeps the tables; libjpeg's Y of R=G=B is R
    } else {
        const int factor = settings.chroma == Chroma::Full444 ? 1 : 2;
        info.comp_info[0].h_samp_factor = factor;
        info.comp_info[0].v_samp_factor = factor;
        if (settings.chromaScale != 1.0) {
            const JQUANT_TBL *chroma = info.quant_tbl_ptrs[1];
            for (int i = 0; i < 64; ++i) {
                const double step = chroma->quantval[i] * settings.chromaScale;
                table[i] = unsigned(std::clamp(int(std::lround(step)), 1, 255));
            }
            jpeg_add_quant_table(&info, 1, table, 100, TRUE);
        }
    }
    info.optimize_coding = settings.optimized ? TRUE : FALSE;
    info.dct_method = JDCT_ISLOW;
    if (settings.progressive)
        setScanScript(info, scans);
}

// The scans of the script that `scans` names (bit i: scan i), after a stand-in DC scan when it
// does not name the DC scan (bit 0): libjpeg's validate_script refuses an AC scan of a component
// whose DC has not been sent earlier in the same script, and a progressive script without a DC
// scan of every component. The stand-in's point transform (DC >> 10: the values are nearly all
// 0 or -1) makes its Huffman coding cheap; the AC scans after it are coded as they are after
// the real one (an AC scan's first pass reads only its own band), and joinScans() drops it.
constexpr int StandInDcShift = 10; // libjpeg's largest Al for 8-bit samples

bool selectScans(jpeg_compress_struct &info,
                 const std::vector<jpeg_scan_info> &script,
                 unsigned scans,
                 std::vector<jpeg_scan_info> &selected)
{
    if (script.empty() || scans == 0 || scans >> script.size() != 0)
        return false;
    if (!(scans & 1u)) {
        jpeg_scan_info dc = script.front();
        dc.Al = StandInDcShift;
        selected.push_back(dc);
    }
    for (size_t i = 0; i < script.size(); ++i) {
        if (scans >> i & 1u)
            selected.push_back(script[i]);
    }
    info.scan_info = selected.data();
    info.num_scans = int(selected.size());
    return true;
}

// Reads the arrays from MCU row `fromRow` on, as if it were the first: jctrans.c reads the
// coefficient arrays only through the compressor's access_virt_barray, by block row of each
// component, so the compressor's method is wrapped to add each component's offset (the rows
// above the cut). The arrays and their rows are the store's, read only, as without the offset.
struct RowWindow
{
    const jvirt_barray_ptr *arrays = nullptr;
    JDIMENSION offsets[MAX_COMPONENTS] = {};
    int components = 0;
    JBLOCKARRAY(*access)
    (j_common_ptr, jvirt_barray_ptr, JDIMENSION, JDIMENSION, boolean) = nullptr;
};

JBLOCKARRAY accessFromCut(j_common_ptr info,
                          jvirt_barray_ptr array,
                          JDIMENSION startRow,
                          JDIMENSION rows,
                          boolean writable)
{
    const auto *window = static_cast<const RowWindow *>(info->client_data);
    for (int c = 0; c < window->components; ++c) {
        if (window->arrays[c] == array)
            return window->access(info, array, startRow + window->offsets[c], rows, writable);
    }
    return window->access(info, array, startRow, rows, writable);
}

// libjpeg's output straight into a QByteArray, doubled as it fills. Not jpeg_mem_dest: after
// its first growth it has freed the buffer it handed out, so an error past the first 4 KiB of
// output left a pointer that freeing double-freed (found with a deliberately wrong row offset
// in encodeCoefficientRows); here the array owns its bytes whatever happens.
struct ArrayDestination
{
    jpeg_destination_mgr base{};
    QByteArray bytes;

    ArrayDestination()
    {
        base.init_destination = [](j_compress_ptr info) {
            self(info)->bytes.resize(16384);
            self(info)->restart(0);
        };
        base.empty_output_buffer = [](j_compress_ptr info) -> boolean {
            ArrayDestination *d = self(info); // the whole buffer is written
            const qsizetype used = d->bytes.size();
            d->bytes.resize(used * 2);
            d->restart(used);
            return TRUE;
        };
        base.term_destination = [](j_compress_ptr info) {
            ArrayDestination *d = self(info);
            d->bytes.truncate(d->bytes.size() - qsizetype(d->base.free_in_buffer));
        };
    }

    static ArrayDestination *self(j_compress_ptr info)
    {
        return reinterpret_cast<ArrayDestination *>(info->dest); // base is the first member
    }

    void restart(qsizetype from)
    {
        base.next_output_byte = reinterpret_cast<JOCTET *>(bytes.data()) + from;
        base.free_in_buffer = size_t(bytes.size() - from);
    }
};
static_assert(std::is_standard_layout_v<ArrayDestination>);

} // namespace

QByteArray encode(const QImage &source, const EncodeSettings &settings)
{
    const QImage image
            = source.format() == QImage::Format_RGB32 || source.format() == QImage::Format_ARGB32
                      ? source
                      : source.convertToFormat(QImage::Format_RGB32);
    if (image.isNull())
        return {};
    jpeg_compress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    ArrayDestination destination;
    std::vector<jpeg_scan_info> scans;
    scans.reserve(8);
    // Locals changed after setjmp are not touched after a longjmp except through `info`.
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        return {};
    }
    jpeg_create_compress(&info);
    info.dest = &destination.base;
    configure(info, image.width(), image.height(), settings, scans);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(image.constScanLine(int(info.next_scanline)));
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return std::move(destination.bytes);
}

struct CoefficientStore::Arrays
{
    jpeg_compress_struct holder{}; // owns the arrays; never compresses (nor aborts)
    ErrorManager errors{};
    int width = 0, height = 0;
    Chroma chroma = Chroma::Subsampled420;
    int components = 0;
    jvirt_barray_ptr arrays[MAX_COMPONENTS] = {};
    JBLOCKARRAY rows[MAX_COMPONENTS] = {};
    int blocksWide[MAX_COMPONENTS] = {}, blocksHigh[MAX_COMPONENTS] = {};
    size_t bytes = 0;

    ~Arrays() { jpeg_destroy_compress(&holder); }

    // libjpeg's geometry for this mode (jcmaster.c's initial_setup with the sampling factors
    // configure() sets), in arrays of whole MCUs as its coefficient controller reads them
    // (jctrans.c reads only the picture's blocks; its dummy blocks are its own, as when it
    // encodes pixels). Every block is written once here, so every row is defined to libjpeg.
    bool make()
    {
        holder.err = jpeg_std_error(&errors.base);
        errors.base.error_exit = onError;
        errors.base.emit_message = onMessage;
        if (setjmp(errors.jump)) // only here: later, the holder is only destroyed (no errors)
            return false;
        jpeg_create_compress(&holder);
        const int maxFactor = chroma == Chroma::Subsampled420 ? 2 : 1;
        components = chroma == Chroma::Grey ? 1 : 3;
        const auto common = reinterpret_cast<j_common_ptr>(&holder);
        int arrayWide[MAX_COMPONENTS] = {}, arrayRows[MAX_COMPONENTS] = {};
        for (int c = 0; c < components; ++c) {
            const int factor = c == 0 ? maxFactor : 1;
            blocksWide[c] = (width * factor + 8 * maxFactor - 1) / (8 * maxFactor);
            blocksHigh[c] = (height * factor + 8 * maxFactor - 1) / (8 * maxFactor);
            const int wide = (blocksWide[c] + factor - 1) / factor * factor;
            arrayWide[c] = wide;
            arrayRows[c] = (blocksHigh[c] + factor - 1) / factor * factor;
            arrays[c] = holder.mem->request_virt_barray(
                    common,
                    JPOOL_IMAGE, // the only pool for virtual arrays; freed by destroy alone
                    FALSE,
                    JDIMENSION(wide),
                    JDIMENSION(arrayRows[c]),
                    JDIMENSION(arrayRows[c]));
            bytes += size_t(wide) * size_t(arrayRows[c]) * sizeof(JBLOCK);
        }
        holder.mem->realize_virt_arrays(common);
        for (int c = 0; c < components; ++c) {
            rows[c] = holder.mem->access_virt_barray(
                    common, arrays[c], 0, JDIMENSION(arrayRows[c]), TRUE);
            for (int r = 0; r < arrayRows[c]; ++r) // the blocks past the picture's: zeros
                std::memset(rows[c][r][0], 0, sizeof(JBLOCK) * size_t(arrayWide[c]));
        }
        return true;
    }
};

CoefficientStore::CoefficientStore() = default;
CoefficientStore::~CoefficientStore() = default;

bool CoefficientStore::reserve(int width, int height, Chroma chroma)
{
    if (d && d->width == width && d->height == height && d->chroma == chroma)
        return true;
    d.reset();
    if (width <= 0 || height <= 0)
        return false;
    auto arrays = std::make_unique<Arrays>();
    arrays->width = width;
    arrays->height = height;
    arrays->chroma = chroma;
    if (!arrays->make())
        return false;
    d = std::move(arrays);
    return true;
}

int CoefficientStore::components() const
{
    return d ? d->components : 0;
}

int CoefficientStore::blocksWide(int component) const
{
    return d->blocksWide[component];
}

int CoefficientStore::blocksHigh(int component) const
{
    return d->blocksHigh[component];
}

qint16 *CoefficientStore::row(int component, int row)
{
    return reinterpret_cast<qint16 *>(d->rows[component][row]); // the row's blocks, one run
}

size_t CoefficientStore::bytes() const
{
    return d ? d->bytes : 0;
}

int CoefficientStore::mcuHeight() const
{
    return d && d->chroma == Chroma::Subsampled420 ? 16 : 8;
}

int CoefficientStore::mcuRows() const
{
    return d ? (d->height + mcuHeight() - 1) / mcuHeight() : 0;
}

// The encodes of a store's arrays: the whole, some scans, some MCU rows.
struct StoreEncode
{
    static constexpr unsigned AllScans = ~0u;

    static QByteArray run(const CoefficientStore &store,
                          const EncodeSettings &settings,
                          unsigned scans,
                          int fromRow,
                          int toRow)
    {
        const CoefficientStore::Arrays *arrays = store.d.get();
        if (!arrays || arrays->chroma != settings.chroma || fromRow < 0 || fromRow >= toRow
            || toRow > store.mcuRows() || (scans != AllScans && !settings.progressive))
            return {};
        const int mcuHeight = store.mcuHeight();
        const int height = std::min(arrays->height, toRow * mcuHeight) - fromRow * mcuHeight;
        RowWindow window;
        window.arrays = arrays->arrays;
        window.components = arrays->components;
        for (int c = 0; c < arrays->components; ++c) // a component's block rows per MCU row
            window.offsets[c] = JDIMENSION(fromRow * (c == 0 ? mcuHeight / 8 : 1));
        jpeg_compress_struct info{};
        ErrorManager errors{};
        info.err = jpeg_std_error(&errors.base);
        errors.base.error_exit = onError;
        errors.base.emit_message = onMessage;
        ArrayDestination destination;
        std::vector<jpeg_scan_info> script, selected;
        script.reserve(8);
        selected.reserve(8);
        if (setjmp(errors.jump)) {
            jpeg_destroy_compress(&info);
            return {};
        }
        jpeg_create_compress(&info);
        info.dest = &destination.base;
        configure(info, arrays->width, height, settings, script);
        if (scans != AllScans && !selectScans(info, script, scans, selected)) {
            jpeg_destroy_compress(&info);
            return {};
        }
        if (fromRow > 0) {
            window.access = info.mem->access_virt_barray;
            info.client_data = &window;
            info.mem->access_virt_barray = accessFromCut;
        }
        // The holder's arrays, read only (libjpeg's transcoding reads another object's arrays,
        // as jpegtran does): several encodes may read them at once.
        jpeg_write_coefficients(&info, const_cast<jvirt_barray_ptr *>(arrays->arrays));
        jpeg_finish_compress(&info);
        jpeg_destroy_compress(&info);
        return std::move(destination.bytes);
    }
};

QByteArray encodeCoefficients(const CoefficientStore &store, const EncodeSettings &settings)
{
    return StoreEncode::run(store, settings, StoreEncode::AllScans, 0, store.mcuRows());
}

int progressiveScans(Chroma chroma)
{
    return chroma == Chroma::Grey ? 3 : 5;
}

QByteArray encodeCoefficientScans(const CoefficientStore &store,
                                  const EncodeSettings &settings,
                                  unsigned scans)
{
    if (scans == 0 || scans >= 1u << progressiveScans(settings.chroma))
        return {};
    return StoreEncode::run(store, settings, scans, 0, store.mcuRows());
}

QByteArray encodeCoefficientRows(const CoefficientStore &store,
                                 const EncodeSettings &settings,
                                 int fromRow,
                                 int toRow)
{
    return StoreEncode::run(store, settings, StoreEncode::AllScans, fromRow, toRow);
}

namespace {

// Where the parts of our own JPEG lie: the end of its frame header (the SOF segment, after the
// tables libjpeg writes first), the end of each scan (of its entropy-coded data: the next
// marker that is not a stuffed 0xFF or a restart), and its end marker. A scan runs from the end
// of the one before it (or of the header): its DHT segments, its SOS, its data.
struct Layout
{
    int headerEnd = -1;
    std::vector<int> scanEnds;
};

int entropyEnd(const uchar *p, int n, int pos)
{
    for (;;) {
        const void *ff = std::memchr(p + pos, 0xFF, size_t(n - pos));
        if (!ff)
            return -1;
        pos = int(static_cast<const uchar *>(ff) - p);
        if (pos + 1 >= n)
            return -1;
        const uchar next = p[pos + 1];
        if (next != 0 && (next < 0xD0 || next > 0xD7))
            return pos;
        pos += 2;
    }
}

bool layoutOf(const QByteArray &bytes, Layout *out)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    const int n = int(bytes.size());
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
        return false;
    for (int pos = 2;;) {
        if (pos + 2 > n || p[pos] != 0xFF)
            return false;
        const uchar marker = p[pos + 1];
        if (marker == 0xD9) // EOI: the last two bytes
            return pos + 2 == n && out->headerEnd > 0 && !out->scanEnds.empty();
        if (pos + 4 > n)
            return false;
        const int length = p[pos + 2] << 8 | p[pos + 3];
        if (length < 2 || pos + 2 + length > n)
            return false;
        pos += 2 + length;
        if (marker >= 0xC0 && marker <= 0xC2) // SOF0, SOF1, SOF2
            out->headerEnd = pos;
        if (marker != 0xDA) // not SOS
            continue;
        pos = entropyEnd(p, n, pos);
        if (pos < 0 || out->headerEnd < 0)
            return false;
        out->scanEnds.push_back(pos);
    }
}

} // namespace

QByteArray joinScans(const ScanPart &first, const ScanPart &second, int count)
{
    const ScanPart *parts[2] = {&first, &second};
    if (count <= 0 || count > 8 || (first.scans & second.scans) != 0
        || (first.scans | second.scans) != (1u << count) - 1)
        return {};
    Layout layouts[2];
    int next[2] = {};
    for (int k = 0; k < 2; ++k) {
        const bool standIn = !(parts[k]->scans & 1u); // its first scan is the stand-in DC
        next[k] = standIn ? 1 : 0;
        if (!layoutOf(parts[k]->bytes, &layouts[k])
            || int(layouts[k].scanEnds.size()) != int(qPopulationCount(parts[k]->scans)) + next[k])
            return {};
    }
    const int headerEnd = layouts[0].headerEnd; // the same settings: the same headers
    if (layouts[1].headerEnd != headerEnd
        || std::memcmp(first.bytes.constData(), second.bytes.constData(), size_t(headerEnd)) != 0)
        return {};
    QByteArray out;
    out.reserve(first.bytes.size() + second.bytes.size());
    out.append(first.bytes.constData(), headerEnd);
    for (int i = 0; i < count; ++i) {
        const int k = first.scans >> i & 1u ? 0 : 1;
        const Layout &layout = layouts[k];
        const int scan = next[k]++;
        const int from = scan == 0 ? layout.headerEnd : layout.scanEnds[size_t(scan - 1)];
        out.append(parts[k]->bytes.constData() + from, layout.scanEnds[size_t(scan)] - from);
    }
    out.append("\xFF\xD9", 2);
    return out;
}

QByteArray encode(const QImage &image, int quality, Chroma chroma, bool optimized, bool progressive)
{
    return encode(
            image,
            EncodeSettings{double(quality), chroma, optimized, progressive, Tables::Standard});
}

QImage decode(const QByteArray &bytes)
{
    jpeg_decompress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    QImage image;
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&info);
        return {};
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info,
                 reinterpret_cast<const unsigned char *>(bytes.constData()),
                 static_cast<unsigned long>(bytes.size()));
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK
        || (info.num_components != 3 && info.num_components != 1)) {
        jpeg_destroy_decompress(&info);
        return {};
    }
    info.out_color_space = JCS_EXT_BGRX;
    jpeg_start_decompress(&info);
    image = QImage(int(info.output_width), int(info.output_height), QImage::Format_RGB32);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = image.scanLine(int(info.output_scanline));
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return image;
}

} // namespace Mouse::JpegCodec

namespace Mouse::JpegCodec {

namespace {

// Our own JPEG bytes, opened for decodeLuma(): the header read and the decoder started, to BGRX
// (luma weighs it) or, for a grey JPEG, straight to the plane (its RGB would be (v, v, v), whose
// luma is v). Errors longjmp to the caller's setjmp (errors.jump).
bool startLuma(jpeg_decompress_struct &info, const QByteArray &bytes)
{
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info,
                 reinterpret_cast<const unsigned char *>(bytes.constData()),
                 static_cast<unsigned long>(bytes.size()));
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK
        || (info.num_components != 3 && info.num_components != 1))
        return false;
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_EXT_BGRX;
    jpeg_start_decompress(&info);
    return true;
}

// The started decode's rows up to `to`, those from `from` on as luma into `out`; `row` holds a
// BGRX row (or a grey row above `from`).
void lumaRows(jpeg_decompress_struct &info, int from, int to, quint8 *out, quint8 *row)
{
    const bool grey = info.out_color_space == JCS_GRAYSCALE;
    const int w = int(info.output_width);
    while (int(info.output_scanline) < to) {
        const int y = int(info.output_scanline);
        quint8 *into = y >= from ? out + size_t(y - from) * w : nullptr;
        JSAMPROW line = grey && into ? into : row;
        jpeg_read_scanlines(&info, &line, 1);
        if (grey || !into)
            continue;
        for (int x = 0; x < w; ++x) {
            const quint8 *p = row + 4 * x; // B G R X, as ImageCodec::luma weighs them
            into[x] = quint8((77 * p[2] + 150 * p[1] + 29 * p[0] + 128) >> 8);
        }
    }
}

} // namespace

bool decodeLuma(const QByteArray &bytes, int *width, int *height, std::vector<quint8> *luma)
{
    jpeg_decompress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    std::vector<quint8> row; // declared before setjmp, resized after: not touched on longjmp
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    if (!startLuma(info, bytes)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    const int w = int(info.output_width), h = int(info.output_height);
    row.resize(size_t(w) * 4);
    luma->resize(size_t(w) * h);
    lumaRows(info, 0, h, luma->data(), row.data());
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    *width = w;
    *height = h;
    return true;
}

bool decodeLumaRows(const QByteArray &bytes, int width, int from, int to, quint8 *out)
{
    jpeg_decompress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    std::vector<quint8> row; // declared before setjmp, resized after: not touched on longjmp
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    if (from < 0 || from >= to || !startLuma(info, bytes) || int(info.output_width) != width
        || int(info.output_height) < to) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    row.resize(size_t(width) * 4);
    lumaRows(info, from, to, out, row.data());
    jpeg_destroy_decompress(&info); // the rows below `to` are not wanted: no finish
    return true;
}

} // namespace Mouse::JpegCodec

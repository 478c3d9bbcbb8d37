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

QByteArray taken(unsigned char *buffer, unsigned long size)
{
    QByteArray out(reinterpret_cast<const char *>(buffer), qsizetype(size));
    std::free(buffer);
    return out;
}

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
    unsigned char *buffer = nullptr;
    unsigned long size = 0;
    std::vector<jpeg_scan_info> scans;
    scans.reserve(8);
    // Locals changed after setjmp are not touched after a longjmp except through `info`.
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        std::free(buffer);
        return {};
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    configure(info, image.width(), image.height(), settings, scans);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(image.constScanLine(int(info.next_scanline)));
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return taken(buffer, size);
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
    return d->rows[component][row][0];
}

size_t CoefficientStore::bytes() const
{
    return d ? d->bytes : 0;
}

QByteArray encodeCoefficients(const CoefficientStore &store, const EncodeSettings &settings)
{
    const CoefficientStore::Arrays *arrays = store.d.get();
    if (!arrays || arrays->chroma != settings.chroma)
        return {};
    jpeg_compress_struct info{};
    ErrorManager errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = onError;
    errors.base.emit_message = onMessage;
    unsigned char *buffer = nullptr;
    unsigned long size = 0;
    std::vector<jpeg_scan_info> scans;
    scans.reserve(8);
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        std::free(buffer);
        return {};
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    configure(info, arrays->width, arrays->height, settings, scans);
    // The holder's arrays, read only (libjpeg's transcoding reads another object's arrays, as
    // jpegtran does): several encodes may read them at once.
    jpeg_write_coefficients(&info, const_cast<jvirt_barray_ptr *>(arrays->arrays));
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return taken(buffer, size);
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
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info,
                 reinterpret_cast<const unsigned char *>(bytes.constData()),
                 static_cast<unsigned long>(bytes.size()));
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK
        || (info.num_components != 3 && info.num_components != 1)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    // A grey JPEG decodes straight into the plane: its RGB would be (v, v, v), whose luma is v.
    const bool grey = info.num_components == 1;
    info.out_color_space = grey ? JCS_GRAYSCALE : JCS_EXT_BGRX;
    jpeg_start_decompress(&info);
    const int w = int(info.output_width), h = int(info.output_height);
    row.resize(size_t(w) * 4);
    luma->resize(size_t(w) * h);
    while (info.output_scanline < info.output_height) {
        quint8 *to = luma->data() + size_t(info.output_scanline) * w;
        JSAMPROW line = grey ? to : row.data();
        jpeg_read_scanlines(&info, &line, 1);
        if (grey)
            continue;
        for (int x = 0; x < w; ++x) {
            const quint8 *p = row.data() + 4 * x; // B G R X, as ImageCodec::luma weighs them
            to[x] = quint8((77 * p[2] + 150 * p[1] + 29 * p[0] + 128) >> 8);
        }
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    *width = w;
    *height = h;
    return true;
}

} // namespace Mouse::JpegCodec

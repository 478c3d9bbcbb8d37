// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/jpegcodec.h"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <jpeglib.h>

namespace Mouse::JpegCodec {

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

int scaled(int base, int quality)
{
    quality = std::clamp(quality, 1, 100);
    const int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
    return std::clamp((base * scale + 50) / 100, 1, 255);
}

// A black 8x8 block has the DC coefficient -1024 (level shift 128, times 8). With most DC
// steps it comes back as -1020 or so, a mean of 0.5 that the decoder rounds to 1: every
// black area turns into level 1, and SSIM, whose luminance term divides by the squared
// means (+ a small constant), scores dark windows far worse for that one level than any
// visible loss elsewhere (terminals, dark windows). The same step +-25 % that brings black
// back to <= 0.375 costs nothing measurable in bytes.
int blackSafeDcStep(int step)
{
    const auto safe = [](int s) {
        const int q = (1024 + s / 2) / s; // round(1024 / s)
        return q * s >= 1021;
    };
    for (int d = 0; d <= step / 4 + 1; ++d) {
        if (safe(step - d) && step - d >= 1)
            return step - d;
        if (safe(step + d) && step + d <= 255)
            return step + d;
    }
    return step;
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
    scan({0, 1, 2}, 0, 0);
    scan({0}, 1, 8);
    scan({1}, 1, 63);
    scan({2}, 1, 63);
    scan({0}, 9, 63);
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
void screenLumaTable(int quality, int table[64])
{
    const double base = scaled(16, quality);
    for (int i = 0; i < 64; ++i) {
        const int u = i % 8, v = i / 8;
        table[i] = std::clamp(int(std::lround(base * (1 + 2.0 * (u + v) / 14))), 1, 255);
    }
    table[0] = blackSafeDcStep(std::clamp(int(std::lround(base / 2)), 1, 255));
}

} // namespace

void lumaTable(const EncodeSettings &settings, int table[64])
{
    if (settings.tables == Tables::Screen) {
        screenLumaTable(settings.quality, table);
        return;
    }
    for (int i = 0; i < 64; ++i)
        table[i] = scaled(StdLuminance[i], settings.quality);
}

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
    info.image_width = JDIMENSION(image.width());
    info.image_height = JDIMENSION(image.height());
    info.input_components = 4;
    info.in_color_space = JCS_EXT_BGRX; // QImage RGB32 in little-endian memory
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, settings.quality, TRUE);
    int luma[64];
    lumaTable(settings, luma);
    unsigned int table[64];
    for (int i = 0; i < 64; ++i)
        table[i] = unsigned(luma[i]);
    jpeg_add_quant_table(&info, 0, table, 100, TRUE);
    const int factor = settings.chroma == Chroma::Full444 ? 1 : 2;
    info.comp_info[0].h_samp_factor = factor;
    info.comp_info[0].v_samp_factor = factor;
    info.optimize_coding = settings.optimized ? TRUE : FALSE;
    info.dct_method = JDCT_ISLOW;
    if (settings.progressive)
        setScanScript(info, scans);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(image.constScanLine(int(info.next_scanline)));
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    QByteArray out(reinterpret_cast<const char *>(buffer), qsizetype(size));
    std::free(buffer);
    return out;
}

QByteArray encode(const QImage &image, int quality, Chroma chroma, bool optimized, bool progressive)
{
    return encode(image, EncodeSettings{quality, chroma, optimized, progressive, Tables::Standard});
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
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK || info.num_components != 3) {
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
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK || info.num_components != 3) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    info.out_color_space = JCS_EXT_BGRX;
    jpeg_start_decompress(&info);
    const int w = int(info.output_width), h = int(info.output_height);
    row.resize(size_t(w) * 4);
    luma->resize(size_t(w) * h);
    while (info.output_scanline < info.output_height) {
        quint8 *to = luma->data() + size_t(info.output_scanline) * w;
        JSAMPROW line = row.data();
        jpeg_read_scanlines(&info, &line, 1);
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

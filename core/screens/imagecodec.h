// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/screens/screenerror.h"
#include "core/screens/screenshotpresets.h"

#include <QByteArray>
#include <QImage>
#include <QSize>

#include <atomic>
#include <vector>

namespace Mouse {

// One encoded answer and what it is.
struct EncodedImage
{
    QByteArray bytes;
    QByteArray mime;  // image/jpeg, image/webp or image/png
    QSize size;       // pixels of the answer
    QSize sourceSize; // pixels of the decoded source
    qint64 sourceBytes = 0;
    int encoderQuality = 0; // the JPEG/WebP quality used; 0 for PNG or the source bytes
    double ssim = 1.0;      // luma SSIM against the source scaled to `size` (1: lossless), measured
                            // on the decoded answer: JPEG every window (stride 1), WebP stride 2
    bool passthrough = false; // the source bytes themselves (they already fit the box)
    int trials = 0; // JPEG qualities encoded to find the answer: the searches' trials and the
                    // all-window checks' steps up (0: no search; statistics, not the cost)
    double decodeMs = 0, scaleMs = 0, encodeMs = 0;
};

struct CompressOptions
{
    qint64 maxPixels = 40'000'000;
    int qualityHint = 0;       // a quality that suited the previous frame of this VM; 0: none
    bool searchQuality = true; // false: encode at the preset quality, no SSIM search
    double ssimMargin = 0.0;   // the search's target above the floor (stride 2, which reads a
                               // little high; the answer is then checked on every window and
                               // stepped up if short)
    bool progressive = true;   // progressive JPEG: 5-15 % smaller, same pixels, slower
    int threads = 0; // threads for one frame: 1 = the caller's only; 2 = a helper thread too;
                     // 0 = 2 when no other frame is in progress in this process. The answer
                     // is the same bytes whatever the number.
    // Shutdown: once set, compress() stops at its next checkpoint (between stages and quality
    // trials) with ScreenError::stopping(). Owned by the caller; may be set from any thread.
    const std::atomic<bool> *cancel = nullptr;
};

// Image work for screenshots, all pure functions, safe from any thread (QImage only: no
// QGuiApplication needed). See docs/screenshots.md for the rules they implement.
namespace ImageCodec {

// "image/png" or "image/jpeg" from the magic bytes; empty for anything else.
QByteArray sniffMime(const QByteArray &bytes);

// The declared size from the header, without decoding pixels; refuses non-images, headers
// that cannot be read and sizes above maxPixels.
Expected<QSize> probe(const QByteArray &bytes, qint64 maxPixels);

// Decodes PNG or JPEG after probe(); truncated or corrupt data is an error, never a blank
// or partial image.
Expected<QImage> decode(const QByteArray &bytes, qint64 maxPixels);

// decode() and scaled() to fitInside(source, box) in one call, the same pixels; the PNGs our
// decoder reads are scaled as their rows are decoded (the full-size picture is never stored).
// *sourceSize: the source's size.
Expected<QImage>
decodeToFit(const QByteArray &bytes, qint64 maxPixels, const QSize &box, QSize *sourceSize);

// The largest size with the source's aspect ratio that fits in box; never larger than source.
QSize fitInside(const QSize &source, const QSize &box);

// Good-quality downscale (area averaging) to exactly `size`; the image itself when equal.
QImage scaled(const QImage &image, const QSize &size);

// Alpha composited on white, as JPEG has no alpha; the image itself when opaque.
QImage flattenOnWhite(const QImage &image);

// Encodes one image; empty on failure. quality is ignored for PNG.
QByteArray encode(const QImage &image,
                  ImageFormat format,
                  int quality,
                  bool progressive = true,
                  bool optimized = true);

// Luma (BT.601) planes and the mean SSIM over 8x8 windows, every `stride` pixels.
struct Luma
{
    int width = 0, height = 0;
    std::vector<quint8> y;
};
Luma luma(const QImage &image);
double ssim(const Luma &a, const Luma &b, int stride = 1);

// ssim(reference, plane, 1) to the last bit, measured as the all-window check measures its
// steps up: plane after plane against the same reference, recomputing only the windows whose
// pixels differ from the previous plane this thread measured (`first`: a new sequence, every
// window). `parallel`: the two halves of the rows on the frame helper thread too.
double ssimAfterStep(const Luma &reference, const Luma &plane, bool first, bool parallel = false);

// The whole pipeline: decode with the guard, fit the preset's box, encode in `format` (Auto:
// the smallest of JPEG and WebP that meets the fidelity floor), never larger than the
// source in bytes when a smaller answer exists (see docs/screenshots.md, "Never larger").
Expected<EncodedImage> compress(const QByteArray &source,
                                const ScreenPreset &preset,
                                ImageFormat format,
                                const CompressOptions &options = {});

} // namespace ImageCodec

} // namespace Mouse

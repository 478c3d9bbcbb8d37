// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/imagecodec.h"

#include "core/logging.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegmodel.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QHash>
#include <QImageReader>
#include <QImageWriter>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace Mouse::ImageCodec {

namespace {

const QByteArray PngMagic("\x89PNG\r\n\x1a\n", 8);
const QByteArray PngEnd("IEND\xae\x42\x60\x82", 8);

// The range the quality search moves in; the SSIM floor decides where inside it.
constexpr int LowestQuality = 5;
constexpr int HighestQuality = 95;

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

// Truncation shows at the end: a PNG ends with its IEND chunk, a JPEG with EOI (FF D9),
// possibly followed by a little padding. Qt's JPEG reader would otherwise fill a truncated
// image with grey and report success.
bool endsCompletely(const QByteArray &bytes, const QByteArray &mime)
{
    const qsizetype tailStart = std::max<qsizetype>(0, bytes.size() - 64);
    const QByteArrayView tail = QByteArrayView(bytes).sliced(tailStart);
    if (mime == "image/png")
        return tail.indexOf(PngEnd) >= 0;
    return tail.lastIndexOf(QByteArrayView("\xff\xd9", 2)) >= 0;
}

ScreenError notAnImage()
{
    return ScreenError::badInput(QStringLiteral("screenshot_not_an_image"),
                                 QStringLiteral("The screenshot is not a PNG or JPEG image."));
}

ScreenError corrupt()
{
    return ScreenError::badInput(QStringLiteral("screenshot_corrupt"),
                                 QStringLiteral("The screenshot image is truncated or corrupt."));
}

struct Candidate
{
    QByteArray bytes;
    QByteArray mime;
    int quality = 0;
    double ssim = 1.0;
    bool valid() const { return !bytes.isEmpty(); }
};

constexpr int BandRows = 16, BandEvery = 3;

// JpegModel's answer is usually a few qualities too low on screen content (it sees neither
// chroma nor block edges); starting a little above saves an encode on most frames.
constexpr int ModelOptimism = 4;

bool sampled(int height)
{
    return height >= BandRows * BandEvery * 4;
}

QImage sampleBands(const QImage &image)
{
    if (!sampled(image.height()))
        return image;
    const int bands = (image.height() / BandRows + BandEvery - 1) / BandEvery;
    QImage out(image.width(), bands * BandRows, image.format());
    int row = 0;
    for (int y = 0; y + BandRows <= image.height() && row + BandRows <= out.height();
         y += BandRows * BandEvery) {
        for (int i = 0; i < BandRows; ++i, ++row)
            std::memcpy(
                    out.scanLine(row), image.constScanLine(y + i), size_t(image.bytesPerLine()));
    }
    return out.copy(0, 0, out.width(), row);
}

Luma sampleBands(const Luma &luma)
{
    if (!sampled(luma.height))
        return luma;
    Luma out;
    out.width = luma.width;
    for (int y = 0; y + BandRows <= luma.height; y += BandRows * BandEvery) {
        out.y.insert(out.y.end(),
                     luma.y.begin() + qsizetype(y) * luma.width,
                     luma.y.begin() + qsizetype(y + BandRows) * luma.width);
        out.height += BandRows;
    }
    return out;
}

struct JpegChoice
{
    int quality = 0;
    double ssim = 0;
};

// The lowest quality whose real encode keeps the SSIM target (measured on the decoded pixels,
// stride 2). JpegModel, which is optimistic (it sees neither chroma nor the windows that
// straddle blocks), only proposes where to start; the previous frame's quality, when known,
// is a better start. Then bisection with real baseline encodes, usually two or three.
JpegChoice searchJpegQuality(const QImage &image,
                             const Luma &reference,
                             double target,
                             JpegCodec::Chroma chroma,
                             int start)
{
    QHash<int, double> measured;
    auto passes = [&](int quality) {
        if (!measured.contains(quality)) {
            const QImage decoded
                    = JpegCodec::decode(JpegCodec::encode(image, quality, chroma, false, false));
            measured.insert(quality,
                            decoded.size() == image.size() ? ssim(reference, luma(decoded), 2)
                                                           : 0.0);
        }
        return measured.value(quality) >= target;
    };
    if (start <= 0) {
        const JpegModel model(reference.y.data(), reference.width, reference.height);
        int low = LowestQuality, high = HighestQuality;
        while (low < high) {
            const int mid = (low + high) / 2;
            if (model.estimateSsim(mid) >= target)
                high = mid;
            else
                low = mid + 1;
        }
        start = low + ModelOptimism;
    }
    start = std::clamp(start, LowestQuality, HighestQuality);

    // From the start: down in steps of 3 while it passes (a stream's hint is usually right,
    // so two encodes); or up by 4, 8, 16... until it passes, then bisect to within 2. The
    // answer is the lowest quality found passing, not necessarily the exact minimum: two
    // quality steps are worth ~3 % of bytes, an extra encode is worth more time.
    if (passes(start)) {
        int best = start;
        while (best - 3 >= LowestQuality && passes(best - 3))
            best -= 3;
        return {best, measured.value(best)};
    }
    int low = start, high = start, step = 4; // low fails
    while (true) {
        high = std::min(HighestQuality, low + step);
        if (passes(high))
            break;
        if (high == HighestQuality)
            return {high, measured.value(high)}; // the floor is out of reach: the best we have
        low = high;
        step *= 2;
    }
    while (high - low > 2) {
        const int mid = (low + high) / 2;
        if (passes(mid))
            high = mid;
        else
            low = mid;
    }
    return {high, measured.value(high)};
}

// JPEG: 4:2:0 first; when that needs a high quality (saturated colour on dark, where
// subsampled chroma bleeds into luma), 4:4:4 too, and the smaller answer wins. The answer
// is encoded with optimized Huffman tables and progressive scans: other bytes, same pixels.
Candidate searchJpeg(const QImage &image,
                     const Luma &reference,
                     const ScreenPreset &preset,
                     const CompressOptions &options)
{
    using JpegCodec::Chroma;
    if (!options.searchQuality) {
        return {JpegCodec::encode(image,
                                  preset.encoderQuality,
                                  Chroma::Subsampled420,
                                  true,
                                  options.progressive),
                "image/jpeg",
                preset.encoderQuality,
                1.0};
    }
    const double target = std::min(0.999, preset.ssimFloor() + options.ssimMargin);
    // The search looks at a sample: every third band of 16 rows (whole JPEG MCU rows, which
    // reconstruct as they would in the full image), a third of the encode/decode/SSIM work.
    const QImage sample = options.sampleRows ? sampleBands(image) : image;
    const Luma sampleRef = options.sampleRows ? sampleBands(reference) : reference;
    const JpegChoice sub = searchJpegQuality(
            sample, sampleRef, target, Chroma::Subsampled420, options.qualityHint);
    Candidate best{
            JpegCodec::encode(image, sub.quality, Chroma::Subsampled420, true, options.progressive),
            "image/jpeg",
            sub.quality,
            sub.ssim};
    if (sub.quality >= 50) {
        const JpegChoice full
                = searchJpegQuality(sample, sampleRef, target, Chroma::Full444, sub.quality - 20);
        Candidate other{
                JpegCodec::encode(image, full.quality, Chroma::Full444, true, options.progressive),
                "image/jpeg",
                full.quality,
                full.ssim};
        if (other.valid() && other.bytes.size() < best.bytes.size())
            best = std::move(other);
    }
    return best;
}

// WebP has no cheap model: real encodes and decodes on a grid of 5, bisected.
Candidate searchWebp(const QImage &image,
                     const Luma &reference,
                     const ScreenPreset &preset,
                     const CompressOptions &options)
{
    auto evaluate = [&](int quality) {
        Candidate c{encode(image, ImageFormat::Webp, quality), "image/webp", quality, 1.0};
        if (!c.valid())
            return c;
        const QImage decoded = QImage::fromData(c.bytes, "webp");
        c.ssim = decoded.size() == image.size() ? ssim(reference, luma(decoded), 2) : 0.0;
        return c;
    };
    if (!options.searchQuality)
        return evaluate(preset.encoderQuality);
    const double target = std::min(0.999, preset.ssimFloor() + options.ssimMargin);
    int low = LowestQuality / 5, high = HighestQuality / 5; // grid index: quality = 5 * i
    Candidate best;
    while (low < high) {
        const int mid = (low + high) / 2;
        Candidate c = evaluate(5 * mid);
        if (c.ssim >= target) {
            high = mid;
            best = std::move(c);
        } else {
            low = mid + 1;
        }
    }
    if (!best.valid() || best.quality != 5 * low)
        best = evaluate(5 * low);
    return best;
}

// Lossless and smaller: grey images as 8-bit grey, few colours as a palette.
QImage losslessReduced(const QImage &image)
{
    if (image.hasAlphaChannel())
        return image;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    bool grey = true;
    QHash<QRgb, int> colours;
    for (int y = 0; y < rgb.height() && (grey || colours.size() <= 256); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb p = line[x] | 0xff000000u;
            grey = grey && qRed(p) == qGreen(p) && qGreen(p) == qBlue(p);
            if (colours.size() <= 256)
                colours.insert(p, 0);
            else if (!grey)
                break;
        }
    }
    if (grey)
        return rgb.convertToFormat(QImage::Format_Grayscale8);
    if (colours.size() > 256)
        return rgb;
    QList<QRgb> table = colours.keys();
    return rgb.convertToFormat(QImage::Format_Indexed8, table, Qt::ThresholdDither);
}

} // namespace

QByteArray sniffMime(const QByteArray &bytes)
{
    if (bytes.startsWith(PngMagic))
        return "image/png";
    if (bytes.size() >= 3 && quint8(bytes[0]) == 0xff && quint8(bytes[1]) == 0xd8
        && quint8(bytes[2]) == 0xff)
        return "image/jpeg";
    return {};
}

Expected<QSize> probe(const QByteArray &bytes, qint64 maxPixels)
{
    const QByteArray mime = sniffMime(bytes);
    if (mime.isEmpty())
        return notAnImage();

    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, mime == "image/png" ? "png" : "jpeg");
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return corrupt();
    if (qint64(size.width()) * size.height() > maxPixels) {
        return ScreenError{ScreenError::Kind::TooLarge,
                           QStringLiteral("screenshot_too_large"),
                           QStringLiteral("The screenshot declares %1x%2 pixels, more than the "
                                          "%3 accepted (screens/max_pixels).")
                                   .arg(size.width())
                                   .arg(size.height())
                                   .arg(maxPixels),
                           0};
    }
    return size;
}

Expected<QImage> decode(const QByteArray &bytes, qint64 maxPixels)
{
    const Expected<QSize> declared = probe(bytes, maxPixels);
    if (!declared)
        return declared.error();
    const QByteArray mime = sniffMime(bytes);
    if (!endsCompletely(bytes, mime))
        return corrupt();

    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, mime == "image/png" ? "png" : "jpeg");
    // Qt's own guard too (MiB), in case a header lies about what follows.
    reader.setAllocationLimit(int(std::min<qint64>(4096, maxPixels * 8 / (1024 * 1024) + 1)));
    QImage image;
    if (!reader.read(&image) || image.isNull() || image.size() != declared.value()) {
        qCDebug(lcScreens) << "decode failed:" << reader.errorString();
        return corrupt();
    }
    return image;
}

QSize fitInside(const QSize &source, const QSize &box)
{
    if (source.width() <= box.width() && source.height() <= box.height())
        return source;
    const double scale = std::min(double(box.width()) / source.width(),
                                  double(box.height()) / source.height());
    const int width = std::clamp(int(std::lround(source.width() * scale)), 1, box.width());
    const int height = std::clamp(int(std::lround(source.height() * scale)), 1, box.height());
    return {width, height};
}

QImage scaled(const QImage &image, const QSize &size)
{
    const QImage::Format wanted
            = image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32;
    const QImage source = image.format() == wanted ? image : image.convertToFormat(wanted);
    if (source.size() == size)
        return source;
    return source.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

QImage flattenOnWhite(const QImage &image)
{
    if (!image.hasAlphaChannel())
        return image;
    const QImage premultiplied = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    QImage out(premultiplied.size(), QImage::Format_RGB32);
    for (int y = 0; y < out.height(); ++y) {
        const auto *in = reinterpret_cast<const QRgb *>(premultiplied.constScanLine(y));
        auto *to = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < out.width(); ++x) {
            const QRgb p = in[x];
            const int white = 255 - qAlpha(p); // premultiplied: colour + white * (1 - alpha)
            to[x] = qRgb(qRed(p) + white, qGreen(p) + white, qBlue(p) + white);
        }
    }
    return out;
}

QByteArray
encode(const QImage &image, ImageFormat format, int quality, bool progressive, bool optimized)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer,
                        format == ImageFormat::Png    ? "png"
                        : format == ImageFormat::Webp ? "webp"
                                                      : "jpeg");
    if (format == ImageFormat::Jpeg) {
        return JpegCodec::encode(flattenOnWhite(image),
                                 quality,
                                 JpegCodec::Chroma::Subsampled420,
                                 optimized,
                                 progressive);
    }
    if (format == ImageFormat::Webp)
        writer.setQuality(std::min(quality, 99)); // 100 would switch the plugin to lossless
    else
        writer.setCompression(6); // zlib's default: 9 costs several times the time for ~2 %
    if (!writer.write(image))
        return {};
    return bytes;
}

Luma luma(const QImage &image)
{
    const QImage rgb
            = image.format() == QImage::Format_RGB32 || image.format() == QImage::Format_ARGB32
                      ? image
                      : image.convertToFormat(QImage::Format_RGB32);
    Luma out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.y.resize(size_t(out.width) * out.height);
    for (int y = 0; y < out.height; ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        quint8 *to = out.y.data() + size_t(y) * out.width;
        for (int x = 0; x < out.width; ++x) {
            const QRgb p = line[x]; // BT.601 in fixed point
            to[x] = quint8((77 * qRed(p) + 150 * qGreen(p) + 29 * qBlue(p) + 128) >> 8);
        }
    }
    return out;
}

double ssim(const Luma &a, const Luma &b, int stride)
{
    constexpr int N = 8;
    if (a.width != b.width || a.height != b.height || a.width < N || a.height < N)
        return 0.0;
    stride = std::max(1, stride);
    const int w = a.width, h = a.height, cols = w - N + 1;

    // Horizontal sums of 8 for the five moments, per row, kept for the last N + 1 rows in a
    // ring; column sums slide down by adding the new row and dropping the one N rows up.
    std::vector<qint32> ring(size_t(N + 1) * cols * 5);
    std::vector<qint64> col(size_t(cols) * 5, 0);
    auto rowSums = [&](int y, qint32 *row) {
        const quint8 *pa = a.y.data() + size_t(y) * w;
        const quint8 *pb = b.y.data() + size_t(y) * w;
        qint32 s[5] = {0, 0, 0, 0, 0};
        for (int x = 0; x < w; ++x) {
            const qint32 va = pa[x], vb = pb[x];
            s[0] += va, s[1] += vb, s[2] += va * va, s[3] += vb * vb, s[4] += va * vb;
            if (x >= N) {
                const qint32 oa = pa[x - N], ob = pb[x - N];
                s[0] -= oa, s[1] -= ob, s[2] -= oa * oa, s[3] -= ob * ob, s[4] -= oa * ob;
            }
            if (x >= N - 1)
                std::copy(s, s + 5, row + size_t(x - N + 1) * 5);
        }
    };
    auto ringRow = [&](int y) {
        return ring.data() + size_t(y % (N + 1)) * cols * 5;
    };

    constexpr double C1 = (0.01 * 255) * (0.01 * 255), C2 = (0.03 * 255) * (0.03 * 255);
    constexpr double n = N * N;
    double total = 0;
    qint64 windows = 0;
    for (int y = 0; y < h; ++y) {
        qint32 *row = ringRow(y);
        rowSums(y, row);
        for (size_t i = 0; i < col.size(); ++i)
            col[i] += row[i];
        if (y >= N) {
            const qint32 *old = ringRow(y - N);
            for (size_t i = 0; i < col.size(); ++i)
                col[i] -= old[i];
        }
        const int y0 = y - N + 1; // the window whose last row is y
        if (y0 < 0 || y0 % stride != 0)
            continue;
        for (int x0 = 0; x0 < cols; x0 += stride) {
            const qint64 *s = col.data() + size_t(x0) * 5;
            const double ma = s[0] / n, mb = s[1] / n;
            const double va = s[2] / n - ma * ma, vb = s[3] / n - mb * mb;
            const double cov = s[4] / n - ma * mb;
            total += ((2 * ma * mb + C1) * (2 * cov + C2))
                     / ((ma * ma + mb * mb + C1) * (va + vb + C2));
            ++windows;
        }
    }
    return windows ? total / double(windows) : 0.0;
}

Expected<EncodedImage> compress(const QByteArray &source,
                                const ScreenPreset &preset,
                                ImageFormat format,
                                const CompressOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    Expected<QImage> decoded = decode(source, options.maxPixels);
    if (!decoded)
        return decoded.error();
    EncodedImage out;
    out.sourceBytes = source.size();
    out.sourceSize = decoded->size();
    out.decodeMs = msSince(timer);

    timer.restart();
    out.size = fitInside(out.sourceSize, preset.box);
    const QImage image = scaled(decoded.value(), out.size);
    const Luma reference = luma(image);
    out.scaleMs = msSince(timer);

    timer.restart();
    Candidate best;
    const auto consider = [&best](Candidate c) {
        if (c.valid() && (!best.valid() || c.bytes.size() < best.bytes.size()))
            best = std::move(c);
    };
    auto lossless = [&image] {
        return Candidate{encode(losslessReduced(image), ImageFormat::Png, 0), "image/png", 0, 1.0};
    };
    if (format == ImageFormat::Png) {
        consider(lossless());
    } else {
        if (format == ImageFormat::Jpeg || format == ImageFormat::Auto) {
            const QImage flat = flattenOnWhite(image);
            const Luma flatLuma = image.hasAlphaChannel() ? luma(flat) : reference;
            consider(searchJpeg(flat, flatLuma, preset, options));
        }
        if (format == ImageFormat::Webp || format == ImageFormat::Auto)
            consider(searchWebp(image, reference, preset, options));
    }

    // Never larger than the source: the source itself when it already fits the box,
    // otherwise a lossless PNG of the scaled image when that is smaller.
    if (best.bytes.size() > source.size()) {
        if (out.size == out.sourceSize) {
            best = {source, sniffMime(source), 0, 1.0};
            out.passthrough = true;
        } else if (format != ImageFormat::Png) {
            consider(lossless());
        }
    }
    out.encodeMs = msSince(timer);
    if (!best.valid())
        return ScreenError{ScreenError::Kind::Internal,
                           QStringLiteral("screenshot_encode_failed"),
                           QStringLiteral("The screenshot could not be encoded."),
                           0};
    out.bytes = std::move(best.bytes);
    out.mime = std::move(best.mime);
    out.encoderQuality = best.quality;
    out.ssim = best.ssim;
    return out;
}

} // namespace Mouse::ImageCodec

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/imagecodec.h"
#include "core/screens/imageinput.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"
#include "screens/screentestdata.h"

#include <QtEndian>
#include <QtTest>

#include <zlib.h>

#include <algorithm>
#include <cstring>

using namespace Mouse;

class TestImageCodec : public QObject
{
    Q_OBJECT

private slots:
    void presetsFitTheirBoxKeepingAspect_data();
    void presetsFitTheirBoxKeepingAspect();
    void presetsParseFromText();
    void imageFieldForms_data();
    void imageFieldForms();
    void orgoBodyForms();
    void nonImageInputIsAnError();
    void hugeDeclaredDimensionsAreRefusedBeforeDecoding();
    void truncatedImagesAreErrors();
    void alphaIsCompositedOnWhiteForJpeg();
    void answerNeverLargerThanASourceThatFits();
    void picturesSmallerThanAWindowAreAnswered();
    void formatsGiveTheirMime();
    void losslessAnswersAreCompressed();
    void palettedAnswersDoNotDependOnTheHashSeed();
    void ssimIsOneForIdenticalAndLowerForNoise();
    void lumaIsBt601OfEveryPixel();
    void ssimOnEveryOtherWindowIsTheTextbooks();
    void ssimOnEveryWindowAddsRowsInLanes();
    void ssimOnEveryOtherWindowAddsRowsInLanes();
    void ssimAfterStepsIsTheFullMeasure();
    void ssimAfterStepsOfTheModelIsTheFullMeasure();
    void helperThreadsGiveTheSameAnswer();
    void colouredTextOnBlackIsBoundedAndVerified();
    void trialModelIsTheRealDecode_data();
    void trialModelIsTheRealDecode();
    void trialBlocksInLanesAreTheScalars();
};

void TestImageCodec::presetsFitTheirBoxKeepingAspect_data()
{
    QTest::addColumn<QSize>("source");
    QTest::addColumn<int>("quality");
    QTest::addColumn<QSize>("expected");
    QTest::newRow("720p low") << QSize(1280, 720) << 0 << QSize(640, 360);
    QTest::newRow("720p medium") << QSize(1280, 720) << 1 << QSize(1024, 576);
    QTest::newRow("720p high: no upscale") << QSize(1280, 720) << 2 << QSize(1280, 720);
    QTest::newRow("1080p high") << QSize(1920, 1080) << 2 << QSize(1920, 1080);
    QTest::newRow("4:3 medium") << QSize(1600, 1200) << 1 << QSize(1024, 768);
    QTest::newRow("portrait low") << QSize(720, 1280) << 0 << QSize(270, 480);
    QTest::newRow("small stays") << QSize(320, 200) << 0 << QSize(320, 200);
}

void TestImageCodec::presetsFitTheirBoxKeepingAspect()
{
    QFETCH(QSize, source);
    QFETCH(int, quality);
    QFETCH(QSize, expected);
    const ScreenPreset preset = ScreenPresets().preset(ScreenQuality(quality));
    const QByteArray png
            = ScreensTest::encoded(ScreensTest::desktop(source.width(), source.height()), "png");
    const Expected<EncodedImage> out = ImageCodec::compress(png, preset, ImageFormat::Jpeg);
    QVERIFY2(out.ok(), qPrintable(out.error().message));
    QCOMPARE(out->size, expected);
    QVERIFY(out->size.width() <= preset.box.width() && out->size.height() <= preset.box.height());
    const double ratioIn = double(source.width()) / source.height();
    const double ratioOut = double(out->size.width()) / out->size.height();
    QVERIFY(qAbs(ratioIn - ratioOut) < 0.01);
    QCOMPARE(QImage::fromData(out->bytes).size(), expected); // the bytes say the same
}

void TestImageCodec::presetsParseFromText()
{
    const auto preset = ScreenPreset::parse(ScreenQuality::Low, QStringLiteral("800x600@50"));
    QVERIFY(preset);
    QCOMPARE(preset->box, QSize(800, 600));
    QCOMPARE(preset->encoderQuality, 50);
    QVERIFY(!ScreenPreset::parse(ScreenQuality::Low, QStringLiteral("800x600")));
    QVERIFY(!ScreenPreset::parse(ScreenQuality::Low, QStringLiteral("800x600@0")));
    QVERIFY(!ScreenPreset::parse(ScreenQuality::Low, QStringLiteral("8x6@50")));
    QCOMPARE(ScreenPresets().preset(ScreenQuality::Medium).ssimFloor(), 0.95);
}

void TestImageCodec::imageFieldForms_data()
{
    const QByteArray png = ScreensTest::encoded(ScreensTest::desktop(64, 48), "png");
    const QByteArray b64 = png.toBase64();
    QByteArray wrapped; // 76-column lines, as some encoders write
    for (qsizetype i = 0; i < b64.size(); i += 76)
        wrapped += b64.mid(i, 76) + "\r\n";
    QByteArray unpadded = b64;
    while (unpadded.endsWith('='))
        unpadded.chop(1);
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("isUrl");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("https url") << QStringLiteral("https://storage.orgo.ai/s/abc.png") << true
                               << QByteArray();
    QTest::newRow("http url") << QStringLiteral("http://127.0.0.1:9/s.png") << true << QByteArray();
    QTest::newRow("data url") << QString::fromLatin1("data:image/png;base64," + b64) << false
                              << png;
    QTest::newRow("bare base64") << QString::fromLatin1(b64) << false << png;
    QTest::newRow("whitespace") << QString::fromLatin1(wrapped) << false << png;
    QTest::newRow("no padding") << QString::fromLatin1(unpadded) << false << png;
}

void TestImageCodec::imageFieldForms()
{
    QFETCH(QString, field);
    QFETCH(bool, isUrl);
    QFETCH(QByteArray, bytes);
    const Expected<ImageInput> input = ImageInput::fromField(field);
    QVERIFY2(input.ok(), qPrintable(input.error().message));
    QCOMPARE(!input->url.isEmpty(), isUrl);
    if (!isUrl) {
        QCOMPARE(input->bytes, bytes);
        QVERIFY(ImageCodec::decode(input->bytes, 1'000'000).ok());
    }
}

void TestImageCodec::orgoBodyForms()
{
    const QByteArray jpeg = ScreensTest::encoded(ScreensTest::desktop(64, 48), "jpeg", 80);
    const QByteArray body = "{\"image\":\"" + jpeg.toBase64() + "\",\"width\":64}";
    const Expected<ImageInput> input = ImageInput::fromOrgoBody(body);
    QVERIFY(input.ok());
    QCOMPARE(ImageCodec::sniffMime(input->bytes), QByteArray("image/jpeg"));
    QVERIFY(ImageInput::fromOrgoBody(
                    "{\"success\":true,\"image\":\"https://storage.orgo.ai/a.png\"}")
                    ->url.isValid());
    QVERIFY(ImageInput::fromOrgoBody("{\"screenshot_base64\":\"" + jpeg.toBase64() + "\"}").ok());
    QVERIFY(!ImageInput::fromOrgoBody("{\"image\":\"\"}").ok());
    QVERIFY(!ImageInput::fromOrgoBody("not json").ok());
    QVERIFY(!ImageInput::fromOrgoBody("{\"image\":\"data:image/png,raw\"}").ok());
    QVERIFY(!ImageInput::fromOrgoBody("{\"image\":\"@@@not base64@@@\"}").ok());
}

void TestImageCodec::nonImageInputIsAnError()
{
    const ScreenPreset preset = ScreenPresets().preset(ScreenQuality::Low);
    for (const QByteArray &bytes : {QByteArray("hello, this is text"),
                                    QByteArray(),
                                    QByteArray("GIF89a\x01\x00\x01\x00"),
                                    QByteArray("\x89PNG\r\n\x1a\n garbage after the magic")}) {
        const Expected<EncodedImage> out = ImageCodec::compress(bytes, preset, ImageFormat::Jpeg);
        QVERIFY(!out.ok());
        QCOMPARE(out.error().kind, ScreenError::Kind::BadInput);
        QVERIFY(!out.error().code.isEmpty());
        QVERIFY(!out.error().message.isEmpty());
    }
}

// A valid PNG signature and IHDR declaring width x height pixels (by default 100000 x 100000),
// then a tiny IDAT and IEND: a few dozen bytes that would need 40 GB decoded.
static QByteArray bombPng(quint32 width = 100000, quint32 height = 100000)
{
    auto chunk = [](const char *type, const QByteArray &data) -> QByteArray {
        QByteArray out(4, '\0');
        qToBigEndian<quint32>(quint32(data.size()), out.data());
        const QByteArray body = QByteArray(type, 4) + data;
        QByteArray crc(4, '\0');
        qToBigEndian<quint32>(quint32(crc32(0,
                                            reinterpret_cast<const Bytef *>(body.constData()),
                                            uInt(body.size()))),
                              crc.data());
        return QByteArray(out + body + crc);
    };
    QByteArray ihdr(13, '\0');
    qToBigEndian<quint32>(width, ihdr.data());
    qToBigEndian<quint32>(height, ihdr.data() + 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr)
           + chunk("IDAT", QByteArray::fromHex("789c030000000001")) + chunk("IEND", {});
}

void TestImageCodec::hugeDeclaredDimensionsAreRefusedBeforeDecoding()
{
    const QByteArray bomb = bombPng();
    QVERIFY(bomb.size() < 100);
    const Expected<QSize> probed = ImageCodec::probe(bomb, 40'000'000);
    QVERIFY(!probed.ok());
    QCOMPARE(probed.error().kind, ScreenError::Kind::TooLarge);
    QCOMPARE(probed.error().code, QStringLiteral("screenshot_too_large"));
    QVERIFY(probed.error().message.contains(QStringLiteral("100000x100000")));
    const Expected<EncodedImage> out = ImageCodec::compress(
            bomb, ScreenPresets().preset(ScreenQuality::Low), ImageFormat::Jpeg);
    QVERIFY(!out.ok());
    QCOMPARE(out.error().kind, ScreenError::Kind::TooLarge);

    // A side over libpng's million pixels, within the pixel cap: too large, not "corrupt".
    for (const QByteArray &line : {bombPng(2'000'000, 1), bombPng(1, 39'999'999)}) {
        const Expected<QSize> long_ = ImageCodec::probe(line, 40'000'000);
        QVERIFY(!long_.ok());
        QCOMPARE(long_.error().kind, ScreenError::Kind::TooLarge);
        QVERIFY2(long_.error().message.contains(QStringLiteral("a side")),
                 qPrintable(long_.error().message));
    }

    // The cap is the setting: a normal image above a small cap is refused the same way.
    const QByteArray png = ScreensTest::encoded(ScreensTest::desktop(200, 100), "png");
    QVERIFY(ImageCodec::probe(png, 20000).ok());
    QCOMPARE(ImageCodec::probe(png, 19999).error().kind, ScreenError::Kind::TooLarge);
}

void TestImageCodec::truncatedImagesAreErrors()
{
    const QImage image = ScreensTest::desktop(320, 200);
    const QByteArray png = ScreensTest::encoded(image, "png");
    const QByteArray jpeg = ScreensTest::encoded(image, "jpeg", 80);
    for (const QByteArray &whole : {png, jpeg}) {
        QVERIFY(ImageCodec::decode(whole, 1'000'000).ok());
        for (const double keep : {0.5, 0.9}) {
            const QByteArray cut = whole.left(qsizetype(whole.size() * keep));
            const Expected<QImage> decoded = ImageCodec::decode(cut, 1'000'000);
            QVERIFY2(!decoded.ok(), "a truncated image must not decode");
            QCOMPARE(decoded.error().code, QStringLiteral("screenshot_corrupt"));
        }
    }
    // Corruption inside the compressed data of a PNG (its CRC no longer matches).
    QByteArray corrupt = png;
    const qsizetype idat = corrupt.indexOf("IDAT");
    for (qsizetype i = idat + 10; i < idat + 60 && i < corrupt.size() - 20; ++i)
        corrupt[i] = char(corrupt[i] ^ 0x5a);
    QVERIFY(!ImageCodec::decode(corrupt, 1'000'000).ok());
}

void TestImageCodec::alphaIsCompositedOnWhiteForJpeg()
{
    QImage transparent(64, 64, QImage::Format_ARGB32);
    transparent.fill(qRgba(0, 0, 0, 0));
    const QByteArray png = ScreensTest::encoded(transparent, "png");
    ScreenPreset preset = ScreenPresets().preset(ScreenQuality::Low);
    CompressOptions options;
    options.searchQuality = false;
    const QByteArray jpeg
            = ImageCodec::encode(ImageCodec::flattenOnWhite(transparent), ImageFormat::Jpeg, 90);
    const QImage back = QImage::fromData(jpeg);
    QVERIFY(qRed(back.pixel(32, 32)) > 250 && qGreen(back.pixel(32, 32)) > 250);
    // Through the pipeline: transparent on the left edge, so white there in the JPEG.
    const QByteArray fading = ScreensTest::encoded(ScreensTest::desktop(1280, 720, true), "png");
    const Expected<EncodedImage> out
            = ImageCodec::compress(fading, preset, ImageFormat::Jpeg, options);
    QVERIFY(out.ok());
    QCOMPARE(out->mime, QByteArray("image/jpeg"));
    const QImage answer = QImage::fromData(out->bytes);
    QVERIFY(qRed(answer.pixel(0, 10)) > 230 && qBlue(answer.pixel(0, 10)) > 230);
    // A tiny source that fits the box is answered as itself (alpha kept, image/png).
    const Expected<EncodedImage> tiny
            = ImageCodec::compress(png, preset, ImageFormat::Jpeg, options);
    QVERIFY(tiny.ok());
    QVERIFY(tiny->passthrough);
    QCOMPARE(tiny->mime, QByteArray("image/png"));
}

void TestImageCodec::answerNeverLargerThanASourceThatFits()
{
    // A 300x200 one-pixel checkerboard is a few hundred bytes of PNG; a JPEG that keeps its
    // SSIM is far larger: the source wins. (A flat colour no longer shows it: at the lowest
    // quality our JPEG of one is smaller than its PNG, and is rightly answered.)
    QImage flat(300, 200, QImage::Format_RGB32);
    for (int y = 0; y < flat.height(); ++y)
        for (int x = 0; x < flat.width(); ++x)
            flat.setPixel(x, y, (x + y) % 2 ? qRgb(40, 80, 120) : qRgb(230, 230, 230));
    const QByteArray png = ScreensTest::encoded(flat, "png");
    const Expected<EncodedImage> out = ImageCodec::compress(
            png, ScreenPresets().preset(ScreenQuality::Medium), ImageFormat::Jpeg);
    QVERIFY(out.ok());
    QVERIFY(out->bytes.size() <= png.size());
    QVERIFY(out->passthrough);
    QCOMPARE(out->mime, QByteArray("image/png"));
    QCOMPARE(out->size, QSize(300, 200));
}

void TestImageCodec::picturesSmallerThanAWindowAreAnswered()
{
    // SSIM's windows are 8x8: a picture narrower or lower has none. The search scores such a
    // trial 0; the all-window check used to count its windows as negative and died (a vector
    // of -4 x 5 columns: std::length_error, uncaught on a pool thread, so the process ended),
    // or read rows below the picture. It is scored 0 too now: the quality climbs to the top
    // and the answer is the smaller of that JPEG and the source, as for any frame.
    for (const QSize size : {QSize(1, 1), QSize(5, 5), QSize(3, 21), QSize(40, 5), QSize(7, 9)}) {
        QImage image(size, QImage::Format_RGB32);
        for (int y = 0; y < size.height(); ++y)
            for (int x = 0; x < size.width(); ++x)
                image.setPixel(x, y, qRgb(x * 40 % 256, y * 13 % 256, (x + y) * 7 % 256));
        const QByteArray png = ScreensTest::encoded(image, "png");
        for (const int threads : {1, 2}) {
            CompressOptions options;
            options.threads = threads;
            const Expected<EncodedImage> out = ImageCodec::compress(
                    png, ScreenPresets().preset(ScreenQuality::Medium), ImageFormat::Jpeg, options);
            QVERIFY(out.ok());
            QCOMPARE(out->size, size);
            QVERIFY(out->bytes.size() <= png.size());
        }
    }
}

void TestImageCodec::formatsGiveTheirMime()
{
    const QByteArray png = ScreensTest::encoded(ScreensTest::desktop(800, 600), "png");
    const ScreenPreset preset = ScreenPresets().preset(ScreenQuality::Low);
    const Expected<EncodedImage> jpeg = ImageCodec::compress(png, preset, ImageFormat::Jpeg);
    const Expected<EncodedImage> webp = ImageCodec::compress(png, preset, ImageFormat::Webp);
    const Expected<EncodedImage> lossless = ImageCodec::compress(png, preset, ImageFormat::Png);
    const Expected<EncodedImage> best = ImageCodec::compress(png, preset, ImageFormat::Auto);
    QVERIFY(jpeg.ok() && webp.ok() && lossless.ok() && best.ok());
    QCOMPARE(jpeg->mime, QByteArray("image/jpeg"));
    QCOMPARE(ImageCodec::sniffMime(jpeg->bytes), QByteArray("image/jpeg"));
    QCOMPARE(webp->mime, QByteArray("image/webp"));
    QVERIFY(webp->bytes.startsWith("RIFF"));
    QCOMPARE(lossless->mime, QByteArray("image/png"));
    QVERIFY(best->bytes.size() <= std::min(jpeg->bytes.size(), webp->bytes.size()));
    for (const auto *e : {&jpeg, &webp, &best})
        QVERIFY((*e)->ssim >= preset.ssimFloor());
}

void TestImageCodec::losslessAnswersAreCompressed()
{
    // A flat desktop deflates to a small fraction of its pixels; stored PNG blocks would not.
    const QImage desktop = ScreensTest::desktop(1024, 576);
    const QByteArray png = ImageCodec::encode(desktop, ImageFormat::Png, 0);
    QCOMPARE(ImageCodec::sniffMime(png), QByteArray("image/png"));
    const qsizetype rawBytes = qsizetype(desktop.width()) * desktop.height() * 3;
    QVERIFY2(png.size() < rawBytes / 10, qPrintable(QString::number(png.size())));
    QCOMPARE(ImageCodec::decode(png, 1 << 24)->convertToFormat(QImage::Format_RGB32),
             desktop.convertToFormat(QImage::Format_RGB32));
}

void TestImageCodec::palettedAnswersDoNotDependOnTheHashSeed()
{
    // 48 colour stripes, each 16 pixels wide at 2048x1152: halved into the medium box, every
    // stripe keeps its colour, so the lossless answer is a 48-colour palette. Its order came
    // from a QHash, whose seed Qt draws per process: the same picture gave other bytes in
    // another process. Two seeds in this process stand for two processes.
    QImage stripes(2048, 1152, QImage::Format_RGB32);
    for (int x = 0; x < stripes.width(); ++x) {
        const int i = x / 16 % 48;
        const QRgb colour = qRgb(i * 5, 255 - i * 3, (i * 37) % 256);
        for (int y = 0; y < stripes.height(); ++y)
            stripes.setPixel(x, y, colour);
    }
    const QByteArray png = ScreensTest::encoded(stripes, "png");
    const ScreenPreset preset = ScreenPresets().preset(ScreenQuality::Medium);
    QHashSeed::setDeterministicGlobalSeed();
    const Expected<EncodedImage> first = ImageCodec::compress(png, preset, ImageFormat::Png);
    QHashSeed::resetRandomGlobalSeed();
    const Expected<EncodedImage> second = ImageCodec::compress(png, preset, ImageFormat::Png);
    QVERIFY(first.ok() && second.ok());
    QCOMPARE(first->size, QSize(1024, 576));
    QCOMPARE(int(first->bytes.at(25)), 3); // IHDR's colour type: a palette
    QCOMPARE(first->bytes, second->bytes);
}

void TestImageCodec::ssimIsOneForIdenticalAndLowerForNoise()
{
    const QImage image = ScreensTest::desktop(128, 96);
    const ImageCodec::Luma a = ImageCodec::luma(image);
    QCOMPARE(ImageCodec::ssim(a, a, 1), 1.0);
    QImage noisy = image.copy();
    for (int y = 0; y < noisy.height(); ++y)
        for (int x = 0; x < noisy.width(); x += 2)
            noisy.setPixel(x, y, (x + y) % 4 ? qRgb(255, 255, 255) : qRgb(0, 0, 0));
    const double s = ImageCodec::ssim(a, ImageCodec::luma(noisy), 1);
    QVERIFY(s < 0.5);
}

void TestImageCodec::lumaIsBt601OfEveryPixel()
{
    // The reference luma is computed 8 or 16 pixels at a time: every pixel, the row ends (odd
    // widths) included, is still (77 R + 150 G + 29 B + 128) >> 8.
    quint32 seed = 11;
    for (const int width : {1, 7, 17, 33, 1023}) {
        QImage image(width, 5, QImage::Format_RGB32);
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < width; ++x) {
                seed = seed * 1664525u + 1013904223u;
                image.setPixel(x, y, seed | 0xff000000u);
            }
        }
        const ImageCodec::Luma luma = ImageCodec::luma(image);
        QCOMPARE(luma.width, width);
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < width; ++x) {
                const QRgb p = image.pixel(x, y);
                const int expected = (77 * qRed(p) + 150 * qGreen(p) + 29 * qBlue(p) + 128) >> 8;
                QCOMPARE(int(luma.y[size_t(y) * width + x]), expected);
            }
        }
    }
}

void TestImageCodec::ssimOnEveryOtherWindowIsTheTextbooks()
{
    // Stride 2 sums its moments over 2x2 cells (8 cells at a time where the CPU allows, the
    // rest one by one) and applies the formula in float: within 1e-5 of the textbook's windows
    // at even x and y in double, at widths around the 8-cell groups.
    const auto textbook = [](const ImageCodec::Luma &a, const ImageCodec::Luma &b) {
        double total = 0;
        int windows = 0;
        for (int y0 = 0; y0 + 8 <= a.height; y0 += 2) {
            for (int x0 = 0; x0 + 8 <= a.width; x0 += 2) {
                double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
                for (int y = y0; y < y0 + 8; ++y) {
                    for (int x = x0; x < x0 + 8; ++x) {
                        const double p = a.y[size_t(y) * a.width + x];
                        const double q = b.y[size_t(y) * b.width + x];
                        sa += p, sb += q, saa += p * p, sbb += q * q, sab += p * q;
                    }
                }
                const double ma = sa / 64, mb = sb / 64, va = saa / 64 - ma * ma;
                const double vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
                const double c1 = 6.5025, c2 = 58.5225;
                total += ((2 * ma * mb + c1) * (2 * cov + c2))
                         / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                ++windows;
            }
        }
        return total / windows;
    };
    quint32 seed = 7;
    for (const int width : {8, 15, 16, 17, 31, 32, 33, 47, 130}) {
        ImageCodec::Luma a, b;
        a.width = b.width = width;
        a.height = b.height = 21;
        for (int i = 0; i < width * 21; ++i) {
            seed = seed * 1664525u + 1013904223u;
            const quint8 p = quint8((i * 5) ^ (seed >> 27));
            a.y.push_back(p);
            b.y.push_back(quint8(seed >> 29 == 0 ? 255 - p : p + (seed >> 30)));
        }
        const double ours = ImageCodec::ssim(a, b, 2), theirs = textbook(a, b);
        QVERIFY2(std::abs(ours - theirs) < 1e-5,
                 qPrintable(QStringLiteral("width %1: %2 against %3")
                                    .arg(width)
                                    .arg(ours, 0, 'g', 10)
                                    .arg(theirs, 0, 'g', 10)));
    }
}

namespace {

// The same double, bit for bit (QCOMPARE on doubles is fuzzy).
QString sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0
                   ? QString()
                   : QStringLiteral("%1 against %2").arg(a, 0, 'g', 17).arg(b, 0, 'g', 17);
}

} // namespace

void TestImageCodec::ssimOnEveryWindowAddsRowsInLanes()
{
    // Stride 1 (the check's and the benchmark's measure) is the textbook's windows in double,
    // each row of windows added in eight lanes (window x into lane x % 8) folded in halves, the
    // rows added in order in two halves of the rows, then the halves: that order, to the bit,
    // at every width modulo 8 (one running sum per row was the order before; it differs).
    const auto inLanes = [](const ImageCodec::Luma &a, const ImageCodec::Luma &b) {
        const int rows = a.height - 7, cols = a.width - 7;
        const auto sum = [&](int from, int to) {
            double total = 0;
            for (int y0 = from; y0 < to; ++y0) {
                double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                for (int x0 = 0; x0 < cols; ++x0) {
                    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
                    for (int y = y0; y < y0 + 8; ++y) {
                        for (int x = x0; x < x0 + 8; ++x) {
                            const double p = a.y[size_t(y) * a.width + x];
                            const double q = b.y[size_t(y) * b.width + x];
                            sa += p, sb += q, saa += p * p, sbb += q * q, sab += p * q;
                        }
                    }
                    const double ma = sa / 64, mb = sb / 64, va = saa / 64 - ma * ma;
                    const double vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
                    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
                    lane[x0 % 8] += ((2 * ma * mb + c1) * (2 * cov + c2))
                                    / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                }
                for (int width = 4; width > 0; width /= 2)
                    for (int k = 0; k < width; ++k)
                        lane[k] += lane[k + width];
                total += lane[0];
            }
            return total;
        };
        return (sum(0, rows / 2) + sum(rows / 2, rows)) / (double(cols) * rows);
    };
    quint32 seed = 11;
    for (const QSize size : {QSize(8, 8),
                             QSize(9, 9),
                             QSize(14, 12),
                             QSize(15, 17),
                             QSize(16, 10),
                             QSize(21, 9),
                             QSize(22, 30),
                             QSize(71, 20),
                             QSize(130, 19)}) {
        ImageCodec::Luma a, b;
        a.width = b.width = size.width();
        a.height = b.height = size.height();
        for (int i = 0; i < size.width() * size.height(); ++i) {
            seed = seed * 1664525u + 1013904223u;
            const quint8 p = (i % size.width()) < 5 ? 90 : quint8(seed >> 24);
            a.y.push_back(p);
            b.y.push_back(quint8(seed >> 29 == 0 ? 255 - p : p + (seed >> 30)));
        }
        const double theirs = inLanes(a, b);
        for (const double ours : {ImageCodec::ssim(a, b, 1),
                                  ImageCodec::ssimAfterStep(a, b, true, false),
                                  ImageCodec::ssimAfterStep(a, b, true, true)}) {
            const QString differ = sameBits(ours, theirs);
            QVERIFY2(differ.isEmpty(),
                     qPrintable(QStringLiteral("%1x%2: %3")
                                        .arg(size.width())
                                        .arg(size.height())
                                        .arg(differ)));
        }
    }
}

void TestImageCodec::ssimOnEveryOtherWindowAddsRowsInLanes()
{
    // Stride 2 (the search's trials): the windows at even x and y, their sums exact, the
    // formula in float as written, each row of windows added in 16 lanes (window x into lane
    // x % 16) folded in halves, the rows added in double in two halves of the rows, then the
    // halves: that order, to the bit, whichever SIMD copy runs, at every width modulo 16.
    const auto inLanes = [](const ImageCodec::Luma &a, const ImageCodec::Luma &b) {
        const int rows = (a.height - 8) / 2 + 1, cols = (a.width - 8) / 2 + 1;
        const auto sum = [&](int from, int to) {
            double total = 0;
            for (int j = from; j < to; ++j) {
                float lane[16] = {};
                for (int i = 0; i < cols; ++i) {
                    qint32 s[5] = {0, 0, 0, 0, 0};
                    for (int y = 2 * j; y < 2 * j + 8; ++y) {
                        for (int x = 2 * i; x < 2 * i + 8; ++x) {
                            const qint32 p = a.y[size_t(y) * a.width + x];
                            const qint32 q = b.y[size_t(y) * b.width + x];
                            s[0] += p, s[1] += q, s[2] += p * p, s[3] += q * q, s[4] += p * q;
                        }
                    }
                    const float c1 = float((0.01 * 255) * (0.01 * 255));
                    const float c2 = float((0.03 * 255) * (0.03 * 255)), inv = 1.0f / 64;
                    const float ma = float(s[0]) * inv, mb = float(s[1]) * inv;
                    const float va = float(s[2]) * inv - ma * ma, vb = float(s[3]) * inv - mb * mb;
                    const float cov = float(s[4]) * inv - ma * mb;
                    lane[i % 16] += ((2 * ma * mb + c1) * (2 * cov + c2))
                                    / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                }
                for (int width = 8; width > 0; width /= 2)
                    for (int k = 0; k < width; ++k)
                        lane[k] += lane[k + width];
                total += lane[0];
            }
            return total;
        };
        return (sum(0, rows / 2) + sum(rows / 2, rows)) / (double(cols) * rows);
    };
    quint32 seed = 13;
    for (const QSize size : {QSize(8, 8),
                             QSize(9, 11),
                             QSize(20, 12),
                             QSize(38, 17),
                             QSize(39, 10),
                             QSize(40, 21),
                             QSize(41, 9),
                             QSize(70, 30),
                             QSize(131, 19),
                             QSize(200, 16)}) {
        ImageCodec::Luma a, b;
        a.width = b.width = size.width();
        a.height = b.height = size.height();
        for (int i = 0; i < size.width() * size.height(); ++i) {
            seed = seed * 1664525u + 1013904223u;
            const quint8 p = (i % size.width()) < 6 ? 30 : quint8(seed >> 24);
            a.y.push_back(p);
            b.y.push_back(quint8(seed >> 29 == 0 ? 255 - p : p + (seed >> 30)));
        }
        const QString differ = sameBits(ImageCodec::ssim(a, b, 2), inLanes(a, b));
        QVERIFY2(differ.isEmpty(),
                 qPrintable(QStringLiteral("%1x%2: %3")
                                    .arg(size.width())
                                    .arg(size.height())
                                    .arg(differ)));
    }
}

void TestImageCodec::ssimAfterStepsIsTheFullMeasure()
{
    // The check's steps up recompute only the windows whose pixels changed since the previous
    // plane, and add every window's value again in the same order: the same double as the full
    // measure, after changes of every kind: none, one pixel (corners, the last row and column,
    // just right of a group of windows, the rows both halves read), small patches, whole rows,
    // a row copied from the next, everything; at sizes with one window, one group, several
    // groups and odd remainders.
    quint32 seed = 2024;
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    for (const QSize size : {QSize(8, 8),
                             QSize(9, 13),
                             QSize(72, 31),
                             QSize(131, 77),
                             QSize(200, 150),
                             QSize(263, 40)}) {
        const int w = size.width(), h = size.height();
        ImageCodec::Luma reference, plane;
        reference.width = plane.width = w;
        reference.height = plane.height = h;
        for (int i = 0; i < w * h; ++i)
            reference.y.push_back(quint8((i % w) < w / 3 ? 200 : next() % 256));
        plane.y = reference.y; // the left third flat, the rest noisy
        for (int i = 0; i < w * h; ++i)
            if (i % w >= w / 3)
                plane.y[size_t(i)]
                        = quint8(std::clamp(int(plane.y[size_t(i)]) + int(next() % 7) - 3, 0, 255));
        const auto change = [&](int x, int y) {
            if (x >= 0 && x < w && y >= 0 && y < h)
                plane.y[size_t(y) * w + x] ^= quint8(1 + next() % 255);
        };
        const int half = (h - 8 + 1) / 2; // the first window row of the bottom half
        for (int step = 0; step < 45; ++step) {
            switch (step % 9) {
            case 0: // nothing
                break;
            case 1: // corners
                change(0, 0), change(w - 1, 0), change(0, h - 1), change(w - 1, h - 1);
                break;
            case 2: // just right of each group of 64 windows' first columns
                for (int x = 64; x < w; x += 64)
                    change(x + int(next() % 7), int(next() % h));
                break;
            case 3: // the rows read by both halves
                change(int(next() % w), half + int(next() % 8));
                change(int(next() % w), half - 1);
                break;
            case 4: // a few pixels anywhere
                for (int k = 0; k < 3; ++k)
                    change(int(next() % w), int(next() % h));
                break;
            case 5: // a patch
                for (int y = 0; y < 5; ++y)
                    for (int x = 0; x < 9; ++x)
                        change(w / 2 + x, h / 3 + y);
                break;
            case 6: // a whole row
                for (int x = 0; x < w; ++x)
                    change(x, step % h);
                break;
            case 7: // a row takes the one below
                std::copy_n(plane.y.begin() + (h / 2 + 1) * w, w, plane.y.begin() + h / 2 * w);
                break;
            default: // everything
                for (int y = 0; y < h; ++y)
                    for (int x = 0; x < w; ++x)
                        change(x, y);
            }
            const bool parallel = step % 3 == 1;
            const double stepped = ImageCodec::ssimAfterStep(reference, plane, step == 0, parallel);
            const double full = ImageCodec::ssim(reference, plane, 1);
            const QString differ = sameBits(stepped, full);
            QVERIFY2(differ.isEmpty(),
                     qPrintable(QStringLiteral("%1x%2 step %3: %4")
                                        .arg(w)
                                        .arg(h)
                                        .arg(step)
                                        .arg(differ)));
        }
    }
    // A change that equals the pixel below's old value: a flat picture with a dot, then the
    // dot's row copied one up (the windows whose last row is the copy see a new pixel).
    ImageCodec::Luma flat, dotted;
    flat.width = dotted.width = 100;
    flat.height = dotted.height = 40;
    flat.y.assign(100 * 40, 100);
    dotted.y = flat.y;
    dotted.y[20 * 100 + 10] = 0;
    const double first = ImageCodec::ssimAfterStep(flat, dotted, true);
    QVERIFY(sameBits(first, ImageCodec::ssim(flat, dotted, 1)).isEmpty());
    std::copy_n(dotted.y.begin() + 20 * 100, 100, dotted.y.begin() + 19 * 100);
    const QString differ = sameBits(ImageCodec::ssimAfterStep(flat, dotted, false),
                                    ImageCodec::ssim(flat, dotted, 1));
    QVERIFY2(differ.isEmpty(), qPrintable(differ));
}

void TestImageCodec::ssimAfterStepsOfTheModelIsTheFullMeasure()
{
    // What the check really measures: the trial model's luma at quarter steps up, on corpus
    // pictures at the medium preset's size, with and without the helper thread.
    const QString corpus
            = qEnvironmentVariable("MOUSE_SOURCE_DIR") + QStringLiteral("/bench/data/");
    const ScreenPreset medium = ScreenPresets().preset(ScreenQuality::Medium);
    for (const QString &name : {QStringLiteral("1080p-editor.png"),
                                QStringLiteral("1080p-terminals.png"),
                                QStringLiteral("720p-viewer.png")}) {
        QFile file(corpus + name);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const Expected<QImage> decoded = ImageCodec::decode(file.readAll(), 40'000'000);
        QVERIFY(decoded.ok());
        const QImage image = ImageCodec::scaled(decoded.value(),
                                                ImageCodec::fitInside(decoded->size(), medium.box))
                                     .convertToFormat(QImage::Format_RGB32);
        const ImageCodec::Luma reference = ImageCodec::luma(image);
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
        const auto serial = [](const std::function<void()> &a, const std::function<void()> &b) {
            a();
            b();
        };
        JpegCodec::TrialModel model(image, serial);
        ImageCodec::Luma plane;
        plane.width = reference.width;
        plane.height = reference.height;
        for (int step = 0; step < 6; ++step) {
            JpegCodec::EncodeSettings settings;
            settings.quality = 14 + 0.25 * step;
            settings.flat = &flat;
            model.decodeLuma(settings, &plane.y, serial);
            const double stepped
                    = ImageCodec::ssimAfterStep(reference, plane, step == 0, step % 2 == 1);
            const QString differ = sameBits(stepped, ImageCodec::ssim(reference, plane, 1));
            QVERIFY2(differ.isEmpty(),
                     qPrintable(QStringLiteral("%1 step %2: %3").arg(name).arg(step).arg(differ)));
        }
    }
}

void TestImageCodec::helperThreadsGiveTheSameAnswer()
{
    // With a helper thread a frame's modelled trials are made in two halves of their rows, SSIM
    // is summed in two halves and the check decodes a baseline encode (alone: the answer's own
    // progressive bytes); nothing the search decides depends on the threads, so the answer is
    // the same bytes, cold and hinted, and keeps the floor on every window against the source
    // scaled to its size.
    QImage source = ScreensTest::desktop(1920, 1080);
    // Saturated coloured detail everywhere, the bands' seam included: a wrong chroma row
    // pushes such pixels out of gamut differently, and the clamping shows in their luma.
    const QRgb colours[] = {qRgb(255, 0, 0), qRgb(0, 0, 255), qRgb(0, 255, 0), qRgb(0, 0, 0)};
    for (int y = 0; y < source.height(); ++y)
        for (int x = (y * 7) % 3; x < source.width(); x += 3)
            source.setPixel(x, y, colours[(x / 3 + y / 2) % 4]);
    const QByteArray png = ScreensTest::encoded(source, "png");
    const ScreenPreset preset = ScreenPresets().preset(ScreenQuality::Medium);
    for (const int hint : {0, 40}) {
        CompressOptions one, two;
        one.threads = 1;
        two.threads = 2;
        one.qualityHint = two.qualityHint = hint;
        const Expected<EncodedImage> serial
                = ImageCodec::compress(png, preset, ImageFormat::Jpeg, one);
        const Expected<EncodedImage> parallel
                = ImageCodec::compress(png, preset, ImageFormat::Jpeg, two);
        QVERIFY(serial.ok() && parallel.ok());
        QCOMPARE(parallel->bytes, serial->bytes);
        QCOMPARE(parallel->encoderQuality, serial->encoderQuality);
        // The all-window check's value: the same to the last bit says the model's halves, the
        // baseline decode and the progressive decode all gave the same pixels.
        QCOMPARE(parallel->ssim, serial->ssim);
        const QImage answer = QImage::fromData(parallel->bytes);
        QCOMPARE(answer.size(), QSize(1024, 576));
        const double measured
                = ImageCodec::ssim(ImageCodec::luma(ImageCodec::scaled(source, answer.size())),
                                   ImageCodec::luma(answer),
                                   1);
        QVERIFY2(measured >= preset.ssimFloor(), qPrintable(QString::number(measured)));
    }
}

void TestImageCodec::colouredTextOnBlackIsBoundedAndVerified()
{
    // Coloured text on black (terminals): 4:2:0 cannot reach the high floor within its search's
    // trials (this picture: 0.966 at q82), and checking that answer stepped it up a quarter at
    // a time from its last failing quality before 4:4:4 was even tried (19 steps on the
    // corpus' 1080p terminals). 4:4:4 is now searched first and its checked answer taken: two
    // searches of at most 6 trials and a few check steps (13 here). Whatever wins (here the
    // source PNG: our sparse synthetic text deflates better than any JPEG keeping the floor),
    // it is no larger than the source and keeps the floor on every window, measured here.
    QImage source(1920, 1080, QImage::Format_RGB32);
    source.fill(Qt::black);
    const QRgb colours[] = {qRgb(255, 85, 85),
                            qRgb(85, 255, 85),
                            qRgb(85, 85, 255),
                            qRgb(255, 255, 85),
                            qRgb(85, 255, 255),
                            qRgb(220, 220, 220)};
    quint32 seed = 12345;
    for (int row = 0; row + 16 <= source.height(); row += 18) {
        seed = seed * 1664525u + 1013904223u;
        const int length = int(seed >> 25); // lines of 0-127 characters, the rest black
        for (int col = 0; col + 9 <= std::min(source.width(), 9 * length); col += 9) {
            seed = seed * 1664525u + 1013904223u;
            if ((seed >> 28) < 3)
                continue; // spaces
            const QRgb colour = colours[(seed >> 8) % 6];
            // A glyph of 1-pixel strokes, as a seven-segment digit: three bars across, four
            // down, each drawn or not.
            const auto bar = [&](int x0, int y0, int x1, int y1) {
                for (int y = y0; y <= y1; ++y)
                    for (int x = x0; x <= x1; ++x)
                        source.setPixel(col + x, row + y, colour);
            };
            for (int k = 0; k < 3; ++k)
                if ((seed >> (12 + k)) & 1)
                    bar(2, 3 + 5 * k, 6, 3 + 5 * k);
            for (int k = 0; k < 4; ++k)
                if ((seed >> (16 + k)) & 1)
                    bar(k % 2 ? 6 : 2, k < 2 ? 3 : 8, k % 2 ? 6 : 2, k < 2 ? 8 : 13);
        }
    }
    const QByteArray png = ScreensTest::encoded(source, "png");
    const ScreenPreset preset = ScreenPresets().preset(ScreenQuality::High);
    CompressOptions options;
    options.threads = 1;
    const Expected<EncodedImage> out
            = ImageCodec::compress(png, preset, ImageFormat::Jpeg, options);
    QVERIFY(out.ok());
    QVERIFY(out->bytes.size() <= png.size());
    QVERIFY2(out->trials > 0 && out->trials <= 20, qPrintable(QString::number(out->trials)));
    const QImage answer = QImage::fromData(out->bytes);
    QCOMPARE(answer.size(), source.size());
    const double measured
            = ImageCodec::ssim(ImageCodec::luma(source),
                               ImageCodec::luma(answer.convertToFormat(QImage::Format_RGB32)),
                               1);
    QVERIFY2(measured >= preset.ssimFloor(), qPrintable(QString::number(measured)));
}

void TestImageCodec::trialModelIsTheRealDecode_data()
{
    QTest::addColumn<QImage>("image");
    // The corpus at the medium preset's size and two files at full size.
    const QList<std::pair<QString, QImage>> corpus = ScreensTest::corpusPictures();
    QVERIFY2(corpus.size() >= 8, "bench/data must hold the corpus (MOUSE_SOURCE_DIR)");
    for (const auto &[name, image] : corpus)
        QTest::newRow(qPrintable(name)) << image;
    // Odd sizes (edge padding, odd chroma), saturated colour noise (the decoder's clamping),
    // flat areas, a picture too narrow for the fancy upsampling filter.
    QImage noise(203, 117, QImage::Format_RGB32);
    quint32 seed = 7;
    for (int y = 0; y < noise.height(); ++y) {
        for (int x = 0; x < noise.width(); ++x) {
            seed = seed * 1664525u + 1013904223u;
            noise.setPixel(x, y, x < 40 ? qRgb(0, 0, 0) : (seed >> 8) | 0xff000000u);
        }
    }
    QTest::newRow("noise 203x117") << noise;
    QImage saturated = ScreensTest::desktop(331, 250);
    const QRgb colours[] = {qRgb(255, 0, 0), qRgb(0, 0, 255), qRgb(0, 255, 0), qRgb(255, 0, 255)};
    for (int y = 0; y < saturated.height(); ++y)
        for (int x = (y * 5) % 3; x < saturated.width(); x += 3)
            saturated.setPixel(x, y, colours[(x / 3 + y) % 4]);
    QTest::newRow("saturated 331x250") << saturated;
    QTest::newRow("narrow 3x21") << noise.copy(37, 5, 3, 21);
    QTest::newRow("desktop 1024x768") << ScreensTest::desktop(1024, 768);
    // The largest coefficients 8-bit samples give, in every position of a block (the inverse
    // DCT runs 8 columns, then 8 rows, side by side: a wrong lane or rounding shows here):
    // saturated noise (each channel 0 or 255), one-pixel checks and stripes, a white pixel in a
    // different place of each black block, each over the picture's edges (odd sizes, padding).
    QImage binary(197, 83, QImage::Format_RGB32);
    QImage checks(binary.size(), QImage::Format_RGB32), stripes(checks), dots(checks);
    for (int y = 0; y < binary.height(); ++y) {
        for (int x = 0; x < binary.width(); ++x) {
            seed = seed * 1664525u + 1013904223u;
            const auto grey = [](bool white) {
                return white ? qRgb(255, 255, 255) : qRgb(0, 0, 0);
            };
            binary.setPixel(x,
                            y,
                            qRgb(255 * int((seed >> 29) & 1),
                                 255 * int((seed >> 30) & 1),
                                 255 * int(seed >> 31)));
            checks.setPixel(x, y, grey((x + y) % 2));
            // vertical stripes left, horizontal right, both at a block's edge columns/rows
            stripes.setPixel(x, y, grey(x < 96 ? x % 2 || x % 8 == 0 : y % 2 || y % 8 == 7));
            const int block = (x / 8) * 7 + (y / 8) * 3; // which pixel of the block is white
            dots.setPixel(x, y, grey(x % 8 == block % 8 && y % 8 == (block / 8) % 8));
        }
    }
    QTest::newRow("saturated noise 197x83") << binary;
    QTest::newRow("checks 197x83") << checks;
    QTest::newRow("stripes 197x83") << stripes;
    QTest::newRow("dots 197x83") << dots;
}

void TestImageCodec::trialModelIsTheRealDecode()
{
    // The search's trials are modelled (JpegCodec::TrialModel) instead of encoded and decoded.
    // Its luma must be the real decoder's, pixel for pixel, for every chroma mode the search
    // uses, at low, middle and high qualities (quarter steps included), with the flat-level
    // DC step and 4:4:4's coarser chroma: then the search's SSIMs, hence its choices, are
    // those of real encodes.
    QFETCH(QImage, image);
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const auto serial = [](const std::function<void()> &a, const std::function<void()> &b) {
        b(); // the halves in the other order: no half may depend on the other's results
        a();
    };
    JpegCodec::TrialModel model(rgb, serial);
    const ImageCodec::Luma reference = ImageCodec::luma(rgb);
    const JpegCodec::FlatLevels flat
            = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
    using JpegCodec::Chroma;
    for (const Chroma chroma : {Chroma::Subsampled420, Chroma::Full444, Chroma::Grey}) {
        for (const double quality : {2.0, 6.25, 17.0, 23.75, 41.5, 75.0, 95.0}) {
            JpegCodec::EncodeSettings settings;
            settings.quality = quality;
            settings.chroma = chroma;
            settings.optimized = false;
            settings.progressive = false;
            settings.flat = &flat;
            settings.chromaScale = chroma == Chroma::Full444 ? 3.0 : 1.0;
            const QByteArray bytes = JpegCodec::encode(rgb, settings);
            int w = 0, h = 0;
            std::vector<quint8> real, modelled;
            QVERIFY(JpegCodec::decodeLuma(bytes, &w, &h, &real));
            model.decodeLuma(settings, &modelled, serial);
            QCOMPARE(modelled.size(), real.size());
            int differ = 0, worst = 0;
            for (size_t i = 0; i < real.size(); ++i) {
                const int e = std::abs(int(real[i]) - int(modelled[i]));
                differ += e != 0;
                worst = std::max(worst, e);
            }
            QVERIFY2(differ == 0,
                     qPrintable(QStringLiteral("chroma %1 q%2: %3 of %4 pixels differ, by up to %5")
                                        .arg(int(chroma))
                                        .arg(quality)
                                        .arg(differ)
                                        .arg(real.size())
                                        .arg(worst)));
        }
    }
}

void TestImageCodec::trialBlocksInLanesAreTheScalars()
{
    // A trial's blocks are dequantised and inverse-transformed 8 lanes at a time in 32-bit
    // integers where the CPU has AVX2; the scalar path is libjpeg's 64-bit arithmetic. The
    // same samples for any 16-bit coefficients and any steps, far beyond what pictures give:
    // single coefficients at the extremes in every position (one lane), full-range noise (pass
    // 2 wrapping, the range limit's wrap-around), sparse blocks, fine and coarse steps.
    quint32 seed = 99;
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed;
    };
    int table[64];
    qint16 coefficients[64];
    quint8 lanes[64], scalar[64];
    int blocks = 0, differ = 0;
    const auto compare = [&] {
        if (!JpegCodec::reconstructBothWays(coefficients, table, lanes, scalar))
            return false;
        ++blocks;
        differ += std::memcmp(lanes, scalar, sizeof lanes) != 0;
        return true;
    };
    for (int round = 0; round < 400; ++round) {
        for (int &step : table) // random, all 1, all 255, fine
            step = round % 4 == 0   ? 1 + int(next() >> 24) % 255
                   : round % 4 == 1 ? 1
                   : round % 4 == 2 ? 255
                                    : 1 + int(next() >> 29);
        for (int position = 0; position < 64; ++position) {
            for (const int value : {32767, -32768, -8191, 1}) {
                std::fill(std::begin(coefficients), std::end(coefficients), qint16(0));
                coefficients[position] = qint16(value);
                if (!compare())
                    QSKIP("no vector path on this CPU");
            }
        }
        for (int k = 0; k < 200; ++k) {
            for (qint16 &c : coefficients) {
                const quint32 r = next();
                c = k % 3 == 0   ? qint16(r >> 16)                               // full range
                    : k % 3 == 1 ? qint16((r >> 8) % 16385) - qint16(8192)       // pictures'
                                 : qint16((r >> 28) == 0 ? qint16(r >> 16) : 0); // sparse
            }
            compare();
        }
    }
    QVERIFY(blocks > 100000);
    QCOMPARE(differ, 0);
}

QTEST_GUILESS_MAIN(TestImageCodec)
#include "tst_imagecodec.moc"

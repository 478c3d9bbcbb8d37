// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "../fuzz/fuzztargets.h"
#include "core/screens/imagecodec.h"
#include "core/screens/pngdecoder.h"
#include "screentestdata.h"

#include <QDirIterator>
#include <QFile>

#include <QtEndian>
#include <QtTest>

#include <zlib.h>

using namespace Mouse;

namespace {

QByteArray chunk(const char *type, const QByteArray &data)
{
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(quint32(data.size()), out.data());
    const QByteArray body = QByteArray(type, 4) + data;
    out += body;
    QByteArray crc(4, '\0');
    qToBigEndian<quint32>(
            quint32(crc32(0, reinterpret_cast<const Bytef *>(body.constData()), uInt(body.size()))),
            crc.data());
    return out + crc;
}

// A PNG built by hand: `pixels` is width * height * channels bytes; row y is written with
// filter (y % 5) (none, sub, up, average, Paeth), so every filter is decoded.
QByteArray handmadePng(int width,
                       int height,
                       int colourType,
                       const QByteArray &pixels,
                       const QByteArray &extraChunks = {})
{
    const int channels = colourType == 2 ? 3 : colourType == 4 ? 2 : colourType == 6 ? 4 : 1;
    const int rowBytes = width * channels;
    QByteArray filtered;
    auto at = [&](int y, int i) -> int {
        return y < 0 || i < 0 ? 0 : quint8(pixels[y * rowBytes + i]);
    };
    for (int y = 0; y < height; ++y) {
        const int filter = y % 5;
        filtered.append(char(filter));
        for (int i = 0; i < rowBytes; ++i) {
            const int x = at(y, i), a = at(y, i - channels), b = at(y - 1, i),
                      c = at(y - 1, i - channels);
            int predictor = 0;
            if (filter == 1)
                predictor = a;
            else if (filter == 2)
                predictor = b;
            else if (filter == 3)
                predictor = (a + b) / 2;
            else if (filter == 4) {
                const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b),
                          pc = std::abs(p - c);
                predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            filtered.append(char((x - predictor) & 0xff));
        }
    }
    uLongf size = compressBound(uLong(filtered.size()));
    QByteArray deflated(qsizetype(size), '\0');
    compress(reinterpret_cast<Bytef *>(deflated.data()),
             &size,
             reinterpret_cast<const Bytef *>(filtered.constData()),
             uLong(filtered.size()));
    deflated.resize(qsizetype(size));
    QByteArray header(13, '\0');
    qToBigEndian<quint32>(quint32(width), header.data());
    qToBigEndian<quint32>(quint32(height), header.data() + 4);
    header[8] = 8;
    header[9] = char(colourType);
    // Split the image data over two IDAT chunks, as encoders do for large images.
    const qsizetype half = deflated.size() / 2;
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) + extraChunks
           + chunk("IDAT", deflated.left(half)) + chunk("IDAT", deflated.mid(half))
           + chunk("IEND", {});
}

QByteArray noise(int bytes, quint32 seed)
{
    QByteArray out(bytes, '\0');
    for (int i = 0; i < bytes; ++i) {
        seed = seed * 1664525u + 1013904223u;
        // Smooth-ish ramps with noise, so every filter has something to predict.
        out[i] = char(((i * 3) & 0xff) ^ ((seed >> 24) & 0x1f));
    }
    return out;
}

// Our decoder must give what libpng (through QImage) gives, as ARGB32.
void compareWithQt(const QByteArray &png)
{
    QImage ours;
    QCOMPARE(PngDecoder::decode(png, 1'000'000, &ours), PngDecoder::Result::Decoded);
    const QImage theirs = QImage::fromData(png, "png");
    QVERIFY(!theirs.isNull());
    QCOMPARE(ours.size(), theirs.size());
    QCOMPARE(ours.convertToFormat(QImage::Format_ARGB32),
             theirs.convertToFormat(QImage::Format_ARGB32));
}

} // namespace

class TestPngDecoder : public QObject
{
    Q_OBJECT

private slots:
    void everyColourTypeAndFilterMatchesLibpng();
    void qtWrittenPngsMatchLibpng();
    void otherKindsAreLeftToQImageReader();
    void corruptionIsAnError();
    void declaredSizeAboveTheCapIsRefused();
    void fuzzSeedsAndRegressionsReplay();
    void bandedScaleMatchesTheWholeImage();
    void bandedScaleRefusesCorruptTruncatedAndHuge();
};

void TestPngDecoder::everyColourTypeAndFilterMatchesLibpng()
{
    const int w = 37, h = 23; // odd sizes: no row is a multiple of anything
    compareWithQt(handmadePng(w, h, 0, noise(w * h, 1)));
    compareWithQt(handmadePng(w, h, 2, noise(w * h * 3, 2)));
    compareWithQt(handmadePng(w, h, 4, noise(w * h * 2, 3)));
    compareWithQt(handmadePng(w, h, 6, noise(w * h * 4, 4)));

    // Palette, opaque and with per-entry alpha (tRNS shorter than the palette).
    QByteArray palette, alpha;
    for (int i = 0; i < 256; ++i) {
        palette += char(i);
        palette += char(255 - i);
        palette += char((i * 7) & 0xff);
    }
    for (int i = 0; i < 100; ++i)
        alpha += char(i * 2);
    compareWithQt(handmadePng(w, h, 3, noise(w * h, 5), chunk("PLTE", palette)));
    compareWithQt(
            handmadePng(w, h, 3, noise(w * h, 6), chunk("PLTE", palette) + chunk("tRNS", alpha)));
}

void TestPngDecoder::qtWrittenPngsMatchLibpng()
{
    const QImage desktop = ScreensTest::desktop(333, 211);
    compareWithQt(ScreensTest::encoded(desktop, "png"));
    compareWithQt(ScreensTest::encoded(ScreensTest::desktop(333, 211, true), "png"));
    compareWithQt(ScreensTest::encoded(desktop.convertToFormat(QImage::Format_Grayscale8), "png"));
    compareWithQt(ScreensTest::encoded(desktop.convertToFormat(QImage::Format_Indexed8), "png"));
}

void TestPngDecoder::otherKindsAreLeftToQImageReader()
{
    const QImage desktop = ScreensTest::desktop(120, 80);
    for (const QImage::Format format : {QImage::Format_Grayscale16, QImage::Format_Mono}) {
        const QByteArray png = ScreensTest::encoded(desktop.convertToFormat(format), "png");
        QImage image;
        QCOMPARE(PngDecoder::decode(png, 1'000'000, &image), PngDecoder::Result::Unsupported);
        // ... and the codec still decodes them, through Qt.
        const Expected<QImage> decoded = ImageCodec::decode(png, 1'000'000);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->size(), QSize(120, 80));
    }
}

void TestPngDecoder::corruptionIsAnError()
{
    const QByteArray png = ScreensTest::encoded(ScreensTest::desktop(200, 100), "png");
    QImage image;
    using R = PngDecoder::Result;

    // Truncated anywhere after the signature.
    for (const qsizetype keep : {qsizetype(8), qsizetype(20), png.size() / 2, png.size() - 1})
        QCOMPARE(PngDecoder::decode(png.left(keep), 1'000'000, &image), R::Corrupt);

    // A flipped byte inside the image data: the chunk's CRC no longer matches.
    QByteArray flipped = png;
    const qsizetype idat = png.indexOf("IDAT");
    flipped[idat + 40] = char(flipped[idat + 40] ^ 0x55);
    QCOMPARE(PngDecoder::decode(flipped, 1'000'000, &image), R::Corrupt);

    // Valid CRCs over bad data: too few bytes after inflating, and an unknown filter type.
    const int w = 16, h = 8;
    QByteArray shortRows = handmadePng(w, h, 2, noise(w * h * 3, 7));
    QByteArray header(13, '\0');
    qToBigEndian<quint32>(quint32(w), header.data());
    qToBigEndian<quint32>(quint32(h + 1), header.data() + 4); // one row more than the data
    header[8] = 8;
    header[9] = 2;
    shortRows.replace(8, 25, chunk("IHDR", header));
    QCOMPARE(PngDecoder::decode(shortRows, 1'000'000, &image), R::Corrupt);

    QByteArray rows(3 * w + 1, '\0');
    rows[0] = 7; // no such filter
    uLongf size = compressBound(uLong(rows.size()));
    QByteArray deflated(qsizetype(size), '\0');
    compress(reinterpret_cast<Bytef *>(deflated.data()),
             &size,
             reinterpret_cast<const Bytef *>(rows.constData()),
             uLong(rows.size()));
    deflated.resize(qsizetype(size));
    qToBigEndian<quint32>(1, header.data() + 4);
    const QByteArray badFilter = QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header)
                                 + chunk("IDAT", deflated) + chunk("IEND", {});
    QCOMPARE(PngDecoder::decode(badFilter, 1'000'000, &image), R::Corrupt);

    // The codec maps these to its corrupt error, never to a blank image.
    const Expected<QImage> decoded = ImageCodec::decode(flipped, 1'000'000);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, QStringLiteral("screenshot_corrupt"));
}

void TestPngDecoder::declaredSizeAboveTheCapIsRefused()
{
    QByteArray header(13, '\0');
    qToBigEndian<quint32>(100000, header.data());
    qToBigEndian<quint32>(100000, header.data() + 4);
    header[8] = 8;
    header[9] = 2;
    const QByteArray png = QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header)
                           + chunk("IDAT", QByteArray(10, '\0')) + chunk("IEND", {});
    QImage image;
    QCOMPARE(PngDecoder::decode(png, 40'000'000, &image), PngDecoder::Result::TooLarge);
    QVERIFY(image.isNull());
}

void TestPngDecoder::fuzzSeedsAndRegressionsReplay()
{
    // The seeds were written by another encoder (Pillow): the kinds we decode must match
    // libpng, the others must be left to it.
    const QStringList ours = {QStringLiteral("rgb.png"),
                              QStringLiteral("rgba.png"),
                              QStringLiteral("grey.png"),
                              QStringLiteral("greyalpha.png"),
                              QStringLiteral("palette.png"),
                              QStringLiteral("palettealpha.png")};
    const QStringList qts = {QStringLiteral("mono.png"),
                             QStringLiteral("interlaced.png"),
                             QStringLiteral("rgbkey.png")};
    int files = 0;
    for (const char *kind : {"corpus", "regressions"}) {
        QDirIterator it(QStringLiteral(MOUSE_FUZZ_DIR "/%1/pngdecoder").arg(QLatin1String(kind)),
                        QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            if (it.fileName().startsWith(u'.'))
                continue;
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray data = file.readAll();
            Mouse::Fuzz::pngDecoder(reinterpret_cast<const uint8_t *>(data.constData()),
                                    size_t(data.size()));
            ++files;
            QImage image;
            if (ours.contains(it.fileName()))
                compareWithQt(data);
            else if (qts.contains(it.fileName()))
                QCOMPARE(PngDecoder::decode(data, 1'000'000, &image),
                         PngDecoder::Result::Unsupported);
        }
    }
    QVERIFY(files >= ours.size() + qts.size());
}

void TestPngDecoder::bandedScaleMatchesTheWholeImage()
{
    // decodeScaled with a helper scales a PNG in two bands as it decodes, where a split
    // exists that makes each band's scale exactly the whole image's; it must give the same
    // pixels as decode() then scaled(), split or not (odd sizes take the whole path).
    struct Case
    {
        QSize source, box;
        bool alpha;
    };
    const QList<Case> cases = {{{1920, 1080}, {1024, 768}, false}, // 1024x576: split 810/432
                               {{1280, 720}, {1024, 768}, false},  // 1024x576: 540/432
                               {{1920, 1080}, {640, 480}, false},  // 640x360
                               {{1280, 720}, {640, 480}, true},    // alpha: premultiplied
                               {{1000, 700}, {640, 480}, false},   // 640x448
                               {{777, 555}, {500, 400}, false}};   // no exact split
    for (const Case &c : cases) {
        QImage source = ScreensTest::desktop(c.source.width(), c.source.height(), c.alpha);
        // Noise over the flat areas, so a wrong weight or row shows.
        for (int y = 0; y < source.height(); y += 3)
            for (int x = (y * 7) % 5; x < source.width(); x += 5)
                source.setPixel(x, y, source.pixel(x, y) ^ 0x00305070u);
        const QByteArray png = ScreensTest::encoded(source, "png");
        const Expected<QImage> whole = ImageCodec::decode(png, 40'000'000);
        QVERIFY(whole.ok());
        const QImage expected
                = ImageCodec::scaled(whole.value(), ImageCodec::fitInside(whole->size(), c.box));
        QSize sourceSize;
        const Expected<QImage> banded
                = ImageCodec::decodeScaled(png, 40'000'000, c.box, true, &sourceSize);
        QVERIFY(banded.ok());
        QCOMPARE(sourceSize, c.source);
        QCOMPARE(banded->format(), expected.format());
        QCOMPARE(banded.value(), expected);
    }

    // The decoder reports its finished rows in order, at least every 16 rows, and the last.
    const QByteArray png = ScreensTest::encoded(ScreensTest::desktop(300, 100), "png");
    QList<int> reports;
    QImage image;
    QCOMPARE(PngDecoder::decode(png,
                                1'000'000,
                                &image,
                                [&](const QImage &, int rows) { reports.append(rows); }),
             PngDecoder::Result::Decoded);
    QVERIFY(!reports.isEmpty());
    QCOMPARE(reports.last(), 100);
    for (qsizetype i = 0; i < reports.size(); ++i)
        QVERIFY(reports[i] - (i ? reports[i - 1] : 0) > 0
                && reports[i] - (i ? reports[i - 1] : 0) <= 16);
}

void TestPngDecoder::bandedScaleRefusesCorruptTruncatedAndHuge()
{
    // Valid chunks over an image whose row 1000 of 1080 has an unknown filter: the top band
    // is already being scaled on the helper when the decoder fails. An error, never a frame
    // (and, under ASan, no read of the freed picture).
    const int w = 1920, h = 1080;
    QByteArray rows(qsizetype(h) * (3 * w + 1), '\0');
    for (int y = 0; y < h; ++y)
        for (int i = 1; i <= 3 * w; i += 97)
            rows[qsizetype(y) * (3 * w + 1) + i] = char(y + i);
    rows[qsizetype(1000) * (3 * w + 1)] = 7; // no such filter
    uLongf size = compressBound(uLong(rows.size()));
    QByteArray deflated(qsizetype(size), '\0');
    compress(reinterpret_cast<Bytef *>(deflated.data()),
             &size,
             reinterpret_cast<const Bytef *>(rows.constData()),
             uLong(rows.size()));
    deflated.resize(qsizetype(size));
    QByteArray header(13, '\0');
    qToBigEndian<quint32>(quint32(w), header.data());
    qToBigEndian<quint32>(quint32(h), header.data() + 4);
    header[8] = 8;
    header[9] = 2;
    const QByteArray badRow = QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header)
                              + chunk("IDAT", deflated) + chunk("IEND", {});
    const QSize box(1024, 768);
    QSize sourceSize;
    for (const bool parallel : {true, false}) {
        const Expected<QImage> corrupt
                = ImageCodec::decodeScaled(badRow, 40'000'000, box, parallel, &sourceSize);
        QVERIFY(!corrupt.ok());
        QCOMPARE(corrupt.error().code, QStringLiteral("screenshot_corrupt"));
    }

    // Truncated, and a flipped image byte (its chunk's CRC): corrupt as well.
    const QByteArray png = ScreensTest::encoded(ScreensTest::desktop(w, h), "png");
    QByteArray flipped = png;
    flipped[png.size() / 2] = char(flipped[png.size() / 2] ^ 0x55);
    for (const QByteArray &bad : {png.left(png.size() / 2), png.left(png.size() - 1), flipped}) {
        const Expected<QImage> out
                = ImageCodec::decodeScaled(bad, 40'000'000, box, true, &sourceSize);
        QVERIFY(!out.ok());
        QCOMPARE(out.error().code, QStringLiteral("screenshot_corrupt"));
    }

    // Above the pixel cap: refused from the header, before any pixel.
    const Expected<QImage> huge = ImageCodec::decodeScaled(png, 1'000'000, box, true, &sourceSize);
    QVERIFY(!huge.ok());
    QCOMPARE(huge.error().code, QStringLiteral("screenshot_too_large"));
}

QTEST_GUILESS_MAIN(TestPngDecoder)
#include "tst_pngdecoder.moc"

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

#include <atomic>
#include <cstring>
#include <functional>
#include <thread>

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
// filter filters[y % size] (0-4: none, sub, up, average, Paeth); by default y % 5, so every
// filter is decoded.
QByteArray handmadePng(int width,
                       int height,
                       int colourType,
                       const QByteArray &pixels,
                       const QByteArray &extraChunks = {},
                       const QList<int> &filters = {0, 1, 2, 3, 4})
{
    const int channels = colourType == 2 ? 3 : colourType == 4 ? 2 : colourType == 6 ? 4 : 1;
    const int rowBytes = width * channels;
    QByteArray filtered;
    auto at = [&](int y, int i) -> int {
        return y < 0 || i < 0 ? 0 : quint8(pixels[y * rowBytes + i]);
    };
    for (int y = 0; y < height; ++y) {
        const int filter = filters[y % filters.size()];
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

// Every kind of 8-bit PNG the decoder reads, odd-sized, all five filters in each.
QList<QByteArray> everyKind(int w, int h)
{
    QByteArray palette, alpha;
    for (int i = 0; i < 256; ++i) {
        palette += char(i);
        palette += char(255 - i);
        palette += char((i * 7) & 0xff);
    }
    for (int i = 0; i < 100; ++i)
        alpha += char(i * 2);
    return {handmadePng(w, h, 0, noise(w * h, 1)),
            handmadePng(w, h, 2, noise(w * h * 3, 2)),
            handmadePng(w, h, 4, noise(w * h * 2, 3)),
            handmadePng(w, h, 6, noise(w * h * 4, 4)),
            handmadePng(w, h, 3, noise(w * h, 5), chunk("PLTE", palette)),
            handmadePng(w, h, 3, noise(w * h, 6), chunk("PLTE", palette) + chunk("tRNS", alpha))};
}

// The decoder's scaled output against libpng's picture (through QImageReader) scaled by Qt.
void compareScaledWithQt(const QByteArray &png, const QSize &box)
{
    const QImage theirs = QImage::fromData(png, "png");
    QVERIFY(!theirs.isNull());
    const QSize size = ImageCodec::fitInside(theirs.size(), box);
    QImage ours;
    QCOMPARE(PngDecoder::decode(png, 1'000'000, &ours, size), PngDecoder::Result::Decoded);
    const QImage expected = ImageCodec::scaled(theirs, size);
    // (Not scaled when it already fits: then the full picture, which scaled() converts.)
    QCOMPARE(ours.size(), size);
    QCOMPARE(ImageCodec::scaled(ours, size).format(), expected.format());
    QCOMPARE(ImageCodec::scaled(ours, size), expected);
    QSize sourceSize;
    const Expected<QImage> fitted = ImageCodec::decodeToFit(png, 1'000'000, box, &sourceSize);
    QVERIFY(fitted.ok());
    QCOMPARE(sourceSize, theirs.size());
    QCOMPARE(fitted.value(), expected);
}

} // namespace

class TestPngDecoder : public QObject
{
    Q_OBJECT

private slots:
    void everyColourTypeAndFilterMatchesLibpng();
    void qtWrittenPngsMatchLibpng();
    void otherKindsAreLeftToQImageReader();
    void scaledWhileDecodingMatchesQt();
    void scaledBeyondTheDecoderMatchesQt();
    void corruptionIsAnError();
    void declaredSizeAboveTheCapIsRefused();
    void fuzzSeedsAndRegressionsReplay();
    void buffersAreReusedSafely();
    void scaledOnTwoThreadsIsTheSame();
    void rowSinkGetsEveryBandOnceWhenFinal();
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

void TestPngDecoder::scaledWhileDecodingMatchesQt()
{
    // Runs of Paeth rows (decoded two at a time where the CPU allows) of odd and even length,
    // after each other filter, down to the last row.
    const QList<int> paethRuns{4, 4, 1, 4, 4, 4, 2, 4, 0, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4};
    for (const int type : {0, 2, 4, 6}) {
        const int channels = type == 2 ? 3 : type == 4 ? 2 : type == 6 ? 4 : 1;
        for (const int h : {19, 23, 38}) {
            const QByteArray png = handmadePng(
                    29, h, type, noise(29 * h * channels, quint32(h + type)), {}, paethRuns);
            compareWithQt(png);
            compareScaledWithQt(png, QSize(20, 20));
        }
    }
    // Odd sizes, ratios from just under 1 to over 5 (the generic loop), one-pixel results.
    for (const QByteArray &png : everyKind(211, 117)) {
        for (const QSize &box :
             {QSize(210, 200), QSize(101, 77), QSize(64, 48), QSize(40, 40), QSize(1, 1)})
            compareScaledWithQt(png, box);
    }
    // A box the picture already fits: the full-size picture, as scaled() gives it.
    for (const QByteArray &png : everyKind(37, 23))
        compareScaledWithQt(png, QSize(100, 100));
    // Qt-written desktops (libpng's own filter choice) at the presets' ratios.
    const QImage desktop = ScreensTest::desktop(1280, 720);
    compareScaledWithQt(ScreensTest::encoded(desktop, "png"), QSize(1024, 768));
    compareScaledWithQt(ScreensTest::encoded(desktop, "png"), QSize(640, 480));
    compareScaledWithQt(
            ScreensTest::encoded(desktop.convertToFormat(QImage::Format_Grayscale8), "png"),
            QSize(640, 480));
}

void TestPngDecoder::scaledBeyondTheDecoderMatchesQt()
{
    // Kinds our decoder leaves to QImageReader (1-bit, 4-bit palette, 16-bit grey and RGBA)
    // and a width the box keeps (Qt's scale, not ours): decodeToFit is decode() + scaled().
    const QImage desktop = ScreensTest::desktop(301, 160, true);
    QList<QRgb> sixteen;
    for (int i = 0; i < 16; ++i)
        sixteen << qRgba(i * 17, 255 - i * 17, (i * 40) & 0xff, i < 8 ? 255 : i * 16);
    const QImage fourBit = desktop.convertToFormat(QImage::Format_Indexed8, sixteen);
    for (const QImage &image : {desktop.convertToFormat(QImage::Format_Mono),
                                fourBit,
                                desktop.convertToFormat(QImage::Format_Grayscale16),
                                desktop.convertToFormat(QImage::Format_RGBA64)}) {
        const QByteArray png = ScreensTest::encoded(image, "png");
        for (const QSize &box : {QSize(200, 100), QSize(301, 159)}) {
            QSize sourceSize;
            const Expected<QImage> fitted
                    = ImageCodec::decodeToFit(png, 1'000'000, box, &sourceSize);
            QVERIFY(fitted.ok());
            const QImage decoded = ImageCodec::decode(png, 1'000'000).value();
            QCOMPARE(fitted.value(),
                     ImageCodec::scaled(decoded, ImageCodec::fitInside(decoded.size(), box)));
        }
    }
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

void TestPngDecoder::buffersAreReusedSafely()
{
    // The decoder's big buffers come from a pool: a picture still held keeps its buffer, a
    // dropped one lends it to the next decode (smaller or not), across threads. Every picture
    // must still be libpng's, whatever buffer it landed in.
    const QByteArray large = ScreensTest::encoded(ScreensTest::desktop(640, 400), "png");
    const QByteArray small = ScreensTest::encoded(ScreensTest::desktop(200, 120, true), "png");
    const QImage largeExpected = QImage::fromData(large).convertToFormat(QImage::Format_ARGB32);
    const QImage smallExpected = QImage::fromData(small).convertToFormat(QImage::Format_ARGB32);
    auto decoded = [](const QByteArray &png) {
        QImage image;
        const PngDecoder::Result result = PngDecoder::decode(png, 1'000'000, &image);
        return result == PngDecoder::Result::Decoded ? image : QImage();
    };
    QImage held = decoded(large);
    const QImage second = decoded(small); // `held` keeps its buffer: a different one
    QVERIFY(held.constBits() != second.constBits());
    QCOMPARE(held.convertToFormat(QImage::Format_ARGB32), largeExpected);
    held = QImage();                      // back to the pool
    const QImage reused = decoded(small); // may land in the large one: still exact
    QCOMPARE(reused.convertToFormat(QImage::Format_ARGB32), smallExpected);
    QCOMPARE(second.convertToFormat(QImage::Format_ARGB32), smallExpected);
    const QImage grown = decoded(large);
    QCOMPARE(grown.convertToFormat(QImage::Format_ARGB32), largeExpected);

    // Two threads decoding and dropping at once (ASan/TSan-visible if the pool were wrong).
    QAtomicInt wrong = 0;
    auto work = [&](const QByteArray &png, const QImage &expected) {
        for (int i = 0; i < 20; ++i)
            if (decoded(png).convertToFormat(QImage::Format_ARGB32) != expected)
                wrong.fetchAndAddRelaxed(1);
    };
    QThread *other = QThread::create([&] { work(small, smallExpected); });
    other->start();
    work(large, largeExpected);
    QVERIFY(other->wait(60'000));
    delete other;
    QCOMPARE(wrong.loadRelaxed(), 0);
}

void TestPngDecoder::scaledOnTwoThreadsIsTheSame()
{
    // With `both`, grey and RGB rows are scaled on the second piece of work while the first
    // unfilters them: on two threads, or one after the other (the codec's helper busy), the
    // pixels are the one-thread decode's.
    const PngDecoder::Both twoThreads
            = [](const std::function<void()> &a, const std::function<void()> &b) {
                  std::thread second(b);
                  a();
                  second.join();
              };
    const PngDecoder::Both inTurn
            = [](const std::function<void()> &a, const std::function<void()> &b) {
                  a();
                  b();
              };
    QList<QByteArray> pngs = everyKind(211, 117);
    const QImage desktop = ScreensTest::desktop(1280, 720);
    pngs << ScreensTest::encoded(desktop, "png")
         << ScreensTest::encoded(desktop.convertToFormat(QImage::Format_Grayscale8), "png");
    for (const QByteArray &png : pngs) {
        const QSize source = QImage::fromData(png, "png").size();
        for (const QSize &box : {QSize(1024, 576), QSize(101, 77), QSize(1, 1)}) {
            const QSize size = ImageCodec::fitInside(source, box);
            QImage alone, two, turn;
            QCOMPARE(PngDecoder::decode(png, 1'000'000, &alone, size), PngDecoder::Result::Decoded);
            for (int run = 0; run < 5; ++run) {
                QCOMPARE(PngDecoder::decode(png, 1'000'000, &two, size, twoThreads),
                         PngDecoder::Result::Decoded);
                QCOMPARE(two, alone);
            }
            QCOMPARE(PngDecoder::decode(png, 1'000'000, &turn, size, inTurn),
                     PngDecoder::Result::Decoded);
            QCOMPARE(turn, alone);
        }
    }
    // A bad filter byte halfway down: an error on either thread arrangement, no waiting for
    // rows that never come.
    const int w = 40, h = 30;
    QList<int> filters(h, 1);
    filters[h / 2] = 7; // no such filter
    const QByteArray bad = handmadePng(w, h, 2, noise(w * h * 3, 9), {}, filters);
    for (const PngDecoder::Both &both : {twoThreads, inTurn}) {
        QImage image;
        QCOMPARE(PngDecoder::decode(bad, 1'000'000, &image, QSize(20, 15), both),
                 PngDecoder::Result::Corrupt);
    }
}

namespace {

// Records what a decode tells a RowSink: how often each row was handed over, the bands' bounds,
// and a copy of each band's pixels as they were when handed over.
class RecordingSink final : public PngDecoder::RowSink
{
public:
    void start(const uchar *bits, qsizetype bytesPerLine, const QSize &size) override
    {
        ++starts;
        m_bits = bits;
        m_bytesPerLine = bytesPerLine;
        startedSize = size;
        seen = std::vector<std::atomic<int>>(size_t(size.height()));
        copy = QImage(size, QImage::Format_RGB32);
        copy.fill(Qt::magenta);
        m_copyBits = copy.bits(); // written through from both threads: no detach there
    }

    void rows(int from, int to) override
    {
        if (from % BandRows != 0 || (to - from != BandRows && to != startedSize.height()))
            misaligned.fetch_add(1);
        for (int y = from; y < to; ++y) {
            seen[size_t(y)].fetch_add(1);
            std::memcpy(m_copyBits + qsizetype(y) * copy.bytesPerLine(),
                        m_bits + qsizetype(y) * m_bytesPerLine,
                        size_t(startedSize.width()) * 4);
        }
    }

    int starts = 0;
    QSize startedSize;
    std::vector<std::atomic<int>> seen;
    std::atomic<int> misaligned{0};
    QImage copy; // rows written by distinct bands only: no two threads write one row

private:
    const uchar *m_bits = nullptr;
    uchar *m_copyBits = nullptr;
    qsizetype m_bytesPerLine = 0;
};

} // namespace

void TestPngDecoder::rowSinkGetsEveryBandOnceWhenFinal()
{
    // The first stage of a frame (its luma, the JPEG model) is made band by band from the rows
    // a decode scaling on two threads hands over: each band must come once, none skipped, its
    // pixels already final, before decode() returns; on two threads or one after the other.
    const PngDecoder::Both twoThreads
            = [](const std::function<void()> &a, const std::function<void()> &b) {
                  std::thread second(b);
                  a();
                  second.join();
              };
    const PngDecoder::Both inTurn
            = [](const std::function<void()> &a, const std::function<void()> &b) {
                  a();
                  b();
              };
    const QImage desktop = ScreensTest::desktop(1280, 720);
    const QList<QByteArray> pngs = {
            ScreensTest::encoded(desktop, "png"),
            ScreensTest::encoded(desktop.convertToFormat(QImage::Format_Grayscale8), "png"),
            ScreensTest::encoded(
                    ScreensTest::desktop(211, 117).convertToFormat(QImage::Format_RGB888), "png")};
    for (const QByteArray &png : pngs) {
        const QSize source = QImage::fromData(png, "png").size();
        // 576 rows: whole bands; 77 and 1: a short last band.
        for (const QSize &box : {QSize(1024, 576), QSize(101, 77), QSize(1, 1)}) {
            const QSize size = ImageCodec::fitInside(source, box);
            if (size == source)
                continue; // not scaled: no bands (below)
            for (const PngDecoder::Both &both : {twoThreads, inTurn}) {
                for (int run = 0; run < 3; ++run) {
                    RecordingSink sink;
                    QImage image;
                    QCOMPARE(PngDecoder::decode(png, 1'000'000, &image, size, both, &sink),
                             PngDecoder::Result::Decoded);
                    QCOMPARE(sink.starts, 1);
                    QCOMPARE(sink.startedSize, size);
                    QCOMPARE(sink.misaligned.load(), 0);
                    for (int y = 0; y < size.height(); ++y)
                        QVERIFY2(sink.seen[size_t(y)].load() == 1,
                                 qPrintable(QStringLiteral("row %1 handed over %2 times")
                                                    .arg(y)
                                                    .arg(sink.seen[size_t(y)].load())));
                    QCOMPARE(sink.copy, image.convertToFormat(QImage::Format_RGB32));
                }
            }
        }
    }
    // Decodes that do not scale on two threads never call it: palette and alpha rows, no
    // `both`, no scaling.
    RecordingSink none;
    QImage image;
    const QByteArray rgb = pngs.first();
    QCOMPARE(PngDecoder::decode(rgb, 1'000'000, &image, QSize(640, 360), {}, &none),
             PngDecoder::Result::Decoded);
    QCOMPARE(PngDecoder::decode(rgb, 1'000'000, &image, QSize(), twoThreads, &none),
             PngDecoder::Result::Decoded);
    const QByteArray alpha = ScreensTest::encoded(ScreensTest::desktop(333, 211, true), "png");
    QCOMPARE(PngDecoder::decode(alpha, 1'000'000, &image, QSize(100, 60), twoThreads, &none),
             PngDecoder::Result::Decoded);
    QCOMPARE(none.starts, 0);
    // A bad filter byte halfway down: an error, no waiting for bands that never come.
    const int w = 40, h = 30;
    QList<int> filters(h, 1);
    filters[h / 2] = 7;
    const QByteArray bad = handmadePng(w, h, 2, noise(w * h * 3, 9), {}, filters);
    for (const PngDecoder::Both &both : {twoThreads, inTurn}) {
        RecordingSink sink;
        QCOMPARE(PngDecoder::decode(bad, 1'000'000, &image, QSize(20, 15), both, &sink),
                 PngDecoder::Result::Corrupt);
    }
}

QTEST_GUILESS_MAIN(TestPngDecoder)
#include "tst_pngdecoder.moc"

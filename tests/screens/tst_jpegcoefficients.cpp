// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/imagecodec.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"
#include "screens/screentestdata.h"

#include <QtTest>

#include <csetjmp>
#include <cstdio>
#include <thread>

#include <jpeglib.h>

using namespace Mouse;
using JpegCodec::Chroma;

// The answer's encodes are written from the TrialModel's coefficients (TrialModel::encode,
// JpegCodec::encodeCoefficients) instead of the picture's pixels: they must be, byte for
// byte, what JpegCodec::encode makes of the pixels, for every setting the search uses.
class TestJpegCoefficients : public QObject
{
    Q_OBJECT

private slots:
    void coefficientsGiveThePixelsBytes_data();
    void coefficientsGiveThePixelsBytes();
    void oneCoefficientChangesTheBytes();
    void encodesNeedTheirQualitysCoefficients();
    void modelMadeBandByBandIsTheWholePictures();
    void scansJoinIntoTheWholeEncode_data();
    void scansJoinIntoTheWholeEncode();
    void joinTakesEveryScanOnceInOrder();
    void rowHalvesDecodeAsTheWhole_data();
    void rowHalvesDecodeAsTheWhole();
    void theSeamNeedsTheOverlap();
};

namespace {

// The halves one after the other, the second first: no half may depend on the other's.
void serial(const std::function<void()> &a, const std::function<void()> &b)
{
    b();
    a();
}

QImage noise(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    quint32 seed = 7;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            seed = seed * 1664525u + 1013904223u;
            image.setPixel(x, y, x < 40 ? qRgb(0, 0, 0) : (seed >> 8) | 0xff000000u);
        }
    }
    return image;
}

QImage greyOf(const QImage &image)
{
    QImage grey = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < grey.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(grey.scanLine(y));
        for (int x = 0; x < grey.width(); ++x) {
            const int v = qGray(line[x]);
            line[x] = qRgb(v, v, v);
        }
    }
    return grey;
}

struct JumpingErrors
{
    jpeg_error_mgr base;
    std::jmp_buf jump;
};

[[noreturn]] void jumpOnError(j_common_ptr info)
{
    std::longjmp(reinterpret_cast<JumpingErrors *>(info->err)->jump, 1);
}

// libjpeg's own quantised coefficients of JPEG bytes (jpeg_read_coefficients): per component,
// its blocks row by row (natural order), and its width in blocks.
bool decodeCoefficients(const QByteArray &bytes,
                        std::vector<std::vector<qint16>> *planes,
                        std::vector<int> *widths)
{
    jpeg_decompress_struct info{};
    JumpingErrors errors{};
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = jumpOnError;
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info,
                 reinterpret_cast<const unsigned char *>(bytes.constData()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&info, TRUE);
    jvirt_barray_ptr *arrays = jpeg_read_coefficients(&info);
    planes->assign(size_t(info.num_components), {});
    widths->assign(size_t(info.num_components), 0);
    for (int c = 0; c < info.num_components; ++c) {
        const jpeg_component_info &component = info.comp_info[c];
        const int wide = int(component.width_in_blocks), high = int(component.height_in_blocks);
        (*widths)[size_t(c)] = wide;
        std::vector<qint16> &plane = (*planes)[size_t(c)];
        for (int row = 0; row < high; ++row) {
            JBLOCKARRAY line = info.mem->access_virt_barray(
                    reinterpret_cast<j_common_ptr>(&info), arrays[c], JDIMENSION(row), 1, FALSE);
            // The row's blocks as one run of coefficients (not one block's array, indexed past
            // its 64: UBSan's bounds check).
            const auto *coefficients = reinterpret_cast<const JCOEF *>(line[0]);
            plane.insert(plane.end(), coefficients, coefficients + size_t(wide) * 64);
        }
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return true;
}

JpegCodec::EncodeSettings settingsFor(Chroma chroma, double quality, int coding)
{
    JpegCodec::EncodeSettings settings;
    settings.quality = quality;
    settings.chroma = chroma;
    settings.chromaScale = chroma == Chroma::Full444 ? 3.0 : 1.0;
    settings.optimized = coding > 0;   // 0: the check's baseline with fixed Huffman tables
    settings.progressive = coding > 1; // 2: the answer's (optimised, our scan script)
    return settings;
}

// The scans of JPEG bytes in their order, read from the SOS headers (independently of
// JpegCodec's own reading): per scan its component selectors, Ss and Se, e.g. "1,2,3:0-0".
QStringList scanHeaders(const QByteArray &bytes)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    const int n = int(bytes.size());
    QStringList scans;
    int pos = 2;
    while (pos + 4 <= n && p[pos] == 0xFF && p[pos + 1] != 0xD9) {
        const int length = p[pos + 2] << 8 | p[pos + 3];
        if (p[pos + 1] == 0xDA) {
            const int components = p[pos + 4];
            QStringList ids;
            for (int c = 0; c < components; ++c)
                ids << QString::number(p[pos + 5 + 2 * c]);
            const int ss = p[pos + 5 + 2 * components], se = p[pos + 6 + 2 * components];
            scans << QStringLiteral("%1:%2-%3").arg(ids.join(QLatin1Char(','))).arg(ss).arg(se);
            pos += 2 + length;
            while (pos + 1 < n
                   && (p[pos] != 0xFF || p[pos + 1] == 0 || (p[pos + 1] & 0xF8) == 0xD0))
                pos += p[pos] == 0xFF ? 2 : 1; // entropy-coded data up to the next marker
            continue;
        }
        pos += 2 + length;
    }
    return scans;
}

// Our progressive script, as scanHeaders() reads it.
QStringList scriptOf(Chroma chroma)
{
    if (chroma == Chroma::Grey)
        return {QStringLiteral("1:0-0"), QStringLiteral("1:1-8"), QStringLiteral("1:9-63")};
    return {QStringLiteral("1,2,3:0-0"),
            QStringLiteral("1:1-8"),
            QStringLiteral("2:1-63"),
            QStringLiteral("3:1-63"),
            QStringLiteral("1:9-63")};
}

// The scans ImageCodec's last stage writes on the calling thread (imagecodec.cpp, LastStage).
unsigned lastStageSplit(Chroma chroma)
{
    return chroma == Chroma::Grey ? 0b011u : 0b10001u;
}

QByteArray joined(const JpegCodec::CoefficientStore &store,
                  const JpegCodec::EncodeSettings &settings,
                  unsigned first,
                  unsigned second)
{
    return JpegCodec::joinScans(
            {JpegCodec::encodeCoefficientScans(store, settings, first), first},
            {JpegCodec::encodeCoefficientScans(store, settings, second), second},
            JpegCodec::progressiveScans(settings.chroma));
}

} // namespace

void TestJpegCoefficients::coefficientsGiveThePixelsBytes_data()
{
    QTest::addColumn<QImage>("image");
    // The corpus at the medium preset's size and two files at full size.
    const QList<std::pair<QString, QImage>> corpus = ScreensTest::corpusPictures();
    QVERIFY2(corpus.size() >= 8, "bench/data must hold the corpus (MOUSE_SOURCE_DIR)");
    for (const auto &[name, image] : corpus)
        QTest::newRow(qPrintable(name)) << image;
    // Synthetic: noise with a black band; an odd number of luma blocks both ways (4:2:0's
    // dummy blocks at the right, at the bottom and in the corner); saturated colours; a
    // picture narrower than a block; a grey one (the grey search's pictures); one pixel.
    const QImage random = noise(203, 117);
    QTest::newRow("noise 203x117") << random;
    QTest::newRow("odd blocks 193x117") << random.copy(5, 0, 193, 117);
    QImage saturated = ScreensTest::desktop(331, 250);
    const QRgb colours[] = {qRgb(255, 0, 0), qRgb(0, 0, 255), qRgb(0, 255, 0), qRgb(255, 0, 255)};
    for (int y = 0; y < saturated.height(); ++y)
        for (int x = (y * 5) % 3; x < saturated.width(); x += 3)
            saturated.setPixel(x, y, colours[(x / 3 + y) % 4]);
    QTest::newRow("saturated 331x250") << saturated;
    QTest::newRow("narrow 3x21") << random.copy(37, 5, 3, 21);
    QTest::newRow("grey desktop 1024x768") << greyOf(ScreensTest::desktop(1024, 768));
    QTest::newRow("one pixel") << random.copy(100, 100, 1, 1);
}

void TestJpegCoefficients::coefficientsGiveThePixelsBytes()
{
    // Every chroma mode the search uses (4:4:4 with its coarser chroma), the qualities from
    // the lowest to the highest (quarter steps, the fitted DC step), and the three codings:
    // the check's baseline with fixed tables, optimised baseline, the answer's progressive.
    QFETCH(QImage, image);
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    JpegCodec::TrialModel model(rgb, serial);
    const ImageCodec::Luma reference = ImageCodec::luma(rgb);
    const JpegCodec::FlatLevels flat
            = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
    std::vector<quint8> luma;
    int compared = 0;
    for (const Chroma chroma : {Chroma::Subsampled420, Chroma::Full444, Chroma::Grey}) {
        for (const double quality : {2.0, 6.25, 17.0, 23.75, 41.5, 75.0, 95.0}) {
            for (const int coding : {0, 1, 2}) {
                JpegCodec::EncodeSettings settings = settingsFor(chroma, quality, coding);
                settings.flat = &flat;
                if (coding == 0) // a trial first, as the search does (its chroma DCT)
                    model.decodeLuma(settings, &luma, serial);
                model.quantise(settings, serial);
                const QByteArray pixels = JpegCodec::encode(rgb, settings);
                const QByteArray coefficients = model.encode(settings);
                QVERIFY(!pixels.isEmpty());
                QVERIFY2(coefficients == pixels,
                         qPrintable(QStringLiteral("chroma %1 q%2 coding %3: %4 bytes, not %5")
                                            .arg(int(chroma))
                                            .arg(quality)
                                            .arg(coding)
                                            .arg(coefficients.size())
                                            .arg(pixels.size())));
                ++compared;
            }
        }
    }
    QCOMPARE(compared, 63);
}

void TestJpegCoefficients::oneCoefficientChangesTheBytes()
{
    // The comparison above sees a single coefficient: encodeCoefficients() with libjpeg's own
    // coefficients is encode()'s bytes, and with one of them one off (one block's last AC, or a
    // DC) it is not. The coefficients are taken from libjpeg itself: a decode's raw blocks.
    const QImage rgb = ScreensTest::desktop(197, 83);
    const JpegCodec::EncodeSettings settings = settingsFor(Chroma::Subsampled420, 41.5, 2);
    const QByteArray pixels = JpegCodec::encode(rgb, settings);
    std::vector<std::vector<qint16>> planes;
    std::vector<int> widths;
    QVERIFY(decodeCoefficients(pixels, &planes, &widths));
    QCOMPARE(int(planes.size()), 3);
    JpegCodec::CoefficientStore store;
    QVERIFY(store.reserve(rgb.width(), rgb.height(), Chroma::Subsampled420));
    const auto encoded = [&](int changed, const JpegCodec::EncodeSettings &with) {
        for (int c = 0; c < 3; ++c) {
            const int wide = widths[size_t(c)];
            const int high = int(planes[size_t(c)].size()) / (wide * 64);
            if (store.blocksWide(c) != wide || store.blocksHigh(c) != high)
                return QByteArray();
            for (int row = 0; row < high; ++row) {
                const qint16 *from = planes[size_t(c)].data() + size_t(row) * wide * 64;
                std::copy(from, from + size_t(wide) * 64, store.row(c, row));
            }
        }
        if (changed >= 0)
            store.row(1, 3)[64 * 2 + changed] += 1; // one coefficient of one Cb block
        return JpegCodec::encodeCoefficients(store, with);
    };
    QCOMPARE(encoded(-1, settings), pixels);
    QVERIFY(encoded(63, settings) != pixels);
    QVERIFY(encoded(0, settings) != pixels);
    // A table a quarter step off: the same coefficients, other bytes (the DQT segment).
    JpegCodec::EncodeSettings other = settings;
    other.quality = 41.75;
    QVERIFY(encoded(-1, other) != pixels);
    QVERIFY(JpegCodec::encodeCoefficients(store, settingsFor(Chroma::Full444, 41.5, 2))
                    .isEmpty()); // not the store's chroma mode
}

void TestJpegCoefficients::encodesNeedTheirQualitysCoefficients()
{
    // TrialModel::encode writes the coefficients quantise() kept, and only for the tables they
    // were quantised with; a model made from the kept buffers of another picture's (the next
    // frame) has none until quantise(): never the last picture's bytes.
    const QImage first = ScreensTest::desktop(64, 48);
    const QImage second = noise(64, 48);
    const JpegCodec::EncodeSettings full = settingsFor(Chroma::Full444, 50, 2);
    JpegCodec::EncodeSettings other = full;
    other.quality = 50.25;
    {
        JpegCodec::TrialModel model(first, serial);
        QVERIFY(model.encode(full).isEmpty());
        model.quantise(full, serial); // makes the 4:4:4 DCT itself: no trial before
        QCOMPARE(model.encode(full), JpegCodec::encode(first, full));
        QVERIFY(model.encode(other).isEmpty());
        QVERIFY(model.encode(settingsFor(Chroma::Subsampled420, 50, 2)).isEmpty());
    }
    JpegCodec::TrialModel model(second, serial); // the first's buffers, kept by the thread
    QVERIFY(model.encode(full).isEmpty());
    model.quantise(full);
    QCOMPARE(model.encode(full), JpegCodec::encode(second, full));
    model.quantise(other);
    QCOMPARE(model.encode(other), JpegCodec::encode(second, other));
}

void TestJpegCoefficients::modelMadeBandByBandIsTheWholePictures()
{
    // A frame's model is made band by band as the decoder's rows come, in any order and on two
    // threads (FirstStage): its coefficients must be an encode's of the whole picture. The
    // thread's kept buffers first hold another picture's values (noise), so a band skipped
    // leaves that picture's samples and coefficients behind, and the bytes differ.
    for (const QSize &size : {QSize(197, 83), QSize(1024, 576), QSize(5, 3)}) {
        const QImage rgb = ScreensTest::desktop(size.width(), size.height())
                                   .convertToFormat(QImage::Format_RGB32);
        {
            JpegCodec::TrialModel other(noise(size.width(), size.height()), serial);
        }
        JpegCodec::TrialModel model(rgb.size());
        const int bands = (size.height() + JpegCodec::TrialModel::BandRows - 1)
                          / JpegCodec::TrialModel::BandRows;
        const auto band = [&](int b) {
            const int from = b * JpegCodec::TrialModel::BandRows;
            model.addRows(rgb.constBits(),
                          rgb.bytesPerLine(),
                          from,
                          std::min(size.height(), from + JpegCodec::TrialModel::BandRows));
        };
        // The odd bands from the bottom on a second thread, the even ones from the top here.
        std::thread second([&] {
            for (int b = bands - 1; b >= 0; --b)
                if (b % 2 == 1)
                    band(b);
        });
        for (int b = 0; b < bands; b += 2)
            band(b);
        second.join();

        const ImageCodec::Luma reference = ImageCodec::luma(rgb);
        JpegCodec::FlatLevels byBands;
        for (int from = 0; from < size.height(); from += 8)
            byBands.add(JpegCodec::flatLevels(
                    reference.y.data(), size.width(), size.height(), from, from + 8));
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
        QCOMPARE(byBands.total, flat.total);
        QVERIFY(byBands.blocks == flat.blocks);
        for (const Chroma chroma : {Chroma::Subsampled420, Chroma::Full444, Chroma::Grey}) {
            JpegCodec::EncodeSettings settings = settingsFor(chroma, 41.5, 2);
            settings.flat = &flat;
            model.quantise(settings, serial);
            QCOMPARE(model.encode(settings), JpegCodec::encode(rgb, settings));
        }
    }
}

void TestJpegCoefficients::scansJoinIntoTheWholeEncode_data()
{
    coefficientsGiveThePixelsBytes_data();
}

void TestJpegCoefficients::scansJoinIntoTheWholeEncode()
{
    // The answer's progressive encode in two parts (the last stage of a frame on two threads):
    // the scans one compressor wrote and those another wrote, joined in the script's order, are
    // the bytes of JpegCodec::encode of the pixels. Every split of the scans at one quality,
    // ImageCodec's split at the others; each chroma mode.
    QFETCH(QImage, image);
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    JpegCodec::TrialModel model(rgb, serial);
    const ImageCodec::Luma reference = ImageCodec::luma(rgb);
    const JpegCodec::FlatLevels flat
            = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
    int compared = 0;
    for (const Chroma chroma : {Chroma::Subsampled420, Chroma::Full444, Chroma::Grey}) {
        const int count = JpegCodec::progressiveScans(chroma);
        const unsigned all = (1u << count) - 1;
        for (const double quality : {2.0, 6.25, 17.0, 23.75, 41.5, 75.0, 95.0}) {
            JpegCodec::EncodeSettings settings = settingsFor(chroma, quality, 2);
            settings.flat = &flat;
            model.quantise(settings, serial);
            const JpegCodec::CoefficientStore *store = model.coefficients(settings);
            QVERIFY(store);
            const QByteArray whole = JpegCodec::encode(rgb, settings);
            QCOMPARE(scanHeaders(whole), scriptOf(chroma));
            for (unsigned first = 1; first < all; ++first) {
                if (quality != 23.75 && first != lastStageSplit(chroma))
                    continue;
                const QByteArray bytes = joined(*store, settings, first, all & ~first);
                QVERIFY2(bytes == whole,
                         qPrintable(QStringLiteral("chroma %1 q%2 scans %3 + %4: %5 bytes, not %6")
                                            .arg(int(chroma))
                                            .arg(quality)
                                            .arg(first, 0, 2)
                                            .arg(all & ~first, 0, 2)
                                            .arg(bytes.size())
                                            .arg(whole.size())));
                ++compared;
            }
        }
    }
    QCOMPARE(compared, 2 * (30 + 6) + 6 + 6); // 4:2:0 and 4:4:4 five scans, grey three
}

void TestJpegCoefficients::joinTakesEveryScanOnceInOrder()
{
    // The join refuses parts that miss a scan or hold one twice, and a part that is not what
    // its mask says comes out in another order: not the whole encode's bytes or scans.
    const QImage rgb = ScreensTest::desktop(197, 83);
    JpegCodec::TrialModel model(rgb, serial);
    const JpegCodec::EncodeSettings settings = settingsFor(Chroma::Subsampled420, 41.5, 2);
    model.quantise(settings, serial);
    const JpegCodec::CoefficientStore *store = model.coefficients(settings);
    QVERIFY(store);
    const QByteArray whole = JpegCodec::encode(rgb, settings);
    const auto part = [&](unsigned scans) {
        return JpegCodec::ScanPart{JpegCodec::encodeCoefficientScans(*store, settings, scans),
                                   scans};
    };
    QCOMPARE(JpegCodec::joinScans(part(0b00111), part(0b11000), 5), whole);
    QCOMPARE(JpegCodec::joinScans(part(0b11000), part(0b00111), 5), whole);   // DC in the second
    QVERIFY(JpegCodec::joinScans(part(0b00111), part(0b01000), 5).isEmpty()); // Y 9-63 missing
    QVERIFY(JpegCodec::joinScans(part(0b00111), part(0b11100), 5).isEmpty()); // Cb twice
    QVERIFY(JpegCodec::joinScans(part(0b00110), part(0b11000), 5).isEmpty()); // no DC scan
    JpegCodec::ScanPart truncated = part(0b11000);
    truncated.bytes.chop(3);
    QVERIFY(JpegCodec::joinScans(part(0b00111), truncated, 5).isEmpty());
    // Bytes of DC + luma 1-8 said to be DC + Cb: as many scans, in another order.
    JpegCodec::ScanPart mislabelled = part(0b00011), rest = part(0b11100);
    mislabelled.scans = 0b00101;
    rest.scans = 0b11010;
    const QByteArray reordered = JpegCodec::joinScans(mislabelled, rest, 5);
    QCOMPARE(reordered.size(), whole.size());
    QVERIFY(reordered != whole);
    QVERIFY(scanHeaders(reordered) != scriptOf(Chroma::Subsampled420));
    // Parts of other settings (another quality's tables) are not joined.
    JpegCodec::EncodeSettings other = settings;
    other.quality = 42;
    QVERIFY(JpegCodec::joinScans(
                    part(0b00111),
                    {JpegCodec::encodeCoefficientScans(*store, other, 0b11000), 0b11000},
                    5)
                    .isEmpty());
    QVERIFY(JpegCodec::encodeCoefficientScans(*store, settings, 0).isEmpty());
    QVERIFY(JpegCodec::encodeCoefficientScans(*store, settings, 0b100000).isEmpty());
}

void TestJpegCoefficients::rowHalvesDecodeAsTheWhole_data()
{
    coefficientsGiveThePixelsBytes_data();
}

void TestJpegCoefficients::rowHalvesDecodeAsTheWhole()
{
    // The check's decode in two halves: a baseline JPEG of the MCU rows [0, cut + 1) and one of
    // [cut, rows), written from the same coefficients; the first half's rows up to the middle
    // of the shared MCU row and the second half's from there are the whole JPEG's decode, every
    // row of it, in each chroma mode, at a cut near the top, the middle and near the bottom
    // (with a whole MCU row below it: a last MCU row can be one pixel row).
    QFETCH(QImage, image);
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    JpegCodec::TrialModel model(rgb, serial);
    const int w = rgb.width(), h = rgb.height();
    int compared = 0;
    for (const Chroma chroma : {Chroma::Subsampled420, Chroma::Full444, Chroma::Grey}) {
        for (const double quality : {2.0, 23.75, 95.0}) {
            const JpegCodec::EncodeSettings settings = settingsFor(chroma, quality, 0);
            model.quantise(settings, serial);
            const JpegCodec::CoefficientStore *store = model.coefficients(settings);
            QVERIFY(store);
            const int rows = store->mcuRows(), mcu = store->mcuHeight();
            QCOMPARE(rows, (h + mcu - 1) / mcu);
            const QByteArray whole = JpegCodec::encodeCoefficients(*store, settings);
            QCOMPARE(JpegCodec::encodeCoefficientRows(*store, settings, 0, rows), whole);
            std::vector<quint8> expected;
            int ew = 0, eh = 0;
            QVERIFY(JpegCodec::decodeLuma(whole, &ew, &eh, &expected));
            QCOMPARE(QSize(ew, eh), QSize(w, h));
            for (const int cut : {1, rows / 2, rows - 2}) {
                if (cut < 1 || cut > rows - 2)
                    continue; // a whole MCU row below the seam, as ImageCodec cuts
                const int seam = cut * mcu + mcu / 2;
                std::vector<quint8> plane(size_t(w) * h, 0x5a);
                const QByteArray top
                        = JpegCodec::encodeCoefficientRows(*store, settings, 0, cut + 1);
                const QByteArray bottom
                        = JpegCodec::encodeCoefficientRows(*store, settings, cut, rows);
                QVERIFY(JpegCodec::decodeLumaRows(top, w, 0, seam, plane.data()));
                QVERIFY(JpegCodec::decodeLumaRows(bottom,
                                                  w,
                                                  seam - cut * mcu,
                                                  h - cut * mcu,
                                                  plane.data() + size_t(seam) * w));
                QVERIFY2(plane == expected,
                         qPrintable(QStringLiteral("chroma %1 q%2 cut %3 of %4")
                                            .arg(int(chroma))
                                            .arg(quality)
                                            .arg(cut)
                                            .arg(rows)));
                ++compared;
            }
        }
    }
    QVERIFY(compared > 0 || h <= 32);
}

void TestJpegCoefficients::theSeamNeedsTheOverlap()
{
    // Why the halves overlap: in 4:2:0 a JPEG cut at an MCU row decodes the rows next to the cut
    // from a repeated chroma row, not the picture's own; saturated colours show it in the luma
    // (the clamping), so the halves without the overlap are not the whole decode. Also a
    // half's rows out of range, or another width, are refused.
    const QImage image = noise(203, 117);
    const int w = image.width(), h = image.height();
    JpegCodec::TrialModel model(image, serial);
    const JpegCodec::EncodeSettings settings = settingsFor(Chroma::Subsampled420, 95, 0);
    model.quantise(settings, serial);
    const JpegCodec::CoefficientStore *store = model.coefficients(settings);
    QVERIFY(store);
    QCOMPARE(store->mcuHeight(), 16);
    const int rows = store->mcuRows(), cut = rows / 2;
    std::vector<quint8> expected;
    int ew = 0, eh = 0;
    QVERIFY(JpegCodec::decodeLuma(
            JpegCodec::encodeCoefficients(*store, settings), &ew, &eh, &expected));
    std::vector<quint8> plane(size_t(w) * h);
    const QByteArray top = JpegCodec::encodeCoefficientRows(*store, settings, 0, cut);
    const QByteArray bottom = JpegCodec::encodeCoefficientRows(*store, settings, cut, rows);
    QVERIFY(JpegCodec::decodeLumaRows(top, w, 0, cut * 16, plane.data()));
    QVERIFY(JpegCodec::decodeLumaRows(bottom, w, 0, h - cut * 16, plane.data() + cut * 16 * w));
    const auto rowDiffers = [&](int y) {
        return !std::equal(
                plane.begin() + y * w, plane.begin() + (y + 1) * w, expected.begin() + y * w);
    };
    QVERIFY(rowDiffers(cut * 16 - 1)); // the top half's last row
    QVERIFY(rowDiffers(cut * 16));     // the bottom half's first row
    for (int y = 0; y < h; ++y) {
        if (y != cut * 16 - 1 && y != cut * 16)
            QVERIFY2(!rowDiffers(y), qPrintable(QString::number(y)));
    }
    QVERIFY(!JpegCodec::decodeLumaRows(top, w, 0, cut * 16 + 1, plane.data())); // past its end
    QVERIFY(!JpegCodec::decodeLumaRows(top, w + 1, 0, 8, plane.data()));
    QVERIFY(JpegCodec::encodeCoefficientRows(*store, settings, cut, cut).isEmpty());
    QVERIFY(JpegCodec::encodeCoefficientRows(*store, settings, 0, rows + 1).isEmpty());
}

QTEST_GUILESS_MAIN(TestJpegCoefficients)
#include "tst_jpegcoefficients.moc"

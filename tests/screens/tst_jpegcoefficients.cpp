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
            plane.insert(plane.end(), line[0][0], line[0][0] + size_t(wide) * 64);
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

QTEST_GUILESS_MAIN(TestJpegCoefficients)
#include "tst_jpegcoefficients.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/areascaler.h"
#include "core/screens/imagecodec.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace Mouse;

namespace {

// Noise over smooth ramps: every weight of the plan shows in the result.
QImage randomImage(int width, int height, QImage::Format format, quint32 seed)
{
    QRandomGenerator random(seed);
    QImage image(width, height, QImage::Format_ARGB32);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const quint32 r = random.generate();
            line[x] = qRgba(int((x * 5 + (r & 0x3f)) & 0xff),
                            int((y * 3 + ((r >> 8) & 0x3f)) & 0xff),
                            int((r >> 16) & 0xff),
                            (r >> 24) < 40 ? 255 : int(r >> 24));
        }
    }
    return image.convertToFormat(format);
}

} // namespace

class TestAreaScaler : public QObject
{
    Q_OBJECT

private slots:
    void sameAsQtSmoothScale_data();
    void sameAsQtSmoothScale();
    void onlyShrinkingBothWaysIsHandled();
};

void TestAreaScaler::sameAsQtSmoothScale_data()
{
    QTest::addColumn<QSize>("from");
    QTest::addColumn<QSize>("to");
    // The presets' sizes, odd sizes, ratios just under 1, 2, 3 and large ones (the generic
    // loop), and one-pixel results.
    QTest::newRow("1080p to medium") << QSize(1920, 1080) << QSize(1024, 576);
    QTest::newRow("1080p to low") << QSize(1920, 1080) << QSize(640, 360);
    QTest::newRow("720p to medium") << QSize(1280, 720) << QSize(1024, 576);
    QTest::newRow("720p to low") << QSize(1280, 720) << QSize(640, 360);
    QTest::newRow("odd") << QSize(333, 211) << QSize(101, 77);
    QTest::newRow("just smaller") << QSize(97, 89) << QSize(96, 88);
    QTest::newRow("half") << QSize(200, 100) << QSize(100, 50);
    QTest::newRow("third, odd") << QSize(301, 299) << QSize(100, 99);
    QTest::newRow("ratio 7 and 13") << QSize(700, 390) << QSize(100, 30);
    QTest::newRow("to one pixel") << QSize(37, 23) << QSize(1, 1);
    QTest::newRow("to one column") << QSize(45, 60) << QSize(1, 40);
}

void TestAreaScaler::sameAsQtSmoothScale()
{
    QFETCH(QSize, from);
    QFETCH(QSize, to);
    for (const QImage::Format format :
         {QImage::Format_RGB32, QImage::Format_ARGB32_Premultiplied}) {
        const QImage source
                = randomImage(from.width(), from.height(), format, quint32(from.width()));
        const QImage theirs = source.scaled(to, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        const QImage ours = AreaScale::scaled(source, to);
        QCOMPARE(ours.format(), theirs.format());
        QCOMPARE(ours, theirs);
    }
}

void TestAreaScaler::onlyShrinkingBothWaysIsHandled()
{
    QVERIFY(AreaScaler::handles(QSize(1920, 1080), QSize(1024, 576)));
    QVERIFY(!AreaScaler::handles(QSize(1920, 1080), QSize(1920, 1080)));
    QVERIFY(!AreaScaler::handles(QSize(300, 769), QSize(300, 768))); // width kept
    QVERIFY(!AreaScaler::handles(QSize(300, 200), QSize(200, 300)));
    QVERIFY(!AreaScaler::handles(QSize(300, 200), QSize(0, 100)));
    // Other cases are Qt's own scale, so the same pixels too.
    const QImage source = randomImage(300, 769, QImage::Format_RGB32, 7);
    QCOMPARE(AreaScale::scaled(source, QSize(300, 768)),
             source.scaled(QSize(300, 768), Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
}

QTEST_GUILESS_MAIN(TestAreaScaler)
#include "tst_areascaler.moc"

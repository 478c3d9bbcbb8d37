// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/imagecodec.h"
#include "core/screens/screenshotservice.h"
#include "screens/screentestdata.h"

#include <QRandomGenerator>
#include <QSemaphore>
#include <QtTest>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

using namespace Mouse;

namespace {

// Stands for a long encode (a large screenshot under ASan took over 15 s). It runs until the
// cancel flag is set, checking it like the real codec does between trials, or, when stubborn,
// until the test releases it; either way for a minute at most. It outlives the service.
struct SlowEncode
{
    std::atomic<bool> started{false};
    std::atomic<bool> stubborn{false};
    std::atomic<bool> sawCancel{false};
    std::atomic<bool> returned{false};
    QSemaphore release;

    Expected<EncodedImage> run(const CompressOptions &options)
    {
        started = true;
        if (stubborn) {
            release.tryAcquire(1, 60000);
        } else {
            QDeadlineTimer deadline(60000);
            while (!deadline.hasExpired() && !sawCancel) {
                sawCancel = options.cancel && options.cancel->load();
                QThread::msleep(1);
            }
        }
        returned = true;
        if (sawCancel)
            return ScreenError::stopping();
        EncodedImage image;
        image.bytes = QByteArrayLiteral("late");
        image.mime = QByteArrayLiteral("image/jpeg");
        return image;
    }
};

} // namespace

class TestScreenshotShutdown : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void shutdownCancelsEncodeInProgress();
    void shutdownWaitIsBounded();
    void codecStopsAtItsCheckpoints();

private:
    std::unique_ptr<ScreenshotService> makeService(qint64 shutdownWaitMs)
    {
        ScreenshotServiceOptions options;
        options.encodeThreads = 1;
        options.shutdownWaitMs = shutdownWaitMs;
        const std::shared_ptr<SlowEncode> encode = m_encode;
        options.codec = [encode](const QByteArray &,
                                 const ScreenPreset &,
                                 ImageFormat,
                                 const CompressOptions &compress) {
            return encode->run(compress);
        };
        return std::make_unique<ScreenshotService>(options, m_upstream.upstream());
    }

    ScreensTest::CountingUpstream m_upstream;
    std::shared_ptr<SlowEncode> m_encode;
};

void TestScreenshotShutdown::init()
{
    m_upstream.body
            = ScreensTest::orgoBody(ScreensTest::encoded(ScreensTest::desktop(320, 200), "png"));
    m_upstream.calls = 0;
    m_upstream.delayMs = 5;
    m_encode = std::make_shared<SlowEncode>();
}

void TestScreenshotShutdown::cleanup()
{
    m_encode->release.release(); // a stubborn encode left running ends with the test
}

// Shutdown during an encode: the encode stops at its next checkpoint, everyone waiting gets
// "shutting down", and no new work is taken.
void TestScreenshotShutdown::shutdownCancelsEncodeInProgress()
{
    auto service = makeService(60000);
    const QFuture<ScreenshotResult> first = service->screenshot(QStringLiteral("vm-1"));
    const QFuture<ScreenshotResult> joined = service->screenshot(QStringLiteral("vm-1"));
    QTRY_VERIFY(m_encode->started);

    // Returns true only when the encode stopped within the bound (a minute here, which an
    // encode that never looked at the flag would use up, then return sawCancel false).
    QVERIFY(service->shutdown());
    QVERIFY(m_encode->sawCancel);
    QVERIFY(m_encode->returned);
    for (const QFuture<ScreenshotResult> &future : {first, joined}) {
        QVERIFY(future.isFinished());
        QVERIFY(!future.result().ok());
        QCOMPARE(future.result().error.code, QStringLiteral("shutting_down"));
        QCOMPARE(future.result().error.kind, ScreenError::Kind::Stopping);
    }

    const QFuture<ScreenshotResult> refused = service->screenshot(QStringLiteral("vm-2"));
    QVERIFY(refused.isFinished());
    QCOMPARE(refused.result().error.code, QStringLiteral("shutting_down"));
    QCOMPARE(m_upstream.calls, 1); // nothing asked upstream after the shutdown
    QVERIFY(service->isShuttingDown());
    service.reset();
    QTest::qWait(20); // events queued for the service are dropped with it
}

// An encode that ignores the flag (one long trial) does not hold the shutdown: the wait is
// bounded, the service is deleted while the encode runs, and the encode ends later touching
// only its own copies (the asan build checks that nothing freed is read).
void TestScreenshotShutdown::shutdownWaitIsBounded()
{
    m_encode->stubborn = true;
    auto service = makeService(50);
    const QFuture<ScreenshotResult> future = service->screenshot(QStringLiteral("vm-1"));
    QTRY_VERIFY(m_encode->started);

    QVERIFY(!service->shutdown()); // the bound passed with the encode still running
    service.reset();
    QVERIFY(!m_encode->returned);
    QVERIFY(future.isFinished());
    QCOMPARE(future.result().error.code, QStringLiteral("shutting_down"));

    m_encode->release.release();
    QTRY_VERIFY(m_encode->returned);
    // The pool was left to the application; it ends with the encode.
    const QList<QThreadPool *> pools = QCoreApplication::instance()->findChildren<QThreadPool *>(
            QString(), Qt::FindDirectChildrenOnly);
    QCOMPARE(pools.size(), 1);
    QVERIFY(pools.first()->waitForDone(10000));
    delete pools.first();
    QTest::qWait(20); // the finished encode's answer has nobody to reach
}

// The real codec: a flag set before it starts stops it at once; one set while it searches
// (a large noisy picture: many seconds of trials, longer under ASan) stops it too, with
// "shutting down" rather than a half-searched answer.
void TestScreenshotShutdown::codecStopsAtItsCheckpoints()
{
    QImage noise(1600, 1200, QImage::Format_RGB32);
    QRandomGenerator random(7);
    for (int y = 0; y < noise.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(noise.scanLine(y));
        for (int x = 0; x < noise.width(); ++x)
            line[x] = 0xff000000u | random.generate();
    }
    const QByteArray png = ScreensTest::encoded(noise, "png");
    ScreenPreset preset;
    preset.box = QSize(4000, 4000); // no downscale: every trial encodes all the pixels
    preset.encoderQuality = 95;

    std::atomic<bool> cancel{true};
    CompressOptions options;
    options.cancel = &cancel;
    const Expected<EncodedImage> before
            = ImageCodec::compress(png, preset, ImageFormat::Auto, options);
    QVERIFY(!before);
    QCOMPARE(before.error().kind, ScreenError::Kind::Stopping);

    cancel = false;
    std::optional<Expected<EncodedImage>> result;
    std::thread encoder(
            [&] { result.emplace(ImageCodec::compress(png, preset, ImageFormat::Auto, options)); });
    QThread::msleep(150);
    cancel = true;
    encoder.join();
    QVERIFY(result && !*result);
    QCOMPARE(result->error().code, QStringLiteral("shutting_down"));
}

QTEST_GUILESS_MAIN(TestScreenshotShutdown)
#include "tst_screenshotshutdown.moc"

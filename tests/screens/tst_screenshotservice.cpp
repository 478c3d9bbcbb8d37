// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/metrics/healthboard.h"
#include "core/screens/screenshotservice.h"
#include "screens/screentestdata.h"

#include <QtTest>

using namespace Mouse;

class TestScreenshotService : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cacheKeyHasQualityAndFormat();
    void singleFlightOneUpstreamCallOneEncode();
    void variantsOfOneVmShareTheUpstreamFetch();
    void evictionByBytes();
    void urlFormIsFetched();
    void failuresAreErrorsAndNotCached();
    void batchKeepsOrderUnderTheLimit();
    void statsAndHealth();

private:
    static ScreenshotResult wait(QFuture<ScreenshotResult> future)
    {
        QDeadlineTimer deadline(10000);
        while (!future.isFinished() && !deadline.hasExpired())
            QTest::qWait(5);
        if (!future.isFinished())
            return {std::nullopt,
                    ScreenError{
                            ScreenError::Kind::Internal, QStringLiteral("test_timeout"), {}, 0}};
        return future.result();
    }

    ScreensTest::CountingUpstream m_upstream;
    QByteArray m_png;
};

void TestScreenshotService::init()
{
    m_png = ScreensTest::encoded(ScreensTest::desktop(1280, 720), "png");
    m_upstream.body = ScreensTest::orgoBody(m_png);
    m_upstream.calls = 0;
    m_upstream.urlCalls = 0;
    m_upstream.callsPerVm.clear();
    m_upstream.delayMs = 20;
}

void TestScreenshotService::cacheKeyHasQualityAndFormat()
{
    ScreenshotService service({}, m_upstream.upstream());
    const ScreenshotResult low
            = wait(service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Low));
    QVERIFY(low.ok());
    QVERIFY(!low.screenshot->cached);
    QCOMPARE(low.screenshot->width, 640);

    const ScreenshotResult lowAgain
            = wait(service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Low));
    QVERIFY(lowAgain.screenshot->cached);
    QCOMPARE(lowAgain.screenshot->bytes, low.screenshot->bytes);
    QCOMPARE(m_upstream.calls, 1);

    // Another quality, another format, another VM: each its own entry.
    const ScreenshotResult medium
            = wait(service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Medium));
    QVERIFY(!medium.screenshot->cached);
    QCOMPARE(medium.screenshot->width, 1024);
    const ScreenshotResult webp = wait(
            service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Low, ImageFormat::Webp));
    QVERIFY(!webp.screenshot->cached);
    QCOMPARE(webp.screenshot->mime, QByteArray("image/webp"));
    const ScreenshotResult other
            = wait(service.screenshot(QStringLiteral("vm-2"), ScreenQuality::Low));
    QVERIFY(!other.screenshot->cached);
    QCOMPARE(m_upstream.calls, 4);
    QCOMPARE(service.stats().cache.hits, 1u);
    QCOMPARE(service.stats().encodes, 4u);
}

void TestScreenshotService::singleFlightOneUpstreamCallOneEncode()
{
    ScreenshotService service({}, m_upstream.upstream());
    m_upstream.delayMs = 100;
    QList<QFuture<ScreenshotResult>> futures;
    for (int i = 0; i < 20; ++i)
        futures.append(service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Medium));
    QByteArray first;
    for (const auto &f : futures) {
        const ScreenshotResult r = wait(f);
        QVERIFY(r.ok());
        if (first.isEmpty())
            first = r.screenshot->bytes;
        QCOMPARE(r.screenshot->bytes, first);
    }
    QCOMPARE(m_upstream.calls, 1);
    QCOMPARE(service.stats().encodes, 1u);
    QCOMPARE(service.stats().coalesced, 19u);
}

void TestScreenshotService::variantsOfOneVmShareTheUpstreamFetch()
{
    ScreenshotService service({}, m_upstream.upstream());
    m_upstream.delayMs = 100;
    const auto a = service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Low);
    const auto b = service.screenshot(QStringLiteral("vm-1"), ScreenQuality::High);
    const auto c = service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Low, ImageFormat::Png);
    QVERIFY(wait(a).ok() && wait(b).ok() && wait(c).ok());
    QCOMPARE(m_upstream.calls, 1);
    QCOMPARE(service.stats().encodes, 3u); // one per variant
}

void TestScreenshotService::evictionByBytes()
{
    ScreenshotServiceOptions options;
    const ScreenshotResult probe = [&] {
        ScreenshotService one({}, m_upstream.upstream());
        return wait(one.screenshot(QStringLiteral("vm-0"), ScreenQuality::Low));
    }();
    QVERIFY(probe.ok());
    // Room for about two answers of this size: the third put evicts the least recent.
    options.cacheBytes = probe.screenshot->bytes.size() * 2 + 1024;
    ScreenshotService service(options, m_upstream.upstream());
    for (const char *vm : {"vm-a", "vm-b", "vm-c"})
        QVERIFY(wait(service.screenshot(QString::fromLatin1(vm), ScreenQuality::Low)).ok());
    const ScreenshotService::Stats stats = service.stats();
    QVERIFY(stats.cache.cost <= options.cacheBytes);
    QVERIFY(stats.cache.evictions >= 1);
    QVERIFY(stats.cache.size <= 2);
    m_upstream.calls = 0;
    QVERIFY(wait(service.screenshot(QStringLiteral("vm-c"), ScreenQuality::Low))
                    .screenshot->cached);
    QVERIFY(!wait(service.screenshot(QStringLiteral("vm-a"), ScreenQuality::Low))
                     .screenshot->cached);
    QCOMPARE(m_upstream.calls, 1);
}

void TestScreenshotService::urlFormIsFetched()
{
    m_upstream.body = "{\"success\":true,\"image\":\"https://storage.orgo.ai/s/x.png\"}";
    m_upstream.urlBytes = ScreensTest::encoded(ScreensTest::desktop(640, 400), "jpeg", 90);
    ScreenshotService service({}, m_upstream.upstream());
    const ScreenshotResult r = wait(service.screenshot(QStringLiteral("vm-1"), ScreenQuality::Low));
    QVERIFY2(r.ok(), qPrintable(r.error.message));
    QCOMPARE(m_upstream.urlCalls, 1);
    QCOMPARE(r.screenshot->width, 640);
    QCOMPARE(r.screenshot->height, 400);
}

void TestScreenshotService::failuresAreErrorsAndNotCached()
{
    m_upstream.body = "{\"image\":\"" + QByteArray("plain text, not an image").toBase64() + "\"}";
    ScreenshotService service({}, m_upstream.upstream());
    const ScreenshotResult r = wait(service.screenshot(QStringLiteral("vm-1")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error.code, QStringLiteral("screenshot_not_an_image"));
    const ScreenshotResult again = wait(service.screenshot(QStringLiteral("vm-1")));
    QVERIFY(!again.ok());
    QCOMPARE(m_upstream.calls, 2); // errors are not cached
    QCOMPARE(service.stats().failures, 2u);
}

void TestScreenshotService::batchKeepsOrderUnderTheLimit()
{
    ScreenshotServiceOptions options;
    options.batchLimit = 3;
    ScreenshotService service(options, m_upstream.upstream());
    int maxInFlight = 0, inFlight = 0;
    ScreenshotUpstream upstream = m_upstream.upstream();
    ScreenshotUpstream counting = upstream;
    counting.screenshotJson = [&](const QString &vm) {
        maxInFlight = std::max(maxInFlight, ++inFlight);
        return upstream.screenshotJson(vm).then(&m_upstream.context, [&](UpstreamBody b) {
            --inFlight;
            return b;
        });
    };
    ScreenshotService bounded(options, counting);
    QStringList vms;
    for (int i = 0; i < 10; ++i)
        vms << QStringLiteral("vm-%1").arg(i);
    auto future = bounded.batch(vms, ScreenQuality::Low);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 20000);
    const QList<ScreenshotResult> results = future.result();
    QCOMPARE(results.size(), 10);
    for (int i = 0; i < 10; ++i) {
        QVERIFY(results.at(i).ok());
        QCOMPARE(results.at(i).screenshot->vmId, vms.at(i));
    }
    QVERIFY(maxInFlight <= 3);
    QVERIFY(maxInFlight >= 2);
    auto empty = service.batch({}, ScreenQuality::Low);
    QVERIFY(empty.isFinished());
}

void TestScreenshotService::statsAndHealth()
{
    Metrics::HealthBoard board;
    // A detailed source (JPEG q95), so that the answer is smaller and bytes are saved.
    m_upstream.body = ScreensTest::orgoBody(
            ScreensTest::encoded(ScreensTest::desktop(1280, 720), "jpeg", 95));
    {
        ScreenshotService service({}, m_upstream.upstream());
        service.registerHealth(board);
        QVERIFY(wait(service.screenshot(QStringLiteral("vm-1"))).ok());
        QVERIFY(wait(service.screenshot(QStringLiteral("vm-1"))).ok());
        const QJsonObject section = board.snapshot().value(QStringLiteral("caches")).toObject();
        const QJsonObject s = section.value(QStringLiteral("screenshots")).toObject();
        QCOMPARE(s.value(QStringLiteral("hits")).toInt(), 1);
        QCOMPARE(s.value(QStringLiteral("misses")).toInt(), 1);
        QVERIFY(s.value(QStringLiteral("bytes_saved")).toDouble() > 0);
        const double ratio = s.value(QStringLiteral("compression_ratio")).toDouble();
        QVERIFY(ratio > 0 && ratio < 1);
    }
    QVERIFY(!board.snapshot()
                     .value(QStringLiteral("caches"))
                     .toObject()
                     .contains(QStringLiteral("screenshots")));
}

QTEST_GUILESS_MAIN(TestScreenshotService)
#include "tst_screenshotservice.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Metrics::Registry over prometheus-cpp: the same metric for the same name and labels, callback
// gauges read at scrape time, histogram readings and quantiles for /health and the charts, and
// the text that GET /metrics sends, read back by a strict parser.
#include "support/prometheustext.h"

#include "core/metrics/metrics.h"
#include "core/metrics/threadstat.h"

#include <QTest>

#include <stdexcept>
#include <thread>
#include <vector>

using namespace Mouse;

class tst_Metrics : public QObject
{
    Q_OBJECT

private slots:
    void sameNameAndLabelsSameMetric();
    void textCarriesValuesAndHelp();
    void labelValuesEscaped();
    void histogramBucketsInText();
    void histogramReading();
    void quantileInterpolatesInsideTheBucket();
    void quantileBeyondTheLastBound();
    void callbackGaugeReadAtScrapeTime();
    void callbackGaugeReplaced();
    void callbackCounterIsACounter();
    void oneNameOneType();
    void countersFromManyThreads();
    void threadSchedStatCountsThisThreadsCpuOnly();
};

void tst_Metrics::sameNameAndLabelsSameMetric()
{
    Metrics::Registry registry;
    Metrics::Counter &a = registry.counter(QStringLiteral("mouse_test_total"),
                                           QStringLiteral("Test"),
                                           {{QStringLiteral("kind"), QStringLiteral("a")}});
    Metrics::Counter &again = registry.counter(QStringLiteral("mouse_test_total"),
                                               QStringLiteral("Test"),
                                               {{QStringLiteral("kind"), QStringLiteral("a")}});
    Metrics::Counter &b = registry.counter(QStringLiteral("mouse_test_total"),
                                           QStringLiteral("Test"),
                                           {{QStringLiteral("kind"), QStringLiteral("b")}});
    QCOMPARE(&a, &again);
    QVERIFY(&a != &b);

    Metrics::Histogram &h1
            = registry.histogram(QStringLiteral("mouse_test_ms"), QStringLiteral("Test"), {1, 2});
    Metrics::Histogram &h2
            = registry.histogram(QStringLiteral("mouse_test_ms"), QStringLiteral("Test"), {1, 2});
    QCOMPARE(&h1, &h2);
}

void tst_Metrics::textCarriesValuesAndHelp()
{
    Metrics::Registry registry;
    Metrics::Counter &requests
            = registry.counter(QStringLiteral("mouse_test_requests_total"),
                               QStringLiteral("Requests"),
                               {{QStringLiteral("route"), QStringLiteral("/x")},
                                {QStringLiteral("method"), QStringLiteral("GET")}});
    Metrics::Gauge &open
            = registry.gauge(QStringLiteral("mouse_test_open"), QStringLiteral("Open"));
    requests.Increment();
    requests.Increment(2);
    open.Set(7);
    open.Decrement();

    const QByteArray text = registry.prometheusText();
    const PrometheusText parsed = PrometheusText::parse(text);
    QVERIFY2(parsed.error().isEmpty(),
             qPrintable(parsed.error() + u'\n' + QString::fromUtf8(text)));
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_requests_total"),
                          {{QStringLiteral("route"), QStringLiteral("/x")},
                           {QStringLiteral("method"), QStringLiteral("GET")}}),
             3.0);
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_open")), 6.0);
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_requests_total")).type,
             QStringLiteral("counter"));
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_requests_total")).help,
             QStringLiteral("Requests"));
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_open")).type,
             QStringLiteral("gauge"));
    // Labels are written sorted by name (prometheus::Labels is a std::map), whatever the order
    // they were given in; integers without a fraction.
    QVERIFY2(text.contains("mouse_test_requests_total{method=\"GET\",route=\"/x\"} 3\n"),
             text.constData());
    // Families in name order, whatever their type.
    QVERIFY(text.indexOf("# TYPE mouse_test_open") < text.indexOf("# TYPE mouse_test_requests"));
}

void tst_Metrics::labelValuesEscaped()
{
    Metrics::Registry registry;
    const QString odd = QStringLiteral("a\"b\\c\nd");
    registry.counter(QStringLiteral("mouse_test_total"),
                     QStringLiteral("Test"),
                     {{QStringLiteral("path"), odd}})
            .Increment();
    const QByteArray text = registry.prometheusText();
    QVERIFY2(text.contains("mouse_test_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"), text.constData());
    const PrometheusText parsed = PrometheusText::parse(text);
    QVERIFY2(parsed.error().isEmpty(), qPrintable(parsed.error()));
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_total"), {{QStringLiteral("path"), odd}}),
             1.0);
}

void tst_Metrics::histogramBucketsInText()
{
    Metrics::Registry registry;
    Metrics::Histogram &histogram
            = registry.histogram(QStringLiteral("mouse_test_ms"),
                                 QStringLiteral("Test"),
                                 {0.5, 1, 7.5},
                                 {{QStringLiteral("route"), QStringLiteral("/x")}});
    for (double value : {0.1, 0.5, 0.7, 3.0, 100.0})
        histogram.Observe(value);

    const QByteArray text = registry.prometheusText();
    const PrometheusText parsed = PrometheusText::parse(text);
    QVERIFY2(parsed.error().isEmpty(),
             qPrintable(parsed.error() + u'\n' + QString::fromUtf8(text)));
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_ms")).type,
             QStringLiteral("histogram"));
    auto bucket = [&parsed](const char *le) {
        return parsed.value(QStringLiteral("mouse_test_ms_bucket"),
                            {{QStringLiteral("route"), QStringLiteral("/x")},
                             {QStringLiteral("le"), QString::fromLatin1(le)}});
    };
    // Cumulative, "le" inclusive (0.5 falls in le="0.5").
    QCOMPARE(bucket("0.5"), 2.0);
    QCOMPARE(bucket("1"), 3.0);
    QCOMPARE(bucket("7.5"), 4.0);
    QCOMPARE(bucket("+Inf"), 5.0);
    const PrometheusText::Labels route{{QStringLiteral("route"), QStringLiteral("/x")}};
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_ms_count"), route), 5.0);
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_ms_sum"), route), 104.3);
}

void tst_Metrics::histogramReading()
{
    prometheus::Histogram histogram({1, 2, 4});
    for (double value : {0.5, 1.0, 1.5, 3.0, 9.0, 9.0})
        histogram.Observe(value);
    const Metrics::HistogramReading reading = Metrics::read(histogram);
    QCOMPARE(reading.upperBounds, (std::vector<double>{1, 2, 4}));
    QCOMPARE(reading.counts, (std::vector<quint64>{2, 1, 1, 2}));
    QCOMPARE(reading.count, quint64(6));
    QCOMPARE(reading.sum, 24.0);

    const Metrics::HistogramReading empty = Metrics::read(prometheus::Histogram({1, 2}));
    QCOMPARE(empty.count, quint64(0));
    QCOMPARE(empty.quantile(0.5), 0.0);
}

void tst_Metrics::quantileInterpolatesInsideTheBucket()
{
    // Two in (0, 1], two in (1, 2]: the median is the top of the first bucket, the 75th
    // percentile half-way through the second.
    prometheus::Histogram histogram({1, 2, 4});
    for (double value : {0.5, 0.5, 1.5, 1.5})
        histogram.Observe(value);
    QCOMPARE(Metrics::quantile(histogram, 0.50), 1.0);
    QCOMPARE(Metrics::quantile(histogram, 0.75), 1.5);
    QCOMPARE(Metrics::quantile(histogram, 0.25), 0.5);
    QCOMPARE(Metrics::quantile(histogram, 1.0), 2.0);
}

void tst_Metrics::quantileBeyondTheLastBound()
{
    prometheus::Histogram histogram({1, 2});
    histogram.Observe(0.5);
    histogram.Observe(50);
    histogram.Observe(60);
    // The rank falls in +Inf: the last finite bound is what a bucketed histogram can say.
    QCOMPARE(Metrics::quantile(histogram, 0.99), 2.0);
}

void tst_Metrics::callbackGaugeReadAtScrapeTime()
{
    Metrics::Registry registry;
    double depth = 3;
    registry.callbackGauge(QStringLiteral("mouse_test_depth"),
                           QStringLiteral("Depth"),
                           [&depth] { return depth; },
                           {{QStringLiteral("priority"), QStringLiteral("high")}});
    const PrometheusText::Labels high{{QStringLiteral("priority"), QStringLiteral("high")}};
    PrometheusText parsed = PrometheusText::parse(registry.prometheusText());
    QVERIFY2(parsed.error().isEmpty(), qPrintable(parsed.error()));
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_depth"), high), 3.0);
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_depth")).type,
             QStringLiteral("gauge"));

    depth = 0.25;
    parsed = PrometheusText::parse(registry.prometheusText());
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_depth"), high), 0.25);
}

// A total kept outside the registry, exported with the counter type (its name ends in
// _total), and one name cannot be both a callback counter and a gauge.
void tst_Metrics::callbackCounterIsACounter()
{
    Metrics::Registry registry;
    double calls = 5;
    registry.callbackCounter(QStringLiteral("mouse_test_calls_total"),
                             QStringLiteral("Calls"),
                             [&calls] { return calls; });
    PrometheusText parsed = PrometheusText::parse(registry.prometheusText());
    QVERIFY2(parsed.error().isEmpty(), qPrintable(parsed.error()));
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_calls_total")).type,
             QStringLiteral("counter"));
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_calls_total")), 5.0);
    calls = 9;
    parsed = PrometheusText::parse(registry.prometheusText());
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_calls_total")), 9.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             registry.callbackGauge(QStringLiteral("mouse_test_calls_total"),
                                                    QStringLiteral("Calls"),
                                                    [] { return 0.0; }));
}

void tst_Metrics::callbackGaugeReplaced()
{
    Metrics::Registry registry;
    registry.callbackGauge(
            QStringLiteral("mouse_test_depth"), QStringLiteral("Depth"), [] { return 1.0; });
    registry.callbackGauge(
            QStringLiteral("mouse_test_depth"), QStringLiteral("Depth"), [] { return 2.0; });
    const PrometheusText parsed = PrometheusText::parse(registry.prometheusText());
    QVERIFY2(parsed.error().isEmpty(), qPrintable(parsed.error())); // no duplicate series
    QCOMPARE(parsed.value(QStringLiteral("mouse_test_depth")), 2.0);
}

void tst_Metrics::oneNameOneType()
{
    Metrics::Registry registry;
    registry.counter(QStringLiteral("mouse_test_x"), QStringLiteral("X"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             registry.gauge(QStringLiteral("mouse_test_x"), QStringLiteral("X")));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             registry.callbackGauge(QStringLiteral("mouse_test_x"),
                                                    QStringLiteral("X"),
                                                    [] { return 0.0; }));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             registry.counter(QStringLiteral("not a name"), QStringLiteral("X")));
    // The registry still renders after refusing them.
    const PrometheusText parsed = PrometheusText::parse(registry.prometheusText());
    QVERIFY2(parsed.error().isEmpty(), qPrintable(parsed.error()));
    QCOMPARE(parsed.families().value(QStringLiteral("mouse_test_x")).type,
             QStringLiteral("counter"));
}

void tst_Metrics::countersFromManyThreads()
{
    Metrics::Registry registry;
    Metrics::Counter &counter
            = registry.counter(QStringLiteral("mouse_test_total"), QStringLiteral("Test"));
    Metrics::Histogram &histogram = registry.histogram(
            QStringLiteral("mouse_test_ms"), QStringLiteral("Test"), Metrics::latencyBucketsMs());
    constexpr int Threads = 4;
    constexpr int PerThread = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&counter, &histogram, t] {
            for (int i = 0; i < PerThread; ++i) {
                counter.Increment();
                histogram.Observe(double(t));
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(counter.Value(), double(Threads * PerThread));
    const Metrics::HistogramReading reading = Metrics::read(histogram);
    QCOMPARE(reading.count, quint64(Threads * PerThread));
    QCOMPARE(reading.sum, double(PerThread * (0 + 1 + 2 + 3)));
}

// The account is the calling thread's: CPU burnt here shows up, CPU burnt by another thread
// meanwhile does not (a process-wide reading would count both).
void tst_Metrics::threadSchedStatCountsThisThreadsCpuOnly()
{
#ifndef Q_OS_LINUX
    QSKIP("/proc/thread-self/schedstat is Linux only");
#endif
    Metrics::ThreadSchedStat stat;
    if (!stat.isValid())
        QSKIP("this kernel has no schedstat (CONFIG_SCHED_INFO)");
    auto burn = [](qint64 cpuNs) {
        timespec start{};
        timespec now{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
        volatile quint64 sink = 0;
        do {
            for (int i = 0; i < 10000; ++i)
                sink = sink + quint64(i);
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        } while ((now.tv_sec - start.tv_sec) * 1'000'000'000LL + (now.tv_nsec - start.tv_nsec)
                 < cpuNs);
    };
    const Metrics::ThreadSchedStat::Sample before = stat.sample();
    std::thread other([&] { burn(200'000'000); });
    other.join();
    const Metrics::ThreadSchedStat::Sample between = stat.sample();
    burn(50'000'000);
    const Metrics::ThreadSchedStat::Sample after = stat.sample();

    QVERIFY(before.cpuNs > 0);
    QVERIFY(between.cpuNs - before.cpuNs < 50'000'000); // the other thread's 200 ms: not ours
    QVERIFY(after.cpuNs - between.cpuNs >= 50'000'000);
    QVERIFY(after.waitNs >= before.waitNs);
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/metrics/metricsfwd.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <functional>
#include <memory>
#include <vector>

namespace Mouse::Metrics {

using Labels = QList<QPair<QString, QString>>;

// Counter, Gauge and Histogram are prometheus-cpp's (metricsfwd.h): Increment(), Set(),
// Observe(), Value(). All are safe from any thread; a counter or gauge is one atomic, a
// histogram's Observe() takes the histogram's own uncontended mutex (there is no global lock).

// 0.05 ms .. 60 s, roughly x2 per step: latencies in milliseconds.
std::vector<double> latencyBucketsMs();

// What prometheus-cpp does not offer: a reading of a histogram for /health and the charts.
// The library only exposes a histogram through Collect() (cumulative buckets for the text
// format), so this is taken from there.
struct HistogramReading
{
    std::vector<double> upperBounds; // the finite bounds
    std::vector<quint64> counts;     // per bucket, not cumulative; the last one is +Inf
    quint64 count = 0;
    double sum = 0;

    // Interpolates inside the bucket that holds the rank; the last finite bound when the rank
    // falls in +Inf; 0 when empty.
    double quantile(double q) const;
};
HistogramReading read(const Histogram &histogram);
inline double quantile(const Histogram &histogram, double q)
{
    return read(histogram).quantile(q);
}

// The process-wide registry behind GET /metrics, /health and the dashboard's charts: a
// prometheus::Registry, plus callback gauges (which prometheus-cpp lacks) and the text
// rendering. Metrics are created once (usually at start-up) and live as long as the registry;
// the references returned stay valid, and asking again with the same name and labels returns
// the same metric. Names follow Prometheus conventions: mouse_<module>_<what>; one name has one
// type (the library throws std::invalid_argument otherwise: a programming error).
class Registry final
{
public:
    Registry();
    ~Registry();
    Q_DISABLE_COPY_MOVE(Registry)

    Counter &counter(const QString &name, const QString &help, const Labels &labels = {});
    Gauge &gauge(const QString &name, const QString &help, const Labels &labels = {});
    Histogram &histogram(const QString &name,
                         const QString &help,
                         const std::vector<double> &upperBounds,
                         const Labels &labels = {});

    // A gauge read on demand, e.g. a cache's size; the callback must be thread-safe and answer
    // from memory. Registering the same name and labels again replaces the callback.
    void callbackGauge(const QString &name,
                       const QString &help,
                       std::function<double()> read,
                       const Labels &labels = {});

    // A counter read on demand from a total kept elsewhere (e.g. an atomic of the Orgo
    // client); the callback must be thread-safe, answer from memory and never go down except
    // when the process restarts (Prometheus reads any decrease as a reset). The name should
    // end in _total.
    void callbackCounter(const QString &name,
                         const QString &help,
                         std::function<double()> read,
                         const Labels &labels = {});

    // Prometheus text exposition format 0.0.4, written by prometheus::TextSerializer; families
    // sorted by name and series by labels, so that the page reads the same from one scrape to
    // the next.
    QByteArray prometheusText() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Mouse::Metrics

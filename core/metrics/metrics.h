// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace Mouse::Metrics {

using Labels = QList<QPair<QString, QString>>;

// Lock-free monotonic counter. Safe from any thread.
class Counter final
{
public:
    void increment(quint64 by = 1) { m_value.fetch_add(by, std::memory_order_relaxed); }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }
    void reset() { m_value.store(0, std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value{0};
};

// A value that goes up and down. Safe from any thread.
class Gauge final
{
public:
    void set(qint64 value) { m_value.store(value, std::memory_order_relaxed); }
    void add(qint64 delta) { m_value.fetch_add(delta, std::memory_order_relaxed); }
    qint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<qint64> m_value{0};
};

// Fixed-bucket histogram (Prometheus semantics: cumulative "le" buckets, sum and count).
// observe() is lock-free; quantile() interpolates inside the bucket that holds the rank.
class Histogram final
{
public:
    explicit Histogram(QList<double> upperBounds);

    void observe(double value);
    quint64 count() const { return m_count.load(std::memory_order_relaxed); }
    double sum() const;
    double quantile(double q) const; // 0 when empty
    QList<double> upperBounds() const { return m_bounds; }
    QList<quint64> bucketCounts() const; // not cumulative; last is +Inf
    void reset();

    // 0.05 ms .. 60 s, roughly x2 per step: latencies in milliseconds.
    static QList<double> latencyBucketsMs();

private:
    QList<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_buckets;
    std::atomic<quint64> m_count{0};
    std::atomic<qint64> m_sumMicros{0};
};

// TODO(#5): back these classes with Debian's prometheus-cpp (prometheus-cpp-dev 1.0.1) instead
// of our own atomics and text writer; remove when /metrics is rendered by prometheus-cpp.
// The process-wide registry behind GET /metrics, /health and the dashboard's charts.
// Metrics are created once (usually at start-up) and live as long as the registry; the
// references returned stay valid. Names follow Prometheus conventions: mouse_<module>_<what>.
class Registry final
{
public:
    Registry() = default;
    Q_DISABLE_COPY_MOVE(Registry)

    Counter &counter(const QString &name, const QString &help, const Labels &labels = {});
    Gauge &gauge(const QString &name, const QString &help, const Labels &labels = {});
    Histogram &histogram(const QString &name,
                         const QString &help,
                         const QList<double> &upperBounds,
                         const Labels &labels = {});

    // A gauge read on demand, e.g. a cache's size; the callback must be thread-safe.
    void callbackGauge(const QString &name,
                       const QString &help,
                       std::function<double()> read,
                       const Labels &labels = {});

    // Prometheus text exposition format 0.0.4.
    QByteArray prometheusText() const;

private:
    enum class Type { Counter, Gauge, Histogram };
    struct Family
    {
        QString help;
        Type type;
        std::map<QString, std::unique_ptr<Counter>> counters;
        std::map<QString, std::unique_ptr<Gauge>> gauges;
        std::map<QString, std::unique_ptr<Histogram>> histograms;
        std::map<QString, std::function<double()>> callbacks;
    };
    Family &family(const QString &name, const QString &help, Type type);

    mutable QMutex m_mutex;
    std::map<QString, Family> m_families;
};

} // namespace Mouse::Metrics

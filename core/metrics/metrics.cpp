// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/metrics/metrics.h"

#include <cmath>

namespace Mouse::Metrics {

namespace {

QString labelText(const Labels &labels, const QString &extraKey = {}, const QString &extra = {})
{
    QStringList parts;
    for (const auto &[key, value] : labels) {
        QString escaped = value;
        escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
        escaped.replace(u'\n', QStringLiteral("\\n"));
        parts.append(key + QStringLiteral("=\"") + escaped + u'"');
    }
    if (!extraKey.isEmpty())
        parts.append(extraKey + QStringLiteral("=\"") + extra + u'"');
    return parts.isEmpty() ? QString() : u'{' + parts.join(u',') + u'}';
}

QString number(double value)
{
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    return QString::number(value, 'g', 12);
}

} // namespace

Histogram::Histogram(QList<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_buckets(std::make_unique<std::atomic<quint64>[]>(m_bounds.size() + 1))
{
    for (int i = 0; i <= m_bounds.size(); ++i)
        m_buckets[i].store(0);
}

void Histogram::observe(double value)
{
    int index = 0;
    while (index < m_bounds.size() && value > m_bounds.at(index))
        ++index;
    m_buckets[index].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumMicros.fetch_add(qint64(std::llround(value * 1000.0)), std::memory_order_relaxed);
}

double Histogram::sum() const
{
    return double(m_sumMicros.load(std::memory_order_relaxed)) / 1000.0;
}

QList<quint64> Histogram::bucketCounts() const
{
    QList<quint64> counts;
    for (int i = 0; i <= m_bounds.size(); ++i)
        counts.append(m_buckets[i].load(std::memory_order_relaxed));
    return counts;
}

double Histogram::quantile(double q) const
{
    const QList<quint64> counts = bucketCounts();
    quint64 total = 0;
    for (quint64 c : counts)
        total += c;
    if (total == 0)
        return 0;

    const double rank = q * double(total);
    quint64 seen = 0;
    for (int i = 0; i < counts.size(); ++i) {
        if (double(seen + counts.at(i)) >= rank && counts.at(i) > 0) {
            const double lower = i == 0 ? 0.0 : m_bounds.at(i - 1);
            if (i == m_bounds.size())
                return lower; // beyond the last bound: report the bound
            const double upper = m_bounds.at(i);
            const double within = (rank - double(seen)) / double(counts.at(i));
            return lower + (upper - lower) * qBound(0.0, within, 1.0);
        }
        seen += counts.at(i);
    }
    return m_bounds.isEmpty() ? 0 : m_bounds.last();
}

void Histogram::reset()
{
    for (int i = 0; i <= m_bounds.size(); ++i)
        m_buckets[i].store(0);
    m_count.store(0);
    m_sumMicros.store(0);
}

QList<double> Histogram::latencyBucketsMs()
{
    return {0.05, 0.1, 0.25, 0.5, 1,   2,   3,    5,    7.5,  10,   15,    25,    50,
            75,   100, 150,  250, 500, 750, 1000, 1500, 2500, 5000, 10000, 30000, 60000};
}

Registry::Family &Registry::family(const QString &name, const QString &help, Type type)
{
    auto it = m_families.find(name);
    if (it == m_families.end()) {
        it = m_families.emplace(name, Family{}).first;
        it->second.help = help;
        it->second.type = type;
    }
    Q_ASSERT_X(it->second.type == type, "Metrics::Registry", qPrintable(name));
    return it->second;
}

Counter &Registry::counter(const QString &name, const QString &help, const Labels &labels)
{
    QMutexLocker lock(&m_mutex);
    auto &slot = family(name, help, Type::Counter).counters[labelText(labels)];
    if (!slot)
        slot = std::make_unique<Counter>();
    return *slot;
}

Gauge &Registry::gauge(const QString &name, const QString &help, const Labels &labels)
{
    QMutexLocker lock(&m_mutex);
    auto &slot = family(name, help, Type::Gauge).gauges[labelText(labels)];
    if (!slot)
        slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram &Registry::histogram(const QString &name,
                               const QString &help,
                               const QList<double> &upperBounds,
                               const Labels &labels)
{
    QMutexLocker lock(&m_mutex);
    auto &slot = family(name, help, Type::Histogram).histograms[labelText(labels)];
    if (!slot)
        slot = std::make_unique<Histogram>(upperBounds);
    return *slot;
}

void Registry::callbackGauge(const QString &name,
                             const QString &help,
                             std::function<double()> read,
                             const Labels &labels)
{
    QMutexLocker lock(&m_mutex);
    family(name, help, Type::Gauge).callbacks[labelText(labels)] = std::move(read);
}

QByteArray Registry::prometheusText() const
{
    QMutexLocker lock(&m_mutex);
    QString out;
    for (const auto &[name, family] : m_families) {
        static const char *const typeNames[] = {"counter", "gauge", "histogram"};
        out += QStringLiteral("# HELP %1 %2\n# TYPE %1 %3\n")
                       .arg(name, family.help, QLatin1String(typeNames[int(family.type)]));
        for (const auto &[labels, counter] : family.counters)
            out += name + labels + u' ' + QString::number(counter->value()) + u'\n';
        for (const auto &[labels, gauge] : family.gauges)
            out += name + labels + u' ' + QString::number(gauge->value()) + u'\n';
        for (const auto &[labels, read] : family.callbacks)
            out += name + labels + u' ' + number(read()) + u'\n';
        for (const auto &[labels, histogram] : family.histograms) {
            // Re-parse the stored label text into pairs is not needed: append "le" to it.
            const QString base = labels.isEmpty() ? QString() : labels.chopped(1) + u',';
            const QList<quint64> counts = histogram->bucketCounts();
            const QList<double> bounds = histogram->upperBounds();
            quint64 cumulative = 0;
            for (int i = 0; i < counts.size(); ++i) {
                cumulative += counts.at(i);
                const QString le
                        = i < bounds.size() ? number(bounds.at(i)) : QStringLiteral("+Inf");
                const QString open = labels.isEmpty() ? QStringLiteral("{") : base;
                out += name + QStringLiteral("_bucket") + open + QStringLiteral("le=\"") + le
                       + QStringLiteral("\"} ") + QString::number(cumulative) + u'\n';
            }
            out += name + QStringLiteral("_sum") + labels + u' ' + number(histogram->sum()) + u'\n';
            out += name + QStringLiteral("_count") + labels + u' '
                   + QString::number(histogram->count()) + u'\n';
        }
    }
    return out.toUtf8();
}

} // namespace Mouse::Metrics

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/metrics/metrics.h"

#include <prometheus/check_names.h>
#include <prometheus/collectable.h>
#include <prometheus/family.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

namespace Mouse::Metrics {

namespace {

prometheus::Labels toLabels(const Labels &labels)
{
    prometheus::Labels result;
    for (const auto &[key, value] : labels)
        result.emplace(key.toStdString(), value.toStdString());
    return result;
}

// prometheus-cpp has no gauge or counter whose value is read at scrape time, only a
// Collectable interface for custom collectors: this is one. Its families are merged with the
// library registry's when /metrics is rendered.
class CallbackGauges final : public prometheus::Collectable
{
public:
    void add(const std::string &name,
             const std::string &help,
             const prometheus::Labels &labels,
             std::function<double()> read,
             prometheus::MetricType type = prometheus::MetricType::Gauge)
    {
        if (!prometheus::CheckMetricName(name))
            throw std::invalid_argument("Invalid metric name");
        for (const auto &label : labels) {
            if (!prometheus::CheckLabelName(label.first))
                throw std::invalid_argument("Invalid label name");
        }
        std::lock_guard lock(m_mutex);
        Family &family = m_families[name];
        family.help = help;
        family.type = type;
        family.reads[labels] = std::move(read);
    }

    std::vector<prometheus::MetricFamily> Collect() const override
    {
        // Copy the callbacks first, so that a slow one never holds the lock.
        std::map<std::string, Family> families;
        {
            std::lock_guard lock(m_mutex);
            families = m_families;
        }
        std::vector<prometheus::MetricFamily> result;
        for (const auto &[name, family] : families) {
            prometheus::MetricFamily out;
            out.name = name;
            out.help = family.help;
            out.type = family.type;
            for (const auto &[labels, read] : family.reads) {
                prometheus::ClientMetric metric;
                for (const auto &[key, value] : labels)
                    metric.label.push_back({key, value});
                if (family.type == prometheus::MetricType::Counter)
                    metric.counter.value = read();
                else
                    metric.gauge.value = read();
                out.metric.push_back(std::move(metric));
            }
            result.push_back(std::move(out));
        }
        return result;
    }

private:
    struct Family
    {
        std::string help;
        prometheus::MetricType type = prometheus::MetricType::Gauge;
        std::map<prometheus::Labels, std::function<double()>> reads;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Family> m_families;
};

} // namespace

std::vector<double> latencyBucketsMs()
{
    return {0.05, 0.1, 0.25, 0.5, 1,   2,   3,    5,    7.5,  10,   15,    25,    50,
            75,   100, 150,  250, 500, 750, 1000, 1500, 2500, 5000, 10000, 30000, 60000};
}

HistogramReading read(const Histogram &histogram)
{
    const prometheus::ClientMetric::Histogram collected = histogram.Collect().histogram;
    HistogramReading reading;
    reading.count = collected.sample_count;
    reading.sum = collected.sample_sum;
    quint64 below = 0;
    for (const prometheus::ClientMetric::Bucket &bucket : collected.bucket) {
        if (!std::isinf(bucket.upper_bound))
            reading.upperBounds.push_back(bucket.upper_bound);
        reading.counts.push_back(bucket.cumulative_count - below);
        below = bucket.cumulative_count;
    }
    return reading;
}

double HistogramReading::quantile(double q) const
{
    if (count == 0)
        return 0;
    const double rank = q * double(count);
    quint64 seen = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        if (double(seen + counts[i]) >= rank && counts[i] > 0) {
            const double lower = i == 0 ? 0.0 : upperBounds[i - 1];
            if (i == upperBounds.size())
                return lower; // beyond the last bound: report the bound
            const double within = (rank - double(seen)) / double(counts[i]);
            return lower + (upperBounds[i] - lower) * std::clamp(within, 0.0, 1.0);
        }
        seen += counts[i];
    }
    return upperBounds.empty() ? 0 : upperBounds.back();
}

struct Registry::Private
{
    enum class Kind { Counter, Gauge, Histogram, CallbackGauge, CallbackCounter };

    // One name, one type. The library checks this among its own families; the callback
    // gauges live outside it, so the registry checks across both.
    void claim(const std::string &name, Kind kind)
    {
        std::lock_guard lock(mutex);
        const auto [it, inserted] = kinds.emplace(name, kind);
        if (!inserted && it->second != kind)
            throw std::invalid_argument("Family name already exists with different type");
    }

    prometheus::Registry registry{prometheus::Registry::InsertBehavior::Merge};
    CallbackGauges callbacks;
    std::mutex mutex;
    std::map<std::string, Kind> kinds;
};

Registry::Registry()
    : d(std::make_unique<Private>())
{}

Registry::~Registry() = default;

Counter &Registry::counter(const QString &name, const QString &help, const Labels &labels)
{
    const std::string id = name.toStdString();
    d->claim(id, Private::Kind::Counter);
    return prometheus::BuildCounter()
            .Name(id)
            .Help(help.toStdString())
            .Register(d->registry)
            .Add(toLabels(labels));
}

Gauge &Registry::gauge(const QString &name, const QString &help, const Labels &labels)
{
    const std::string id = name.toStdString();
    d->claim(id, Private::Kind::Gauge);
    return prometheus::BuildGauge()
            .Name(id)
            .Help(help.toStdString())
            .Register(d->registry)
            .Add(toLabels(labels));
}

Histogram &Registry::histogram(const QString &name,
                               const QString &help,
                               const std::vector<double> &upperBounds,
                               const Labels &labels)
{
    const std::string id = name.toStdString();
    d->claim(id, Private::Kind::Histogram);
    // An existing series keeps its buckets: Family::Add returns it and drops the new one.
    return prometheus::BuildHistogram()
            .Name(id)
            .Help(help.toStdString())
            .Register(d->registry)
            .Add(toLabels(labels), upperBounds);
}

void Registry::callbackGauge(const QString &name,
                             const QString &help,
                             std::function<double()> read,
                             const Labels &labels)
{
    const std::string id = name.toStdString();
    d->claim(id, Private::Kind::CallbackGauge);
    d->callbacks.add(id, help.toStdString(), toLabels(labels), std::move(read));
}

void Registry::callbackCounter(const QString &name,
                               const QString &help,
                               std::function<double()> read,
                               const Labels &labels)
{
    const std::string id = name.toStdString();
    d->claim(id, Private::Kind::CallbackCounter);
    d->callbacks.add(id,
                     help.toStdString(),
                     toLabels(labels),
                     std::move(read),
                     prometheus::MetricType::Counter);
}

QByteArray Registry::prometheusText() const
{
    std::vector<prometheus::MetricFamily> families = d->registry.Collect();
    std::vector<prometheus::MetricFamily> computed = d->callbacks.Collect();
    families.insert(families.end(),
                    std::make_move_iterator(computed.begin()),
                    std::make_move_iterator(computed.end()));

    // The library collects by type, then in registration order, with series in hash order.
    std::sort(families.begin(), families.end(), [](const auto &a, const auto &b) {
        return a.name < b.name;
    });
    for (prometheus::MetricFamily &family : families) {
        std::sort(family.metric.begin(), family.metric.end(), [](const auto &a, const auto &b) {
            return a.label < b.label;
        });
    }
    return QByteArray::fromStdString(prometheus::TextSerializer().Serialize(families));
}

} // namespace Mouse::Metrics

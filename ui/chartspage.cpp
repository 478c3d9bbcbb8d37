// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/chartspage.h"

#include "core/gateway.h"
#include "core/metrics/healthboard.h"
#include "ui/timeserieschart.h"

#include <QGridLayout>
#include <QJsonValue>
#include <QLabel>
#include <QLocale>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

namespace {

// Where each charted figure lives in the HealthBoard snapshot (see the modules' sections).
const QStringList VmHitRate{u"caches"_s, u"vm_status"_s, u"hit_rate"_s};
const QStringList VmSize{u"caches"_s, u"vm_status"_s, u"size"_s};
const QStringList ShotHitRate{u"caches"_s, u"screenshots"_s, u"hit_rate"_s};
const QStringList ShotSize{u"caches"_s, u"screenshots"_s, u"size"_s};
const QStringList DepthHigh{u"queues"_s, u"payments"_s, u"depth"_s, u"high"_s};
const QStringList DepthNormal{u"queues"_s, u"payments"_s, u"depth"_s, u"normal"_s};
const QStringList DepthLow{u"queues"_s, u"payments"_s, u"depth"_s, u"low"_s};
const QStringList InFlight{u"queues"_s, u"payments"_s, u"in_flight"_s};
const QStringList P95{u"queues"_s, u"payments"_s, u"processing_ms"_s, u"p95"_s};
const QStringList Completed{u"queues"_s, u"payments"_s, u"completed"_s};

// A rate or a percentile of nothing is not 0: NaN leaves no point (the line starts when there
// is something to show) and a dash in the figures.
double measured(double value, double samples)
{
    return samples > 0 ? value : std::nan("");
}

double asked(const QJsonObject &health, const QString &cache)
{
    return ChartsPage::numberAt(health, {u"caches"_s, cache, u"hits"_s})
           + ChartsPage::numberAt(health, {u"caches"_s, cache, u"misses"_s});
}

double percent(double rate)
{
    return std::isnan(rate) ? rate : rate * 100.0;
}

QString figure(double value, const QString &suffix = {})
{
    return std::isnan(value) ? u"–"_s : QLocale().toString(value, 'f', 1) + suffix;
}

} // namespace

ChartsPage::ChartsPage(Gateway *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_hitRate(new TimeSeriesChart(
              tr("Cache hit rate"), tr("%"), {tr("VM status"), tr("Screenshots")}, this))
    , m_cacheSize(new TimeSeriesChart(
              tr("Cache size"), tr("entries"), {tr("VM status"), tr("Screenshots")}, this))
    , m_queueDepth(new TimeSeriesChart(tr("Queue depth"),
                                       tr("tasks"),
                                       {tr("High"), tr("Normal"), tr("Low"), tr("In flight")},
                                       this))
    , m_processing(
              new TimeSeriesChart(tr("Task processing time (p95)"), tr("ms"), {tr("p95")}, this))
    , m_timer(new QTimer(this))
{
    m_hitRate->setFixedRange(0, 100);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);

    auto *title = new QLabel(tr("Charts"), this);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.35);
    font.setBold(true);
    title->setFont(font);
    auto *head = new QHBoxLayout;
    head->addWidget(title);
    head->addSpacing(12);
    m_figures = new QLabel(this);
    head->addWidget(m_figures, 1);
    layout->addLayout(head);

    auto *grid = new QGridLayout;
    grid->setSpacing(10);
    grid->addWidget(m_hitRate, 0, 0);
    grid->addWidget(m_cacheSize, 0, 1);
    grid->addWidget(m_queueDepth, 1, 0);
    grid->addWidget(m_processing, 1, 1);
    layout->addLayout(grid, 1);

    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &ChartsPage::sampleNow);
    m_timer->start();
    sampleNow();
}

void ChartsPage::sampleNow()
{
    // The board's snapshot functions answer from memory at once (a HealthBoard rule); the
    // queue's section is its metricsSnapshot().
    sample(QDateTime::currentDateTime(), m_gateway->health()->snapshot());
}

void ChartsPage::sample(const QDateTime &now, const QJsonObject &health)
{
    const double vmRate
            = percent(measured(numberAt(health, VmHitRate), asked(health, u"vm_status"_s)));
    const double shotRate
            = percent(measured(numberAt(health, ShotHitRate), asked(health, u"screenshots"_s)));
    const double p95 = measured(numberAt(health, P95), numberAt(health, Completed));
    m_hitRate->append(now, {vmRate, shotRate});
    m_cacheSize->append(now, {numberAt(health, VmSize), numberAt(health, ShotSize)});
    m_queueDepth->append(now,
                         {numberAt(health, DepthHigh),
                          numberAt(health, DepthNormal),
                          numberAt(health, DepthLow),
                          numberAt(health, InFlight)});
    m_processing->append(now, {p95});

    m_figures->setText(tr("VM status hits %1  ·  screenshot hits %2  ·  task p95 %3")
                               .arg(figure(vmRate, u" %"_s),
                                    figure(shotRate, u" %"_s),
                                    figure(p95, u" ms"_s)));
}

double ChartsPage::numberAt(const QJsonObject &root, const QStringList &path)
{
    QJsonValue value(root);
    for (const QString &key : path) {
        if (!value.isObject())
            return std::nan("");
        value = value.toObject().value(key);
    }
    return value.isDouble() ? value.toDouble() : std::nan("");
}

} // namespace Mouse::Ui

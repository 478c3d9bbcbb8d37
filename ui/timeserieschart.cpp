// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/timeserieschart.h"

#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

namespace {

const QList<QColor> &seriesColours()
{
    static const QList<QColor> colours{QColor(0x2f, 0x6f, 0xb5),
                                       QColor(0xd0, 0x8a, 0x12),
                                       QColor(0x2e, 0x9d, 0x52),
                                       QColor(0xc2, 0x41, 0x3b),
                                       QColor(0x7a, 0x4f, 0xb0)};
    return colours;
}

} // namespace

TimeSeriesChart::TimeSeriesChart(const QString &title,
                                 const QString &unit,
                                 const QStringList &seriesNames,
                                 QWidget *parent)
    : QChartView(parent)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    QFont titleFont = chart->titleFont();
    titleFont.setBold(true);
    chart->setTitleFont(titleFont);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(4);

    m_axisX = new QDateTimeAxis(chart);
    m_axisX->setFormat(u"HH:mm:ss"_s);
    m_axisX->setTickCount(6);
    m_axisY = new QValueAxis(chart);
    m_axisY->setTitleText(unit);
    m_axisY->setLabelFormat(u"%.0f"_s);
    m_axisY->setRange(0, 1);
    chart->addAxis(m_axisX, Qt::AlignBottom);
    chart->addAxis(m_axisY, Qt::AlignLeft);

    for (int i = 0; i < seriesNames.size(); ++i) {
        auto *series = new QLineSeries(chart);
        series->setName(seriesNames.at(i));
        series->setPen(QPen(seriesColours().at(i % seriesColours().size()), 2));
        chart->addSeries(series);
        series->attachAxis(m_axisX);
        series->attachAxis(m_axisY);
        m_series << series;
    }

    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(360, 240);
    // Until the first sample, the span that sample will start (not a window reaching back
    // before the dashboard existed).
    const QDateTime now = QDateTime::currentDateTime();
    m_axisX->setRange(now, now.addMSecs(initialSpanMs()));
}

qint64 TimeSeriesChart::initialSpanMs() const
{
    return qMin<qint64>(MinSpanMs, m_windowMs);
}

std::pair<QDateTime, QDateTime> TimeSeriesChart::timeRange() const
{
    return {m_axisX->min(), m_axisX->max()};
}

void TimeSeriesChart::setFixedRange(double minimum, double maximum)
{
    m_fixedRange = true;
    m_axisY->setRange(minimum, maximum);
}

void TimeSeriesChart::append(const QDateTime &t, const QList<double> &values)
{
    const qreal x = qreal(t.toMSecsSinceEpoch());
    for (int i = 0; i < m_series.size() && i < values.size(); ++i) {
        if (std::isnan(values.at(i)))
            continue;
        // Bounded history, by count and by the time window. The points are edited in one
        // list and handed over with replace(): one chart update instead of one per point.
        QList<QPointF> points = m_series.at(i)->points();
        points.append(QPointF(x, values.at(i)));
        qsizetype drop = qMax<qsizetype>(0, points.size() - m_maxPoints);
        while (drop < points.size() - 1 && points.at(drop).x() < x - m_windowMs)
            ++drop;
        points.remove(0, drop);
        m_series.at(i)->replace(points);
    }
    updateAxes(t);
}

int TimeSeriesChart::pointCount(int series) const
{
    return series >= 0 && series < m_series.size() ? m_series.at(series)->count() : 0;
}

double TimeSeriesChart::lastValue(int series) const
{
    if (series < 0 || series >= m_series.size() || m_series.at(series)->count() == 0)
        return std::nan("");
    const QLineSeries *line = m_series.at(series);
    return line->at(line->count() - 1).y();
}

void TimeSeriesChart::updateAxes(const QDateTime &now)
{
    // The axis starts at the first sample: nothing was measured before it. A young chart
    // spans at least two minutes from there (its line grows from the left edge), then up to
    // now; once the window is full it slides, showing the last window up to now. (It used to
    // end at now and reach back two minutes, so its left edge lay before the process began.)
    if (!m_firstSample.isValid())
        m_firstSample = now;
    const qint64 age = m_firstSample.msecsTo(now);
    if (age >= m_windowMs)
        m_axisX->setRange(now.addMSecs(-m_windowMs), now);
    else
        m_axisX->setRange(m_firstSample, m_firstSample.addMSecs(qMax(age, initialSpanMs())));
    if (m_fixedRange)
        return;

    double top = 0;
    for (const QLineSeries *series : std::as_const(m_series)) {
        const QList<QPointF> points = series->points();
        for (const QPointF &point : points)
            top = qMax(top, point.y());
    }
    // A "nice" scale from zero (0, 2, 4, ... or 0, 25, 50, ...), at least 0..4 so that an
    // idle chart has readable whole-number ticks. Only re-scaled when the data leaves it.
    const double wanted = qMax(4.0, top * 1.1);
    if (wanted > m_axisY->max() || wanted < m_axisY->max() / 4) {
        m_axisY->setRange(0, wanted);
        m_axisY->applyNiceNumbers();
    }
}

} // namespace Mouse::Ui

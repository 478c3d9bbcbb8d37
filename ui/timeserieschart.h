// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QStringList>
#include <QtCharts/QChartView>

#include <utility>

QT_BEGIN_NAMESPACE
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace Mouse::Ui {

// A line chart over a sliding time window with a bounded history per series: older points
// are dropped, so memory stays constant however long the dashboard runs.
class TimeSeriesChart final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeSeriesChart)

public:
    TimeSeriesChart(const QString &title,
                    const QString &unit,
                    const QStringList &seriesNames,
                    QWidget *parent = nullptr);

    void setWindow(qint64 windowMs) { m_windowMs = windowMs; }
    void setMaxPoints(int points) { m_maxPoints = points; }
    // Fixed Y range (e.g. 0..100 %); otherwise the axis follows the data from 0.
    void setFixedRange(double minimum, double maximum);

    // One value per series at time t; NaN leaves a series without a point.
    void append(const QDateTime &t, const QList<double> &values);
    int pointCount(int series) const;
    double lastValue(int series) const;
    // What the time axis shows: [min, max].
    std::pair<QDateTime, QDateTime> timeRange() const;

private:
    static constexpr qint64 MinSpanMs = 2 * 60 * 1000;

    qint64 initialSpanMs() const;
    void updateAxes(const QDateTime &now);

    QList<QLineSeries *> m_series;
    QDateTimeAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    qint64 m_windowMs = 10 * 60 * 1000;
    int m_maxPoints = 600;
    bool m_fixedRange = false;
    QDateTime m_firstSample;
};

} // namespace Mouse::Ui

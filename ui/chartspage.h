// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QWidget>

class QLabel;
class QTimer;

namespace Mouse {
class Gateway;
}

namespace Mouse::Ui {

class TimeSeriesChart;

// Cache and queue charts: sampled every second from the services' snapshots (the /health
// sections of the HealthBoard, which answer from memory), ten minutes of history.
class ChartsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartsPage)

public:
    explicit ChartsPage(Gateway *gateway, QWidget *parent = nullptr);

    TimeSeriesChart *hitRateChart() const { return m_hitRate; }
    TimeSeriesChart *cacheSizeChart() const { return m_cacheSize; }
    TimeSeriesChart *queueDepthChart() const { return m_queueDepth; }
    TimeSeriesChart *processingChart() const { return m_processing; }

    // One sample from a /health-shaped snapshot; public so tests can feed their own.
    void sample(const QDateTime &now, const QJsonObject &health);

    // A number at a path like {"caches","vm_status","hit_rate"}; NaN when absent.
    static double numberAt(const QJsonObject &root, const QStringList &path);

public slots:
    void sampleNow();

private:
    Gateway *m_gateway;
    TimeSeriesChart *m_hitRate;
    TimeSeriesChart *m_cacheSize;
    TimeSeriesChart *m_queueDepth;
    TimeSeriesChart *m_processing;
    QLabel *m_figures = nullptr;
    QTimer *m_timer;
};

} // namespace Mouse::Ui

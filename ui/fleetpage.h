// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/fleettablemodel.h"

#include <QElapsedTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTimer;

namespace Mouse {
class Gateway;
struct VmRow;
} // namespace Mouse

namespace Mouse::Ui {

class FleetFilterModel;

// The Fleet page: every VM of every customer with its Orgo status, refreshed live through
// FleetService's batch fetch (every ui/refresh_ms and on F5), with per-VM errors in the rows.
class FleetPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetPage)

public:
    explicit FleetPage(Gateway *gateway, QWidget *parent = nullptr);

    FleetTableModel *model() const { return m_model; }
    FleetFilterModel *filterModel() const { return m_filter; }
    QTableView *view() const { return m_view; }
    bool isRefreshing() const { return m_refreshing; }
    QString selectedVm() const;
    QString summaryText() const;

    // VMs per status family (running, stopped, changing, error, unknown): every status
    // counts in exactly one, so the counts add up to the rows.
    static QHash<int, int> countByFamily(const QList<Mouse::Ui::FleetRow> &rows);

    // The lifecycle actions a VM in this Orgo status may be asked for; the buttons follow
    // the selected VM's.
    struct Actions
    {
        bool start = false;
        bool stop = false;
        bool restart = false;
    };
    static Actions actionsFor(const QString &status);

public slots:
    void refresh();

    // What FleetService reports, also callable directly (tests, other sources).
    void beginRefresh(int total);
    void setProgress(int done, int total);
    void setRows(const QList<Mouse::Ui::FleetRow> &rows);
    void updateRow(const Mouse::Ui::FleetRow &row);
    void finishRefresh();

signals:
    void screenshotRequested(const QString &vmId);
    void firstRefreshShown();
    void progressChanged(int done, int total, bool refreshing);

private:
    QWidget *buildHeader();
    QWidget *buildFilters();
    void buildTable();
    void bindService();
    void scheduleSnapshot();
    void applySnapshot(const QList<Mouse::VmRow> &snapshot,
                       const QHash<QString, QString> &requestIds);
    void updateCustomerFilter();
    void updateSummary();
    void updateActions();
    void runLifecycle(const QString &action);
    static QString vmDescription(const FleetRow &row);

    Gateway *m_gateway;
    FleetTableModel *m_model;
    FleetFilterModel *m_filter;
    QTableView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    QStackedWidget *m_progressSlot = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_lastRefresh = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_customer = nullptr;
    QComboBox *m_status = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_restart = nullptr;
    QPushButton *m_screenshot = nullptr;
    QTimer *m_refreshTimer = nullptr;
    QTimer *m_ageTimer = nullptr;
    QElapsedTimer m_refreshClock;
    QElapsedTimer m_sinceStart;
    qint64 m_lastRefreshMs = -1;
    bool m_refreshing = false;
    bool m_shownOnce = false;
    bool m_snapshotPending = false;
    bool m_refreshAgain = false;
};

} // namespace Mouse::Ui

Q_DECLARE_METATYPE(Mouse::Ui::FleetRow)

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMainWindow>

class QLabel;
class QListWidget;
class QProgressBar;
class QStackedWidget;
class QTimer;
class QToolButton;

namespace Mouse {
class Gateway;
}

namespace Mouse::Ui {

class ChartsPage;
class EventLogPage;
class FleetPage;
class PaymentsPage;
class ScreenshotsPage;

// The dashboard's main window over a running Gateway (not owned): a navigation list on the
// left, one page per concern, and a status bar with the server's URL, the Orgo mode, the
// circuit breaker's state and the admin token (copied, never shown in full).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum Page { Fleet, Screenshots, Charts, Payments, Events, PageCount };

    explicit MainWindow(Gateway *gateway, QWidget *parent = nullptr);
    ~MainWindow() override;

    FleetPage *fleetPage() const { return m_fleet; }
    ScreenshotsPage *screenshotsPage() const { return m_screenshots; }
    ChartsPage *chartsPage() const { return m_charts; }
    PaymentsPage *paymentsPage() const { return m_payments; }
    EventLogPage *eventLogPage() const { return m_events; }
    Page currentPage() const;
    QString breakerState() const { return m_breakerState; }

    static QString pageKey(Page page); // "fleet", "screenshots", ...

public slots:
    void showPage(Mouse::Ui::MainWindow::Page page);
    void setBreakerState(const QString &name); // closed, open, half-open
    void copyAdminToken();
    void copyServerUrl();

signals:
    // Emitted once the fleet page has shown its first complete refresh.
    void fleetShown();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildPages();
    void buildMenus();
    void buildStatusBar();
    void pollHealth();
    void restoreState();
    void saveState() const;
    void showAbout();

    Gateway *m_gateway;
    QListWidget *m_nav = nullptr;
    QStackedWidget *m_stack = nullptr;
    FleetPage *m_fleet = nullptr;
    ScreenshotsPage *m_screenshots = nullptr;
    ChartsPage *m_charts = nullptr;
    PaymentsPage *m_payments = nullptr;
    EventLogPage *m_events = nullptr;
    QLabel *m_breaker = nullptr;
    QLabel *m_mode = nullptr;
    QProgressBar *m_progress = nullptr;
    QTimer *m_healthTimer = nullptr;
    QString m_breakerState;
};

} // namespace Mouse::Ui

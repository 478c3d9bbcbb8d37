// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "core/gateway.h"
#include "core/metrics/healthboard.h"
#include "core/orgo/orgoclient.h"
#include "core/version.h"
#include "ui/chartspage.h"
#include "ui/eventlogpage.h"
#include "ui/fleetpage.h"
#include "ui/icons.h"
#include "ui/paymentspage.h"
#include "ui/screenshotspage.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

namespace {

QSettings dashboardSettings()
{
    return QSettings(u"mouse-gateway"_s, u"dashboard"_s);
}

// A rounded, coloured "chip" for the status bar.
QString chip(const QColor &colour, const QString &label, const QString &value)
{
    return u"<span style='color:#5b6675'>%1</span> "
           u"<span style='color:%2; font-weight:600'>&#9679; %3</span>"_s.arg(
                   label, colour.name(), value);
}

QString maskedToken(const QString &token)
{
    // Keep only a readable prefix such as "mgw_admin_"; never any of the secret part.
    int prefix = 0;
    for (int i = 0; i < qMin(12, int(token.size())); ++i) {
        if (token.at(i) == u'_')
            prefix = i + 1;
    }
    return token.left(prefix) + u"\u2022\u2022\u2022\u2022\u2022\u2022"_s;
}

// The first start's size: room for the fleet grid, within the screen's free area so that a
// small screen still shows the buttons and the status bar (a saved geometry replaces it).
QSize defaultSize()
{
    const QSize preferred(1360, 860);
    const QScreen *screen = QGuiApplication::primaryScreen();
    return screen ? preferred.boundedTo(screen->availableSize()) : preferred;
}

} // namespace

MainWindow::MainWindow(Gateway *gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
    , m_healthTimer(new QTimer(this))
{
    setWindowTitle(tr("Mouse Gateway"));
    setWindowIcon(Icons::application());
    resize(defaultSize());

    buildPages();
    buildMenus();
    buildStatusBar();
    restoreState();

    // The breaker announces its changes; the /health section read every second is the
    // fallback that also covers a state change made before the window existed.
    if (OrgoClient *orgo = m_gateway->orgo()) {
        connect(orgo,
                &OrgoClient::breakerStateChanged,
                this,
                [this](OrgoClient::BreakerState state) {
                    setBreakerState(Orgo::CircuitBreaker::stateName(state));
                });
        setBreakerState(orgo->breakerStateName());
    }
    m_healthTimer->setInterval(1000);
    connect(m_healthTimer, &QTimer::timeout, this, &MainWindow::pollHealth);
    m_healthTimer->start();
    pollHealth();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildPages()
{
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_nav = new QListWidget(central);
    m_nav->setObjectName(u"navigation"_s);
    m_nav->setIconSize(QSize(22, 22));
    m_nav->setFixedWidth(156);
    m_nav->setFrameShape(QFrame::NoFrame);
    m_nav->setSpacing(2);
    m_nav->setStyleSheet(
            u"QListWidget#navigation { background: #eef1f5; border-right: 1px solid #d5dbe3;"
            u" padding-top: 8px; }"
            u"QListWidget#navigation::item { padding: 8px 10px; border-radius: 4px;"
            u" margin: 0 6px; color: #263445; }"
            u"QListWidget#navigation::item:selected { background: #d6e4f5; color: #123a66; }"
            u"QListWidget#navigation::item:hover:!selected { background: #e3e8ef; }"_s);

    const QList<QPair<QString, QString>> pages{{u"fleet"_s, tr("Fleet")},
                                               {u"screenshots"_s, tr("Screenshots")},
                                               {u"charts"_s, tr("Charts")},
                                               {u"payments"_s, tr("Payments")},
                                               {u"eventlog"_s, tr("Event log")}};
    for (const auto &[icon, name] : pages)
        new QListWidgetItem(Icons::named(icon), name, m_nav);

    m_stack = new QStackedWidget(central);
    m_fleet = new FleetPage(m_gateway, m_stack);
    m_screenshots = new ScreenshotsPage(m_gateway, m_fleet->model(), m_stack);
    m_charts = new ChartsPage(m_gateway, m_stack);
    m_payments = new PaymentsPage(m_gateway, m_gateway->queue(), m_gateway->billing(), m_stack);
    m_events = new EventLogPage(m_gateway->eventLog(), m_stack);
    for (QWidget *page : {static_cast<QWidget *>(m_fleet),
                          static_cast<QWidget *>(m_screenshots),
                          static_cast<QWidget *>(m_charts),
                          static_cast<QWidget *>(m_payments),
                          static_cast<QWidget *>(m_events)})
        m_stack->addWidget(page);

    layout->addWidget(m_nav);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    connect(m_stack, &QStackedWidget::currentChanged, this, [this](int index) {
        if (index == Screenshots)
            m_screenshots->refresh();
        if (index == Payments)
            m_payments->reload();
    });
    connect(m_fleet, &FleetPage::screenshotRequested, this, [this](const QString &vmId) {
        showPage(Screenshots);
        m_screenshots->showVm(vmId);
    });
    connect(m_fleet, &FleetPage::firstRefreshShown, this, &MainWindow::fleetShown);
    m_nav->setCurrentRow(Fleet);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *copyToken = file->addAction(Icons::named(u"copy"_s), tr("Copy &admin token"));
    connect(copyToken, &QAction::triggered, this, &MainWindow::copyAdminToken);
    QAction *copyUrl = file->addAction(tr("Copy server &URL"));
    connect(copyUrl, &QAction::triggered, this, &MainWindow::copyServerUrl);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &MainWindow::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int page = 0; page < PageCount; ++page) {
        QAction *action = view->addAction(m_nav->item(page)->icon(), m_nav->item(page)->text());
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + page)));
        connect(action, &QAction::triggered, this, [this, page] { showPage(Page(page)); });
    }
    view->addSeparator();
    QAction *refresh = view->addAction(Icons::named(u"refresh"_s), tr("&Refresh fleet"));
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setShortcutContext(Qt::ApplicationShortcut);
    connect(refresh, &QAction::triggered, m_fleet, &FleetPage::refresh);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(Icons::application(), tr("&About Mouse Gateway"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    QAction *aboutQt = help->addAction(tr("About &Qt"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::buildStatusBar()
{
    QStatusBar *bar = statusBar();
    bar->setSizeGripEnabled(true);

    m_progress = new QProgressBar(bar);
    m_progress->setFixedWidth(160);
    m_progress->setMaximumHeight(16);
    m_progress->setTextVisible(true);
    m_progress->hide();
    bar->addWidget(m_progress);
    connect(m_fleet, &FleetPage::progressChanged, this, [this](int done, int total, bool busy) {
        m_progress->setVisible(busy && total > 0);
        m_progress->setRange(0, qMax(1, total));
        m_progress->setValue(done);
        m_progress->setFormat(tr("Fleet %1/%2").arg(done).arg(total));
    });

    const QString url = m_gateway->serverUrl().toString();
    auto *link = new QLabel(u"<a href='%1'>%1</a>"_s.arg(url.toHtmlEscaped()), bar);
    link->setOpenExternalLinks(true);
    link->setTextInteractionFlags(Qt::TextBrowserInteraction);
    link->setToolTip(tr("The gateway's HTTP API; click to open, or copy it"));
    auto *copyUrl = new QToolButton(bar);
    copyUrl->setIcon(Icons::named(u"copy"_s));
    copyUrl->setAutoRaise(true);
    copyUrl->setToolTip(tr("Copy the server URL"));
    connect(copyUrl, &QToolButton::clicked, this, &MainWindow::copyServerUrl);

    m_mode = new QLabel(bar);
    const bool sandbox = m_gateway->isSandbox();
    m_mode->setText(chip(sandbox ? QColor(0xd0, 0x8a, 0x12) : QColor(0x2e, 0x9d, 0x52),
                         tr("Orgo"),
                         sandbox ? tr("sandbox") : tr("real")));
    m_mode->setToolTip(sandbox ? tr("No Orgo API key is set: VMs come from the built-in "
                                    "sandbox fleet")
                               : tr("Connected to the real Orgo API"));

    m_breaker = new QLabel(bar);
    setBreakerState(u"closed"_s);

    auto *token = new QToolButton(bar);
    token->setIcon(Icons::named(u"copy"_s));
    token->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    token->setAutoRaise(true);
    token->setText(tr("Admin token %1").arg(maskedToken(m_gateway->adminToken())));
    token->setToolTip(m_gateway->adminTokenGenerated()
                              ? tr("Generated for this run; click to copy it")
                              : tr("Configured; click to copy it"));
    connect(token, &QToolButton::clicked, this, &MainWindow::copyAdminToken);

    bar->addPermanentWidget(link);
    bar->addPermanentWidget(copyUrl);
    bar->addPermanentWidget(m_mode);
    bar->addPermanentWidget(m_breaker);
    bar->addPermanentWidget(token);
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_stack->currentIndex());
}

QString MainWindow::pageKey(Page page)
{
    static const QStringList keys{
            u"fleet"_s, u"screenshots"_s, u"charts"_s, u"payments"_s, u"events"_s};
    return keys.value(int(page));
}

void MainWindow::showPage(Page page)
{
    m_nav->setCurrentRow(int(page));
}

void MainWindow::setBreakerState(const QString &name)
{
    QString state = name;
    state.replace(u'_', u'-'); // "half_open" -> "half-open"
    if (state == m_breakerState)
        return;
    m_breakerState = state;
    const QString shown = state == u"closed"_s      ? tr("closed")
                          : state == u"open"_s      ? tr("open")
                          : state == u"half-open"_s ? tr("half-open")
                                                    : state;
    m_breaker->setText(chip(Icons::breakerColor(state), tr("Breaker"), shown));
    m_breaker->setToolTip(
            state == u"open"_s        ? tr("Orgo is failing: calls fail fast and the last known "
                                           "statuses are served, marked stale")
            : state == u"half-open"_s ? tr("Cooling down: one probe call is let through")
                                      : tr("Orgo calls flow normally"));
}

void MainWindow::pollHealth()
{
    const QJsonObject orgo = m_gateway->health()->snapshot().value(u"orgo"_s).toObject();
    const QJsonObject client = orgo.value(u"client"_s).toObject();
    QString state = client.value(u"breaker"_s).toString();
    if (state.isEmpty())
        state = client.value(u"breaker_state"_s).toString();
    if (!state.isEmpty())
        setBreakerState(state);
}

void MainWindow::copyAdminToken()
{
    QApplication::clipboard()->setText(m_gateway->adminToken());
    statusBar()->showMessage(tr("Admin token copied to the clipboard"), 3000);
}

void MainWindow::copyServerUrl()
{
    QApplication::clipboard()->setText(m_gateway->serverUrl().toString());
    statusBar()->showMessage(tr("Server URL copied to the clipboard"), 3000);
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("About Mouse Gateway"));
    box.setIconPixmap(Icons::application().pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(tr("<h3>Mouse Gateway %1</h3>"
                   "<p>Admin dashboard and API gateway for the Mouse platform.</p>"
                   "<p>Licensed under the GNU General Public License, version 3 or later "
                   "(GPL-3.0-or-later).</p><p>Built with Qt %2.</p>")
                        .arg(QLatin1String(Mouse::Version), QLatin1String(QT_VERSION_STR)));
    box.exec();
}

void MainWindow::restoreState()
{
    QSettings settings = dashboardSettings();
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    QMainWindow::restoreState(settings.value(u"window/state"_s).toByteArray());

    // ui/page (config or --set) wins over the page the operator last used.
    QString page = m_gateway->settings().string(u"ui/page"_s);
    if (page.isEmpty())
        page = settings.value(u"window/page"_s).toString();
    for (int i = 0; i < PageCount; ++i) {
        if (pageKey(Page(i)) == page)
            showPage(Page(i));
    }
}

void MainWindow::saveState() const
{
    QSettings settings = dashboardSettings();
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, QMainWindow::saveState());
    settings.setValue(u"window/page"_s, pageKey(currentPage()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveState();
    event->accept();
}

} // namespace Mouse::Ui

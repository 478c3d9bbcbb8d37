// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/fleetpage.h"

#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "ui/fleetfiltermodel.h"
#include "ui/icons.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

FleetPage::FleetPage(Gateway *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_model(new FleetTableModel(this))
    , m_filter(new FleetFilterModel(this))
    , m_refreshTimer(new QTimer(this))
    , m_ageTimer(new QTimer(this))
{
    qRegisterMetaType<Mouse::Ui::FleetRow>();
    m_sinceStart.start();
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);
    layout->addWidget(buildHeader());
    layout->addWidget(buildFilters());
    buildTable();
    layout->addWidget(m_view, 1);

    // The age column counts up every second from the stored fetch time; nothing is refetched.
    m_ageTimer->setInterval(1000);
    connect(m_ageTimer, &QTimer::timeout, this, [this] {
        m_model->tick();
        updateSummary();
    });
    m_ageTimer->start();

    m_refreshTimer->setInterval(int(m_gateway->settings().integer(u"ui/refresh_ms"_s)));
    connect(m_refreshTimer, &QTimer::timeout, this, &FleetPage::refresh);

    bindService();
    updateActions();
    updateSummary();
    QTimer::singleShot(0, this, &FleetPage::refresh);
    m_refreshTimer->start();
}

QWidget *FleetPage::buildHeader()
{
    auto *header = new QWidget(this);
    auto *row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);

    auto *title = new QLabel(tr("Fleet"), header);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.35);
    font.setBold(true);
    title->setFont(font);
    row->addWidget(title);

    m_summary = new QLabel(header);
    m_summary->setTextFormat(Qt::RichText);
    row->addSpacing(12);
    row->addWidget(m_summary, 1);

    // A bar while a refresh runs, a quiet line when idle, in one fixed slot so that the
    // header never shifts.
    m_progressSlot = new QStackedWidget(header);
    m_progressSlot->setFixedWidth(260);
    m_progress = new QProgressBar(m_progressSlot);
    m_progress->setTextVisible(true);
    m_progress->setRange(0, 0);
    m_progress->setFormat(tr("Waiting for the first refresh"));
    m_lastRefresh = new QLabel(tr("Waiting for the first refresh"), m_progressSlot);
    m_lastRefresh->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_lastRefresh->setStyleSheet(u"color: #5b6675;"_s);
    m_progressSlot->addWidget(m_progress);
    m_progressSlot->addWidget(m_lastRefresh);
    row->addWidget(m_progressSlot);
    row->addSpacing(6);

    m_refreshButton = new QPushButton(Icons::named(u"refresh"_s), tr("Refresh"), header);
    m_refreshButton->setToolTip(tr("Fetch every VM's status now (F5)"));
    connect(m_refreshButton, &QPushButton::clicked, this, &FleetPage::refresh);
    auto *shortcut = new QShortcut(QKeySequence::Refresh, this);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(shortcut, &QShortcut::activated, this, &FleetPage::refresh);
    row->addWidget(m_refreshButton);
    return header;
}

QWidget *FleetPage::buildFilters()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);

    m_search = new QLineEdit(bar);
    m_search->setPlaceholderText(tr("Filter by VM, employee, customer or error"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(140);
    connect(m_search, &QLineEdit::textChanged, m_filter, &FleetFilterModel::setText);
    row->addWidget(m_search, 2);

    m_customer = new QComboBox(bar);
    // Long customer names are elided, not allowed to widen the page past a small screen.
    m_customer->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_customer->setMinimumContentsLength(10);
    m_customer->addItem(tr("All customers"), QString());
    connect(m_customer, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setCustomerId(m_customer->currentData().toString());
    });
    row->addWidget(m_customer);

    m_status = new QComboBox(bar);
    m_status->addItem(tr("Any status"), QString());
    // Every status Orgo's answers are normalized to (Orgo::normalizeStatus).
    for (const QString &status : {u"running"_s,
                                  u"stopped"_s,
                                  u"suspended"_s,
                                  u"starting"_s,
                                  u"stopping"_s,
                                  u"restarting"_s,
                                  u"creating"_s,
                                  u"deleting"_s,
                                  u"error"_s,
                                  u"unknown"_s})
        m_status->addItem(Icons::statusIcon(status), FleetTableModel::statusText(status), status);
    m_status->addItem(Icons::severityIcon(EventLog::Severity::Error),
                      tr("With errors"),
                      QString::fromLatin1(FleetFilterModel::WithErrors));
    m_status->addItem(tr("Stale data"), QString::fromLatin1(FleetFilterModel::StaleOnly));
    connect(m_status, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setStatus(m_status->currentData().toString());
    });
    row->addWidget(m_status);
    row->addStretch(1);

    m_start = new QPushButton(Icons::named(u"start"_s), tr("Start"), bar);
    m_stop = new QPushButton(Icons::named(u"stop"_s), tr("Stop"), bar);
    m_restart = new QPushButton(Icons::named(u"restart"_s), tr("Restart"), bar);
    m_screenshot = new QPushButton(Icons::named(u"screenshots"_s), tr("Screenshot"), bar);
    connect(m_start, &QPushButton::clicked, this, [this] { runLifecycle(u"start"_s); });
    connect(m_stop, &QPushButton::clicked, this, [this] { runLifecycle(u"stop"_s); });
    connect(m_restart, &QPushButton::clicked, this, [this] { runLifecycle(u"restart"_s); });
    connect(m_screenshot, &QPushButton::clicked, this, [this] {
        if (!selectedVm().isEmpty())
            emit screenshotRequested(selectedVm());
    });
    for (QPushButton *button : {m_start, m_stop, m_restart, m_screenshot})
        row->addWidget(button);
    return bar;
}

void FleetPage::buildTable()
{
    m_view = new QTableView(this);
    m_view->setModel(m_filter);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FleetTableModel::Customer, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setStyleSheet(u"QTableView::item { padding: 0 6px; }"_s);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);

    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    const int em = m_view->fontMetrics().horizontalAdvance(u'M');
    header->resizeSection(FleetTableModel::Name, 15 * em);
    header->resizeSection(FleetTableModel::Employee, 13 * em);
    header->resizeSection(FleetTableModel::Customer, 13 * em);
    header->resizeSection(FleetTableModel::Status, 9 * em);
    header->resizeSection(FleetTableModel::Age, 11 * em);

    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        emit screenshotRequested(index.data(FleetTableModel::VmIdRole).toString());
    });
    connect(m_view->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &FleetPage::updateActions);
    // The selected VM's state changes under the selection (a refresh, an action of its own).
    connect(m_model, &QAbstractItemModel::dataChanged, this, &FleetPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FleetPage::updateActions);
}

QString FleetPage::selectedVm() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(FleetTableModel::VmIdRole).toString();
}

namespace {

FleetRow fromService(const VmRow &vm)
{
    FleetRow row;
    row.vmId = vm.vmId;
    row.name = vm.vmName;
    row.employee = vm.employeeName;
    row.customerId = vm.customerId;
    row.customer = vm.customerName;
    row.status = vm.vmStatus.isEmpty() ? u"unknown"_s : vm.vmStatus;
    if (vm.fetchedAtMs > 0)
        row.fetchedAt = QDateTime::fromMSecsSinceEpoch(vm.fetchedAtMs, Qt::UTC);
    row.stale = vm.stale;
    row.error = vm.error;
    return row;
}

} // namespace

void FleetPage::bindService()
{
    FleetService *fleet = m_gateway->fleet();
    if (!fleet)
        return;
    // Statuses also change between the page's refreshes (API requests, lifecycle calls, the
    // service's own background refreshes): show them from the service's snapshot, coalesced.
    connect(fleet, &FleetService::vmStatusChanged, this, &FleetPage::scheduleSnapshot);
    // New or removed employees (the demo seed finishing, a deploy): a full batch at once.
    connect(fleet, &FleetService::employeesChanged, this, [this] {
        if (m_refreshing)
            m_refreshAgain = true;
        else
            refresh();
    });
}

void FleetPage::scheduleSnapshot()
{
    if (m_snapshotPending || m_refreshing)
        return; // a refresh in progress ends with a snapshot anyway
    m_snapshotPending = true;
    QTimer::singleShot(200, this, [this] {
        m_snapshotPending = false;
        if (FleetService *fleet = m_gateway->fleet())
            applySnapshot(fleet->snapshot(), {});
    });
}

void FleetPage::applySnapshot(const QList<VmRow> &snapshot,
                              const QHash<QString, QString> &requestIds)
{
    QList<FleetRow> rows;
    rows.reserve(snapshot.size());
    for (const VmRow &vm : snapshot) {
        FleetRow row = fromService(vm);
        if (!row.error.isEmpty())
            row.requestId = requestIds.value(row.vmId);
        rows << row;
    }
    setRows(rows);
}

void FleetPage::refresh()
{
    if (m_refreshing)
        return;
    FleetService *fleet = m_gateway->fleet();
    if (!fleet) {
        beginRefresh(0);
        finishRefresh();
        return;
    }

    // One batch over every VM the directory knows: cache-first, bounded and coalesced by the
    // service; each item carries its own error (with Orgo's request id) without failing the rest.
    const QList<VmRow> known = fleet->snapshot();
    QStringList ids;
    ids.reserve(known.size());
    for (const VmRow &vm : known)
        ids << vm.vmId;
    if (m_model->rowCount() == 0)
        applySnapshot(known, {}); // names and customers at once, statuses as they come

    beginRefresh(int(ids.size()));
    QPointer<FleetPage> self(this);
    fleet->fetchStatuses(
            ids,
            {},
            [self, fleet](QList<VmItem> &&items) {
                if (!self)
                    return;
                QHash<QString, QString> requestIds;
                for (const VmItem &item : std::as_const(items)) {
                    if (!item.error.ok())
                        requestIds.insert(item.vmId, item.error.requestId);
                }
                self->applySnapshot(fleet->snapshot(), requestIds);
                self->finishRefresh();
            },
            [self](int done, int total) {
                if (self)
                    self->setProgress(done, total);
            });
}

void FleetPage::beginRefresh(int total)
{
    m_refreshing = true;
    m_refreshClock.start();
    setProgress(0, total);
}

void FleetPage::setProgress(int done, int total)
{
    m_progressSlot->setCurrentWidget(m_progress);
    m_progress->setRange(0, qMax(1, total));
    m_progress->setValue(qMin(done, qMax(1, total)));
    m_progress->setFormat(tr("Refreshing %1 / %2").arg(done).arg(total));
    emit progressChanged(done, total, true);
}

void FleetPage::setRows(const QList<FleetRow> &rows)
{
    m_model->setRows(rows);
    updateCustomerFilter();
    updateSummary();
}

void FleetPage::updateRow(const FleetRow &row)
{
    m_model->updateRow(row);
    updateSummary();
}

void FleetPage::finishRefresh()
{
    m_refreshing = false;
    if (m_refreshAgain) {
        m_refreshAgain = false;
        QTimer::singleShot(0, this, &FleetPage::refresh);
    }
    m_lastRefreshMs = m_refreshClock.isValid() ? m_refreshClock.elapsed() : -1;
    const int total = m_model->rowCount();
    m_lastRefresh->setText(tr("%n VM(s) refreshed in %1 ms at %2", nullptr, total)
                                   .arg(m_lastRefreshMs)
                                   .arg(QTime::currentTime().toString(u"HH:mm:ss"_s)));
    m_progressSlot->setCurrentWidget(m_lastRefresh);
    emit progressChanged(total, total, false);

    // Re-sort once per refresh (dynamic sorting is off so rows do not jump every second).
    m_filter->sort(m_view->horizontalHeader()->sortIndicatorSection(),
                   m_view->horizontalHeader()->sortIndicatorOrder());
    updateSummary();
    updateActions();

    // The first complete refresh with VMs is "the fleet shown". An empty one counts only once
    // the page has waited a little: right after start the demo seed may still be writing.
    if (!m_shownOnce && (total > 0 || m_sinceStart.elapsed() >= 3000)) {
        m_shownOnce = true;
        // Let the view paint the rows before saying they are shown.
        QTimer::singleShot(0, this, &FleetPage::firstRefreshShown);
    }
}

void FleetPage::updateCustomerFilter()
{
    QMap<QString, QString> customers; // name -> id, sorted by name
    for (const FleetRow &row : m_model->rows())
        customers.insert(row.customer.isEmpty() ? row.customerId : row.customer, row.customerId);

    const QString current = m_customer->currentData().toString();
    if (m_customer->count() == customers.size() + 1)
        return; // same set as before (customers rarely change)
    m_customer->blockSignals(true);
    m_customer->clear();
    m_customer->addItem(tr("All customers"), QString());
    for (auto it = customers.cbegin(); it != customers.cend(); ++it)
        m_customer->addItem(it.key(), it.value());
    m_customer->setCurrentIndex(qMax(0, m_customer->findData(current)));
    m_customer->blockSignals(false);
}

QHash<int, int> FleetPage::countByFamily(const QList<FleetRow> &rows)
{
    QHash<int, int> counts;
    for (const FleetRow &row : rows)
        ++counts[int(Icons::statusFamily(row.status))];
    return counts;
}

QString FleetPage::summaryText() const
{
    return m_summary->text();
}

void FleetPage::updateSummary()
{
    using Family = Icons::StatusFamily;
    const QHash<int, int> byFamily = countByFamily(m_model->rows());
    int errors = 0;
    int stale = 0;
    for (const FleetRow &row : m_model->rows()) {
        errors += !row.error.isEmpty();
        stale += row.stale;
    }
    const auto chip = [](const QColor &colour, const QString &text) {
        return u"<span style='color:%1'>&#9679;</span>&nbsp;%2"_s.arg(colour.name(), text);
    };
    QStringList parts;
    const int total = m_model->rowCount();
    parts << tr("%n VM(s)", nullptr, total);
    // Every status family has its chip, so the chips add up to the total. Running and
    // stopped always show (a zero there says something); the rest only when present.
    const int running = byFamily.value(int(Family::Running));
    const int stopped = byFamily.value(int(Family::Stopped));
    const int transition = byFamily.value(int(Family::Transition));
    const int failed = byFamily.value(int(Family::Error));
    const int unknown = byFamily.value(int(Family::Unknown));
    parts << chip(Icons::statusColor(u"running"_s), tr("%1 running").arg(running));
    parts << chip(Icons::statusColor(u"stopped"_s), tr("%1 stopped").arg(stopped));
    if (transition > 0)
        parts << chip(Icons::statusColor(u"starting"_s), tr("%1 changing").arg(transition));
    if (failed > 0)
        parts << chip(Icons::statusColor(u"error"_s), tr("%1 in error").arg(failed));
    if (unknown > 0)
        parts << chip(Icons::statusColor(u"unknown"_s), tr("%1 unknown").arg(unknown));
    // Fetch problems are not VM states: the last known status is kept, marked stale.
    if (errors > 0)
        parts << u"<span style='color:#a8322d'>%1</span>"_s.arg(
                tr("%n fetch error(s)", nullptr, errors));
    if (stale > 0)
        parts << u"<span style='color:#a86a00'>%1</span>"_s.arg(tr("%1 stale").arg(stale));
    m_summary->setText(parts.join(u"&nbsp;&nbsp;&middot;&nbsp;&nbsp;"_s));
}

// What the selected VM's state allows: Start a VM that is not running and not on its way
// somewhere; Stop and Restart one that runs (Stop also one that is starting, in case it sticks
// there). Errors and unknown states leave every action to Orgo to refuse. Start stayed enabled
// on a running VM, and Stop on a stopped one.
FleetPage::Actions FleetPage::actionsFor(const QString &status)
{
    using Family = Icons::StatusFamily;
    switch (Icons::statusFamily(status)) {
    case Family::Running:
        return {false, true, true};
    case Family::Stopped:
        return {true, false, false};
    case Family::Transition:
        return {false, status == u"starting" || status == u"restarting", false};
    case Family::Error:
    case Family::Unknown:
        break;
    }
    return {true, true, true};
}

void FleetPage::updateActions()
{
    const FleetRow *row = m_model->rowAt(m_model->rowOfVm(selectedVm()));
    const Actions allowed = row ? actionsFor(row->status) : Actions{false, false, false};
    m_start->setEnabled(allowed.start);
    m_stop->setEnabled(allowed.stop);
    m_restart->setEnabled(allowed.restart);
    m_screenshot->setEnabled(row != nullptr);
}

// How a confirmation and the event log name a VM: employees' names repeat across VMs and
// customers, so the VM's name and the customer come with it.
QString FleetPage::vmDescription(const FleetRow &row)
{
    if (row.employee.isEmpty())
        return u"%1 (%2)"_s.arg(row.name, row.customer);
    return u"%1 (%2, %3)"_s.arg(row.employee, row.name, row.customer);
}

void FleetPage::runLifecycle(const QString &action)
{
    const QString vmId = selectedVm();
    if (vmId.isEmpty())
        return;
    // Copied now: the confirmation's event loop lets the fleet refresh rebuild the rows.
    const FleetRow *row = m_model->rowAt(m_model->rowOfVm(vmId));
    if (!row)
        return;
    const QString customerId = row->customerId;
    const QString who = vmDescription(*row);

    if (action != u"start") {
        const QString question = action == u"stop"
                                         ? tr("Stop the VM of %1? Its work is interrupted.")
                                         : tr("Restart the VM of %1? Its work is interrupted.");
        if (QMessageBox::question(this, tr("Confirm"), question.arg(who)) != QMessageBox::Yes)
            return;
    }
    FleetService *fleet = m_gateway->fleet();
    if (!fleet)
        return;
    QFuture<FleetOutcome> call = action == u"start"  ? fleet->startVm(customerId, vmId)
                                 : action == u"stop" ? fleet->stopVm(customerId, vmId)
                                                     : fleet->restartVm(customerId, vmId);
    m_gateway->eventLog()->info(u"dashboard"_s,
                                u"Operator asked to %1 the VM of %2"_s.arg(action, who));
    call.then(this, [this, action, who](const FleetOutcome &outcome) {
        if (!outcome.ok()) {
            QString message = outcome.message;
            if (!outcome.upstream.requestId.isEmpty())
                message += u" (request id %1)"_s.arg(outcome.upstream.requestId);
            m_gateway->eventLog()->warning(
                    u"dashboard"_s, u"Could not %1 the VM of %2: %3"_s.arg(action, who, message));
            QMessageBox::warning(this, tr("VM action failed"), message);
        }
        refresh();
    });
}

} // namespace Mouse::Ui

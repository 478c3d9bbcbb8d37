// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/paymentspage.h"

#include "core/billing/billing.h"
#include "core/fleet/directory.h"
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "core/queue/taskqueue.h"
#include "core/storage/storageerror.h"
#include "ui/icons.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

namespace {

QLabel *heading(const QString &text, qreal scale, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setBold(true);
    label->setFont(font);
    return label;
}

QTableWidget *table(const QStringList &headers, QWidget *parent)
{
    auto *widget = new QTableWidget(0, int(headers.size()), parent);
    widget->setHorizontalHeaderLabels(headers);
    widget->setSelectionBehavior(QAbstractItemView::SelectRows);
    widget->setEditTriggers(QAbstractItemView::NoEditTriggers);
    widget->setAlternatingRowColors(true);
    widget->setShowGrid(false);
    widget->setWordWrap(false);
    widget->verticalHeader()->setVisible(false);
    widget->verticalHeader()->setDefaultSectionSize(widget->fontMetrics().height() + 8);
    widget->horizontalHeader()->setStretchLastSection(true);
    widget->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    widget->horizontalHeader()->setHighlightSections(false);
    return widget;
}

// Today's times without the date, which the tooltip of the row keeps.
QString shortTime(const QDateTime &time)
{
    const QDateTime local = time.toLocalTime();
    return local.date() == QDate::currentDate() ? local.toString(u"HH:mm:ss"_s)
                                                : local.toString(u"yyyy-MM-dd HH:mm"_s);
}

// A grey sentence in the middle of an empty table, so that "nothing yet" does not look like
// "not loaded" or broken; shown while the table has no row.
QLabel *emptyState(QAbstractItemView *view, const QString &text)
{
    auto *label = new QLabel(text, view->viewport());
    label->setObjectName(u"emptyState"_s);
    label->setAlignment(Qt::AlignCenter);
    label->setStyleSheet(u"color: palette(mid);"_s);
    auto *layout = new QVBoxLayout(view->viewport());
    layout->addWidget(label, 0, Qt::AlignCenter);
    return label;
}

QTableWidgetItem *cell(const QString &text, Qt::Alignment align = Qt::AlignLeft)
{
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(align | Qt::AlignVCenter);
    return item;
}

} // namespace

PaymentsPage::PaymentsPage(Gateway *gateway, TaskQueue *queue, Billing *billing, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_queue(queue)
    , m_billing(billing)
    , m_timer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);

    auto *head = new QHBoxLayout;
    head->addWidget(heading(tr("Payments"), 1.35, this));
    head->addSpacing(12);
    m_state = new QLabel(this);
    head->addWidget(m_state, 1);
    m_pause = new QPushButton(Icons::named(u"pause"_s), tr("Pause processing"), this);
    m_pause->setObjectName(u"pauseButton"_s);
    head->addWidget(m_pause);
    layout->addLayout(head);
    layout->addWidget(buildFigures());

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *deadBox = new QWidget(splitter);
    auto *deadLayout = new QVBoxLayout(deadBox);
    deadLayout->setContentsMargins(0, 0, 0, 0);
    auto *deadHead = new QHBoxLayout;
    deadHead->addWidget(heading(tr("Dead letters"), 1.0, deadBox));
    deadHead->addStretch(1);
    m_retry = new QPushButton(Icons::named(u"retry"_s), tr("Retry"), deadBox);
    m_retry->setObjectName(u"retryButton"_s);
    m_retry->setToolTip(tr("Queue the selected dead tasks again"));
    m_discard = new QPushButton(Icons::named(u"discard"_s), tr("Discard"), deadBox);
    m_discard->setObjectName(u"discardButton"_s);
    m_discard->setToolTip(tr("Drop the selected dead tasks for good"));
    deadHead->addWidget(m_retry);
    deadHead->addWidget(m_discard);
    deadLayout->addLayout(deadHead);
    m_dead = table({tr("Task"),
                    tr("Type"),
                    tr("Reference"),
                    tr("Attempts"),
                    tr("Dead since"),
                    tr("Last error")},
                   deadBox);
    m_dead->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_dead->setTextElideMode(Qt::ElideMiddle); // ids differ at their ends
    deadLayout->addWidget(m_dead);
    m_deadEmpty = emptyState(m_dead,
                             tr("No dead letters: every payment task succeeded or is "
                                "still being tried."));

    auto *ledgerBox = new QWidget(splitter);
    auto *ledgerLayout = new QVBoxLayout(ledgerBox);
    ledgerLayout->setContentsMargins(0, 0, 0, 0);
    auto *ledgerHead = new QHBoxLayout;
    ledgerHead->addWidget(heading(tr("Recent ledger rows"), 1.0, ledgerBox));
    ledgerHead->addSpacing(12);
    m_totals = new QLabel(ledgerBox);
    ledgerHead->addWidget(m_totals, 1);
    ledgerLayout->addLayout(ledgerHead);
    m_ledger = table({tr("Time"),
                      tr("Customer"),
                      tr("Type"),
                      tr("Tokens"),
                      tr("Balance"),
                      tr("Description"),
                      tr("Reference")},
                     ledgerBox);
    ledgerLayout->addWidget(m_ledger);
    m_ledgerEmpty = emptyState(m_ledger, tr("No token movements yet."));
    splitter->addWidget(deadBox);
    splitter->addWidget(ledgerBox);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    const int em = fontMetrics().horizontalAdvance(u'M');
    const auto widths = [em](QTableWidget *widget, const QList<int> &ems) {
        for (int i = 0; i < ems.size(); ++i)
            widget->horizontalHeader()->resizeSection(i, ems.at(i) * em);
    };
    widths(m_dead, {14, 11, 16, 6, 8});
    widths(m_ledger, {8, 12, 8, 7, 8, 20});

    connect(m_retry, &QPushButton::clicked, this, &PaymentsPage::retrySelected);
    connect(m_discard, &QPushButton::clicked, this, &PaymentsPage::discardSelected);
    connect(m_pause, &QPushButton::clicked, this, &PaymentsPage::togglePause);
    connect(m_dead, &QTableWidget::itemSelectionChanged, this, &PaymentsPage::updateButtons);

    // metricsChanged comes from worker threads at most every few hundred ms; the timer
    // keeps the figures right when nothing changes (e.g. the age of the oldest task).
    if (TaskQueue *queue = m_queue)
        connect(queue,
                &TaskQueue::metricsChanged,
                this,
                &PaymentsPage::reload,
                Qt::QueuedConnection);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &PaymentsPage::reload);
    m_timer->start();
    reload();

    // The billing summary is kept in memory by Billing and announced on the main thread.
    if (m_billing)
        connect(m_billing, &Billing::summaryChanged, this, &PaymentsPage::reloadLedger);
    reloadLedger();
    updateButtons();
}

QWidget *PaymentsPage::buildFigures()
{
    auto *frame = new QFrame(this);
    frame->setFrameShape(QFrame::StyledPanel);
    auto *grid = new QGridLayout(frame);
    grid->setContentsMargins(14, 8, 14, 8);
    grid->setHorizontalSpacing(28);
    const QStringList names{
            tr("High"), tr("Normal"), tr("Low"), tr("In flight"), tr("Dead"), tr("p95 processing")};
    for (int i = 0; i < names.size(); ++i) {
        auto *name = new QLabel(names.at(i), frame);
        name->setStyleSheet(u"color: #5b6675;"_s); // the secondary text colour of the pages
        auto *value = heading(u"–"_s, 1.5, frame);
        grid->addWidget(name, 0, i);
        grid->addWidget(value, 1, i);
        m_figureLabels << value;
    }
    grid->setColumnStretch(int(names.size()), 1);
    return frame;
}

void PaymentsPage::reload()
{
    TaskQueue *queue = m_queue;
    if (!queue) {
        m_state->setText(tr("The payment queue is not running."));
        m_pause->setEnabled(false);
        return;
    }

    // The snapshot is in memory; the dead-letter list is a database read, done on a worker
    // thread (with that thread's connection) and only when the dead count moved.
    const QueueMetricsSnapshot snapshot = queue->metricsSnapshot();
    QueueFigures figures;
    figures.high = snapshot.depthHigh;
    figures.normal = snapshot.depthNormal;
    figures.low = snapshot.depthLow;
    figures.inFlight = snapshot.inFlight;
    figures.dead = snapshot.dead;
    figures.p95Ms = snapshot.p95Ms;
    figures.completed = snapshot.completed;
    figures.paused = snapshot.paused;
    setQueueFigures(figures);
    m_pause->setEnabled(true);

    if (snapshot.dead != m_shownDead || m_deadDirty)
        loadDeadLetters();
}

void PaymentsPage::loadDeadLetters()
{
    TaskQueue *queue = m_queue;
    if (!queue || m_loadingDead)
        return;
    m_loadingDead = true;
    m_deadDirty = false;
    QtConcurrent::run([queue] {
        StorageError error;
        const QJsonObject answer = queue->deadTasks(200, &error);
        return error.isEmpty() ? answer : QJsonObject();
    }).then(this, [this](const QJsonObject &answer) {
        m_loadingDead = false;
        if (answer.isEmpty()) {
            // The store failed: an empty list would say there are none. Keep what is shown
            // and load again at the next refresh.
            m_deadDirty = true;
            return;
        }
        m_shownDead = answer.value(u"count"_s).toInteger();
        setDeadLetters(deadTasksFromJson(answer));
    });
}

QList<PaymentsPage::DeadTask> PaymentsPage::deadTasksFromJson(const QJsonObject &answer)
{
    QList<DeadTask> tasks;
    const QJsonArray array = answer.value(u"tasks"_s).toArray();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        DeadTask task;
        task.id = object.value(u"id"_s).toString();
        task.type = object.value(u"type"_s).toString();
        task.reference = object.value(u"reference"_s).toString();
        task.attempts = int(object.value(u"attempts"_s).toArray().size());
        if (task.attempts == 0)
            task.attempts = object.value(u"attempt"_s).toInt();
        task.lastError = object.value(u"last_error"_s).toString();
        // ISO 8601 UTC with milliseconds, as every time in the API.
        const QJsonValue finished = object.value(u"finished_at"_s);
        const QString at
                = finished.isString() ? finished.toString() : object.value(u"run_at"_s).toString();
        task.deadAt = QDateTime::fromString(at, Qt::ISODateWithMs);
        tasks << task;
    }
    return tasks;
}

void PaymentsPage::setQueueFigures(const QueueFigures &figures)
{
    const QLocale locale;
    const QList<qint64> counts{
            figures.high, figures.normal, figures.low, figures.inFlight, figures.dead};
    for (int i = 0; i < counts.size(); ++i)
        m_figureLabels.at(i)->setText(locale.toString(counts.at(i)));
    m_figureLabels.at(5)->setText(figures.completed > 0
                                          ? tr("%1 ms").arg(locale.toString(figures.p95Ms, 'f', 1))
                                          : u"–"_s);
    m_figureLabels.at(5)->setToolTip(figures.completed > 0 ? QString()
                                                           : tr("No payment task finished yet."));
    m_figureLabels.at(4)->setStyleSheet(figures.dead > 0 ? u"color: #c2413b;"_s : QString());

    m_paused = figures.paused;
    m_pause->setText(m_paused ? tr("Resume processing") : tr("Pause processing"));
    m_pause->setIcon(Icons::named(m_paused ? u"start"_s : u"pause"_s));
    m_state->setText(
            m_paused ? u"<span style='color:#a86a00'><b>%1</b></span>"_s.arg(
                    tr("Processing is paused: events are received and "
                       "stored, not applied."))
                     : u"<span style='color:#2e9d52'>&#9679;</span> %1"_s.arg(tr("Processing")));
}

void PaymentsPage::setDeadLetters(const QList<DeadTask> &tasks)
{
    const QStringList selected = selectedTaskIds();
    m_dead->setRowCount(int(tasks.size()));
    m_deadEmpty->setVisible(tasks.isEmpty());
    for (int row = 0; row < tasks.size(); ++row) {
        const DeadTask &task = tasks.at(row);
        auto *id = cell(task.id);
        id->setToolTip(task.id);
        id->setData(Qt::UserRole, task.id);
        id->setIcon(Icons::severityIcon(EventLog::Severity::Error));
        m_dead->setItem(row, 0, id);
        m_dead->setItem(row, 1, cell(task.type));
        auto *reference = cell(task.reference);
        reference->setToolTip(task.reference);
        m_dead->setItem(row, 2, reference);
        m_dead->setItem(row, 3, cell(QString::number(task.attempts), Qt::AlignRight));
        m_dead->setItem(row, 4, cell(shortTime(task.deadAt)));
        auto *error = cell(task.lastError);
        error->setToolTip(task.lastError);
        m_dead->setItem(row, 5, error);
        if (selected.contains(task.id))
            m_dead->selectRow(row);
    }
    updateButtons();
}

QString PaymentsPage::customerName(const QString &customerId) const
{
    // The directory is an in-memory, thread-safe view: cheap enough for a few dozen rows.
    const Directory *directory = m_gateway->directory();
    const std::optional<Customer> customer
            = directory ? directory->customer(customerId) : std::nullopt;
    return customer && !customer->companyName.isEmpty() ? customer->companyName : customerId;
}

void PaymentsPage::reloadLedger()
{
    if (!m_billing) {
        m_totals->setText(tr("The ledger is not available."));
        return;
    }
    const Billing::Summary summary = m_billing->summary();
    QList<LedgerEntry> entries;
    for (const Mouse::LedgerEntry &row : summary.recent) {
        LedgerEntry entry;
        entry.time = QDateTime::fromMSecsSinceEpoch(row.createdAt, Qt::UTC);
        entry.customer = customerName(row.customerId);
        entry.type = row.type;
        entry.delta = row.amount;
        entry.balanceAfter = row.balanceAfter;
        entry.debtAfter = row.debtAfter;
        entry.description = row.description;
        entry.reference = row.referenceId;
        entries << entry;
    }
    setLedger(entries);

    const QLocale locale;
    // The count picks the plural form only (it may exceed an int); %1 shows it in full.
    const int heldForm = int(qMin<qint64>(summary.totalBalance, 1000));
    m_totals->setText(tr("%1 token(s) held  ·  %2 debt  ·  revenue %3  ·  orders: %4 completed, "
                         "%5 pending",
                         nullptr,
                         heldForm)
                              .arg(locale.toString(summary.totalBalance),
                                   locale.toString(summary.totalDebt),
                                   u"$"_s + locale.toString(summary.revenueCents / 100.0, 'f', 2),
                                   locale.toString(summary.ordersCompleted),
                                   locale.toString(summary.ordersPending)));
}

void PaymentsPage::setLedger(const QList<LedgerEntry> &entries)
{
    const QLocale locale;
    m_ledger->setRowCount(int(entries.size()));
    m_ledgerEmpty->setVisible(entries.isEmpty());
    for (int row = 0; row < entries.size(); ++row) {
        const LedgerEntry &entry = entries.at(row);
        m_ledger->setItem(row, 0, cell(shortTime(entry.time)));
        m_ledger->setItem(row, 1, cell(entry.customer));
        m_ledger->setItem(row, 2, cell(entry.type));
        auto *delta = cell((entry.delta > 0 ? u"+"_s : QString()) + locale.toString(entry.delta),
                           Qt::AlignRight);
        delta->setForeground(entry.delta < 0 ? QColor(0xa8, 0x32, 0x2d) : QColor(0x22, 0x7a, 0x40));
        m_ledger->setItem(row, 3, delta);
        auto *balance = cell(locale.toString(entry.balanceAfter), Qt::AlignRight);
        if (entry.debtAfter > 0) {
            balance->setText(tr("%1 (debt %2)")
                                     .arg(locale.toString(entry.balanceAfter),
                                          locale.toString(entry.debtAfter)));
            balance->setForeground(QColor(0xa8, 0x32, 0x2d));
        }
        m_ledger->setItem(row, 4, balance);
        m_ledger->setItem(row, 5, cell(entry.description));
        m_ledger->setItem(row, 6, cell(entry.reference));
    }
}

QStringList PaymentsPage::selectedTaskIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_dead->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(Qt::UserRole).toString();
    return ids;
}

void PaymentsPage::retrySelected()
{
    const QStringList ids = selectedTaskIds();
    if (ids.isEmpty() || !m_queue)
        return;
    operate(ids, true);
}

void PaymentsPage::discardSelected()
{
    const QStringList ids = selectedTaskIds();
    if (ids.isEmpty() || !m_queue)
        return;
    if (m_confirmDiscard) {
        const auto answer = QMessageBox::question(
                this,
                tr("Discard dead tasks"),
                tr("Discard %n dead task(s)? Their events stay stored and can be replayed.",
                   nullptr,
                   int(ids.size())));
        if (answer != QMessageBox::Yes)
            return;
    }
    operate(ids, false);
}

void PaymentsPage::operate(const QStringList &ids, bool retry)
{
    // Both are database writes: run them off the GUI thread, then reload the list.
    TaskQueue *queue = m_queue;
    m_retry->setEnabled(false);
    m_discard->setEnabled(false);
    QtConcurrent::run([queue, ids, retry] {
        int done = 0;
        for (const QString &id : ids)
            done += retry ? queue->retryDead(id) : queue->discardDead(id);
        return done;
    }).then(this, [this, ids, retry](int done) {
        m_gateway->eventLog()->info(
                u"payments"_s,
                retry ? u"Operator retried %1 of %2 dead tasks"_s.arg(done).arg(ids.size())
                      : u"Operator discarded %1 of %2 dead tasks"_s.arg(done).arg(ids.size()));
        m_deadDirty = true;
        emit operationFinished(done);
        reload();
    });
}

void PaymentsPage::togglePause()
{
    TaskQueue *queue = m_queue;
    if (!queue)
        return;
    if (queue->isPaused())
        queue->resume();
    else
        queue->pause();
    reload();
}

void PaymentsPage::updateButtons()
{
    const bool selected = !selectedTaskIds().isEmpty();
    m_retry->setEnabled(selected);
    m_discard->setEnabled(selected);
}

} // namespace Mouse::Ui

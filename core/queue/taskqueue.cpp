// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/queue/taskqueue.h"

#include "core/queue/sqlitestatement.h"
#include "core/queue/writetransaction.h"

#include "core/config/settings.h"
#include "core/log/eventlog.h"
#include "core/log/plural.h"
#include "core/logging.h"
#include "core/metrics/metrics.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QThreadPool>
#include <QWaitCondition>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <array>
#include <deque>
#include <exception>
#include <optional>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {} // namespace

QString TaskQueue::newTaskId()
{
    // Time first (ms, 12 hex digits), then 80 random bits: unique, and ids made together sort
    // together, so a batch of inserts touches a few pages of the primary key's index instead
    // of one random page per task (smaller group commits).
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch()) & 0xFFFFFFFFFFFFull;
    quint32 random[3];
    QRandomGenerator::global()->fillRange(random);
    // Lowercase hex, zero-padded, written in place: one allocation per id (one per event).
    QString id(4 + 12 + 8 + 8 + 4, Qt::Uninitialized);
    QChar *out = id.data();
    const auto put = [&out](quint64 value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            *out++ = QLatin1Char("0123456789abcdef"[(value >> shift) & 15]);
    };
    for (const char c : {'t', 's', 'k', '_'})
        *out++ = QLatin1Char(c);
    put(ms, 12);
    put(random[0], 8);
    put(random[1], 8);
    put(random[2] & 0xFFFF, 4);
    return id;
}

namespace {

QString priorityName(TaskPriority priority)
{
    switch (priority) {
    case TaskPriority::High:
        return u"high"_s;
    case TaskPriority::Normal:
        return u"normal"_s;
    case TaskPriority::Low:
        break;
    }
    return u"low"_s;
}

TaskPriority priorityFrom(int value)
{
    return value <= 0 ? TaskPriority::High
                      : (value == 1 ? TaskPriority::Normal : TaskPriority::Low);
}

QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

bool execQuery(QSqlQuery &query, const char *what)
{
    if (query.exec())
        return true;
    qCWarning(lcQueue) << what << "failed:" << query.lastError().text();
    return false;
}

// An operator's read or write failed in the store: *error gets the driver's text (for logs)
// and whether the store could not take it now. Returns false, for the caller's return.
bool storageFailed(const Database &database, const QSqlError &sqlError, StorageError *error)
{
    if (error)
        *error = database.storageError(sqlError); // never empty: empty means "no such task"
    return false;
}

} // namespace

// A failed attempt as finish() writes it: the task's next status (pending for a retry at
// runAt, or dead) and the attempt's history row.
struct TaskQueue::FailedAttempt
{
    bool dead = false;
    qint64 runAt = 0;
    qint64 at = 0; // when the attempt ended
    QString error;
    int writes = 1; // tries to record it so far
};

// One unfinished task as the scheduler sees it (no payload: that is read when it runs).
struct TaskQueue::Entry
{
    // Recording: the attempt failed and the database refused its record (disk full,
    // read-only, locked); the write is retried with backoff while the task keeps its key.
    enum class State { Waiting, Ready, Delayed, Running, Recording };

    QString id;
    QString type;
    TaskPriority priority = TaskPriority::Normal;
    QString key;
    qint64 seq = 0;
    qint64 createdAt = 0;
    qint64 runAt = 0;
    int attempt = 0;   // runs so far
    int retryFrom = 0; // attempt count when an operator last retried it
    State state = State::Waiting;
    std::optional<FailedAttempt> unrecorded; // while Recording
};

struct TaskQueue::Private
{
    mutable QMutex mutex;
    QWaitCondition changed;
    QHash<QString, TaskHandler> handlers;
    QHash<QString, TaskPool> poolOf;
    std::array<QThreadPool, 2> pools;
    std::array<int, 2> running{0, 0};     // worker runnables per pool
    qint64 inFlight = 0;                  // tasks claimed by a worker
    std::array<qint64, 3> depth{0, 0, 0}; // unfinished, not running, per priority
    // Ready entries per pool and priority, ordered by arrival.
    std::array<std::array<std::map<qint64, EntryPtr>, 3>, 2> ready;
    std::multimap<qint64, EntryPtr> delayed;     // by runAt
    std::multimap<qint64, EntryPtr> rerecord;    // unrecorded failures, by their next write
    qint64 recording = 0;                        // rerecord writes running on the pool
    QHash<QString, std::deque<EntryPtr>> chains; // ordering key -> entries, head first
    std::map<qint64, EntryPtr> unfinished;       // by seq
    QHash<QString, EntryPtr> staged;             // inserted, transaction not yet committed
    qint64 nextSeq = 1;
    bool started = false;
    bool stopping = false;
    bool paused = false;
    bool serializeWrites = true;

    std::atomic<qint64> dead{0}; // in the dead-letter list now
    std::atomic<quint64> changes{0};
    quint64 lastEmitted = 0;
    // metricsSnapshot() (/health, the dashboard) reads the very metrics GET /metrics shows:
    // the registry's when the queue has one, else its own.
    Metrics::Histogram ownLatency{Metrics::latencyBucketsMs()};
    Metrics::Counter ownCompleted;
    Metrics::Counter ownFailed;
    Metrics::Counter ownRetried;
    Metrics::Counter ownDeadLettered;
    Metrics::Counter ownRefusedRecords;
    qint64 unrecorded = 0; // tasks whose failed attempt is not written yet (under mutex)
    Metrics::Histogram *latency = &ownLatency;
    Metrics::Counter *completed = &ownCompleted;
    Metrics::Counter *failedAttempts = &ownFailed;
    Metrics::Counter *retried = &ownRetried;
    Metrics::Counter *deadLettered = &ownDeadLettered;
    Metrics::Counter *refusedRecords = &ownRefusedRecords;

    TaskPool poolFor(const QString &type) const { return poolOf.value(type, TaskPool::Payments); }
};

QJsonObject QueueMetricsSnapshot::toJson() const
{
    return QJsonObject{
            {u"depth"_s,
             QJsonObject{{u"high"_s, depthHigh},
                         {u"normal"_s, depthNormal},
                         {u"low"_s, depthLow},
                         {u"total"_s, depth()}}},
            {u"in_flight"_s, inFlight},
            {u"completed"_s, qint64(completed)},
            {u"failed_attempts"_s, qint64(failedAttempts)},
            {u"retried"_s, qint64(retried)},
            {u"dead"_s, dead},
            {u"unrecorded_failures"_s, unrecordedFailures},
            {u"processing_ms"_s,
             QJsonObject{{u"p50"_s, p50Ms}, {u"p95"_s, p95Ms}, {u"p99"_s, p99Ms}}},
            {u"oldest_pending_age_ms"_s, oldestPendingAgeMs},
            {u"paused"_s, paused},
    };
}

TaskQueue::Options TaskQueue::Options::fromSettings(const Settings &settings)
{
    Options o;
    o.paymentWorkers = int(settings.integer(u"queue/payment_workers"_s));
    o.backgroundWorkers = int(settings.integer(u"queue/background_workers"_s));
    o.maxRetries = int(settings.integer(u"queue/max_retries"_s));
    o.retryBaseMs = settings.integer(u"queue/retry_base_ms"_s);
    o.retryCapMs = settings.integer(u"queue/retry_cap_ms"_s);
    o.maxBacklog = settings.integer(u"queue/max_backlog"_s);
    o.retentionDays = int(settings.integer(u"queue/retention_days"_s));
    o.retentionCount = settings.integer(u"queue/retention_count"_s);
    return o;
}

TaskQueue::TaskQueue(Database &database,
                     Options options,
                     EventLog *eventLog,
                     Metrics::Registry *metrics,
                     QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_options(std::move(options))
    , m_eventLog(eventLog)
    , d(std::make_unique<Private>())
{
    d->serializeWrites
            = m_options.serializeWrites.value_or(database.kind() == Database::Kind::Sqlite);
    d->pools[0].setMaxThreadCount(m_options.paymentWorkers);
    d->pools[1].setMaxThreadCount(m_options.backgroundWorkers);
    d->pools[0].setObjectName(u"payments"_s);
    d->pools[1].setObjectName(u"background"_s);
    // Worker threads keep their database connection: never let them expire.
    d->pools[0].setExpiryTimeout(-1);
    d->pools[1].setExpiryTimeout(-1);

    if (metrics) {
        d->latency = &metrics->histogram(u"mouse_queue_processing_ms"_s,
                                         u"Task handler and commit time"_s,
                                         Metrics::latencyBucketsMs());
        d->completed = &metrics->counter(u"mouse_queue_completed_total"_s, u"Tasks completed"_s);
        d->failedAttempts = &metrics->counter(u"mouse_queue_failed_attempts_total"_s,
                                              u"Task attempts that failed"_s);
        d->retried = &metrics->counter(u"mouse_queue_retried_total"_s, u"Task retries scheduled"_s);
        d->deadLettered = &metrics->counter(u"mouse_queue_dead_lettered_total"_s,
                                            u"Tasks moved to the dead-letter list"_s);
        d->refusedRecords = &metrics->counter(
                u"mouse_queue_unrecorded_failures_total"_s,
                u"Writes of a failed attempt (retry or dead letter) the database refused"_s);
        metrics->callbackGauge(u"mouse_queue_unrecorded_failures"_s,
                               u"Tasks whose failed attempt waits to be written again"_s,
                               [this] { return double(metricsSnapshot().unrecordedFailures); });
        const std::array<TaskPriority, 3> priorities{
                TaskPriority::High, TaskPriority::Normal, TaskPriority::Low};
        for (TaskPriority priority : priorities) {
            metrics->callbackGauge(u"mouse_queue_depth"_s,
                                   u"Unfinished tasks not running, per priority"_s,
                                   [this, priority] {
                                       const QueueMetricsSnapshot s = metricsSnapshot();
                                       return double(priority == TaskPriority::High ? s.depthHigh
                                                     : priority == TaskPriority::Normal
                                                             ? s.depthNormal
                                                             : s.depthLow);
                                   },
                                   {{u"priority"_s, priorityName(priority)}});
        }
        metrics->callbackGauge(u"mouse_queue_in_flight"_s, u"Tasks running"_s, [this] {
            return double(metricsSnapshot().inFlight);
        });
        metrics->callbackGauge(u"mouse_queue_dead"_s, u"Tasks in the dead-letter list"_s, [this] {
            return double(d->dead.load());
        });
        metrics->callbackGauge(u"mouse_queue_oldest_pending_age_ms"_s,
                               u"Age of the oldest unfinished task"_s,
                               [this] { return double(metricsSnapshot().oldestPendingAgeMs); });
    }

    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &TaskQueue::processDueRetries);
    m_pruneTimer.setInterval(int(qMin<qint64>(m_options.pruneIntervalMs, 24 * 3600 * 1000)));
    connect(&m_pruneTimer, &QTimer::timeout, this, [this] {
        d->pools[1].start([this] { pruneNow(); });
    });
    m_metricsTimer.setInterval(500);
    connect(&m_metricsTimer, &QTimer::timeout, this, &TaskQueue::emitMetricsIfChanged);
}

TaskQueue::~TaskQueue()
{
    stop();
}

bool TaskQueue::serializesWrites() const
{
    return d->serializeWrites;
}

qint64 TaskQueue::now() const
{
    return m_options.clock ? m_options.clock() : QDateTime::currentMSecsSinceEpoch();
}

void TaskQueue::registerHandler(const QString &type, TaskHandler handler, TaskPool pool)
{
    QMutexLocker lock(&d->mutex);
    d->handlers.insert(type, std::move(handler));
    d->poolOf.insert(type, pool);
    dispatchLocked();
}

bool TaskQueue::start(QString *error)
{
    if (!loadUnfinished(error))
        return false;
    {
        QMutexLocker lock(&d->mutex);
        d->started = true;
        d->stopping = false;
        dispatchLocked();
    }
    scheduleRetryTimer();
    m_pruneTimer.start();
    m_metricsTimer.start();
    return true;
}

bool TaskQueue::loadUnfinished(QString *error)
{
    QSqlDatabase db = m_database.connection();
    const qint64 at = now();
    {
        // A task claimed by a process that died: record the interrupted attempt, run it again.
        WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
        QSqlQuery attempts(db);
        attempts.prepare(
                u"INSERT INTO task_attempts (task_id, attempt, started_at, finished_at, "
                "outcome, error) SELECT id, attempt, COALESCE(claimed_at, ?), CAST(? AS BIGINT), "
                "'interrupted', 'the gateway stopped while it ran' FROM tasks "
                "WHERE status = 'running'"_s);
        attempts.addBindValue(at);
        attempts.addBindValue(at);
        QSqlQuery reset(db);
        reset.prepare(u"UPDATE tasks SET status = 'pending' WHERE status = 'running'"_s);
        if (!tx.isOpen() || !execQuery(attempts, "recording interrupted attempts")
            || !execQuery(reset, "resetting interrupted tasks") || !tx.commit()) {
            *error = u"the task queue could not recover interrupted tasks"_s;
            return false;
        }
        if (reset.numRowsAffected() > 0 && m_eventLog)
            m_eventLog->warning(u"payments"_s,
                                u"%1 interrupted by the last stop will run again"_s.arg(
                                        counted(reset.numRowsAffected(), u"task", u"tasks")));
    }

    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(u"SELECT id, type, priority, ordering_key, seq, created_at, run_at, attempt, "
                    "retry_from FROM tasks WHERE status = 'pending' ORDER BY seq"_s)) {
        *error = u"the task queue could not read its tasks"_s;
        qCWarning(lcQueue) << query.lastError().text();
        return false;
    }
    QMutexLocker lock(&d->mutex);
    while (query.next()) {
        auto entry = std::make_shared<Entry>();
        entry->id = query.value(0).toString();
        entry->type = query.value(1).toString();
        entry->priority = priorityFrom(query.value(2).toInt());
        entry->key = query.value(3).toString();
        entry->seq = query.value(4).toLongLong();
        entry->createdAt = query.value(5).toLongLong();
        entry->runAt = query.value(6).toLongLong();
        entry->attempt = query.value(7).toInt();
        entry->retryFrom = query.value(8).toInt();
        addLocked(entry);
    }
    QSqlQuery seq(db);
    if (seq.exec(u"SELECT MAX(seq) FROM tasks"_s) && seq.next())
        d->nextSeq = qMax(d->nextSeq, seq.value(0).toLongLong() + 1);
    QSqlQuery dead(db);
    if (dead.exec(u"SELECT COUNT(*) FROM tasks WHERE status = 'dead'"_s) && dead.next())
        d->dead = dead.value(0).toLongLong();
    qCInfo(lcQueue) << "queue started with" << d->unfinished.size() << "unfinished tasks";
    return true;
}

void TaskQueue::stop(int timeoutMs)
{
    {
        QMutexLocker lock(&d->mutex);
        if (!d->started)
            return;
        d->stopping = true;
        d->started = false;
    }
    m_retryTimer.stop();
    m_pruneTimer.stop();
    m_metricsTimer.stop();
    // Shutdown only: bounded wait for the tasks that are running to commit or roll back.
    d->pools[0].waitForDone(timeoutMs);
    d->pools[1].waitForDone(timeoutMs);
    QMutexLocker lock(&d->mutex);
    for (auto &pool : d->ready)
        for (auto &list : pool)
            list.clear();
    d->delayed.clear();
    d->rerecord.clear();
    d->unrecorded = 0;
    d->chains.clear();
    d->unfinished.clear();
    d->depth = {0, 0, 0};
    d->changed.wakeAll();
}

QString TaskQueue::insert(QSqlDatabase &db, const NewTask &task, qint64 nowMs)
{
    const QStringList ids = insertMany(db, {task}, nowMs);
    return ids.value(0);
}

QStringList TaskQueue::insertMany(QSqlDatabase &db, const QList<NewTask> &tasks, qint64 nowMs)
{
    Inserter inserter(*this, db);
    return inserter.insert(tasks, nowMs);
}

namespace {

constexpr char kInsertTask[]
        = "INSERT INTO tasks (id, seq, type, priority, ordering_key, reference, payload, "
          "status, attempt, retry_from, run_at, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, 0, ?, ?)";

} // namespace

TaskQueue::Inserter::Inserter(TaskQueue &queue, const QSqlDatabase &db)
    : m_queue(queue)
    , m_sqlite(std::make_unique<SqliteStatement>(db, kInsertTask))
{
    // One row per statement: multi-row VALUES lists cost the SQLite driver and parser time
    // quadratic in their placeholders, and a prepared single row is reused for every task.
    if (m_sqlite->isValid()) {
        m_prepared = true;
        return;
    }
    m_sqlite.reset();
    m_query = std::make_unique<QSqlQuery>(db);
    m_prepared = m_query->prepare(QString::fromLatin1(kInsertTask));
    if (!m_prepared)
        qCWarning(lcQueue) << "preparing the task insert failed:" << m_query->lastError().text();
}

TaskQueue::Inserter::~Inserter() = default;

bool TaskQueue::Inserter::write(const NewTask &task, const Entry &entry, qint64 nowMs)
{
    if (m_sqlite) {
        SqliteStatement &insert = *m_sqlite;
        insert.bind(1, entry.id);
        insert.bind(2, entry.seq);
        insert.bind(3, task.type);
        insert.bind(4, qint64(task.priority));
        if (task.orderingKey.isEmpty())
            insert.bindNull(5);
        else
            insert.bind(5, task.orderingKey);
        if (task.reference.isEmpty())
            insert.bindNull(6);
        else
            insert.bind(6, task.reference);
        insert.bind(7, task.payload);
        insert.bind(8, nowMs);
        insert.bind(9, nowMs);
        return insert.run();
    }
    QSqlQuery &query = *m_query;
    query.bindValue(0, entry.id);
    query.bindValue(1, entry.seq);
    query.bindValue(2, task.type);
    query.bindValue(3, int(task.priority));
    query.bindValue(4, nullable(task.orderingKey));
    query.bindValue(5, nullable(task.reference));
    query.bindValue(6, QString::fromUtf8(task.payload));
    query.bindValue(7, nowMs);
    query.bindValue(8, nowMs);
    const bool ok = execQuery(query, "inserting a task");
    query.finish();
    return ok;
}

QStringList TaskQueue::Inserter::insert(const QList<NewTask> &tasks, qint64 nowMs)
{
    if (!m_prepared)
        return {};
    std::vector<EntryPtr> entries;
    entries.reserve(size_t(tasks.size()));
    {
        QMutexLocker lock(&m_queue.d->mutex);
        for (const NewTask &task : tasks) {
            auto entry = std::make_shared<Entry>();
            entry->id = task.id.isEmpty() ? newTaskId() : task.id;
            entry->type = task.type;
            entry->priority = task.priority;
            entry->key = task.orderingKey;
            entry->createdAt = nowMs;
            entry->runAt = nowMs;
            entry->seq = m_queue.d->nextSeq++;
            entries.push_back(entry);
        }
    }

    for (qsizetype i = 0; i < tasks.size(); ++i) {
        if (!write(tasks[i], *entries[size_t(i)], nowMs))
            return {};
    }

    QStringList ids;
    ids.reserve(tasks.size());
    QMutexLocker lock(&m_queue.d->mutex);
    for (const EntryPtr &entry : entries) {
        m_queue.d->staged.insert(entry->id, entry);
        ids.append(entry->id);
    }
    return ids;
}

void TaskQueue::announce(const QStringList &taskIds)
{
    QMutexLocker lock(&d->mutex);
    for (const QString &id : taskIds) {
        const EntryPtr entry = d->staged.take(id);
        if (entry && !d->stopping)
            addLocked(entry);
    }
    dispatchLocked();
    d->changes.fetch_add(1);
}

void TaskQueue::forget(const QStringList &taskIds)
{
    QMutexLocker lock(&d->mutex);
    for (const QString &id : taskIds)
        d->staged.remove(id);
}

QString TaskQueue::enqueue(const NewTask &task)
{
    QSqlDatabase db = m_database.connection();
    QString id;
    {
        WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
        if (!tx.isOpen())
            return {};
        id = insert(db, task, now());
        if (id.isEmpty() || !tx.commit()) {
            forget({id});
            return {};
        }
    }
    announce({id});
    return id;
}

QString TaskQueue::replay(const NewTask &task)
{
    return enqueue(task);
}

void TaskQueue::addLocked(const EntryPtr &entry)
{
    d->unfinished.emplace(entry->seq, entry);
    ++d->depth[int(entry->priority)];
    if (entry->key.isEmpty()) {
        makeEligibleLocked(entry);
        return;
    }
    std::deque<EntryPtr> &chain = d->chains[entry->key];
    chain.push_back(entry);
    entry->state = Entry::State::Waiting;
    if (chain.size() == 1)
        makeEligibleLocked(entry);
}

void TaskQueue::makeEligibleLocked(const EntryPtr &entry)
{
    if (entry->runAt > now()) {
        entry->state = Entry::State::Delayed;
        d->delayed.emplace(entry->runAt, entry);
        requestRetryTimer();
        return;
    }
    entry->state = Entry::State::Ready;
    const int pool = int(d->poolFor(entry->type));
    d->ready[pool][int(entry->priority)].emplace(entry->seq, entry);
}

void TaskQueue::releaseKeyLocked(const EntryPtr &entry)
{
    d->unfinished.erase(entry->seq);
    if (entry->key.isEmpty())
        return;
    auto chain = d->chains.find(entry->key);
    if (chain == d->chains.end())
        return;
    std::deque<EntryPtr> &list = chain.value();
    if (!list.empty() && list.front() == entry)
        list.pop_front();
    if (list.empty()) {
        d->chains.erase(chain);
        return;
    }
    makeEligibleLocked(list.front());
}

void TaskQueue::dispatchLocked()
{
    if (!d->started || d->stopping || d->paused)
        return;
    for (int pool = 0; pool < 2; ++pool) {
        while (d->running[pool] < d->pools[pool].maxThreadCount()) {
            EntryPtr next;
            for (auto &list : d->ready[pool]) {
                // A type without a handler waits (it may be registered later).
                for (auto it = list.begin(); it != list.end(); ++it) {
                    if (d->handlers.contains(it->second->type)) {
                        next = it->second;
                        list.erase(it);
                        break;
                    }
                }
                if (next)
                    break;
            }
            if (!next)
                break;
            next->state = Entry::State::Running;
            --d->depth[int(next->priority)];
            ++d->inFlight;
            ++d->running[pool];
            d->pools[pool].start([this, next] { run(next); });
        }
    }
}

namespace {

// Payment work yields the CPU to the HTTP thread and the intake writer: under a burst,
// acknowledgements come first and processing takes what is left (Linux: per-thread nice).
void lowerWorkerPriority()
{
#ifdef Q_OS_LINUX
    static thread_local bool lowered = false;
    if (!lowered) {
        ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 5);
        lowered = true;
    }
#endif
}

bool savepoint(QSqlDatabase &db, const char *statement)
{
    QSqlQuery query(db);
    return query.exec(QString::fromLatin1(statement));
}

} // namespace

std::optional<Task> TaskQueue::loadTask(QSqlDatabase &db, const EntryPtr &entry)
{
    QSqlQuery load(db);
    load.prepare(u"SELECT reference, payload, attempt FROM tasks WHERE id = ? AND status = "
                 "'pending'"_s);
    load.addBindValue(entry->id);
    if (!load.exec() || !load.next())
        return std::nullopt;
    Task task;
    task.id = entry->id;
    task.type = entry->type;
    task.priority = entry->priority;
    task.orderingKey = entry->key;
    task.reference = load.value(0).toString();
    task.payload = load.value(1).toString().toUtf8();
    task.attempt = load.value(2).toInt() + 1;
    task.createdAt = entry->createdAt;
    entry->attempt = task.attempt;
    return task;
}

void TaskQueue::run(const EntryPtr &first)
{
    lowerWorkerPriority();
    QSqlDatabase db = m_database.connection();
    const int pool = int(d->poolFor(first->type));
    // Workers commit without an fsync of their own (WAL, synchronous=NORMAL): a commit is
    // still atomic, and one lost to a power failure loses the handler's effects together with
    // the processed and done marks, so the task simply runs again: exactly once either way.
    // The intake's next commit (synchronous=FULL) syncs the WAL, these frames included.
    const bool sqlite = db.driverName() == QLatin1String("QSQLITE");
    if (sqlite) {
        QSqlQuery(db).exec(u"PRAGMA synchronous=NORMAL"_s);
        QSqlQuery(db).exec(m_checkpointsElsewhere ? u"PRAGMA wal_autocheckpoint=0"_s
                                                  : u"PRAGMA wal_autocheckpoint=1000"_s);
    }

    // This worker takes every ready head of its pool (up to a bound) and runs them in as few
    // transactions as it can: one fsync for many tasks. They have distinct ordering keys
    // (only the head of a key is ever ready), so none waits for another in the batch.
    std::vector<EntryPtr> batch{first};
    {
        QMutexLocker lock(&d->mutex);
        takeReadyLocked(pool, kMaxBatch - 1, &batch);
    }

    std::vector<std::pair<EntryPtr, Task>> claimed;
    claimed.reserve(batch.size());
    for (const EntryPtr &entry : batch) {
        if (std::optional<Task> task = loadTask(db, entry)) {
            claimed.emplace_back(entry, std::move(*task));
        } else {
            // Finished or discarded behind our back (an operator); nothing to run.
            QMutexLocker lock(&d->mutex);
            --d->inFlight;
            releaseKeyLocked(entry);
        }
    }
    QSqlError claimError;
    if (!claimed.empty() && !claim(db, claimed, &claimError)) {
        // A store that cannot take the claim now costs the tasks no retry.
        const QString why = u"the task could not be claimed"_s;
        const TaskResult result = m_database.isUnavailable(claimError)
                                          ? TaskResult::unavailable(why)
                                          : TaskResult::retry(why);
        for (auto &[entry, task] : claimed)
            finish(entry, result, QString());
        claimed.clear();
    }

    size_t next = 0;
    while (next < claimed.size()) {
        next = runSome(db, claimed, next);
    }

    if (sqlite)
        QSqlQuery(db).exec(u"PRAGMA synchronous=FULL"_s);

    QMutexLocker lock(&d->mutex);
    --d->running[pool];
    d->changes.fetch_add(1);
    dispatchLocked();
    d->changed.wakeAll();
}

void TaskQueue::takeReadyLocked(int pool, int max, std::vector<EntryPtr> *into)
{
    for (auto &list : d->ready[pool]) {
        for (auto it = list.begin(); it != list.end() && max > 0;) {
            if (!d->handlers.contains(it->second->type)) {
                ++it;
                continue;
            }
            it->second->state = Entry::State::Running;
            --d->depth[int(it->second->priority)];
            ++d->inFlight;
            into->push_back(it->second);
            it = list.erase(it);
            --max;
        }
    }
}

bool TaskQueue::claim(QSqlDatabase &db,
                      const std::vector<std::pair<EntryPtr, Task>> &tasks,
                      QSqlError *why)
{
    // The claim survives a crash only as well as the next full sync makes it: losing it
    // merely means a task looks pending instead of interrupted, so it costs no fsync (run()
    // put this connection in synchronous=NORMAL).
    bool ok = false;
    {
        WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
        QSqlQuery update(db);
        update.prepare(u"UPDATE tasks SET status = 'running', attempt = ?, claimed_at = ? "
                       "WHERE id = ?"_s);
        ok = tx.isOpen();
        if (!ok)
            *why = tx.error();
        const qint64 at = now();
        for (const auto &[entry, task] : tasks) {
            if (!ok)
                break;
            update.addBindValue(task.attempt);
            update.addBindValue(at);
            update.addBindValue(task.id);
            ok = execQuery(update, "claiming a task");
            if (!ok)
                *why = update.lastError();
        }
        if (ok && !tx.commit()) {
            ok = false;
            *why = tx.error();
        }
    }
    return ok;
}

size_t
TaskQueue::runSome(QSqlDatabase &db, std::vector<std::pair<EntryPtr, Task>> &tasks, size_t from)
{
    struct Ran
    {
        size_t index;
        TaskResult result;
        double ms;
    };
    std::vector<Ran> ran;
    size_t next = from;
    bool committed = false;
    QSqlError txError;
    {
        WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
        QSqlQuery done(db);
        done.prepare(u"UPDATE tasks SET status = 'done', finished_at = ?, last_error = NULL "
                     "WHERE id = ?"_s);
        QSqlQuery attempt(db);
        attempt.prepare(u"INSERT INTO task_attempts (task_id, attempt, started_at, "
                        "finished_at, outcome) VALUES (?, ?, ?, ?, 'done')"_s);
        while (tx.isOpen() && next < tasks.size()) {
            // An acknowledgement is waiting for the write lock: commit what we have now.
            if (!ran.empty() && m_urgentWriters.count() > 0)
                break;
            auto &[entry, task] = tasks[next];
            QElapsedTimer timer;
            timer.start();
            const qint64 startedAt = now();
            TaskResult result;
            // Each task in its own savepoint: a retry rolls back its writes only.
            if (!savepoint(db, "SAVEPOINT mouse_task")) {
                result = TaskResult::retry(u"the database is busy"_s);
            } else {
                try {
                    TaskHandler handler;
                    {
                        QMutexLocker lock(&d->mutex);
                        handler = d->handlers.value(entry->type);
                    }
                    result = handler(task, db);
                } catch (const std::exception &e) {
                    result = TaskResult::retry(QString::fromUtf8(e.what()));
                } catch (...) {
                    result = TaskResult::retry(u"the handler threw"_s);
                }
                if (result.kind == TaskResult::Kind::Done) {
                    const qint64 finishedAt = now();
                    done.addBindValue(finishedAt);
                    done.addBindValue(task.id);
                    attempt.addBindValue(task.id);
                    attempt.addBindValue(task.attempt);
                    attempt.addBindValue(startedAt);
                    attempt.addBindValue(finishedAt);
                    if (!execQuery(done, "marking a task done")
                        || !execQuery(attempt, "recording an attempt"))
                        result = TaskResult::retry(u"the result could not be recorded"_s);
                }
                if (result.kind != TaskResult::Kind::Done)
                    savepoint(db, "ROLLBACK TO SAVEPOINT mouse_task");
                savepoint(db, "RELEASE SAVEPOINT mouse_task");
            }
            ran.push_back({next, result, double(timer.nsecsElapsed()) / 1e6});
            ++next;
        }
        committed = tx.isOpen() && tx.commit();
        txError = tx.error();
        // Not committed: the transaction rolled back with every write of every handler.
    }
    // The queue's own BEGIN or COMMIT failed: a store that cannot take it now costs the
    // tasks no retry (TaskResult::unavailable), any other failure does.
    const auto storageRetry = [this, &txError](const QString &message) {
        return m_database.isUnavailable(txError) ? TaskResult::unavailable(message)
                                                 : TaskResult::retry(message);
    };
    if (ran.empty()) {
        // Could not even begin: everything left is retried later.
        for (size_t i = from; i < tasks.size(); ++i)
            finish(tasks[i].first, storageRetry(u"the database is busy"_s), u""_s);
        return tasks.size();
    }
    for (Ran &r : ran) {
        if (!committed && r.result.kind == TaskResult::Kind::Done)
            r.result = storageRetry(u"the result could not be committed"_s);
        d->latency->Observe(r.ms);
        finish(tasks[r.index].first, r.result, r.result.message);
    }
    return next;
}

void TaskQueue::finish(const EntryPtr &entry, const TaskResult &result, const QString &attemptError)
{
    const qint64 at = now();
    const bool done = result.kind == TaskResult::Kind::Done;
    bool toDead = result.kind == TaskResult::Kind::Fail;
    qint64 runAt = at;
    if (!done) {
        d->failedAttempts->Increment();
        const int retryNumber = entry->attempt - entry->retryFrom;
        if (!toDead && retryNumber > m_options.maxRetries && !result.storageUnavailable)
            toDead = true;
        if (!toDead)
            runAt = at + backoffMs(retryNumber);
    }

    if (!done && !attemptError.isNull()) {
        const FailedAttempt failed{toDead, runAt, at, attemptError.left(1000)};
        if (!recordFailedAttempt(entry, failed)) {
            holdUnrecorded(entry, failed);
            return;
        }
    }
    settle(entry, done, toDead, runAt, attemptError, true);
}

bool TaskQueue::recordFailedAttempt(const EntryPtr &entry, const FailedAttempt &failed)
{
    QSqlDatabase db = m_database.connection();
    WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
    QSqlQuery update(db);
    update.prepare(u"UPDATE tasks SET status = ?, run_at = ?, last_error = ?, "
                   "finished_at = ? WHERE id = ?"_s);
    update.addBindValue(failed.dead ? u"dead"_s : u"pending"_s);
    update.addBindValue(failed.runAt);
    update.addBindValue(failed.error);
    update.addBindValue(failed.dead ? QVariant(failed.at)
                                    : QVariant(QMetaType(QMetaType::LongLong)));
    update.addBindValue(entry->id);
    QSqlQuery attempt(db);
    attempt.prepare(u"INSERT INTO task_attempts (task_id, attempt, started_at, finished_at, "
                    "outcome, error) VALUES (?, ?, ?, ?, ?, ?)"_s);
    attempt.addBindValue(entry->id);
    attempt.addBindValue(entry->attempt);
    attempt.addBindValue(failed.at);
    attempt.addBindValue(failed.at);
    attempt.addBindValue(failed.dead ? u"failed"_s : u"retry"_s);
    attempt.addBindValue(failed.error);
    // A dead-lettered event shows as failed where operators look for it; a retry from the
    // dead-letter list puts it back to received.
    QSqlQuery event(db);
    event.prepare(u"UPDATE stripe_events SET status = 'failed' WHERE status = 'received' "
                  "AND event_id = (SELECT reference FROM tasks WHERE id = ?)"_s);
    event.addBindValue(entry->id);
    return tx.isOpen() && execQuery(update, "recording a failed attempt")
           && execQuery(attempt, "recording an attempt")
           && (!failed.dead || execQuery(event, "marking a dead event failed")) && tx.commit();
}

// The database refused to record a failed attempt (disk full, read-only, locked). Counting
// the task dead, or scheduling its retry, in memory only would be a lie: in storage it is
// still claimed (running), the dead-letter list would not show it, and a retry would find
// it not pending and drop it. So the task keeps its key and stays unfinished, the record is
// written again with backoff, and only then is the outcome counted. Should the gateway stop
// first, the claimed task resumes at the next start as an interrupted attempt: never lost.
void TaskQueue::holdUnrecorded(const EntryPtr &entry, const FailedAttempt &failed)
{
    d->refusedRecords->Increment();
    const qint64 retryIn = backoffMs(failed.writes);
    const bool first = failed.writes == 1;
    {
        QMutexLocker lock(&d->mutex);
        if (first) {
            --d->inFlight;
            ++d->unrecorded;
        }
        entry->state = Entry::State::Recording;
        entry->unrecorded = failed;
        if (d->started)
            d->rerecord.emplace(now() + retryIn, entry);
        d->changes.fetch_add(1);
        dispatchLocked();
        d->changed.wakeAll();
    }
    requestRetryTimer();
    qCWarning(lcQueue) << "task" << entry->id << "failure not recorded (write" << failed.writes
                       << "); written again in" << retryIn << "ms";
    if (first && m_eventLog)
        m_eventLog->warning(u"payments"_s,
                            u"Task %1 (%2) failed, but the database refused to record it as %3; "
                            "it stays pending in storage and the write is retried in %4 s"_s
                                    .arg(entry->id,
                                         entry->type,
                                         failed.dead ? u"dead-lettered"_s : u"due for a retry"_s)
                                    .arg(double(retryIn) / 1000.0, 0, 'f', 1));
}

void TaskQueue::retryRecord(const EntryPtr &entry)
{
    FailedAttempt failed;
    {
        QMutexLocker lock(&d->mutex);
        failed = *entry->unrecorded;
    }
    if (recordFailedAttempt(entry, failed)) {
        {
            QMutexLocker lock(&d->mutex);
            entry->unrecorded.reset();
            --d->unrecorded;
        }
        if (m_eventLog)
            m_eventLog->info(
                    u"payments"_s,
                    u"The failed attempt of task %1 (%2) was recorded after %3"_s.arg(
                            entry->id, entry->type, counted(failed.writes, u"try", u"tries")));
        settle(entry, false, failed.dead, failed.runAt, failed.error, false);
    } else {
        ++failed.writes;
        holdUnrecorded(entry, failed);
    }
    // Only now: waitForIdle() must not return while the outcome is being counted.
    QMutexLocker lock(&d->mutex);
    --d->recording;
    d->changes.fetch_add(1);
    d->changed.wakeAll();
}

// Counts a recorded outcome once, and releases the task's key or schedules its retry.
void TaskQueue::settle(const EntryPtr &entry,
                       bool done,
                       bool toDead,
                       qint64 runAt,
                       const QString &attemptError,
                       bool wasRunning)
{
    if (toDead && !attemptError.isNull()) {
        d->dead.fetch_add(1);
        d->deadLettered->Increment();
        // The attempts since an operator's retry, and the task's own count when they differ.
        QString attempts = counted(entry->attempt - entry->retryFrom, u"attempt", u"attempts");
        if (entry->retryFrom > 0)
            attempts += u" since its retry (%1 in all)"_s.arg(entry->attempt);
        if (m_eventLog)
            m_eventLog->error(u"payments"_s,
                              u"Task %1 (%2) moved to the dead-letter list after %3"_s.arg(
                                      entry->id, entry->type, attempts));
        emit taskDeadLettered(entry->id, entry->type, attemptError);
    } else if (done) {
        d->completed->Increment();
    } else if (!toDead) {
        d->retried->Increment();
    }

    QMutexLocker lock(&d->mutex);
    if (wasRunning)
        --d->inFlight;
    if (d->started) {
        if (done || toDead) {
            releaseKeyLocked(entry);
        } else {
            // Stays at the head of its key: its successors wait for it.
            ++d->depth[int(entry->priority)];
            entry->runAt = runAt;
            makeEligibleLocked(entry);
        }
    }
    d->changes.fetch_add(1);
    dispatchLocked();
    d->changed.wakeAll();
}

qint64 TaskQueue::backoffMs(int retry) const
{
    const int exponent = qBound(0, retry - 1, 40);
    const double full = qMin(double(m_options.retryCapMs),
                             double(m_options.retryBaseMs) * double(qint64(1) << exponent));
    const double random
            = m_options.random ? m_options.random() : QRandomGenerator::global()->generateDouble();
    // "Equal jitter": at least half the delay, so retries never bunch at zero.
    return qint64(full / 2 + random * full / 2);
}

void TaskQueue::requestRetryTimer()
{
    // Timers belong to the queue's thread; the caller may be a worker.
    QMetaObject::invokeMethod(this, &TaskQueue::scheduleRetryTimer, Qt::QueuedConnection);
}

void TaskQueue::scheduleRetryTimer()
{
    qint64 next = -1;
    {
        QMutexLocker lock(&d->mutex);
        if (!d->delayed.empty())
            next = d->delayed.begin()->first;
        if (!d->rerecord.empty() && (next < 0 || d->rerecord.begin()->first < next))
            next = d->rerecord.begin()->first;
    }
    if (next < 0) {
        m_retryTimer.stop();
        return;
    }
    m_retryTimer.start(int(qBound<qint64>(0, next - now(), qint64(3600) * 1000)));
}

void TaskQueue::processDueRetries()
{
    {
        QMutexLocker lock(&d->mutex);
        const qint64 at = now();
        while (!d->delayed.empty() && d->delayed.begin()->first <= at) {
            const EntryPtr entry = d->delayed.begin()->second;
            d->delayed.erase(d->delayed.begin());
            makeEligibleLocked(entry);
        }
        // Failed attempts the database refused: written again off this (the HTTP) thread.
        while (d->started && !d->rerecord.empty() && d->rerecord.begin()->first <= at) {
            const EntryPtr entry = d->rerecord.begin()->second;
            d->rerecord.erase(d->rerecord.begin());
            ++d->recording;
            d->pools[1].start([this, entry] { retryRecord(entry); });
        }
        dispatchLocked();
    }
    scheduleRetryTimer();
}

qint64 TaskQueue::backlog() const
{
    QMutexLocker lock(&d->mutex);
    return qint64(d->unfinished.size() + d->staged.size());
}

bool TaskQueue::isBacklogFull(qint64 extra) const
{
    return backlog() + extra >= m_options.maxBacklog;
}

void TaskQueue::pause()
{
    QMutexLocker lock(&d->mutex);
    d->paused = true;
    d->changes.fetch_add(1);
    if (m_eventLog)
        m_eventLog->warning(u"payments"_s, u"Queue processing paused by an operator"_s);
}

void TaskQueue::resume()
{
    QMutexLocker lock(&d->mutex);
    d->paused = false;
    d->changes.fetch_add(1);
    dispatchLocked();
    if (m_eventLog)
        m_eventLog->info(u"payments"_s, u"Queue processing resumed"_s);
}

bool TaskQueue::isPaused() const
{
    QMutexLocker lock(&d->mutex);
    return d->paused;
}

bool TaskQueue::retryDead(const QString &taskId, StorageError *error)
{
    QSqlDatabase db = m_database.connection();
    auto entry = std::make_shared<Entry>();
    {
        WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
        if (!tx.isOpen())
            return storageFailed(m_database, tx.error(), error);
        QSqlQuery update(db);
        update.prepare(u"UPDATE tasks SET status = 'pending', retry_from = attempt, run_at = ?, "
                       "finished_at = NULL WHERE id = ? AND status = 'dead'"_s);
        update.addBindValue(now());
        update.addBindValue(taskId);
        if (!execQuery(update, "retrying a dead task"))
            return storageFailed(m_database, update.lastError(), error);
        if (update.numRowsAffected() != 1)
            return false; // no dead task of that id
        QSqlQuery event(db);
        event.prepare(u"UPDATE stripe_events SET status = 'received' WHERE status = 'failed' "
                      "AND event_id = (SELECT reference FROM tasks WHERE id = ?)"_s);
        event.addBindValue(taskId);
        if (!execQuery(event, "reopening a failed event"))
            return storageFailed(m_database, event.lastError(), error);
        QSqlQuery row(db);
        row.prepare(u"SELECT type, priority, ordering_key, seq, created_at, run_at, attempt, "
                    "retry_from FROM tasks WHERE id = ?"_s);
        row.addBindValue(taskId);
        if (!execQuery(row, "reading a task") || !row.next())
            return storageFailed(m_database, row.lastError(), error); // updated just above
        entry->id = taskId;
        entry->type = row.value(0).toString();
        entry->priority = priorityFrom(row.value(1).toInt());
        entry->key = row.value(2).toString();
        entry->seq = row.value(3).toLongLong();
        entry->createdAt = row.value(4).toLongLong();
        entry->runAt = row.value(5).toLongLong();
        entry->attempt = row.value(6).toInt();
        entry->retryFrom = row.value(7).toInt();
        row.finish();
        if (!tx.commit())
            return storageFailed(m_database, tx.error(), error);
    }
    d->dead.fetch_sub(1);
    QMutexLocker lock(&d->mutex);
    if (d->started)
        addLocked(entry);
    d->changes.fetch_add(1);
    dispatchLocked();
    return true;
}

bool TaskQueue::discardDead(const QString &taskId, StorageError *error)
{
    QSqlDatabase db = m_database.connection();
    WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
    if (!tx.isOpen())
        return storageFailed(m_database, tx.error(), error);
    QSqlQuery update(db);
    update.prepare(u"UPDATE tasks SET status = 'discarded', finished_at = ? "
                   "WHERE id = ? AND status = 'dead'"_s);
    update.addBindValue(now());
    update.addBindValue(taskId);
    if (!execQuery(update, "discarding a task"))
        return storageFailed(m_database, update.lastError(), error);
    if (update.numRowsAffected() != 1)
        return false; // no dead task of that id
    if (!tx.commit())
        return storageFailed(m_database, tx.error(), error);
    d->dead.fetch_sub(1);
    d->changes.fetch_add(1);
    if (m_eventLog)
        m_eventLog->warning(u"payments"_s, u"Dead task %1 discarded by an operator"_s.arg(taskId));
    return true;
}

namespace {

// Times in answers are ISO 8601 UTC with milliseconds, as in every other route; the database
// keeps epoch milliseconds.
QJsonValue isoTime(const QVariant &epochMs)
{
    if (epochMs.isNull())
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(epochMs.toLongLong(), Qt::UTC)
            .toString(Qt::ISODateWithMs);
}

QJsonObject taskJson(const QSqlQuery &row)
{
    QJsonObject object{
            {u"id"_s, row.value(0).toString()},
            {u"type"_s, row.value(1).toString()},
            {u"priority"_s, priorityName(priorityFrom(row.value(2).toInt()))},
            {u"ordering_key"_s, row.value(3).toString()},
            {u"reference"_s, row.value(4).toString()},
            {u"status"_s, row.value(5).toString()},
            {u"attempt"_s, row.value(6).toInt()},
            {u"run_at"_s, isoTime(row.value(7))},
            {u"created_at"_s, isoTime(row.value(8))},
            {u"last_error"_s, row.value(9).toString()},
    };
    if (!row.value(10).isNull())
        object.insert(u"finished_at"_s, isoTime(row.value(10)));
    return object;
}

// nullopt when the store failed (*error says why).
std::optional<QJsonArray>
attemptsOf(const Database &database, QSqlDatabase &db, const QString &taskId, StorageError *error)
{
    QSqlQuery query(db);
    query.prepare(u"SELECT attempt, started_at, finished_at, outcome, error FROM task_attempts "
                  "WHERE task_id = ? ORDER BY attempt"_s);
    query.addBindValue(taskId);
    QJsonArray attempts;
    if (!execQuery(query, "reading attempts")) {
        storageFailed(database, query.lastError(), error);
        return std::nullopt;
    }
    while (query.next()) {
        attempts.append(QJsonObject{{u"attempt"_s, query.value(0).toInt()},
                                    {u"started_at"_s, isoTime(query.value(1))},
                                    {u"finished_at"_s, isoTime(query.value(2))},
                                    {u"outcome"_s, query.value(3).toString()},
                                    {u"error"_s, query.value(4).toString()}});
    }
    return attempts;
}

const auto kTaskColumns = u"id, type, priority, ordering_key, reference, status, attempt, run_at, "
                          "created_at, last_error, finished_at"_s;

} // namespace

QJsonObject TaskQueue::deadTasks(int limit, StorageError *error) const
{
    QSqlDatabase db = m_database.connection();
    QSqlQuery query(db);
    query.prepare(
            u"SELECT %1 FROM tasks WHERE status = 'dead' ORDER BY seq LIMIT ?"_s.arg(kTaskColumns));
    query.addBindValue(qBound(1, limit, 1000));
    if (!execQuery(query, "listing dead tasks")) {
        storageFailed(m_database, query.lastError(), error);
        return {};
    }
    QJsonArray tasks;
    while (query.next()) {
        QJsonObject object = taskJson(query);
        const auto attempts = attemptsOf(m_database, db, object.value(u"id"_s).toString(), error);
        if (!attempts)
            return {};
        object.insert(u"attempts"_s, *attempts);
        tasks.append(object);
    }
    return {{u"tasks"_s, tasks}, {u"count"_s, d->dead.load()}};
}

QJsonObject TaskQueue::task(const QString &taskId, StorageError *error) const
{
    QSqlDatabase db = m_database.connection();
    QSqlQuery query(db);
    query.prepare(u"SELECT %1 FROM tasks WHERE id = ?"_s.arg(kTaskColumns));
    query.addBindValue(taskId);
    if (!execQuery(query, "reading a task")) {
        storageFailed(m_database, query.lastError(), error);
        return {};
    }
    if (!query.next())
        return {}; // no such task
    QJsonObject object = taskJson(query);
    const auto attempts = attemptsOf(m_database, db, taskId, error);
    if (!attempts)
        return {};
    object.insert(u"attempts"_s, *attempts);
    return object;
}

void TaskQueue::runInBackground(std::function<void()> work)
{
    d->pools[1].start(std::move(work));
}

qint64 TaskQueue::pruneNow()
{
    QSqlDatabase db = m_database.connection();
    const qint64 cutoff = now() - qint64(m_options.retentionDays) * 24 * 3600 * 1000;
    qint64 removed = 0;
    WriteTransaction tx(db, m_writeMutex, d->serializeWrites, &m_urgentWriters);
    if (!tx.isOpen())
        return 0;

    const QString finished = u"status IN ('done', 'discarded')"_s;
    QSqlQuery byAge(db);
    byAge.prepare(u"DELETE FROM tasks WHERE %1 AND finished_at < ?"_s.arg(finished));
    byAge.addBindValue(cutoff);
    if (execQuery(byAge, "pruning tasks by age"))
        removed += byAge.numRowsAffected();

    // Count: keep the newest retention_count finished tasks (portable: no LIMIT -1).
    QSqlQuery nth(db);
    nth.prepare(u"SELECT finished_at FROM tasks WHERE %1 ORDER BY finished_at DESC "
                "LIMIT 1 OFFSET ?"_s.arg(finished));
    nth.addBindValue(m_options.retentionCount);
    if (execQuery(nth, "finding the pruning bound") && nth.next()) {
        const qint64 bound = nth.value(0).toLongLong();
        nth.finish();
        QSqlQuery byCount(db);
        byCount.prepare(u"DELETE FROM tasks WHERE %1 AND finished_at <= ?"_s.arg(finished));
        byCount.addBindValue(bound);
        if (execQuery(byCount, "pruning tasks by count"))
            removed += byCount.numRowsAffected();
    }
    QSqlQuery orphans(db);
    orphans.prepare(u"DELETE FROM task_attempts WHERE task_id NOT IN (SELECT id FROM tasks)"_s);
    execQuery(orphans, "pruning attempts");

    // Events well past Stripe's retry window; unprocessed ones are kept whatever their age.
    const QString settled = u"status IN ('processed', 'ignored')"_s;
    QSqlQuery events(db);
    events.prepare(u"DELETE FROM stripe_events WHERE %1 AND received_at < ?"_s.arg(settled));
    events.addBindValue(cutoff);
    if (execQuery(events, "pruning events"))
        removed += events.numRowsAffected();
    QSqlQuery nthEvent(db);
    nthEvent.prepare(u"SELECT received_at FROM stripe_events WHERE %1 ORDER BY received_at DESC "
                     "LIMIT 1 OFFSET ?"_s.arg(settled));
    nthEvent.addBindValue(m_options.retentionCount);
    if (execQuery(nthEvent, "finding the event bound") && nthEvent.next()) {
        const qint64 bound = nthEvent.value(0).toLongLong();
        nthEvent.finish();
        QSqlQuery byCount(db);
        byCount.prepare(u"DELETE FROM stripe_events WHERE %1 AND received_at <= ?"_s.arg(settled));
        byCount.addBindValue(bound);
        if (execQuery(byCount, "pruning events by count"))
            removed += byCount.numRowsAffected();
    }
    if (!tx.commit())
        return 0;
    if (removed > 0)
        qCInfo(lcQueue) << "pruned" << removed << "finished tasks and events";
    return removed;
}

bool TaskQueue::waitForIdle(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    QMutexLocker lock(&d->mutex);
    for (;;) {
        bool busy = d->running[0] > 0 || d->running[1] > 0 || d->recording > 0;
        for (int pool = 0; pool < 2 && !busy && !d->paused; ++pool)
            for (const auto &list : d->ready[pool])
                busy = busy || !list.empty();
        if (!busy)
            return true;
        const qint64 left = timeoutMs - timer.elapsed();
        if (left <= 0)
            return false;
        d->changed.wait(&d->mutex, QDeadlineTimer(left));
    }
}

QueueMetricsSnapshot TaskQueue::metricsSnapshot() const
{
    QueueMetricsSnapshot s;
    const qint64 at = now();
    {
        QMutexLocker lock(&d->mutex);
        // Arrival order: the first entry not running is the oldest waiting one.
        for (const auto &[seq, entry] : d->unfinished) {
            if (entry->state != Entry::State::Running) {
                s.oldestPendingAgeMs = qMax<qint64>(1, at - entry->createdAt);
                break;
            }
        }
        s.depthHigh = d->depth[0];
        s.depthNormal = d->depth[1];
        s.depthLow = d->depth[2];
        s.inFlight = d->inFlight;
        s.paused = d->paused;
        s.unrecordedFailures = d->unrecorded;
    }
    s.completed = quint64(d->completed->Value());
    s.failedAttempts = quint64(d->failedAttempts->Value());
    s.retried = quint64(d->retried->Value());
    s.dead = d->dead.load();
    const Metrics::HistogramReading processing = Metrics::read(*d->latency);
    s.p50Ms = processing.quantile(0.50);
    s.p95Ms = processing.quantile(0.95);
    s.p99Ms = processing.quantile(0.99);
    return s;
}

void TaskQueue::emitMetricsIfChanged()
{
    const quint64 changes = d->changes.load();
    if (changes == d->lastEmitted)
        return;
    d->lastEmitted = changes;
    emit metricsChanged();
}

} // namespace Mouse

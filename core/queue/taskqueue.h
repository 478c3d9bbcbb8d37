// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QTimer>

#include "core/metrics/metricsfwd.h"
#include "core/queue/writetransaction.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QSqlQuery;
class QThreadPool;

namespace Mouse {

class Database;
struct StorageError;
class EventLog;
class SqliteStatement;
class Settings;

enum class TaskPriority { High = 0, Normal = 1, Low = 2 };

// Which worker pool runs a task type: payments (queue/payment_workers) or background.
enum class TaskPool { Payments = 0, Background = 1 };

// One unit of durable work, as a handler sees it.
struct Task
{
    QString id;
    QString type; // e.g. "stripe.event"
    TaskPriority priority = TaskPriority::Normal;
    QString orderingKey;  // e.g. the customer; empty: no ordering constraint
    QString reference;    // e.g. the Stripe event id
    QByteArray payload;   // UTF-8 text (stored as TEXT), often empty for stripe.event
    int attempt = 1;      // 1 on the first run
    qint64 createdAt = 0; // ms since the epoch
};

// What a handler returns. done() commits the handler's writes with the done mark;
// retry() (or an exception) rolls them back and schedules a retry with backoff;
// fail() rolls back and dead-letters at once. unavailable() is a retry because the
// store could not take the work now (locked, full, read-only, connection lost: decided by
// the driver's code): it is retried with backoff like any retry but never dead-lettered for
// it, since the task itself is fine and would only wait for an operator.
struct TaskResult
{
    enum class Kind { Done, Retry, Fail };
    Kind kind = Kind::Done;
    QString message;
    bool storageUnavailable = false; // Retry only

    static TaskResult done() { return {Kind::Done, {}}; }
    static TaskResult retry(QString message) { return {Kind::Retry, std::move(message)}; }
    static TaskResult fail(QString message) { return {Kind::Fail, std::move(message)}; }
    static TaskResult unavailable(QString message)
    {
        return {Kind::Retry, std::move(message), true};
    }
};

// Runs on a worker thread inside a transaction opened by the queue on that thread's
// connection (db). The handler never commits or rolls back.
using TaskHandler = std::function<TaskResult(const Task &task, QSqlDatabase &db)>;

// A task to add. Written by enqueue() in its own transaction, or by insert() inside the
// caller's transaction (then announce() it after the commit).
struct NewTask
{
    QString id; // optional: empty -> generated ("tsk_...")
    QString type;
    TaskPriority priority = TaskPriority::Normal;
    QString orderingKey;
    QString reference;
    QByteArray payload;
};

// Milliseconds since the epoch; replaceable in tests so backoff is checked without waiting.
using Clock = std::function<qint64()>;

struct QueueMetricsSnapshot
{
    qint64 depthHigh = 0; // ready or waiting for a retry, per priority
    qint64 depthNormal = 0;
    qint64 depthLow = 0;
    qint64 inFlight = 0;
    quint64 completed = 0;
    quint64 failedAttempts = 0;
    quint64 retried = 0;
    qint64 dead = 0; // currently in the dead-letter list
    // Failed attempts the database refused to record (the tasks stay pending in storage).
    qint64 unrecordedFailures = 0;
    double p50Ms = 0; // handler + commit time
    double p95Ms = 0;
    double p99Ms = 0;
    qint64 oldestPendingAgeMs = 0;
    bool paused = false;

    qint64 depth() const { return depthHigh + depthNormal + depthLow; }
    QJsonObject toJson() const;
};

// A durable task queue on two QThreadPools. Tasks live in the tasks table (migration 0020);
// on start(), pending tasks and tasks that were claimed but never finished (a crash) resume.
// Priorities HIGH > NORMAL > LOW, FIFO within one. Tasks with the same ordering key never run at
// once and run in arrival order (a task waiting for its retry holds back its successors).
// Retries wait on a timer, never on a worker thread. Thread-safe; lives on the thread that
// creates it (its timers run there).
class TaskQueue final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskQueue)

    struct Entry; // the scheduler's view of a task (private)

public:
    struct Options
    {
        int paymentWorkers = 3;
        int backgroundWorkers = 2;
        int maxRetries = 3; // retries after the first attempt, then dead letter
        qint64 retryBaseMs = 1000;
        qint64 retryCapMs = 60000;
        qint64 maxBacklog = 100000; // intake answers 503 past this many unfinished tasks
        int retentionDays = 30;
        qint64 retentionCount = 100000;
        qint64 pruneIntervalMs = 3600000;
        // SQLite has one writer: by default (SQLite) every write transaction of the queue and
        // the intake takes writeMutex() and opens with BEGIN IMMEDIATE, so writers queue in
        // memory instead of sleeping in SQLite's busy handler. PostgreSQL: off.
        std::optional<bool> serializeWrites;
        Clock clock;                    // default: the system clock
        std::function<double()> random; // [0,1) for jitter; default: QRandomGenerator

        static Options fromSettings(const Settings &settings);
    };

    TaskQueue(Database &database,
              Options options,
              EventLog *eventLog = nullptr,
              Metrics::Registry *metrics = nullptr,
              QObject *parent = nullptr);
    ~TaskQueue() override;

    void
    registerHandler(const QString &type, TaskHandler handler, TaskPool pool = TaskPool::Payments);

    // Loads unfinished tasks (interrupted ones are recorded as an interrupted attempt) and
    // starts dispatching. Call after the handlers are registered.
    bool start(QString *error);
    // Stops dispatching, waits up to timeoutMs for running tasks. Unfinished tasks stay in
    // the database and resume on the next start().
    void stop(int timeoutMs = 30000);

    // Writes one task in its own transaction and schedules it. Returns the task id or empty.
    QString enqueue(const NewTask &task);
    // Writes a task row inside the caller's open transaction on db; returns its id or empty.
    // The task is not scheduled until announce() is called after the commit.
    QString insert(QSqlDatabase &db, const NewTask &task, qint64 nowMs);
    // The same for many tasks (one prepared statement); the ids in order, or empty on failure.
    QStringList insertMany(QSqlDatabase &db, const QList<NewTask> &tasks, qint64 nowMs);

    // insertMany() with its statement prepared once, for a writer that inserts tasks batch
    // after batch on its own connection (the webhook intake): re-preparing a statement per
    // batch costs more than the inserts. Lives on, and is used by, the thread owning db.
    class Inserter final
    {
        Q_DISABLE_COPY_MOVE(Inserter)

    public:
        Inserter(TaskQueue &queue, const QSqlDatabase &db);
        ~Inserter();
        // Writes the rows inside the caller's open transaction; the ids in order, or empty
        // on failure. Announce them after the commit, or forget them after a rollback.
        QStringList insert(const QList<NewTask> &tasks, qint64 nowMs);

    private:
        bool write(const NewTask &task, const Entry &entry, qint64 nowMs);

        TaskQueue &m_queue;
        std::unique_ptr<SqliteStatement> m_sqlite; // SQLite: the driver's handle
        std::unique_ptr<QSqlQuery> m_query;        // otherwise
        bool m_prepared = false;
    };
    void announce(const QStringList &taskIds);
    // The caller's transaction rolled back: drops what insert() staged.
    void forget(const QStringList &taskIds);
    static QString newTaskId();

    // All writers of the queue's tables (intake, workers) take this around a write
    // transaction, so SQLite's busy handler never sleeps between them.
    QMutex &writeMutex() { return m_writeMutex; }
    bool serializesWrites() const;
    // Writers that must not wait behind workers (the intake) announce themselves here.
    WriterGate &urgentWriters() { return m_urgentWriters; }
    // SQLite: true while another thread runs the WAL checkpoints (the webhook intake's). Then
    // workers turn SQLite's automatic checkpoint off on their connections: it would run inside
    // a worker's COMMIT, under writeMutex(), and an acknowledgement would wait for it.
    void setCheckpointsElsewhere(bool elsewhere) { m_checkpointsElsewhere = elsewhere; }

    // Unfinished tasks (pending, waiting for a retry, running) for the backlog check.
    qint64 backlog() const;
    bool isBacklogFull(qint64 extra = 0) const;
    qint64 maxBacklog() const { return m_options.maxBacklog; }

    // Operators.
    void pause();
    void resume();
    bool isPaused() const;
    // These return false (or an empty object) both when there is no such task and when the
    // store failed: *error (when given) is set only in the second case, so that an operator
    // is told "not found" only for what is not there (routes: 503 storage_unavailable).
    // dead -> pending, attempts start again
    bool retryDead(const QString &taskId, StorageError *error = nullptr);
    // dead -> discarded
    bool discardDead(const QString &taskId, StorageError *error = nullptr);
    // A new task for an already stored reference (e.g. replaying a Stripe event); empty when
    // it cannot be written.
    QString replay(const NewTask &task);
    // {"tasks":[{..., "attempts":[...]}]}
    QJsonObject deadTasks(int limit = 100, StorageError *error = nullptr) const;
    QJsonObject task(const QString &taskId, StorageError *error = nullptr) const;

    // Runs work on the background pool (admin reads, pruning): never on the HTTP thread.
    void runInBackground(std::function<void()> work);

    // Runs the retention pruning now (it also runs on a timer on the background pool).
    qint64 pruneNow();
    // Moves due retries to the ready lists; the retry timer calls it, tests with a fake clock
    // call it after advancing their clock.
    void processDueRetries();
    // Blocks until no task is ready or running (tests and shutdown only, never in a handler).
    bool waitForIdle(int timeoutMs);

    QueueMetricsSnapshot metricsSnapshot() const;
    // Backoff before retry number `retry` (1-based), with jitter: [d/2, d] where
    // d = min(cap, base * 2^(retry-1)).
    qint64 backoffMs(int retry) const;

signals:
    // Emitted from any thread when counters change (at most every few hundred ms): connect
    // queued with a context object to refresh charts.
    void metricsChanged();
    void taskDeadLettered(const QString &taskId, const QString &type, const QString &reason);

private:
    struct Entry;
    struct Private;
    using EntryPtr = std::shared_ptr<Entry>;

    qint64 now() const;
    bool loadUnfinished(QString *error);
    void addLocked(const EntryPtr &entry);
    void makeEligibleLocked(const EntryPtr &entry);
    void releaseKeyLocked(const EntryPtr &entry);
    void dispatchLocked();
    void run(const EntryPtr &first);
    void takeReadyLocked(int pool, int max, std::vector<EntryPtr> *into);
    std::optional<Task> loadTask(QSqlDatabase &db, const EntryPtr &entry);
    // False when the claim could not be written; *why says what the store answered.
    bool
    claim(QSqlDatabase &db, const std::vector<std::pair<EntryPtr, Task>> &tasks, QSqlError *why);
    size_t runSome(QSqlDatabase &db, std::vector<std::pair<EntryPtr, Task>> &tasks, size_t from);
    static constexpr int kMaxBatch = 64;
    void finish(const EntryPtr &entry, const TaskResult &result, const QString &attemptError);
    struct FailedAttempt;
    bool recordFailedAttempt(const EntryPtr &entry, const FailedAttempt &failed);
    void holdUnrecorded(const EntryPtr &entry, const FailedAttempt &failed);
    void retryRecord(const EntryPtr &entry);
    void settle(const EntryPtr &entry,
                bool done,
                bool toDead,
                qint64 runAt,
                const QString &attemptError,
                bool wasRunning);
    void requestRetryTimer();
    void scheduleRetryTimer();
    void emitMetricsIfChanged();

    Database &m_database;
    Options m_options;
    EventLog *m_eventLog = nullptr;
    std::unique_ptr<Private> d;
    QMutex m_writeMutex;
    WriterGate m_urgentWriters;
    std::atomic<bool> m_checkpointsElsewhere{false};
    QTimer m_retryTimer;
    QTimer m_pruneTimer;
    QTimer m_metricsTimer;
};

} // namespace Mouse

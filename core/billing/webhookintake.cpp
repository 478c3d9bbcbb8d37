// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/webhookintake.h"

#include "core/billing/stripesignature.h"
#include "core/config/settings.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/metrics.h"
#include "core/metrics/threadstat.h"
#include "core/queue/sqlitestatement.h"
#include "core/queue/taskqueue.h"
#include "core/queue/writetransaction.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <sqlite3.h>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

Http::ApiError rejection(const QString &code, const QString &message)
{
    return Http::ApiError::badRequest(code, message);
}

Http::ApiError unavailable(const QString &code, const QString &message, int retryAfter)
{
    return {Http::ErrorKind::Unavailable, code, message, {}, retryAfter};
}

} // namespace

WebhookIntake::Options WebhookIntake::Options::fromSettings(const Settings &settings)
{
    Options o;
    for (const QString &secret : settings.list(u"stripe/webhook_secret"_s)) {
        if (!secret.trimmed().isEmpty())
            o.secrets.append(secret.trimmed().toUtf8());
    }
    o.toleranceSeconds = settings.integer(u"stripe/tolerance_s"_s);
    o.walReserveBytes = settings.integer(u"storage/wal_reserve_mb"_s) << 20;
    return o;
}

WebhookIntake::WebhookIntake(Database &database,
                             TaskQueue &queue,
                             Options options,
                             EventLog *eventLog,
                             Metrics::Registry *metrics,
                             QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_queue(queue)
    , m_options(std::move(options))
    , m_eventLog(eventLog)
{
    if (!metrics)
        return;
    const QString name = u"mouse_webhook_events_total"_s;
    const QString help = u"Stripe webhook deliveries by outcome"_s;
    m_acceptedCounter = &metrics->counter(name, help, {{u"outcome"_s, u"accepted"_s}});
    m_duplicateCounter = &metrics->counter(name, help, {{u"outcome"_s, u"duplicate"_s}});
    m_rejectedCounter = &metrics->counter(name, help, {{u"outcome"_s, u"rejected"_s}});
    m_unavailableCounter = &metrics->counter(name, help, {{u"outcome"_s, u"unavailable"_s}});
    m_commitMs = &metrics->histogram(u"mouse_webhook_commit_ms"_s,
                                     u"Group commit time of webhook batches"_s,
                                     Metrics::latencyBucketsMs());
    m_syncMs = &metrics->histogram(u"mouse_webhook_sync_ms"_s,
                                   u"COMMIT of a webhook batch: WAL write and fdatasync"_s,
                                   Metrics::latencyBucketsMs());
    m_syncWaitMs = &metrics->histogram(u"mouse_webhook_sync_runqueue_ms"_s,
                                       u"COMMIT of a webhook batch: time the writer thread was "
                                       "runnable but waited for a CPU"_s,
                                       Metrics::latencyBucketsMs());
    m_syncBlockedMs = &metrics->histogram(u"mouse_webhook_sync_blocked_ms"_s,
                                          u"COMMIT of a webhook batch: time the writer thread "
                                          "slept (the disk: write and fdatasync)"_s,
                                          Metrics::latencyBucketsMs());
    m_answerHopMs = &metrics->histogram(u"mouse_webhook_answer_hop_ms"_s,
                                        u"From a batch's commit to its answers on the HTTP "
                                        "thread"_s,
                                        Metrics::latencyBucketsMs());
    m_batchSize = &metrics->histogram(u"mouse_webhook_batch_events"_s,
                                      u"Events per group commit"_s,
                                      {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048});
}

WebhookIntake::~WebhookIntake()
{
    stop();
}

qint64 WebhookIntake::nowMs() const
{
    return m_options.clockMs ? m_options.clockMs() : QDateTime::currentMSecsSinceEpoch();
}

void WebhookIntake::start()
{
    QMutexLocker lock(&m_mutex);
    if (m_running)
        return;
    m_running = true;
    m_stopping = false;
    m_writer.reset(QThread::create([this] { writerLoop(); }));
    m_writer->setObjectName(u"webhook-writer"_s);
    m_writer->start();
    if (m_database.kind() == Database::Kind::Sqlite) {
        m_queue.setCheckpointsElsewhere(true);
        m_checkpointer.reset(QThread::create([this] { checkpointLoop(); }));
        m_checkpointer->setObjectName(u"wal-checkpoint"_s);
        m_checkpointer->start();
    }
}

void WebhookIntake::stop()
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_running)
            return;
        m_stopping = true;
        m_wake.wakeAll();
        m_checkpointWake.wakeAll();
    }
    // Shutdown only: the writer finishes the batch it holds, then exits.
    m_writer->wait();
    m_writer.reset();
    if (m_checkpointer) {
        m_checkpointer->wait();
        m_checkpointer.reset();
        m_queue.setCheckpointsElsewhere(false);
    }
    QMutexLocker lock(&m_mutex);
    m_running = false;
}

void WebhookIntake::handle(const Http::Request &request, const Http::Responder &responder)
{
    auto reject = [&](const QString &code, const QString &message) {
        m_rejected.fetch_add(1);
        if (m_rejectedCounter)
            m_rejectedCounter->Increment();
        responder.fail(rejection(code, message));
    };

    const QByteArray header = request.header("Stripe-Signature");
    if (header.isEmpty())
        return reject(u"missing_signature"_s, u"The Stripe-Signature header is missing."_s);
    const SignatureCheck check = verifyStripeSignature(
            header, request.body, m_options.secrets, nowMs() / 1000, m_options.toleranceSeconds);
    if (check == SignatureCheck::NoSecret) {
        m_unavailable.fetch_add(1);
        return responder.fail(unavailable(u"webhook_not_configured"_s,
                                          u"No webhook secret is configured: set "
                                          "STRIPE_WEBHOOK_SECRET (stripe/webhook_secret)."_s,
                                          60));
    }
    if (check == SignatureCheck::StaleTimestamp)
        return reject(u"stale_timestamp"_s,
                      u"The signature's timestamp is outside the tolerance."_s);
    if (check != SignatureCheck::Valid)
        return reject(u"bad_signature"_s, u"The signature does not match the payload."_s);

    // The envelope only (the full document is parsed when the event is processed).
    StripeEventError parseError{};
    const std::optional<StripeEnvelope> event = parseStripeEnvelope(request.body, &parseError);
    if (!event) {
        if (parseError == StripeEventError::InvalidJson)
            return reject(u"invalid_json"_s, u"The body is not a JSON object."_s);
        return reject(u"not_an_event"_s, u"The body is not a Stripe event."_s);
    }

    if (m_queue.isBacklogFull(m_waiting.load())) {
        m_unavailable.fetch_add(1);
        if (m_unavailableCounter)
            m_unavailableCounter->Increment();
        return responder.fail(
                unavailable(u"backlog_full"_s, u"The payment queue is full; retry later."_s, 30));
    }

    submit(*event, request.body, [responder](const Outcome &outcome) {
        switch (outcome.kind) {
        // Serialised by hand (the same bytes QJsonDocument writes): task ids are tsk_ and hex
        // digits, nothing to escape, and no JSON object is built per answer.
        case Outcome::Kind::Accepted: {
            constexpr QByteArrayView prefix = "{\"received\":true,\"task_id\":\"";
            QByteArray body(prefix.size() + outcome.taskId.size() + 2, Qt::Uninitialized);
            char *out = std::copy(prefix.begin(), prefix.end(), body.data());
            for (const QChar c : outcome.taskId) // ASCII: "tsk_" and hex digits
                *out++ = c.toLatin1();
            *out++ = '"';
            *out = '}';
            responder.send(Http::Reply::bytes(
                    std::move(body), QByteArrayLiteral("application/json"), 202));
            return;
        }
        case Outcome::Kind::Duplicate:
            responder.send(
                    Http::Reply::bytes(QByteArrayLiteral("{\"duplicate\":true,\"received\":true}"),
                                       QByteArrayLiteral("application/json"),
                                       200));
            return;
        case Outcome::Kind::Unavailable:
            break;
        }
        responder.fail(Http::ApiError::storageUnavailable(
                u"The event could not be stored; retry later."_s));
    });
}

void WebhookIntake::submit(const StripeEvent &event, const QByteArray &rawBody, Done done)
{
    submit(StripeEnvelope::of(event), rawBody, std::move(done));
}

void WebhookIntake::submit(const StripeEnvelope &event, const QByteArray &rawBody, Done done)
{
    QMutexLocker lock(&m_mutex);
    if (!m_running || m_stopping) {
        lock.unlock();
        done(Outcome{});
        return;
    }
    m_waiting.fetch_add(1);
    // Workers hold back while acknowledgements wait for their commit.
    m_queue.urgentWriters().enter();
    m_pending.push_back(Pending{event, rawBody, std::move(done), {}});
    m_wake.wakeOne();
}

namespace {

// The event id is the deduplication truth: a copy already stored (or earlier in the same
// batch) inserts nothing and is answered as a duplicate. SQLite >= 3.24 and PostgreSQL both
// accept ON CONFLICT ... DO NOTHING.
constexpr char kInsertEvent[]
        = "INSERT INTO stripe_events (event_id, type, payload, received_at, status, "
          "ordering_key, livemode, created, task_id) "
          "VALUES (?, ?, ?, ?, 'received', ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING";

} // namespace

// The writer thread's statements, prepared once on its own connection and reused for every
// batch: preparing per batch (and multi-row VALUES lists) cost more CPU than the inserts.
// On SQLite they run on the driver's sqlite3 handle (QSqlQuery's binds cost more than the
// insert itself); elsewhere through QSqlQuery.
struct WebhookIntake::Statements
{
    explicit Statements(WebhookIntake &intake)
        : db(intake.m_database.connection())
        , sqliteEvent(db, kInsertEvent)
        , insertEvent(db)
        , tasks(intake.m_queue, db)
    {
        prepared = sqliteEvent.isValid() || insertEvent.prepare(QString::fromLatin1(kInsertEvent));
        if (!prepared)
            qCWarning(lcBilling) << "preparing the webhook insert failed:"
                                 << insertEvent.lastError().text();
    }

    // Inserts one event; *inserted false when its id is stored already.
    bool insert(const Pending &item, qint64 at, const QString &taskId, bool *inserted)
    {
        if (sqliteEvent.isValid()) {
            sqliteEvent.bind(1, item.event.id);
            sqliteEvent.bind(2, item.event.type);
            sqliteEvent.bindUntilRun(3, item.body); // the raw UTF-8 bytes, as received
            sqliteEvent.bind(4, at);
            sqliteEvent.bind(5, item.event.orderingKey);
            sqliteEvent.bind(6, qint64(item.event.livemode ? 1 : 0));
            sqliteEvent.bind(7, item.event.created);
            sqliteEvent.bind(8, taskId);
            if (!sqliteEvent.run())
                return false;
            *inserted = sqliteEvent.changes() > 0;
            return true;
        }
        insertEvent.bindValue(0, item.event.id);
        insertEvent.bindValue(1, item.event.type);
        insertEvent.bindValue(2, QString::fromUtf8(item.body));
        insertEvent.bindValue(3, at);
        insertEvent.bindValue(4, item.event.orderingKey);
        insertEvent.bindValue(5, item.event.livemode ? 1 : 0);
        insertEvent.bindValue(6, item.event.created);
        insertEvent.bindValue(7, taskId);
        if (!insertEvent.exec()) {
            qCWarning(lcBilling) << "storing a webhook event failed:"
                                 << insertEvent.lastError().text();
            return false;
        }
        *inserted = insertEvent.numRowsAffected() > 0;
        insertEvent.finish();
        return true;
    }

    QSqlDatabase db;
    SqliteStatement sqliteEvent;
    QSqlQuery insertEvent;
    TaskQueue::Inserter tasks;
    Metrics::ThreadSchedStat sched; // the writer thread's, which builds this
    bool prepared = false;
};

int WebhookIntake::walHook(void *intake, sqlite3 *, const char *, int frames)
{
    // SQLite's own automatic checkpoint (1000 pages) runs inside the committing writer's
    // COMMIT: a 202 would wait for a whole checkpoint, fsync of the database included.
    // Here: one checkpoint per 200 new frames, on another thread. Often enough that the WAL
    // starts over before it grows far: appending to a growing file makes each commit's fsync
    // dearer (bench-webhooks ack p99 on a quiet machine: 1000 frames, 10 runs, 6.1-10.2 ms,
    // median 8.7; 200 frames, 14 runs, 4.6-9.4 ms, median 6.3).
    constexpr int kCheckpointFrames = 200;
    auto *self = static_cast<WebhookIntake *>(intake);
    self->m_walFrames = frames;
    if (frames < self->m_checkpointedFrames)
        self->m_checkpointedFrames = 0; // the WAL started over
    if (frames - self->m_checkpointedFrames >= kCheckpointFrames) {
        self->m_checkpointedFrames = frames;
        self->requestCheckpoint();
    }
    return SQLITE_OK;
}

void WebhookIntake::requestCheckpoint()
{
    QMutexLocker lock(&m_mutex);
    m_checkpointWanted = true;
    m_checkpointWake.wakeOne();
}

void WebhookIntake::checkpointLoop()
{
    QSqlDatabase db = m_database.connection();
    // A burst's WAL fits in the reserved file up to here (frames of a 4 KiB page plus header).
    const int deferFrames = int(m_options.walReserveBytes * 3 / 4 / (4096 + 24));
    bool stopping = false;
    for (;;) {
        {
            QMutexLocker lock(&m_mutex);
            // Also once a second: the workers' commits grow the WAL too, and they leave their
            // checkpoints to this thread (TaskQueue::setCheckpointsElsewhere).
            if (!m_checkpointWanted && !m_stopping)
                m_checkpointWake.wait(&m_mutex, QDeadlineTimer(1000));
            // While acknowledgements come at the burst rate, the reserved WAL takes them and
            // the checkpoint (copying pages into the database file and syncing it, which
            // competes with the intake's commits for the disk) waits for the burst to end.
            while (!m_stopping && m_walFrames.load() < deferFrames
                   && m_queue.urgentWriters().inBurst())
                m_checkpointWake.wait(&m_mutex, QDeadlineTimer(10));
            stopping = m_stopping;
            m_checkpointWanted = false;
        }
        // PASSIVE: copies what no reader still needs, without taking the write lock, so the
        // writer's next group commit runs meanwhile.
        QSqlQuery checkpoint(db);
        if (!checkpoint.exec(u"PRAGMA wal_checkpoint(PASSIVE)"_s))
            qCWarning(lcBilling) << "WAL checkpoint failed:" << checkpoint.lastError().text();
        // Stopping: one last checkpoint (above) of what a deferred burst left in the WAL, so
        // the connection that closes last, whose close checkpoints whatever is left, closes
        // quickly. Worker threads close theirs as they exit, which can overlap process exit.
        if (stopping)
            return;
    }
}

void WebhookIntake::reserveWal(QSqlDatabase &db)
{
    // A commit that appends to the end of the WAL changes the file's size, so its fdatasync
    // also commits the file system's journal: those were the 5-10 ms group commits behind the
    // ack p99 (the WAL grows during a burst, as checkpoints run behind the writer). Growing it
    // once, before any acknowledgement waits, makes every later commit an overwrite.
    // An in-memory database has no WAL, and its shared cache answers a write that meets this
    // transaction with "table is locked" at once (no busy wait): a start-up race with seeding.
    const bool inMemory = m_database.location().startsWith(u"sqlite::memory:");
    if (m_options.walReserveBytes <= 0 || inMemory)
        return;
    QElapsedTimer timer;
    timer.start();
    WriteTransaction tx(db, m_queue.writeMutex(), m_queue.serializesWrites());
    const qint64 size = tx.isOpen() ? preallocateWal(db, m_options.walReserveBytes) : -1;
    if (size < 0)
        qCWarning(lcBilling) << "the write-ahead log could not be reserved; commits may be slower";
    else
        qCInfo(lcBilling) << "write-ahead log reserved:" << (size >> 20) << "MiB in"
                          << timer.elapsed() << "ms";
}

void WebhookIntake::writerLoop()
{
    Statements statements(*this);
    if (m_checkpointer) {
        if (sqlite3 *handle = sqliteHandle(statements.db))
            sqlite3_wal_hook(handle, &WebhookIntake::walHook, this); // replaces auto-checkpoints
        reserveWal(statements.db);
    }
    for (;;) {
        std::deque<Pending> batch;
        {
            QMutexLocker lock(&m_mutex);
            while (m_pending.empty() && !m_stopping)
                m_wake.wait(&m_mutex);
            if (m_pending.empty() && m_stopping)
                return;
            // Everything waiting goes into this one transaction (bounded by maxBatch).
            while (!m_pending.empty() && int(batch.size()) < m_options.maxBatch) {
                batch.push_back(std::move(m_pending.front()));
                m_pending.pop_front();
            }
        }
        writeBatch(statements, batch);
    }
}

bool WebhookIntake::insertEvents(Statements &statements,
                                 std::deque<Pending> &batch,
                                 qint64 at,
                                 QStringList *taskIds)
{
    if (!statements.prepared)
        return false;
    QList<NewTask> tasks;
    tasks.reserve(qsizetype(batch.size()));
    for (Pending &item : batch) {
        const QString taskId = TaskQueue::newTaskId();
        bool inserted = false;
        if (!statements.insert(item, at, taskId, &inserted))
            return false;
        // Nothing inserted: the id is stored already (an earlier delivery or batch copy).
        if (!inserted) {
            item.outcome.kind = Outcome::Kind::Duplicate;
            continue;
        }
        item.outcome.kind = Outcome::Kind::Accepted;
        item.outcome.taskId = taskId;

        NewTask task;
        task.id = taskId;
        task.type = u"stripe.event"_s;
        task.priority = TaskPriority::High;
        task.orderingKey = item.event.orderingKey;
        task.reference = item.event.id;
        tasks.append(std::move(task));
    }
    if (tasks.isEmpty())
        return true;
    *taskIds = statements.tasks.insert(tasks, at);
    return !taskIds->isEmpty();
}

void WebhookIntake::writeBatch(Statements &statements, std::deque<Pending> &batch)
{
    QSqlDatabase &db = statements.db;
    QElapsedTimer timer;
    timer.start();
    const Metrics::ThreadSchedStat::Sample batchStart = statements.sched.sample();
    const qint64 at = nowMs();
    QStringList taskIds;
    bool committed = false;
    {
        WriteTransaction tx(db,
                            m_queue.writeMutex(),
                            m_queue.serializesWrites(),
                            &m_queue.urgentWriters(),
                            true);
        if (tx.isOpen() && insertEvents(statements, batch, at, &taskIds)) {
            // The samples lie inside the timed span, so their parts never exceed it.
            const qint64 syncStart = timer.nsecsElapsed();
            const Metrics::ThreadSchedStat::Sample before = statements.sched.sample();
            committed = tx.commit();
            const Metrics::ThreadSchedStat::Sample after = statements.sched.sample();
            const qint64 syncNs = timer.nsecsElapsed() - syncStart;
            observeSync(statements.sched.isValid(),
                        {before, after, batchStart},
                        syncNs,
                        timer.nsecsElapsed(),
                        int(batch.size()));
        }
    }

    if (committed) {
        m_queue.announce(taskIds);
    } else {
        m_queue.forget(taskIds);
        for (Pending &item : batch)
            item.outcome = Outcome{};
        if (m_eventLog)
            m_eventLog->error(
                    u"payments"_s,
                    u"%1 webhook events could not be stored; Stripe will retry them"_s.arg(
                            batch.size()));
    }
    m_batches.fetch_add(1);
    if (m_commitMs) {
        m_commitMs->Observe(double(timer.nsecsElapsed()) / 1e6);
        m_batchSize->Observe(double(batch.size()));
    }
    for (const Pending &item : batch) {
        switch (item.outcome.kind) {
        case Outcome::Kind::Accepted:
            m_accepted.fetch_add(1);
            if (m_acceptedCounter)
                m_acceptedCounter->Increment();
            break;
        case Outcome::Kind::Duplicate:
            m_duplicates.fetch_add(1);
            if (m_duplicateCounter)
                m_duplicateCounter->Increment();
            break;
        case Outcome::Kind::Unavailable:
            m_unavailable.fetch_add(1);
            if (m_unavailableCounter)
                m_unavailableCounter->Increment();
            break;
        }
    }
    m_waiting.fetch_sub(qint64(batch.size()));
    m_queue.urgentWriters().leave(int(batch.size()));

    // One hop back to the HTTP thread for the whole batch.
    auto answers = std::make_shared<std::deque<Pending>>(std::move(batch));
    QElapsedTimer hop;
    hop.start();
    QMetaObject::invokeMethod(
            this,
            [this, answers, hop] {
                if (m_answerHopMs)
                    m_answerHopMs->Observe(double(hop.nsecsElapsed()) / 1e6);
                for (const Pending &item : *answers)
                    item.done(item.outcome);
            },
            Qt::QueuedConnection);
}

void WebhookIntake::observeSync(
        bool sampled, const CommitSamples &samples, qint64 syncNs, qint64 batchNs, int events)
{
    // What a slow COMMIT was made of: on a CPU, waiting for one (run queue), or asleep (the
    // disk). Measured per commit, so a shared machine's load can be told apart from the disk.
    const qint64 cpuNs = samples.after.cpuNs - samples.before.cpuNs;
    const qint64 waitNs = samples.after.waitNs - samples.before.waitNs;
    const qint64 blockedNs = qMax<qint64>(0, syncNs - cpuNs - waitNs);
    if (m_syncMs) {
        m_syncMs->Observe(double(syncNs) / 1e6);
        if (sampled) {
            m_syncWaitMs->Observe(double(waitNs) / 1e6);
            m_syncBlockedMs->Observe(double(blockedNs) / 1e6);
        }
    }
    qCDebug(lcBilling).nospace() << "group commit: " << events << " events, batch "
                                 << batchNs / 1000 << " us (run queue "
                                 << (samples.after.waitNs - samples.batchStart.waitNs) / 1000
                                 << " us), COMMIT " << syncNs / 1000 << " us: cpu " << cpuNs / 1000
                                 << " us, run queue " << waitNs / 1000 << " us, asleep "
                                 << blockedNs / 1000 << " us";
}

QString WebhookIntake::replay(const QString &eventId, StorageError *error)
{
    const auto failed = [this, error](const QSqlError &sqlError) {
        if (error)
            *error = m_database.storageError(sqlError);
        return QString();
    };
    QSqlDatabase db = m_database.connection();
    QString taskId;
    {
        WriteTransaction tx(db, m_queue.writeMutex(), m_queue.serializesWrites());
        if (!tx.isOpen())
            return failed(tx.error());
        QSqlQuery event(db);
        event.prepare(u"SELECT ordering_key FROM stripe_events WHERE event_id = ?"_s);
        event.addBindValue(eventId);
        if (!event.exec())
            return failed(event.lastError());
        if (!event.next())
            return {}; // no such event
        NewTask task;
        task.type = u"stripe.event"_s;
        task.priority = TaskPriority::High;
        task.orderingKey = event.value(0).toString();
        task.reference = eventId;
        event.finish();
        taskId = m_queue.insert(db, task, nowMs());
        if (taskId.isEmpty()) {
            // The insert logs the driver's text but keeps no code: counted as the gateway's
            // fault (500). On SQLite a locked store already failed at BEGIN IMMEDIATE.
            if (error)
                *error = {u"the task could not be written"_s, false};
            return {};
        }
        QSqlQuery link(db);
        link.prepare(u"UPDATE stripe_events SET task_id = ? WHERE event_id = ?"_s);
        link.addBindValue(taskId);
        link.addBindValue(eventId);
        const bool linked = link.exec();
        if (!linked || !tx.commit()) {
            m_queue.forget({taskId});
            return failed(linked ? tx.error() : link.lastError());
        }
    }
    m_queue.announce({taskId});
    if (m_eventLog)
        m_eventLog->info(
                u"payments"_s,
                u"Stripe event %1 replayed by an operator (task %2)"_s.arg(eventId, taskId));
    return taskId;
}

QJsonObject WebhookIntake::snapshot() const
{
    return {{u"accepted"_s, qint64(m_accepted.load())},
            {u"duplicates"_s, qint64(m_duplicates.load())},
            {u"rejected"_s, qint64(m_rejected.load())},
            {u"unavailable"_s, qint64(m_unavailable.load())},
            {u"group_commits"_s, qint64(m_batches.load())},
            {u"waiting"_s, m_waiting.load()},
            {u"secrets_configured"_s, int(m_options.secrets.size())}};
}

} // namespace Mouse

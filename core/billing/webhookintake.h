// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/billing/stripeevent.h"
#include "core/http/httptypes.h"
#include "core/metrics/metricsfwd.h"
#include "core/metrics/threadstat.h"

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QStringList>
#include <QWaitCondition>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

class QThread;
struct sqlite3;

namespace Mouse {

class Database;
struct StorageError;
class EventLog;
class Settings;
class TaskQueue;

// POST /webhooks/stripe: verify the signature, parse the envelope, then write {stripe_events
// row, tasks row} durably BEFORE answering 202. A dedicated writer thread group-commits: it
// takes every event waiting, writes them all in one transaction, commits once (one fsync on
// SQLite WAL with synchronous=FULL) and hands the answers back to this object's thread.
// Duplicates (the event_id unique key is the truth) answer 200 {"duplicate":true}.
class WebhookIntake final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookIntake)

public:
    struct Options
    {
        QList<QByteArray> secrets; // stripe/webhook_secret (several during a rotation)
        qint64 toleranceSeconds = 300;
        int maxBatch = 2000;
        // SQLite: the write-ahead log is grown to this size before the first commit
        // (storage/wal_reserve_mb), so a commit's fdatasync never has to extend the file.
        qint64 walReserveBytes = 0;
        std::function<qint64()> clockMs; // default: the system clock

        static Options fromSettings(const Settings &settings);
    };

    struct Outcome
    {
        enum class Kind { Accepted, Duplicate, Unavailable };
        Kind kind = Kind::Unavailable;
        QString taskId;
    };
    using Done = std::function<void(const Outcome &)>;

    WebhookIntake(Database &database,
                  TaskQueue &queue,
                  Options options,
                  EventLog *eventLog = nullptr,
                  Metrics::Registry *metrics = nullptr,
                  QObject *parent = nullptr);
    ~WebhookIntake() override;

    void start();
    // Stops taking events; those already taken are committed and answered first.
    void stop();

    // The route handler (on the HTTP server's thread, which must be this object's thread).
    void handle(const Http::Request &request, const Http::Responder &responder);

    // Stores a verified event; done runs on this object's thread after the commit.
    void submit(const StripeEnvelope &event, const QByteArray &rawBody, Done done);
    void submit(const StripeEvent &event, const QByteArray &rawBody, Done done);

    QJsonObject snapshot() const; // for /health and the dashboard

    // Queues a new stripe.event task for a stored event (operators); blocking database work:
    // call it on a worker thread. Empty when the event is unknown or cannot be written; in
    // the second case *error (when given) says why and whether the store was unavailable.
    QString replay(const QString &eventId, StorageError *error = nullptr);

private:
    struct Pending
    {
        StripeEnvelope event;
        QByteArray body;
        Done done;
        Outcome outcome;
    };

    struct Statements;

    void writerLoop();
    void reserveWal(QSqlDatabase &db);
    void checkpointLoop();
    void requestCheckpoint();
    static int walHook(void *intake, sqlite3 *db, const char *name, int frames);
    void writeBatch(Statements &statements, std::deque<Pending> &batch);
    bool insertEvents(Statements &statements,
                      std::deque<Pending> &batch,
                      qint64 at,
                      QStringList *taskIds);
    struct CommitSamples
    {
        Metrics::ThreadSchedStat::Sample before; // COMMIT
        Metrics::ThreadSchedStat::Sample after;
        Metrics::ThreadSchedStat::Sample batchStart; // before the write lock
    };
    void observeSync(
            bool sampled, const CommitSamples &samples, qint64 syncNs, qint64 batchNs, int events);
    qint64 nowMs() const;

    Database &m_database;
    TaskQueue &m_queue;
    Options m_options;
    EventLog *m_eventLog = nullptr;

    mutable QMutex m_mutex;
    QWaitCondition m_wake;
    std::deque<Pending> m_pending;
    bool m_stopping = false;
    bool m_running = false;
    std::unique_ptr<QThread> m_writer;
    // SQLite: WAL checkpoints run here, off the writer, so no acknowledgement waits for one.
    std::unique_ptr<QThread> m_checkpointer;
    QWaitCondition m_checkpointWake;
    bool m_checkpointWanted = false;
    int m_checkpointedFrames = 0;     // WAL size at the last request (writer thread only)
    std::atomic<int> m_walFrames{0};  // WAL size after the writer's last commit
    std::atomic<qint64> m_waiting{0}; // taken by submit, not yet committed

    std::atomic<quint64> m_accepted{0};
    std::atomic<quint64> m_duplicates{0};
    std::atomic<quint64> m_rejected{0};
    std::atomic<quint64> m_unavailable{0};
    std::atomic<quint64> m_batches{0};
    Metrics::Counter *m_acceptedCounter = nullptr;
    Metrics::Counter *m_duplicateCounter = nullptr;
    Metrics::Counter *m_rejectedCounter = nullptr;
    Metrics::Counter *m_unavailableCounter = nullptr;
    Metrics::Histogram *m_commitMs = nullptr;
    Metrics::Histogram *m_syncMs = nullptr;
    Metrics::Histogram *m_syncWaitMs = nullptr;
    Metrics::Histogram *m_syncBlockedMs = nullptr;
    Metrics::Histogram *m_answerHopMs = nullptr;
    Metrics::Histogram *m_batchSize = nullptr;
};

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QWaitCondition>

#include <atomic>

#include "core/logging.h"

namespace Mouse {

// Writers whose callers wait for their commit (the webhook intake: acknowledgements) count
// themselves in here; other writers (workers) wait until it is clear, on a condition variable
// rather than polling, so a held-back worker costs no CPU while it waits. During a burst
// (kBurstEvents or more events committed within the last one or two kWindowNs windows),
// "clear" also needs kQuietNs without a commit: the clients' next requests arrive a fraction
// of a millisecond after their answers, and a worker slipping into that gap would make the next
// group commit wait for its transaction. Below that rate workers go in whenever nothing waits,
// so a steady stream of events never starves processing.
class WriterGate final
{
    Q_DISABLE_COPY_MOVE(WriterGate)

public:
    static constexpr qint64 kQuietNs = 3'000'000;
    static constexpr qint64 kWindowNs = 10'000'000;
    static constexpr int kBurstEvents = 50; // in 10-20 ms: a rate of 2,500-5,000 events/s

    WriterGate() { m_clock.start(); }

    void enter(int count = 1) { m_count.fetch_add(count); }
    void leave(int count = 1)
    {
        const qint64 now = m_clock.nsecsElapsed();
        // Taking the mutex also orders the wake after a waiter's check (no lost wake-up).
        QMutexLocker lock(&m_mutex);
        if (now - m_windowStartNs >= kWindowNs) {
            m_previousWindow = now - m_windowStartNs < 2 * kWindowNs ? m_windowCount : 0;
            m_windowStartNs = now;
            m_windowCount = 0;
        }
        m_windowCount += count;
        m_lastLeaveNs = now;
        if (m_count.fetch_sub(count) - count <= 0)
            m_clear.wakeAll();
    }
    int count() const { return m_count.load(); }
    // True while commits come at the burst rate (see above).
    bool inBurst()
    {
        QMutexLocker lock(&m_mutex);
        return burstLocked(m_clock.nsecsElapsed());
    }
    // Waits until clear (see above) or timeoutMs passed; true when clear.
    bool waitUntilClear(int timeoutMs)
    {
        const QDeadlineTimer deadline(timeoutMs);
        QMutexLocker lock(&m_mutex);
        for (;;) {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 sinceLast = now - m_lastLeaveNs;
            const qint64 quietLeftNs = burstLocked(now) ? kQuietNs - sinceLast : 0;
            if (m_count.load() <= 0 && quietLeftNs <= 0)
                return true;
            if (deadline.hasExpired())
                return false;
            // Counted: sleep until woken; only quiet time left: sleep that long.
            const QDeadlineTimer wake
                    = m_count.load() > 0 ? deadline : QDeadlineTimer(quietLeftNs / 1'000'000 + 1);
            m_clear.wait(&m_mutex, wake.deadline() < deadline.deadline() ? wake : deadline);
        }
    }

private:
    bool burstLocked(qint64 now) const
    {
        return now - m_lastLeaveNs < 2 * kWindowNs
               && m_windowCount + m_previousWindow >= kBurstEvents;
    }

    std::atomic<int> m_count{0};
    QElapsedTimer m_clock;
    QMutex m_mutex;
    QWaitCondition m_clear;
    // Under m_mutex: the recent commit rate.
    qint64 m_lastLeaveNs = -2 * kWindowNs;
    qint64 m_windowStartNs = 0;
    int m_windowCount = 0;
    int m_previousWindow = 0;
};

// Takes the write mutex (when writes are serialised) and opens a write transaction.
// Rolls back when destroyed uncommitted.
class WriteTransaction final
{
    Q_DISABLE_COPY_MOVE(WriteTransaction)

public:
    // urgent: the webhook intake, whose answers wait for this commit. Other writers (workers)
    // step aside (up to kHoldBackMs) while an urgent writer waits or events wait for the
    // intake, so an acknowledgement waits for at most the one transaction already running.
    static constexpr int kHoldBackMs = 100;
    WriteTransaction(QSqlDatabase &db,
                     QMutex &mutex,
                     bool serialize,
                     WriterGate *gate = nullptr,
                     bool urgent = false)
        : m_db(db)
        , m_mutex(serialize ? &mutex : nullptr)
    {
        if (m_mutex && gate && urgent) {
            gate->enter();
            m_mutex->lock();
            gate->leave();
        } else if (m_mutex) {
            // Bounded, so a sustained burst slows processing down but never starves it.
            if (gate)
                gate->waitUntilClear(kHoldBackMs);
            m_mutex->lock();
        }
        if (m_db.driverName() == QLatin1String("QSQLITE") && m_mutex) {
            QSqlQuery begin(m_db);
            m_open = begin.exec(QStringLiteral("BEGIN IMMEDIATE"));
            if (!m_open) {
                m_error = begin.lastError();
                qCWarning(lcQueue) << "cannot begin:" << m_error.text();
            }
        } else {
            m_open = m_db.transaction();
            if (!m_open)
                m_error = m_db.lastError(); // QSqlDatabase drops the code: see error()
        }
    }
    ~WriteTransaction()
    {
        if (m_open)
            rollback();
        if (m_mutex)
            m_mutex->unlock();
    }
    bool isOpen() const { return m_open; }
    // Why BEGIN or COMMIT failed, for Database::isUnavailable(). SQLite's serialised BEGIN
    // and every COMMIT run as statements and keep the driver's code; QSqlDatabase's own
    // transaction() (PostgreSQL) does not, and PostgreSQL's classification counts an error
    // without a SQLSTATE as a lost connection.
    QSqlError error() const { return m_error; }
    bool commit()
    {
        if (!m_open)
            return false;
        QSqlQuery commit(m_db);
        const bool ok = commit.exec(QStringLiteral("COMMIT"));
        if (!ok) {
            m_error = commit.lastError();
            qCWarning(lcQueue) << "commit failed:" << m_error.text();
            rollback();
            return false;
        }
        m_open = false;
        return true;
    }
    void rollback()
    {
        QSqlQuery rollback(m_db);
        rollback.exec(QStringLiteral("ROLLBACK"));
        m_open = false;
    }

private:
    QSqlDatabase &m_db;
    QMutex *m_mutex = nullptr;
    bool m_open = false;
    QSqlError m_error;
};

} // namespace Mouse

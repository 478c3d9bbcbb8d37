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
// rather than polling, so a held-back worker costs no CPU while it waits. "Clear" also needs
// a short quiet time after the last urgent writer left: within a burst, the clients' next
// requests arrive a fraction of a millisecond after their answers, and a worker slipping into
// that gap would make the next group commit wait for its transaction.
class WriterGate final
{
    Q_DISABLE_COPY_MOVE(WriterGate)

public:
    static constexpr qint64 kQuietNs = 3'000'000;

    WriterGate() { m_clock.start(); }

    void enter(int count = 1) { m_count.fetch_add(count); }
    void leave(int count = 1)
    {
        m_lastLeaveNs.store(m_clock.nsecsElapsed());
        if (m_count.fetch_sub(count) - count > 0)
            return;
        // Taking the mutex orders this wake after a waiter's check (no lost wake-up).
        QMutexLocker lock(&m_mutex);
        m_clear.wakeAll();
    }
    int count() const { return m_count.load(); }
    // Waits until nobody is counted and kQuietNs passed since the last one left, or
    // timeoutMs passed; true when clear.
    bool waitUntilClear(int timeoutMs)
    {
        const QDeadlineTimer deadline(timeoutMs);
        QMutexLocker lock(&m_mutex);
        for (;;) {
            const qint64 quietLeftNs = m_lastLeaveNs.load() + kQuietNs - m_clock.nsecsElapsed();
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
    std::atomic<int> m_count{0};
    std::atomic<qint64> m_lastLeaveNs{-kQuietNs};
    QElapsedTimer m_clock;
    QMutex m_mutex;
    QWaitCondition m_clear;
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
            if (!m_open)
                qCWarning(lcQueue) << "cannot begin:" << begin.lastError().text();
        } else {
            m_open = m_db.transaction();
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
    bool commit()
    {
        if (!m_open)
            return false;
        QSqlQuery commit(m_db);
        const bool ok = commit.exec(QStringLiteral("COMMIT"));
        if (!ok) {
            qCWarning(lcQueue) << "commit failed:" << commit.lastError().text();
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
};

} // namespace Mouse

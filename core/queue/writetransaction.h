// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDeadlineTimer>
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
// rather than polling, so a held-back worker costs no CPU while it waits.
class WriterGate final
{
    Q_DISABLE_COPY_MOVE(WriterGate)

public:
    WriterGate() = default;

    void enter(int count = 1) { m_count.fetch_add(count); }
    void leave(int count = 1)
    {
        if (m_count.fetch_sub(count) - count > 0)
            return;
        // Taking the mutex orders this wake after a waiter's check (no lost wake-up).
        QMutexLocker lock(&m_mutex);
        m_clear.wakeAll();
    }
    int count() const { return m_count.load(); }
    // Waits until nobody is counted or timeoutMs passed; true when clear.
    bool waitUntilClear(int timeoutMs)
    {
        if (m_count.load() <= 0)
            return true;
        QDeadlineTimer deadline(timeoutMs);
        QMutexLocker lock(&m_mutex);
        while (m_count.load() > 0) {
            if (!m_clear.wait(&m_mutex, deadline))
                return m_count.load() <= 0;
        }
        return true;
    }

private:
    std::atomic<int> m_count{0};
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

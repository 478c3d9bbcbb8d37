// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <atomic>

#include "core/logging.h"

namespace Mouse {

// Takes the write mutex (when writes are serialised) and opens a write transaction.
// Rolls back when destroyed uncommitted.
class WriteTransaction final
{
    Q_DISABLE_COPY_MOVE(WriteTransaction)

public:
    // urgent: the webhook intake, whose answers wait for this commit. Other writers (workers)
    // step aside (up to ~100 ms) while an urgent writer waits or events wait for the intake, so
    // an acknowledgement waits for at most the one transaction already running.
    WriteTransaction(QSqlDatabase &db,
                     QMutex &mutex,
                     bool serialize,
                     std::atomic<int> *urgentWaiters = nullptr,
                     bool urgent = false)
        : m_db(db)
        , m_mutex(serialize ? &mutex : nullptr)
    {
        if (m_mutex && urgentWaiters && urgent) {
            urgentWaiters->fetch_add(1);
            m_mutex->lock();
            urgentWaiters->fetch_sub(1);
        } else if (m_mutex) {
            // Bounded, so a sustained burst slows processing down but never starves it.
            for (int spins = 0; urgentWaiters && urgentWaiters->load() > 0 && spins < 2000; ++spins)
                QThread::usleep(50);
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

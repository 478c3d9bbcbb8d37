// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include "core/storage/storageerror.h"

#include <initializer_list>

namespace Mouse::BillingSql {

// Prepares and runs one statement with positional binds. On failure *error gets the driver's
// text, which is for logs only (never for HTTP answers), and its class by the driver's code
// (Database::isUnavailableError). While a StatementScope is open on
// this thread, the statement is prepared once per connection and reused: query then shares
// the cached statement's result (read it before running the same SQL again).
bool exec(QSqlQuery &query,
          const QString &sql,
          std::initializer_list<QVariant> binds,
          StorageError *error);

// Opens the statement cache on this thread for its lifetime (scopes nest). Preparing the
// ledger's SQL for every statement was most of an event's processing cost (~1.5 M of ~2.6 M
// instructions). When the outermost scope closes, every statement it ran is reset (finish()):
// a SQLite statement left active would keep its read snapshot, and with it the WAL, alive.
// Statements stay prepared for the next scope on the same connection until the thread exits.
class StatementScope final
{
public:
    StatementScope();
    ~StatementScope();
    Q_DISABLE_COPY_MOVE(StatementScope)
};

// How many prepared statements this thread's cache holds, those of closed connections
// included (tests: a closed connection's statements are gone once the next scope closes).
int cachedStatementCount();

// A NULL for an empty string (optional columns such as reference_id).
QVariant nullable(const QString &value);

// A failed statement's error on query's connection, classified by the driver's code.
StorageError storageError(const QSqlQuery &query, const QSqlError &error);

// A transaction the billing routes open themselves (the queue opens its own for event handlers).
// Rolls back on destruction unless commit() succeeded. BEGIN (and COMMIT on SQLite) run as
// statements: QSqlDatabase::transaction() (and QSQLITE's commit()) drop the driver's code,
// and with it whether the store was only unavailable.
class Transaction final
{
public:
    explicit Transaction(QSqlDatabase &db);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    bool isActive() const { return m_active; }
    // Why BEGIN failed (empty when it did not).
    const StorageError &beginError() const { return m_beginError; }
    bool commit(StorageError *error);

private:
    QSqlDatabase &m_db;
    bool m_active = false;
    StorageError m_beginError;
};

} // namespace Mouse::BillingSql

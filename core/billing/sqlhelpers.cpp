// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/sqlhelpers.h"

#include "core/storage/database.h"

#include <QHash>
#include <QPointer>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlResult>

namespace Mouse::BillingSql {

namespace {

// This thread's prepared statements, per connection (its driver) and SQL text. Destroyed when
// the thread exits, before its connections are (they were opened before anything was cached).
struct StatementCache
{
    struct Statements
    {
        // Null once the connection is gone: its statements were finalised with it, and its
        // address may be reused by the next connection's driver, so the address alone says
        // nothing.
        QPointer<QSqlDriver> driver;
        QHash<QString, QSqlQuery> bySql;
    };

    int depth = 0; // open StatementScopes
    QHash<const QSqlDriver *, Statements> byDriver;
    QList<QSqlQuery> used; // run in the open scope: reset when it closes

    // The prepared statement for sql on query's connection; nullptr when it cannot be prepared.
    QSqlQuery *statement(const QSqlQuery &query, const QString &sql, StorageError *error)
    {
        const QSqlDriver *driver = query.driver();
        if (!driver)
            return nullptr;
        Statements &statements = byDriver[driver];
        if (statements.driver != driver) {
            statements.bySql.clear();
            statements.driver = const_cast<QSqlDriver *>(driver);
        }
        auto it = statements.bySql.find(sql);
        if (it == statements.bySql.end()) {
            QSqlQuery prepared(driver->createResult());
            if (!prepared.prepare(sql)) {
                *error = storageError(prepared, prepared.lastError());
                return nullptr;
            }
            it = statements.bySql.insert(sql, prepared);
        }
        return &it.value();
    }

    // Forgets the statements of connections that are gone (threads open and close many).
    void dropClosed()
    {
        byDriver.removeIf([](const auto &entry) { return entry.value().driver.isNull(); });
    }
};

thread_local StatementCache t_cache;

} // namespace

StatementScope::StatementScope()
{
    ++t_cache.depth;
}

StatementScope::~StatementScope()
{
    if (--t_cache.depth > 0)
        return;
    for (QSqlQuery &query : t_cache.used)
        query.finish();
    t_cache.used.clear();
    t_cache.dropClosed();
}

int cachedStatementCount()
{
    int count = 0;
    for (const StatementCache::Statements &statements : std::as_const(t_cache.byDriver))
        count += int(statements.bySql.size());
    return count;
}

bool exec(QSqlQuery &query,
          const QString &sql,
          std::initializer_list<QVariant> binds,
          StorageError *error)
{
    if (t_cache.depth > 0) {
        QSqlQuery *cached = t_cache.statement(query, sql, error);
        if (!cached)
            return false;
        // Shares the cached statement's result: the caller reads its rows through query.
        // Qt 6 deprecates copying a QSqlQuery because copies share one result, which is
        // exactly what this wants; the cache owns the statement for the thread's lifetime.
        QT_WARNING_PUSH
        QT_WARNING_DISABLE_DEPRECATED
        query = *cached;
        QT_WARNING_POP
        t_cache.used.append(query);
    } else if (!query.prepare(sql)) {
        *error = storageError(query, query.lastError());
        return false;
    }
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    if (!query.exec()) {
        *error = storageError(query, query.lastError());
        return false;
    }
    return true;
}

QVariant nullable(const QString &value)
{
    return value.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(value);
}

StorageError storageError(const QSqlQuery &query, const QSqlError &error)
{
    const QSqlDriver *driver = query.driver();
    const Database::Kind kind = driver && driver->dbmsType() == QSqlDriver::PostgreSQL
                                        ? Database::Kind::Postgres
                                        : Database::Kind::Sqlite;
    // QPSQL reports no error at all for a statement on a dead connection: never empty here,
    // since an empty StorageError means that nothing failed.
    const QString text = error.text().trimmed();
    return {text.isEmpty() ? QStringLiteral("the statement failed without an error") : text,
            Database::isUnavailableError(kind, error)};
}

Transaction::Transaction(QSqlDatabase &db)
    : m_db(db)
{
    QSqlQuery begin(m_db);
    m_active = begin.exec(QStringLiteral("BEGIN"));
    if (!m_active)
        m_beginError = storageError(begin, begin.lastError());
}

Transaction::~Transaction()
{
    if (m_active)
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
}

bool Transaction::commit(StorageError *error)
{
    if (!m_active) {
        *error = m_beginError.isEmpty() ? StorageError{QStringLiteral("no transaction"), false}
                                        : m_beginError;
        return false;
    }
    QSqlQuery commit(m_db);
    if (commit.driver() && commit.driver()->dbmsType() == QSqlDriver::PostgreSQL) {
        // QPSQL's own commit keeps the SQLSTATE and, unlike a COMMIT statement, notices a
        // COMMIT that the server turned into a ROLLBACK (an earlier statement had failed).
        if (!m_db.commit()) {
            *error = storageError(commit, m_db.lastError());
            // That ROLLBACK carries no SQLSTATE on a live connection: not the store's state.
            error->unavailable
                    = error->unavailable
                      && !(m_db.isOpen() && m_db.lastError().nativeErrorCode().isEmpty());
            return false; // still active: the destructor rolls back
        }
    } else if (!commit.exec(QStringLiteral("COMMIT"))) {
        // QSQLITE's commit() drops the result code: COMMIT as a statement keeps it.
        *error = storageError(commit, commit.lastError());
        return false; // still active: the destructor rolls back
    }
    m_active = false;
    return true;
}

} // namespace Mouse::BillingSql

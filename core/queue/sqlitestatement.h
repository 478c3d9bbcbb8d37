// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace Mouse {

// The QSQLITE driver's sqlite3 handle of db; nullptr for other drivers or when unavailable.
sqlite3 *sqliteHandle(const QSqlDatabase &db);

// One statement prepared once on a SQLite connection's own handle (QSqlDriver::handle()) and
// run many times: for the few hot inserts (the webhook intake's events and tasks), where
// QSqlQuery's per-bind bookkeeping and UTF-16 conversions cost more than SQLite's insert.
// Not valid (isValid() false) on PostgreSQL or when the handle is unavailable: callers keep
// their QSqlQuery path for that. Use it on the thread owning the connection only.
class SqliteStatement final
{
    Q_DISABLE_COPY_MOVE(SqliteStatement)

public:
    SqliteStatement(const QSqlDatabase &db, const char *sql);
    ~SqliteStatement();

    bool isValid() const { return m_statement != nullptr; }

    // Binds are 1-based, as in SQLite. Text is bound as UTF-8, copied by SQLite; a null
    // QByteArray or QString is bound as NULL (as QSqlQuery does).
    void bind(int index, const QByteArray &utf8);
    void bind(int index, const QString &text);
    void bind(int index, qint64 value);
    void bindNull(int index);
    // Runs the statement and resets it (binds cleared); false on an error (see lastError()).
    bool run();
    // Rows changed by the last run().
    int changes() const;
    QString lastError() const;

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
};

} // namespace Mouse

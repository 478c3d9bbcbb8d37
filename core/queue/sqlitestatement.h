// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace Mouse {

// The QSQLITE driver's sqlite3 handle of db; nullptr for other drivers or when unavailable.
sqlite3 *sqliteHandle(const QSqlDatabase &db);

// Grows db's write-ahead log file to at least `bytes` with zeros written through SQLite's own
// file handle, and syncs it. A WAL that SQLite restarts is overwritten from its start, never
// shortened (journal_size_limit is not set), so afterwards a commit's fdatasync rewrites
// blocks the file already has: no size change, no file-system journal commit. Zeros past the
// last valid frame are what SQLite's recovery reads as the end of the log (a frame's salt must
// match the header's). Call it inside a write transaction on db (BEGIN IMMEDIATE), so no other
// connection appends frames meanwhile. Returns the WAL's size afterwards, or -1 when db is not
// a SQLite database in WAL mode or a write failed.
qint64 preallocateWal(const QSqlDatabase &db, qint64 bytes);

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

    // Binds are 1-based, as in SQLite. Text is bound as UTF-8, copied into a buffer of the
    // statement's; a null QByteArray or QString is bound as NULL (as QSqlQuery does).
    void bind(int index, const QByteArray &utf8);
    void bind(int index, const QString &text);
    // As bind(), without SQLite's copy: utf8 must stay unchanged until run() (large texts).
    void bindUntilRun(int index, const QByteArray &utf8);
    void bind(int index, qint64 value);
    void bindNull(int index);
    // Runs the statement and resets it (binds cleared); false on an error (see lastError()).
    bool run();
    // Rows changed by the last run().
    int changes() const;
    QString lastError() const;

private:
    std::string *scratch(int index); // the parameter's text buffer; nullptr when out of range
    void bindScratch(int index, const char *data, qsizetype size);

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    // One buffer per parameter, bound SQLITE_STATIC: valid until that parameter is bound again
    // or run() clears the binds, which is as long as SQLite reads it.
    std::vector<std::string> m_scratch;
};

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QStringList>

#include "core/storage/storageerror.h"

#include <atomic>
#include <optional>

namespace Mouse {

// The gateway's store: SQLite by default, PostgreSQL when given a postgresql:// URL.
//
// Each thread gets its own connection (QSqlDatabase connections are not shareable between
// threads); connection() creates it on first use with the same pragmas. SQLite runs in WAL mode
// with synchronous=FULL, so a committed transaction survives a crash or power loss.
// Migrations are numbered SQL files under :/mouse/storage/migrations, applied in order, once,
// each in its own transaction; the SQL is kept to what SQLite and PostgreSQL both accept.
class Database final
{
public:
    enum class Kind { Sqlite, Postgres };

    // location: a file path, "sqlite::memory:" (tests), or postgresql://user:pass@host:port/db.
    explicit Database(QString location);
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    // How long a SQLite statement waits for another writer's lock (default 10 s) before it
    // fails with "database is locked". Set before open(); tests shorten it.
    void setBusyTimeoutMs(int ms) { m_busyTimeoutMs = ms; }

    // SQLite only: every connection opens read-only (QSQLITE_OPEN_READONLY), so that each
    // write fails with SQLITE_READONLY, as on a read-only mount. For inspecting a copy, and for
    // tests of a store that refuses writes whoever runs them (root ignores file modes). The
    // schema must already be current: open() then only checks it. Set before open().
    void setReadOnly(bool readOnly) { m_readOnly = readOnly; }

    // Opens the main connection, creating the file's folder, and runs pending migrations.
    bool open(QString *error);

    // This thread's connection, opened on first use. Valid after open() succeeded.
    QSqlDatabase connection() const;

    Kind kind() const { return m_kind; }
    QString location() const { return m_location; }
    int schemaVersion() const;

    // Where the data is, for messages: the file, or a PostgreSQL URL without its credentials.
    QString displayName() const;

    // Whether a driver's error says the store cannot take the work now rather than that the
    // statement is wrong: such failures are answered 503 storage_unavailable with Retry-After.
    // Decided by the driver's code (QSqlError::nativeErrorCode()), never by its text:
    // SQLite's result code (BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, extended codes
    // included), PostgreSQL's SQLSTATE (08 connection, 53 insufficient resources, 57P0x
    // shutdown, 25006 read-only transaction, 40001/40P01 serialization failure and deadlock).
    // A PostgreSQL error without a SQLSTATE but with libpq's message, or a failed statement
    // with no error at all (Qt's QPSQL on a dead connection), means the connection is gone.
    // Call it only for a statement that failed.
    static bool isUnavailableError(Kind kind, const QSqlError &error);
    bool isUnavailable(const QSqlError &error) const { return isUnavailableError(m_kind, error); }
    // A failed statement's error as a StorageError: the driver's text (never empty, so that
    // callers may use an empty StorageError for "nothing failed") and isUnavailable().
    StorageError storageError(const QSqlError &error) const;

    // The default SQLite file: $XDG_DATA_HOME/mouse-gateway/mouse-gateway.sqlite.
    static QString defaultLocation();

private:
    QSqlDatabase openConnection(const QString &name, QString *error) const;
    bool migrate(QString *error);
    std::optional<QStringList> tableNames(QSqlDatabase &db, QString *error) const;
    bool checkOwnership(QSqlDatabase &db, int latest, QString *error) const;

    QString m_location;
    Kind m_kind = Kind::Sqlite;
    QString m_connectionPrefix;
    bool m_inMemory = false;
    int m_busyTimeoutMs = 10000;
    bool m_readOnly = false;
    static std::atomic<int> s_instances;
};

} // namespace Mouse

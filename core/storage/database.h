// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

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

    // Opens the main connection, creating the file's folder, and runs pending migrations.
    bool open(QString *error);

    // This thread's connection, opened on first use. Valid after open() succeeded.
    QSqlDatabase connection() const;

    Kind kind() const { return m_kind; }
    QString location() const { return m_location; }
    int schemaVersion() const;

    // Where the data is, for messages: the file, or a PostgreSQL URL without its credentials.
    QString displayName() const;

    // Whether a driver's error text says the store cannot take the work now (locked by
    // another process, disk full, read-only, I/O error, PostgreSQL connection lost) rather
    // than that the statement is wrong: such failures are answered 503 with Retry-After.
    static bool isUnavailableError(const QString &errorText);

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
    static std::atomic<int> s_instances;
};

} // namespace Mouse

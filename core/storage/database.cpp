// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/storage/database.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QThreadStorage>
#include <QUrl>

#include <algorithm>
#include <iterator>
#include <optional>

namespace Mouse {

std::atomic<int> Database::s_instances{0};

namespace {

struct Migration
{
    int version;
    QString path;
};

QList<Migration> availableMigrations()
{
    QList<Migration> migrations;
    const QDir dir(QStringLiteral(":/mouse/storage/migrations"));
    for (const QString &name : dir.entryList({QStringLiteral("*.sql")}, QDir::Files)) {
        bool ok = false;
        const int version = name.section(u'_', 0, 0).toInt(&ok);
        if (ok)
            migrations.append({version, dir.filePath(name)});
    }
    std::sort(migrations.begin(), migrations.end(), [](const Migration &a, const Migration &b) {
        return a.version < b.version;
    });
    return migrations;
}

// Splits a migration file into statements; statements end with ';' at the end of a line.
QStringList statementsOf(const QString &sql)
{
    QStringList statements;
    QString current;
    for (const QString &line : sql.split(u'\n')) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(u"--") || trimmed.isEmpty())
            continue;
        current += line + u'\n';
        if (trimmed.endsWith(u';')) {
            statements.append(current.trimmed());
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

bool exec(QSqlDatabase &db, const QString &statement, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(statement))
        return true;
    *error = query.lastError().text();
    return false;
}

// Connections are tied to the thread that opened them. Pool threads come and go (and the OS
// reuses thread ids), so each thread gets a serial number of its own, and the connections it
// opened are closed and removed when it exits.
struct ThreadConnections
{
    const quint64 serial = nextSerial();
    QStringList names;

    static quint64 nextSerial()
    {
        static std::atomic<quint64> counter{0};
        return ++counter;
    }

    // Runs in the exiting thread before QThread::wait() returns (threadConnections() below).
    // A thread that ends while the application is closing down (a pool the application object
    // deletes) leaves its connections to the exit; SQLite recovers an unclosed WAL at the next
    // open, and nothing committed is lost.
    ~ThreadConnections()
    {
        for (const QString &name : std::as_const(names)) {
            if (QCoreApplication::closingDown() || !QSqlDatabase::contains(name))
                continue;
            QSqlDatabase::database(name, false).close();
            if (!QCoreApplication::closingDown()) // close() may have taken a while
                QSqlDatabase::removeDatabase(name);
        }
    }
};

// QThreadStorage, not thread_local: Qt destroys a QThread's storage in that thread before
// QThread::wait() (so a pool's destructor) returns, whereas C++ runs thread_local destructors
// after it. With thread_local, the last pool thread joined at shutdown could still be inside
// QSqlDatabase::contains() while main() returned and exit() destroyed Qt SQL's connection
// registry: "free(): invalid pointer" and SIGABRT in about 1 stop of --server in 50 on a loaded
// machine (a check of QCoreApplication::closingDown() cannot close that window).
// Every thread that opens a connection is a QThread (pools, QThread::create).
ThreadConnections &threadConnections()
{
    static QThreadStorage<ThreadConnections *> storage;
    if (!storage.hasLocalData())
        storage.setLocalData(new ThreadConnections);
    return *storage.localData();
}

} // namespace

Database::Database(QString location)
    : m_location(std::move(location))
    , m_connectionPrefix(QStringLiteral("mouse-db-%1").arg(s_instances.fetch_add(1)))
{
    if (m_location.startsWith(u"postgresql://") || m_location.startsWith(u"postgres://"))
        m_kind = Kind::Postgres;
    m_inMemory = m_location == u"sqlite::memory:";
}

Database::~Database()
{
    // A connection may only be closed by the thread that opened it, so this removes only the
    // destroying thread's; every other thread's go when that thread exits (ThreadConnections).
    const QString prefix = m_connectionPrefix + u'-';
    threadConnections().names.removeIf([&prefix](const QString &name) {
        if (!name.startsWith(prefix))
            return false;
        if (QSqlDatabase::contains(name)) {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
        return true;
    });
}

QString Database::defaultLocation()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.local/share");
    return dir + QStringLiteral("/mouse-gateway/mouse-gateway.sqlite");
}

bool Database::open(QString *error)
{
    if (m_kind == Kind::Sqlite && !m_inMemory) {
        const QFileInfo file(m_location);
        if (!QDir().mkpath(file.absolutePath())) {
            *error = QStringLiteral("cannot create the folder %1").arg(file.absolutePath());
            return false;
        }
    }
    if (m_kind == Kind::Sqlite && !m_inMemory && QFileInfo(m_location).size() > 0) {
        // Look before touching: opening a connection switches the file to WAL (a lasting
        // change to its header) before the tables can be checked, so another program's
        // database refused below was left in WAL mode. A read-only look first leaves a refused
        // file byte for byte as it was; a file it cannot read is judged by the full open.
        const QString probeName = m_connectionPrefix + QStringLiteral("-probe");
        bool refused = false;
        {
            QSqlDatabase probe = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), probeName);
            probe.setDatabaseName(m_location);
            probe.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            const QList<Migration> migrations = availableMigrations();
            QString unreadable; // judged by the full open below, as before
            refused = probe.open() && tableNames(probe, &unreadable)
                      && !checkOwnership(probe,
                                         migrations.isEmpty() ? 0 : migrations.constLast().version,
                                         error);
            probe.close();
        }
        QSqlDatabase::removeDatabase(probeName);
        if (refused)
            return false;
    }
    const QString name = m_connectionPrefix + QStringLiteral("-main");
    const QSqlDatabase db = openConnection(name, error);
    threadConnections().names.append(name);
    if (!db.isOpen())
        return false;
    return migrate(error);
}

QSqlDatabase Database::openConnection(const QString &name, QString *error) const
{
    QSqlDatabase db;
    if (m_kind == Kind::Postgres) {
        const QUrl url(m_location);
        db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
    } else {
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        // An in-memory database is shared between this object's connections through a URI name.
        db.setDatabaseName(
                m_inMemory
                        ? QStringLiteral("file:%1?mode=memory&cache=shared").arg(m_connectionPrefix)
                        : m_location);
        QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_busyTimeoutMs);
        if (m_inMemory)
            options += QStringLiteral(";QSQLITE_OPEN_URI");
        if (m_readOnly)
            options += QStringLiteral(";QSQLITE_OPEN_READONLY");
        db.setConnectOptions(options);
    }
    if (!db.open()) {
        // The driver's text may contain the connection string; keep it out of answers.
        qCWarning(lcStorage) << "cannot open the database:" << db.lastError().text();
        *error = QStringLiteral("cannot open the database %1 (%2)")
                         .arg(displayName(), db.lastError().driverText());
        return db;
    }
    if (m_kind == Kind::Sqlite) {
        QString ignored;
        if (!m_inMemory)
            exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), &ignored);
        exec(db, QStringLiteral("PRAGMA synchronous=FULL"), &ignored);
        exec(db, QStringLiteral("PRAGMA foreign_keys=ON"), &ignored);
    }
    return db;
}

QSqlDatabase Database::connection() const
{
    ThreadConnections &mine = threadConnections();
    const QString name = m_connectionPrefix + QStringLiteral("-t") + QString::number(mine.serial);
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name, false);
    QString error;
    QSqlDatabase db = openConnection(name, &error);
    mine.names.append(name);
    return db;
}

int Database::schemaVersion() const
{
    QSqlDatabase db = connection();
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT MAX(version) FROM schema_migrations")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

bool Database::isUnavailableError(Kind kind, const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    if (kind == Kind::Sqlite) {
        // QSQLITE puts the step's result code there in decimal; an extended code (e.g.
        // SQLITE_IOERR_WRITE, 778) keeps its primary code in the low byte.
        bool ok = false;
        const int primary = code.toInt(&ok) & 0xff;
        static constexpr int busy = 5, locked = 6, readOnly = 8, ioError = 10, full = 13,
                             cantOpen = 14;
        return ok
               && (primary == busy || primary == locked || primary == readOnly || primary == ioError
                   || primary == full || primary == cantOpen);
    }
    // A statement that failed with no error at all: Qt 6.4's QPSQL got no result from libpq,
    // which happens when the connection is gone. libpq's own failures (the connection broke
    // or was never made) carry no SQLSTATE but libpq's message. Qt's own errors ("Parameter
    // count mismatch") carry neither: the statement's fault.
    if (error.type() == QSqlError::NoError)
        return true;
    if (code.isEmpty())
        return error.type() == QSqlError::ConnectionError || !error.databaseText().isEmpty();
    return code.startsWith(u"08") || code.startsWith(u"53") || code.startsWith(u"57P0")
           || code == u"25006" || code == u"40001" || code == u"40P01";
}

StorageError Database::storageError(const QSqlError &error) const
{
    // QPSQL reports no error at all for a statement on a dead connection.
    const QString text = error.text().trimmed();
    return {text.isEmpty() ? QStringLiteral("the statement failed without an error") : text,
            isUnavailable(error)};
}

QString Database::displayName() const
{
    if (m_kind == Kind::Sqlite)
        return m_location;
    // Never the user name or the password of a postgresql:// URL.
    const QUrl url(m_location);
    return QStringLiteral("postgresql://%1:%2%3")
            .arg(url.host())
            .arg(url.port(5432))
            .arg(url.path());
}

// The names of the tables already there, so that another program's database is never written
// into: migrations would add our tables beside its own, and the gateway would run on it.
std::optional<QStringList> Database::tableNames(QSqlDatabase &db, QString *error) const
{
    QSqlQuery query(db);
    const QString sql = m_kind == Kind::Sqlite
                                ? QStringLiteral("SELECT name FROM sqlite_master WHERE type = "
                                                 "'table' AND name NOT LIKE 'sqlite_%'")
                                : QStringLiteral("SELECT table_name FROM information_schema.tables "
                                                 "WHERE table_schema = current_schema()");
    if (!query.exec(sql)) {
        *error = query.lastError().text();
        return std::nullopt;
    }
    QStringList names;
    while (query.next())
        names.append(query.value(0).toString());
    return names;
}

// Refuses a database that is not ours (tables but no schema_migrations, or a schema_migrations
// of another shape) and one whose schema is newer than this build's migrations: running old
// code on a newer ledger could write rows the newer code reads differently.
bool Database::checkOwnership(QSqlDatabase &db, int latest, QString *error) const
{
    const std::optional<QStringList> tables = tableNames(db, error);
    if (!tables) {
        *error = QStringLiteral("cannot read the database %1: %2").arg(displayName(), *error);
        return false;
    }
    if (tables->isEmpty())
        return true;
    QSqlQuery query(db);
    if (!tables->contains(QStringLiteral("schema_migrations"))
        || !query.exec(QStringLiteral("SELECT MAX(version) FROM schema_migrations"))) {
        *error = QStringLiteral("the database %1 already holds tables of another program; "
                                "set storage/database to a new file")
                         .arg(displayName());
        return false;
    }
    const int current = query.next() ? query.value(0).toInt() : 0;
    if (current > latest) {
        *error = QStringLiteral("the database %1 has schema version %2, newer than this "
                                "mouse-gateway knows (%3); run the newer version or restore a "
                                "backup")
                         .arg(displayName())
                         .arg(current)
                         .arg(latest);
        return false;
    }
    return true;
}

bool Database::migrate(QString *error)
{
    QSqlDatabase db = connection();
    const QList<Migration> migrations = availableMigrations();
    if (!checkOwnership(db, migrations.isEmpty() ? 0 : migrations.constLast().version, error))
        return false;
    if (!exec(db,
              QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"),
              error))
        return false;

    const int current = schemaVersion();
    for (const Migration &migration : migrations) {
        if (migration.version <= current)
            continue;
        QFile file(migration.path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("missing migration %1").arg(migration.path);
            return false;
        }
        db.transaction();
        for (const QString &statement : statementsOf(QString::fromUtf8(file.readAll()))) {
            if (!exec(db, statement, error)) {
                db.rollback();
                *error = QStringLiteral("migration %1 failed: %2")
                                 .arg(migration.version)
                                 .arg(*error);
                return false;
            }
        }
        QSqlQuery mark(db);
        mark.prepare(QStringLiteral("INSERT INTO schema_migrations (version, applied_at) "
                                    "VALUES (?, ?)"));
        mark.addBindValue(migration.version);
        mark.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!mark.exec() || !db.commit()) {
            db.rollback();
            *error = QStringLiteral("cannot record migration %1").arg(migration.version);
            return false;
        }
        qCInfo(lcStorage) << "applied migration" << migration.version;
    }
    return true;
}

} // namespace Mouse

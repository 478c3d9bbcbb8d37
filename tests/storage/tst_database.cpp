// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/storage/database.h"
#include "support/postgresserver.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

using Mouse::Database;

namespace {

// The error of one statement on db.
QSqlError failure(QSqlDatabase db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return {};
    return query.lastError();
}

QSqlDatabase rawSqlite(const QString &name, const QString &file, const QString &options = {})
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(file);
    db.setConnectOptions(options);
    db.open();
    return db;
}

} // namespace

class tst_Database : public QObject
{
    Q_OBJECT

private slots:
    void createsFileAndMigrates();
    void reopenIsIdempotent();
    void walAndFullSync();
    void connectionPerThread();
    void migrationsRunOnPostgres();
    void threadsComingAndGoing();
    void foreignDatabaseIsRefused();
    void foreignMigrationTableIsRefused();
    void newerSchemaIsRefused();
    void refusedFileIsLeftByteForByte();
    void corruptFileIsRefusedWithItsName();
    void deletedVmLinksAreClearedOnUpgrade();
    void sqliteUnavailableByCode();
    void sqliteStatementErrorsAreNotUnavailable();
    void postgresUnavailableBySqlstate();

private:
    QTemporaryDir m_dir;
};

void tst_Database::createsFileAndMigrates()
{
    const QString path = m_dir.filePath(QStringLiteral("nested/folder/gw.sqlite"));
    Database db(path);
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    QVERIFY(QFile::exists(path));
    QVERIFY(db.schemaVersion() >= 1);

    QSqlQuery query(db.connection());
    QVERIFY(query.exec(QStringLiteral("SELECT COUNT(*) FROM employees")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 0);
}

void tst_Database::reopenIsIdempotent()
{
    const QString path = m_dir.filePath(QStringLiteral("again.sqlite"));
    int version = 0;
    {
        Database db(path);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        version = db.schemaVersion();
        QSqlQuery insert(db.connection());
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO customers (id, company_name, email, "
                                           "created_at) VALUES ('c1', 'Acme', 'a@x', 1)")));
    }
    Database db(path);
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    QCOMPARE(db.schemaVersion(), version);
    QSqlQuery query(db.connection());
    QVERIFY(query.exec(QStringLiteral("SELECT company_name FROM customers WHERE id = 'c1'")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("Acme"));
}

void tst_Database::walAndFullSync()
{
    Database db(m_dir.filePath(QStringLiteral("wal.sqlite")));
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    QSqlQuery query(db.connection());
    QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
    QVERIFY(query.exec(QStringLiteral("PRAGMA synchronous")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 2); // FULL
}

void tst_Database::connectionPerThread()
{
    Database db(m_dir.filePath(QStringLiteral("threads.sqlite")));
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    const QString mainName = db.connection().connectionName();
    const QString otherName
            = QtConcurrent::run([&db] { return db.connection().connectionName(); }).result();
    QVERIFY(mainName != otherName);
}

// Pool threads expire and the OS reuses their ids: each new thread still gets a working
// connection of its own, never a dead thread's.
void tst_Database::threadsComingAndGoing()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("does not belong")));
    Database db(m_dir.filePath(QStringLiteral("pool.sqlite")));
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    QThreadPool pool;
    pool.setMaxThreadCount(2);
    pool.setExpiryTimeout(1);
    for (int round = 0; round < 20; ++round) {
        const bool ok = QtConcurrent::run(&pool, [&db] {
                            QSqlQuery query(db.connection());
                            return query.exec(QStringLiteral("SELECT COUNT(*) FROM customers"))
                                   && query.next();
                        }).result();
        QVERIFY2(ok, qPrintable(QString::number(round)));
        QTest::qWait(5); // let the thread expire
    }
}

// Every migration is portable SQL: run them all against a real PostgreSQL server.
// Another program's SQLite file given by mistake: the gateway used to add its tables beside
// the other program's and run on it.
void tst_Database::foreignDatabaseIsRefused()
{
    const QString path = m_dir.filePath(QStringLiteral("places.sqlite"));
    {
        QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), u"other"_qs);
        other.setDatabaseName(path);
        QVERIFY(other.open());
        QVERIFY(QSqlQuery(other).exec(QStringLiteral("CREATE TABLE moz_places (url TEXT)")));
        other.close();
    }
    QSqlDatabase::removeDatabase(u"other"_qs);

    Database db(path);
    QString error;
    QVERIFY(!db.open(&error));
    QVERIFY2(error.contains(QStringLiteral("another program")), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));

    QSqlDatabase check = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), u"check"_qs);
    check.setDatabaseName(path);
    QVERIFY(check.open());
    QSqlQuery tables(check);
    QVERIFY(tables.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")));
    QStringList names;
    while (tables.next())
        names.append(tables.value(0).toString());
    QCOMPARE(names, QStringList{QStringLiteral("moz_places")}); // nothing of ours was added
    check.close();
    check = {};
    QSqlDatabase::removeDatabase(u"check"_qs);
}

void tst_Database::foreignMigrationTableIsRefused()
{
    const QString path = m_dir.filePath(QStringLiteral("migrations-of-another.sqlite"));
    {
        QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), u"other2"_qs);
        other.setDatabaseName(path);
        QVERIFY(other.open());
        QVERIFY(QSqlQuery(other).exec(
                QStringLiteral("CREATE TABLE schema_migrations (name TEXT)")));
        other.close();
    }
    QSqlDatabase::removeDatabase(u"other2"_qs);

    Database db(path);
    QString error;
    QVERIFY(!db.open(&error));
    QVERIFY2(error.contains(QStringLiteral("another program")), qPrintable(error));
}

// "Left untouched" means byte for byte: the refusal used to come after the connection had
// switched the other program's file to WAL (header bytes 18-19 from 1 to 2, for good).
void tst_Database::refusedFileIsLeftByteForByte()
{
    const QString path = m_dir.filePath(QStringLiteral("rollback-journal.sqlite"));
    {
        QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), u"other3"_qs);
        other.setDatabaseName(path);
        QVERIFY(other.open());
        QVERIFY(QSqlQuery(other).exec(QStringLiteral("CREATE TABLE notes (body TEXT)")));
        QVERIFY(QSqlQuery(other).exec(QStringLiteral("INSERT INTO notes VALUES ('kept')")));
        other.close();
    }
    QSqlDatabase::removeDatabase(u"other3"_qs);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();
    QCOMPARE(before.at(18), char(1)); // a rollback-journal database, as SQLite makes by default

    {
        Database db(path);
        QString error;
        QVERIFY(!db.open(&error));
        QVERIFY2(error.contains(QStringLiteral("another program")), qPrintable(error));
    }
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray after = file.readAll();
    QCOMPARE(after.at(18), char(1)); // still not WAL
    QVERIFY(after == before);
    QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
}

// A database written by a newer build: this one must not run its older code on it.
void tst_Database::newerSchemaIsRefused()
{
    const QString path = m_dir.filePath(QStringLiteral("future.sqlite"));
    int version = 0;
    {
        Database db(path);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        version = db.schemaVersion();
        QSqlQuery insert(db.connection());
        QVERIFY(insert.exec(
                QStringLiteral("INSERT INTO schema_migrations VALUES (%1, 0)").arg(version + 100)));
    }
    Database db(path);
    QString error;
    QVERIFY(!db.open(&error));
    QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
    QVERIFY2(error.contains(QString::number(version + 100)), qPrintable(error));
}

void tst_Database::corruptFileIsRefusedWithItsName()
{
    const QString path = m_dir.filePath(QStringLiteral("garbage.sqlite"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(8192, 'x'));
    file.close();

    Database db(path);
    QString error;
    QVERIFY(!db.open(&error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(QFileInfo(path).size(), 8192); // left as it was, for the operator to inspect
}

void tst_Database::migrationsRunOnPostgres()
{
    const QString reason = Mouse::Tests::PostgresServer::unavailableReason();
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
    Mouse::Tests::PostgresServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    int version = 0;
    {
        Database db(server.url());
        QCOMPARE(db.kind(), Database::Kind::Postgres);
        QVERIFY2(db.open(&error), qPrintable(error));
        version = db.schemaVersion();
        QVERIFY(version >= 1);
        QSqlQuery insert(db.connection());
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO customers (id, company_name, email, "
                                           "created_at) VALUES ('c1', 'Acme', 'a@x', 1)")));
    }
    Database again(server.url());
    QVERIFY2(again.open(&error), qPrintable(error));
    QCOMPARE(again.schemaVersion(), version);
}

// A database from before migration 22: an employee whose VM was deleted kept its vm_url. The
// upgrade clears it, and leaves the address of an employee that still has its VM.
void tst_Database::deletedVmLinksAreClearedOnUpgrade()
{
    const QString path = m_dir.filePath(QStringLiteral("upgrade.sqlite"));
    {
        Database db(path);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        QVERIFY(db.schemaVersion() >= 22);
        QSqlQuery query(db.connection());
        QVERIFY(query.exec(QStringLiteral("INSERT INTO customers (id, company_name, email, "
                                          "created_at) VALUES ('c1', 'Acme', 'a@x', 1)")));
        QVERIFY(query.exec(QStringLiteral(
                "INSERT INTO employees (id, customer_id, name, role, status, vm_id, vm_url, "
                "created_at, updated_at) VALUES "
                "('e1', 'c1', 'Gone', 'r', 'deleted', NULL, 'https://orgo.test/vm-1', 1, 1), "
                "('e2', 'c1', 'Here', 'r', 'active', 'vm-2', 'https://orgo.test/vm-2', 1, 1)")));
        // As if 22 had never run (the highest version applied decides what runs).
        QVERIFY(query.exec(QStringLiteral("DELETE FROM schema_migrations WHERE version >= 22")));
    }
    Database db(path);
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    QVERIFY(db.schemaVersion() >= 22);
    QSqlQuery query(db.connection());
    QVERIFY(query.exec(QStringLiteral("SELECT id, vm_url FROM employees ORDER BY id")));
    QVERIFY(query.next());
    QVERIFY(query.value(1).isNull());
    QVERIFY(query.next());
    QCOMPARE(query.value(1).toString(), QStringLiteral("https://orgo.test/vm-2"));
}

QTEST_GUILESS_MAIN(tst_Database)
#include "tst_database.moc"

// What QSQLITE (Qt 6.4) puts in nativeErrorCode(): SQLite's extended result code in decimal
// (the primary code in its low byte), for real failures of each kind the gateway answers 503.
void tst_Database::sqliteUnavailableByCode()
{
    const auto check = [](const QSqlError &error, const QString &code) {
        QVERIFY2(error.isValid(), "the statement should have failed");
        QCOMPARE(error.nativeErrorCode(), code);
        QVERIFY2(Database::isUnavailableError(Database::Kind::Sqlite, error),
                 qPrintable(error.text()));
    };
    const QString path = m_dir.filePath(QStringLiteral("codes.sqlite"));
    {
        Database db(path);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
    }
    {
        // SQLITE_BUSY (5): another connection holds the write lock.
        QSqlDatabase holder = rawSqlite(QStringLiteral("holder"), path);
        QSqlDatabase writer = rawSqlite(
                QStringLiteral("writer"), path, QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
        QVERIFY(QSqlQuery(holder).exec(QStringLiteral("BEGIN IMMEDIATE")));
        check(failure(writer, QStringLiteral("BEGIN IMMEDIATE")), QStringLiteral("5"));
        check(failure(writer,
                      QStringLiteral("INSERT INTO customers (id, company_name, email, created_at) "
                                     "VALUES ('c1', 'A', 'a@x', 1)")),
              QStringLiteral("5"));
        QVERIFY(QSqlQuery(holder).exec(QStringLiteral("ROLLBACK")));

        // SQLITE_READONLY (8): a connection that may not write.
        QVERIFY(QSqlQuery(writer).exec(QStringLiteral("PRAGMA query_only = ON")));
        check(failure(writer, QStringLiteral("DELETE FROM customers")), QStringLiteral("8"));
        QVERIFY(QSqlQuery(writer).exec(QStringLiteral("PRAGMA query_only = OFF")));

        // SQLITE_FULL (13): the file may not grow (as on a full disk).
        QSqlQuery pages(writer);
        QVERIFY(pages.exec(QStringLiteral("PRAGMA page_count")) && pages.next());
        QVERIFY(QSqlQuery(writer).exec(
                QStringLiteral("PRAGMA max_page_count = %1").arg(pages.value(0).toInt())));
        pages = QSqlQuery();
        check(failure(writer,
                      QStringLiteral("INSERT INTO customers (id, company_name, email, created_at) "
                                     "VALUES ('c2', hex(randomblob(100000)), 'b@x', 1)")),
              QStringLiteral("13"));
        holder.close();
        writer.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("holder"));
    QSqlDatabase::removeDatabase(QStringLiteral("writer"));

    {
        // SQLITE_LOCKED (6): a table locked by another connection of one shared cache.
        const QString shared = QStringLiteral("file:codes-shared?mode=memory&cache=shared");
        QSqlDatabase a = rawSqlite(QStringLiteral("a"), shared, QStringLiteral("QSQLITE_OPEN_URI"));
        QSqlDatabase b = rawSqlite(QStringLiteral("b"), shared, QStringLiteral("QSQLITE_OPEN_URI"));
        QVERIFY(QSqlQuery(a).exec(QStringLiteral("CREATE TABLE t (x)")));
        QVERIFY(QSqlQuery(a).exec(QStringLiteral("BEGIN")));
        QVERIFY(QSqlQuery(a).exec(QStringLiteral("INSERT INTO t VALUES (1)")));
        // SQLITE_LOCKED_SHAREDCACHE, 6 | 1 << 8.
        check(failure(b, QStringLiteral("SELECT * FROM t")), QStringLiteral("262"));
        QVERIFY(QSqlQuery(a).exec(QStringLiteral("ROLLBACK")));
        a.close();
        b.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("a"));
    QSqlDatabase::removeDatabase(QStringLiteral("b"));

    {
        // SQLITE_CANTOPEN (14): the file's folder is not there.
        QSqlDatabase missing = rawSqlite(QStringLiteral("missing"),
                                         m_dir.filePath(QStringLiteral("no/such/dir.sqlite")));
        QVERIFY(!missing.isOpen());
        check(missing.lastError(), QStringLiteral("14"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("missing"));

    // SQLITE_IOERR (10) cannot be provoked here without a failing disk; its extended codes
    // (e.g. SQLITE_IOERR_WRITE, 778) count by their primary code.
    for (const char *code : {"10", "778", "3338", "261", "517", "1032"}) {
        const QSqlError error(QStringLiteral("x"),
                              QStringLiteral("y"),
                              QSqlError::StatementError,
                              QString::fromLatin1(code));
        QVERIFY2(Database::isUnavailableError(Database::Kind::Sqlite, error), code);
    }
}

// Errors of the statement itself stay 500: a constraint, a syntax error, Qt's own.
void tst_Database::sqliteStatementErrorsAreNotUnavailable()
{
    Database db(m_dir.filePath(QStringLiteral("statement.sqlite")));
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    const QString insert = QStringLiteral("INSERT INTO customers (id, company_name, email, "
                                          "created_at) VALUES ('c1', 'A', 'a@x', 1)");
    QVERIFY(QSqlQuery(db.connection()).exec(insert));
    const QSqlError duplicate = failure(db.connection(), insert);
    // SQLITE_CONSTRAINT_UNIQUE, 19 | 8 << 8.
    QCOMPARE(duplicate.nativeErrorCode(), QStringLiteral("2067"));
    QVERIFY(!db.isUnavailable(duplicate));
    const QSqlError syntax = failure(db.connection(), QStringLiteral("SELEC 1"));
    QVERIFY(syntax.isValid());
    QVERIFY(!db.isUnavailable(syntax));
    QSqlQuery mismatch(db.connection());
    QVERIFY(mismatch.prepare(QStringLiteral("SELECT ?")));
    QVERIFY(!mismatch.exec()); // no value bound
    QVERIFY(!db.isUnavailable(mismatch.lastError()));
    QVERIFY(!db.isUnavailable(QSqlError()));
}

// PostgreSQL's SQLSTATE, on a real server: each unavailable class where one can be provoked,
// the others by their code.
void tst_Database::postgresUnavailableBySqlstate()
{
    const auto pg = [](const QSqlError &error) {
        return Database::isUnavailableError(Database::Kind::Postgres, error);
    };
    for (const char *code :
         {"08006", "08001", "53100", "53300", "57P01", "57P03", "25006", "40001", "40P01"}) {
        const QSqlError error(QStringLiteral("x"),
                              QStringLiteral("y"),
                              QSqlError::StatementError,
                              QString::fromLatin1(code));
        QVERIFY2(pg(error), code);
    }
    for (const char *code : {"23505", "42601", "22P02", "42P01"}) {
        const QSqlError error(QStringLiteral("x"),
                              QStringLiteral("y"),
                              QSqlError::StatementError,
                              QString::fromLatin1(code));
        QVERIFY2(!pg(error), code);
    }
    QVERIFY(!pg(QSqlError(
            QStringLiteral("Parameter count mismatch"), QString(), QSqlError::StatementError)));

    const QString reason = Mouse::Tests::PostgresServer::unavailableReason();
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
    Mouse::Tests::PostgresServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    Database db(server.url());
    QVERIFY2(db.open(&error), qPrintable(error));
    QSqlDatabase a = db.connection();
    const QString insert = QStringLiteral("INSERT INTO customers (id, company_name, email, "
                                          "created_at) VALUES ('%1', 'A', '%1@x', 1)");
    QVERIFY(QSqlQuery(a).exec(insert.arg(QStringLiteral("c1"))));

    // Not unavailable: a duplicate key (23505), a syntax error (42601).
    QSqlError e = failure(a, insert.arg(QStringLiteral("c1")));
    QCOMPARE(e.nativeErrorCode(), QStringLiteral("23505"));
    QVERIFY(!db.isUnavailable(e));
    e = failure(a, QStringLiteral("SELEC 1"));
    QCOMPARE(e.nativeErrorCode(), QStringLiteral("42601"));
    QVERIFY(!db.isUnavailable(e));

    // 25006: a read-only transaction (a hot standby answers so too).
    QVERIFY(QSqlQuery(a).exec(QStringLiteral("BEGIN READ ONLY")));
    e = failure(a, insert.arg(QStringLiteral("c2")));
    QCOMPARE(e.nativeErrorCode(), QStringLiteral("25006"));
    QVERIFY(db.isUnavailable(e));
    QVERIFY(QSqlQuery(a).exec(QStringLiteral("ROLLBACK")));

    // 40001: a concurrent update under REPEATABLE READ, from a second connection.
    QSqlDatabase b = QSqlDatabase::cloneDatabase(a, QStringLiteral("pg-second"));
    QVERIFY(b.open());
    QVERIFY(QSqlQuery(a).exec(QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ")));
    QVERIFY(QSqlQuery(a).exec(QStringLiteral("SELECT COUNT(*) FROM customers")));
    QVERIFY(QSqlQuery(b).exec(QStringLiteral("UPDATE customers SET status = 'x' WHERE id = 'c1'")));
    e = failure(a, QStringLiteral("UPDATE customers SET status = 'y' WHERE id = 'c1'"));
    QCOMPARE(e.nativeErrorCode(), QStringLiteral("40001"));
    QVERIFY(db.isUnavailable(e));
    QVERIFY(QSqlQuery(a).exec(QStringLiteral("ROLLBACK")));

    // 57P01: the server ended this connection (an administrator, a failover).
    QSqlQuery pid(a);
    QVERIFY(pid.exec(QStringLiteral("SELECT pg_backend_pid()")) && pid.next());
    QVERIFY(QSqlQuery(b).exec(
            QStringLiteral("SELECT pg_terminate_backend(%1)").arg(pid.value(0).toInt())));
    pid = QSqlQuery();
    e = failure(a, QStringLiteral("SELECT 1"));
    QVERIFY(e.isValid());
    QCOMPARE(e.nativeErrorCode(), QStringLiteral("57P01"));
    QVERIFY2(db.isUnavailable(e), qPrintable(e.text()));
    b.close();
    b = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("pg-second"));

    // The server stops: its sessions end with 57P01, then nothing answers.
    QSqlDatabase c = QSqlDatabase::cloneDatabase(a, QStringLiteral("pg-third"));
    QVERIFY(c.open());
    server.stop();
    e = failure(c, QStringLiteral("SELECT 1"));
    QCOMPARE(e.nativeErrorCode(), QStringLiteral("57P01")); // a fast shutdown ends sessions so
    QVERIFY2(db.isUnavailable(e), qPrintable(e.text()));
    // On the dead connection Qt 6.4.2's QPSQL fails the next statement with no error at all
    // (libpq gave it no result): for PostgreSQL that means the connection is gone too.
    QSqlQuery again(c);
    QVERIFY(!again.exec(QStringLiteral("SELECT 1")));
    QCOMPARE(again.lastError().type(), QSqlError::NoError);
    QVERIFY(db.isUnavailable(again.lastError()));
    again = QSqlQuery();
    c.close();
    c = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("pg-third"));
}

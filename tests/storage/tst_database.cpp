// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/storage/database.h"
#include "support/postgresserver.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

using Mouse::Database;

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

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/settings.h"
#include "core/gateway.h"
#include "core/storage/instancelock.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using Mouse::Gateway;
using Mouse::InstanceLock;
using Mouse::Settings;

// One gateway per SQLite database file. Two used to share the queue unawares: the second's
// start-up turned the first's running tasks into interrupted ones and ran the first's pending
// tasks itself, also while an operator had paused the first.
class tst_InstanceLock : public QObject
{
    Q_OBJECT

private slots:
    void secondHolderIsRefusedUntilTheFirstGoes();
    void secondGatewayOnOneDatabaseDoesNotStart();

private:
    static Settings settingsFor(const QString &database);
};

void tst_InstanceLock::secondHolderIsRefusedUntilTheFirstGoes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = InstanceLock::pathFor(dir.filePath(QStringLiteral("gateway.sqlite")));
    auto first = std::make_unique<InstanceLock>(path);
    QString error;
    QVERIFY2(first->acquire(&error), qPrintable(error));
    QVERIFY(first->isHeld());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().trimmed().toLongLong(), QCoreApplication::applicationPid());

    InstanceLock second(path);
    QVERIFY(!second.acquire(&error));
    QVERIFY(!second.isHeld());
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QString::number(QCoreApplication::applicationPid())),
             qPrintable(error));

    first.reset(); // the kernel drops the lock with the descriptor, as at a process's death
    QVERIFY2(second.acquire(&error), qPrintable(error));
}

Settings tst_InstanceLock::settingsFor(const QString &database)
{
    return Settings::defaults()
            .withValue(QStringLiteral("server/listen"), QStringLiteral("127.0.0.1:0"))
            .withValue(QStringLiteral("server/admin_token"),
                       QStringLiteral("instance-lock-test-admin-token"))
            .withValue(QStringLiteral("storage/database"), database)
            .withValue(QStringLiteral("storage/wal_reserve_mb"), QStringLiteral("0"))
            .withValue(QStringLiteral("sandbox/vms"), QStringLiteral("2"))
            .withValue(QStringLiteral("sandbox/latency_ms"), QStringLiteral("0"))
            .withValue(QStringLiteral("sandbox/jitter_ms"), QStringLiteral("0"));
}

void tst_InstanceLock::secondGatewayOnOneDatabaseDoesNotStart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = dir.filePath(QStringLiteral("shared.sqlite"));
    auto first = std::make_unique<Gateway>(settingsFor(database));
    QString error;
    QVERIFY2(first->start(&error), qPrintable(error));

    Gateway second(settingsFor(database));
    QVERIFY(!second.start(&error));
    QVERIFY2(error.contains(QStringLiteral("in use by another mouse-gateway")), qPrintable(error));
    QVERIFY2(error.contains(database), qPrintable(error));
    QVERIFY(!second.database()); // stopped: nothing of the file was opened

    first->stop(); // an orderly stop lets the next gateway in
    Gateway third(settingsFor(database));
    QVERIFY2(third.start(&error), qPrintable(error));
    third.stop();
}

QTEST_GUILESS_MAIN(tst_InstanceLock)
#include "tst_instancelock.moc"

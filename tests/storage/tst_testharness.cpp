// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The test harness's own servers must not outlive a test that dies. This test runs itself a
// second time as a child that starts a PostgresServer and then waits, kills that child with
// SIGKILL (no destructor runs), and checks that the server and its folder go away.
#include "support/postgresserver.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

#include <cstdio>

#include <sys/types.h>
#include <unistd.h>

using Mouse::Tests::PostgresServer;

namespace {

constexpr char ChildVariable[] = "MOUSE_HARNESS_CHILD";

// Alive and not a zombie (a container's init may not reap at once).
bool processRuns(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && close + 2 < line.size() && line.at(close + 2) != 'Z';
}

// The child: start a server, say where it is, wait to be killed.
int runChild()
{
    PostgresServer server;
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("%lld %s\n", server.serverPid(), qPrintable(server.path()));
    std::fflush(stdout);
    for (;;)
        ::pause();
}

} // namespace

class tst_TestHarness : public QObject
{
    Q_OBJECT

private slots:
    void serverStopsWhenTheTestIsKilled();
};

void tst_TestHarness::serverStopsWhenTheTestIsKilled()
{
    const QString reason = PostgresServer::unavailableReason();
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));

    // What a run killed before its watchdog started would leave: a folder whose owner is gone
    // (a PID above Linux's largest pid_max, so no process has it).
    QTemporaryDir leftover(QDir::tempPath() + QStringLiteral("/mouse-pg-XXXXXX"));
    leftover.setAutoRemove(false);
    {
        QFile owner(leftover.filePath(QStringLiteral("owner.pid")));
        QVERIFY(owner.open(QIODevice::WriteOnly));
        owner.write(QByteArray::number(qint64(1) << 30));
    }

    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(ChildVariable), QStringLiteral("1"));
    child.setProcessEnvironment(environment);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForStarted());
    QVERIFY2(QTest::qWaitFor([&] { return child.canReadLine(); }, 90000), "child did not start");
    const QList<QByteArray> fields = child.readLine().trimmed().split(' ');
    QCOMPARE(fields.size(), 2);
    const qint64 serverPid = fields.at(0).toLongLong();
    const QString folder = QString::fromLocal8Bit(fields.at(1));
    QVERIFY(serverPid > 0);
    QVERIFY(processRuns(serverPid));
    QVERIFY(QFileInfo(folder).isDir());
    QVERIFY(folder.startsWith(QDir::tempPath()));
    QVERIFY2(!QFileInfo::exists(leftover.path()), "an earlier run's folder was left");

    child.kill(); // SIGKILL: no destructor, no atexit
    QVERIFY(child.waitForFinished());
    QVERIFY2(QTest::qWaitFor([&] { return !processRuns(serverPid); }, 30000),
             "the server outlived its test");
    QVERIFY2(QTest::qWaitFor([&] { return !QFileInfo::exists(folder); }, 10000),
             "the server's folder outlived its test");
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(ChildVariable))
        return runChild();
    tst_TestHarness test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_testharness.moc"

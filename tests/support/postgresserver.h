// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTcpServer>
#include <QTemporaryDir>

#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace Mouse::Tests {

// A real PostgreSQL 15 server for one test, on 127.0.0.1 and a free port, in a temporary
// folder, stopped by the destructor. initdb refuses to run as root, so as root the server runs
// as the "postgres" system user (Debian's postgresql package creates it).
//
// A test that dies (SIGKILL, a crash, ctest's timeout) runs no destructor, and the server
// would outlive it. So start() also launches a detached watchdog that stops the server and
// removes its folder once the test process is gone, and, in case even that was lost (a
// reboot of the container, an older harness), removes what earlier runs left behind first.
class PostgresServer final
{
public:
    PostgresServer() = default;
    ~PostgresServer() { stop(); }
    Q_DISABLE_COPY_MOVE(PostgresServer)

    static QString binDir() { return QStringLiteral("/usr/lib/postgresql/15/bin"); }

    // Empty when the server can run here; otherwise why not (for QSKIP).
    static QString unavailableReason()
    {
        if (!QFile::exists(binDir() + QStringLiteral("/initdb")))
            return QStringLiteral("PostgreSQL 15 is not installed (apt-get install postgresql)");
        return {};
    }

    bool start(QString *error)
    {
        cleanLeftovers();
        m_dir.setAutoRemove(true);
        const QString data = m_dir.filePath(QStringLiteral("data"));
        const QString passwordFile = m_dir.filePath(QStringLiteral("pw"));
        QFile pw(passwordFile);
        if (!pw.open(QIODevice::WriteOnly))
            return fail(error, QStringLiteral("cannot write the password file"));
        pw.write(m_password.toUtf8());
        pw.close();
        QFile owner(m_dir.filePath(QString::fromLatin1(OwnerFile)));
        if (!owner.open(QIODevice::WriteOnly))
            return fail(error, QStringLiteral("cannot write the owner file"));
        owner.write(QByteArray::number(qint64(::getpid())));
        owner.close();
        if (::geteuid() == 0)
            run({QStringLiteral("chown"),
                 QStringLiteral("-R"),
                 QStringLiteral("postgres:postgres"),
                 m_dir.path()});

        m_port = freePort();
        QString output;
        if (!runAsOwner({binDir() + QStringLiteral("/initdb"),
                         QStringLiteral("-D"),
                         data,
                         QStringLiteral("-A"),
                         QStringLiteral("scram-sha-256"),
                         QStringLiteral("-U"),
                         QStringLiteral("postgres"),
                         QStringLiteral("--pwfile=") + passwordFile},
                        &output))
            return fail(error, QStringLiteral("initdb failed: ") + output);

        const QString options = QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -k %2")
                                        .arg(m_port)
                                        .arg(m_dir.path());
        if (!runAsOwner({binDir() + QStringLiteral("/pg_ctl"),
                         QStringLiteral("-D"),
                         data,
                         QStringLiteral("-l"),
                         m_dir.filePath(QStringLiteral("log")),
                         QStringLiteral("-o"),
                         options,
                         QStringLiteral("-w"),
                         QStringLiteral("start")},
                        &output))
            return fail(error, QStringLiteral("pg_ctl start failed: ") + output);
        m_running = true;
        startWatchdog();
        return true;
    }

    // The PID of the postmaster (for tests of this harness), or 0.
    qint64 serverPid() const
    {
        QFile pid(m_dir.filePath(QStringLiteral("data/postmaster.pid")));
        return pid.open(QIODevice::ReadOnly) ? pid.readLine().trimmed().toLongLong() : 0;
    }
    QString path() const { return m_dir.path(); }

    void stop()
    {
        if (!m_running)
            return;
        QString ignored;
        runAsOwner({binDir() + QStringLiteral("/pg_ctl"),
                    QStringLiteral("-D"),
                    m_dir.filePath(QStringLiteral("data")),
                    QStringLiteral("-m"),
                    QStringLiteral("fast"),
                    QStringLiteral("-w"),
                    QStringLiteral("stop")},
                   &ignored);
        m_running = false;
        if (m_watchdog > 0)
            ::kill(pid_t(m_watchdog), SIGKILL);
        m_watchdog = 0;
    }

    QString url() const
    {
        return QStringLiteral("postgresql://postgres:%1@127.0.0.1:%2/postgres")
                .arg(m_password)
                .arg(m_port);
    }

private:
    static constexpr const char *OwnerFile = "owner.pid"; // the test process that made it

    // Stops the server of `dir` at once (no checkpoint: its data is thrown away) and removes
    // the folder.
    static QString stopAndRemoveScript(const QString &dir)
    {
        const QString stop
                = QStringLiteral("%1/pg_ctl -D '%2/data' -m immediate -w stop").arg(binDir(), dir);
        const QString asOwner
                = ::geteuid() == 0 ? QStringLiteral("runuser -u postgres -- ") : QString();
        return QStringLiteral("%1%2 >/dev/null 2>&1; rm -rf '%3'").arg(asOwner, stop, dir);
    }

    // A shell in its own session (QProcess::startDetached), so it outlives the test and its
    // process group: it waits for this process to end, then stops the server.
    void startWatchdog()
    {
        const QString script
                = QStringLiteral("while kill -0 %1 2>/dev/null; do sleep 0.2; done; %2")
                          .arg(qint64(::getpid()))
                          .arg(stopAndRemoveScript(m_dir.path()));
        QProcess watchdog;
        watchdog.setProgram(QStringLiteral("/bin/sh"));
        watchdog.setArguments({QStringLiteral("-c"), script});
        watchdog.setStandardOutputFile(QProcess::nullDevice());
        watchdog.setStandardErrorFile(QProcess::nullDevice());
        watchdog.startDetached(&m_watchdog);
    }

    // Folders of earlier runs whose test process is gone (and whose watchdog did not run).
    static void cleanLeftovers()
    {
        const QDir temp(QDir::tempPath());
        const QStringList dirs
                = temp.entryList({QStringLiteral("mouse-pg-*")}, QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &name : dirs) {
            const QString dir = temp.filePath(name);
            QFile owner(dir + QLatin1Char('/') + QLatin1String(OwnerFile));
            if (!owner.open(QIODevice::ReadOnly))
                continue; // not ours, or still being created
            const qint64 pid = owner.readAll().trimmed().toLongLong();
            if (pid <= 0 || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH)
                continue;
            run({QStringLiteral("/bin/sh"), QStringLiteral("-c"), stopAndRemoveScript(dir)});
        }
    }

    static bool fail(QString *error, const QString &message)
    {
        *error = message;
        return false;
    }

    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    static bool run(const QStringList &command, QString *output = nullptr)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(command.first(), command.mid(1));
        const bool finished = process.waitForFinished(60000);
        if (output)
            *output = QString::fromLocal8Bit(process.readAll());
        return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }

    bool runAsOwner(const QStringList &command, QString *output) const
    {
        if (::geteuid() != 0)
            return run(command, output);
        return run(QStringList{QStringLiteral("runuser"),
                               QStringLiteral("-u"),
                               QStringLiteral("postgres"),
                               QStringLiteral("--")}
                           + command,
                   output);
    }

    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/mouse-pg-XXXXXX")};
    QString m_password = QStringLiteral("mouse-test-password");
    quint16 m_port = 0;
    bool m_running = false;
    qint64 m_watchdog = 0;
};

} // namespace Mouse::Tests

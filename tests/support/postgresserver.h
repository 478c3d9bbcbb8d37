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

#include <unistd.h>

namespace Mouse::Tests {

// A real PostgreSQL 15 server for one test, on 127.0.0.1 and a free port, in a temporary
// folder, stopped by the destructor. initdb refuses to run as root, so as root the server runs
// as the "postgres" system user (Debian's postgresql package creates it).
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
        m_dir.setAutoRemove(true);
        const QString data = m_dir.filePath(QStringLiteral("data"));
        const QString passwordFile = m_dir.filePath(QStringLiteral("pw"));
        QFile pw(passwordFile);
        if (!pw.open(QIODevice::WriteOnly))
            return fail(error, QStringLiteral("cannot write the password file"));
        pw.write(m_password.toUtf8());
        pw.close();
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
        return true;
    }

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
    }

    QString url() const
    {
        return QStringLiteral("postgresql://postgres:%1@127.0.0.1:%2/postgres")
                .arg(m_password)
                .arg(m_port);
    }

private:
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
};

} // namespace Mouse::Tests

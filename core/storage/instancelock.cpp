// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/storage/instancelock.h"

#include "core/logging.h"

#include <QByteArray>
#include <QFile>

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace Mouse {

InstanceLock::InstanceLock(QString lockPath)
    : m_path(std::move(lockPath))
{}

InstanceLock::~InstanceLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the flock
}

QString InstanceLock::pathFor(const QString &databaseFile)
{
    return databaseFile + QStringLiteral(".lock");
}

bool InstanceLock::acquire(QString *error)
{
    if (m_fd >= 0)
        return true;
    const QByteArray path = QFile::encodeName(m_path);
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        qCWarning(lcStorage) << "cannot create the instance lock" << m_path << ":"
                             << qt_error_string(errno) << "; a second gateway would not be refused";
        return true;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buffer[32] = {};
        const ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
        ::close(fd);
        const QByteArray holder = QByteArray(buffer, got > 0 ? int(got) : 0).trimmed();
        *error = QStringLiteral("the database is in use by another mouse-gateway%1 (lock %2 held); "
                                "one gateway per database")
                         .arg(holder.isEmpty() ? QString()
                                               : QStringLiteral(" (pid %1)")
                                                         .arg(QString::fromLatin1(holder)),
                              m_path);
        return false;
    }
    const QByteArray pid = QByteArray::number(qint64(::getpid())) + '\n';
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.constData(), size_t(pid.size()), 0) < 0)
        qCWarning(lcStorage) << "cannot write the pid into" << m_path;
    m_fd = fd;
    return true;
}

} // namespace Mouse

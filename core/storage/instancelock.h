// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Mouse {

// One gateway per SQLite database: an exclusive flock() on "<database>.lock", held for as long as
// the object lives and released by the kernel when the process dies (kill -9 included), so
// nothing stale is ever left to clean up. Two gateways on one file share the queue without
// knowing it: the second's start-up marks the first's running tasks interrupted and runs them,
// and an operator's pause on one is ignored by the other.
class InstanceLock
{
public:
    explicit InstanceLock(QString lockPath);
    ~InstanceLock();
    InstanceLock(const InstanceLock &) = delete;
    InstanceLock &operator=(const InstanceLock &) = delete;

    // False, with a message naming the file (and the holder's pid when it wrote one), when
    // another process (or another InstanceLock of this one) holds it. A lock file that cannot
    // be created at all (read-only folder) is not an error: the database's own checks decide.
    bool acquire(QString *error);
    bool isHeld() const { return m_fd >= 0; }
    QString path() const { return m_path; }

    static QString pathFor(const QString &databaseFile);

private:
    QString m_path;
    int m_fd = -1;
};

} // namespace Mouse

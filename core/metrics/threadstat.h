// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Mouse::Metrics {

// The calling thread's scheduler account (Linux: /proc/thread-self/schedstat): time on a CPU
// and time spent runnable but waiting for one. What separates a slow step that was the disk
// (neither grows) from one that was CPU contention (the wait grows). Elsewhere: zeros.
class ThreadSchedStat final
{
    Q_DISABLE_COPY_MOVE(ThreadSchedStat)

public:
    struct Sample
    {
        qint64 cpuNs = 0;
        qint64 waitNs = 0; // runnable, on a run queue, not running
    };

    ThreadSchedStat(); // opens the calling thread's file: use it on that thread only
    ~ThreadSchedStat();

    bool isValid() const { return m_fd >= 0; }
    Sample sample() const;

private:
    int m_fd = -1;
};

} // namespace Mouse::Metrics

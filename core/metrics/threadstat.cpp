// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/metrics/threadstat.h"

#ifdef Q_OS_LINUX
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#endif

namespace Mouse::Metrics {

ThreadSchedStat::ThreadSchedStat()
{
#ifdef Q_OS_LINUX
    // Kept open: a sample is then one pread, cheap enough for every group commit.
    m_fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
#endif
}

ThreadSchedStat::~ThreadSchedStat()
{
#ifdef Q_OS_LINUX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
}

ThreadSchedStat::Sample ThreadSchedStat::sample() const
{
    Sample s;
#ifdef Q_OS_LINUX
    if (m_fd < 0)
        return s;
    char text[96];
    const ssize_t n = ::pread(m_fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return s;
    text[n] = '\0';
    long long cpu = 0;
    long long wait = 0;
    if (std::sscanf(text, "%lld %lld", &cpu, &wait) == 2) {
        s.cpuNs = cpu;
        s.waitNs = wait;
    }
#endif
    return s;
}

} // namespace Mouse::Metrics

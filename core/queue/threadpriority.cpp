// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/queue/threadpriority.h"

#ifdef Q_OS_LINUX
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#endif

namespace Mouse::ThreadPriority {

#ifdef Q_OS_LINUX
namespace {

// include/uapi/linux/sched/types.h (glibc 2.36 has no wrapper); the first 48 bytes
// (SCHED_ATTR_SIZE_VER0) are enough here.
struct SchedAttr
{
    std::uint32_t size = sizeof(SchedAttr);
    std::uint32_t policy = 0;
    std::uint64_t flags = 0;
    std::int32_t nice = 0;
    std::uint32_t priority = 0;
    std::uint64_t runtime = 0; // SCHED_OTHER on EEVDF: the requested slice, in ns
    std::uint64_t deadline = 0;
    std::uint64_t period = 0;
};

constexpr std::uint64_t kResetOnFork = 0x01; // SCHED_FLAG_RESET_ON_FORK

bool getAttr(pid_t tid, SchedAttr *attr)
{
    return ::syscall(SYS_sched_getattr, tid, attr, unsigned(sizeof(SchedAttr)), 0u) == 0;
}

} // namespace
#endif

qint64 currentTid()
{
#ifdef Q_OS_LINUX
    return qint64(::syscall(SYS_gettid));
#else
    return 0;
#endif
}

bool requestShortSlice(qint64 sliceNs)
{
#ifdef Q_OS_LINUX
    SchedAttr attr;
    if (!getAttr(0, &attr) || attr.policy != SCHED_OTHER)
        return false;
    // sched_setattr also sets the nice value: keep the thread's own.
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, id_t(currentTid()));
    if (errno != 0)
        return false;
    attr.size = sizeof(SchedAttr);
    // Threads this one starts (the queue's workers, started from the writer or the HTTP
    // thread) do not inherit the short slice.
    attr.flags = kResetOnFork;
    attr.nice = nice;
    attr.runtime = std::uint64_t(sliceNs);
    if (::syscall(SYS_sched_setattr, 0, &attr, 0u) != 0)
        return false;
    // Kernels before EEVDF's custom slices accept and ignore the runtime of SCHED_OTHER.
    return requestedSlice() == sliceNs;
#else
    Q_UNUSED(sliceNs);
    return false;
#endif
}

qint64 requestedSlice(qint64 tid)
{
#ifdef Q_OS_LINUX
    SchedAttr attr;
    if (!getAttr(pid_t(tid), &attr) || attr.policy != SCHED_OTHER)
        return 0;
    return qint64(attr.runtime);
#else
    Q_UNUSED(tid);
    return 0;
#endif
}

bool runWhenIdle()
{
#ifdef Q_OS_LINUX
    sched_param param{};
    return ::sched_setscheduler(0, SCHED_IDLE, &param) == 0;
#else
    return false;
#endif
}

} // namespace Mouse::ThreadPriority

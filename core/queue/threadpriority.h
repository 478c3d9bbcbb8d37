// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Mouse::ThreadPriority {

// Scheduling hints for the calling thread (Linux; elsewhere they do nothing and return false).
// None needs a privilege, and none gives a thread a larger share of the CPU.

// Threads on the acknowledgement path (the HTTP thread, the webhook writer) ask the kernel
// (EEVDF, Linux >= 6.12) for a short time slice: a thread that wakes up (a fdatasync returned,
// a request arrived) with a short slice has an early deadline and preempts a thread with a
// default slice (~3 ms) at once instead of waiting for that slice to end. Its CPU share stays
// what its nice value gives. False when the kernel does not take the request.
inline constexpr qint64 kAckSliceNs = 100'000; // the kernel's minimum
bool requestShortSlice(qint64 sliceNs = kAckSliceNs);

// The slice the calling (or given) thread has asked for; 0 when it has not or cannot tell.
qint64 requestedSlice(qint64 tid = 0);

// Work that nobody waits for, and that holds no lock an acknowledgement needs (the WAL
// checkpoint thread): runs only when a CPU would otherwise idle (SCHED_IDLE).
bool runWhenIdle();

// The calling thread's kernel id.
qint64 currentTid();

} // namespace Mouse::ThreadPriority

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/resourcelimits.h"

#include "core/logging.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

namespace Mouse::App {

void raiseOpenFileLimit()
{
#ifdef Q_OS_UNIX
    constexpr rlim_t kWantedOpenFiles = 65536;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= kWantedOpenFiles)
        return;
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? kWantedOpenFiles
                                                          : qMin(limit.rlim_max, kWantedOpenFiles);
    if (wanted <= limit.rlim_cur)
        return;
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        qCWarning(lcApp) << "cannot raise the open-file limit from" << quint64(before);
    else
        qCDebug(lcApp) << "open-file limit raised from" << quint64(before) << "to"
                       << quint64(wanted);
#endif
}

} // namespace Mouse::App

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/logging.h"

Q_LOGGING_CATEGORY(lcApp, "mouse.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "mouse.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStorage, "mouse.storage", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCache, "mouse.cache", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOrgo, "mouse.orgo", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFleet, "mouse.fleet", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSandbox, "mouse.sandbox", QtInfoMsg)
Q_LOGGING_CATEGORY(lcQueue, "mouse.queue", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBilling, "mouse.billing", QtInfoMsg)
Q_LOGGING_CATEGORY(lcScreens, "mouse.screens", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "mouse.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMetrics, "mouse.metrics", QtInfoMsg)

namespace Mouse {

void installMessagePattern()
{
    qSetMessagePattern(
            QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}D%{endif}%{if-info}I%{endif}"
                           "%{if-warning}W%{endif}%{if-critical}C%{endif}%{if-fatal}F%{endif} "
                           "%{category}: %{message}"));
}

} // namespace Mouse

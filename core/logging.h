// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// Developer diagnostics, one category per module. Operators read the EventLog instead.
// Enable debug output with QT_LOGGING_RULES="mouse.*.debug=true" or --log-rules.
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcConfig)
Q_DECLARE_LOGGING_CATEGORY(lcStorage)
Q_DECLARE_LOGGING_CATEGORY(lcCache)
Q_DECLARE_LOGGING_CATEGORY(lcOrgo)
Q_DECLARE_LOGGING_CATEGORY(lcFleet)
Q_DECLARE_LOGGING_CATEGORY(lcSandbox)
Q_DECLARE_LOGGING_CATEGORY(lcQueue)
Q_DECLARE_LOGGING_CATEGORY(lcBilling)
Q_DECLARE_LOGGING_CATEGORY(lcScreens)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcMetrics)

class QDateTime;

namespace Mouse {

// How every line on stderr is stamped, Qt's messages and the event log's echo alike:
// ISO 8601 in UTC with milliseconds and Z ("2026-12-05T04:49:10.123Z"), the usual form on a
// Linux server. There used to be two styles on one stream (local time without a zone, and
// UTC), which no one can sort or correlate.
QString logTimestamp(const QDateTime &time);

// Installs the message pattern that names the category of every line, and the handler that
// writes each line to stderr after its logTimestamp().
void installMessagePattern();

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/logging.h"

#include <QDateTime>

#include <cstdio>

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

namespace {

// Qt 6.4's %{time format} is always local time and cannot say its zone, so the time is put in
// front here rather than by the pattern.
void writeToStderr(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString formatted = qFormatLogMessage(type, context, message);
    if (formatted.isNull())
        return; // the pattern left nothing to print
    const QByteArray line
            = (logTimestamp(QDateTime::currentDateTimeUtc()) + u' ' + formatted + u'\n').toUtf8();
    std::fputs(line.constData(), stderr);
    std::fflush(stderr);
}

} // namespace

QString logTimestamp(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

void installMessagePattern()
{
    qSetMessagePattern(
            QStringLiteral("%{if-debug}D%{endif}%{if-info}I%{endif}"
                           "%{if-warning}W%{endif}%{if-critical}C%{endif}%{if-fatal}F%{endif} "
                           "%{category}: %{message}"));
    qInstallMessageHandler(&writeToStderr);
}

} // namespace Mouse

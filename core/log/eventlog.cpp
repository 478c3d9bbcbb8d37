// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/log/eventlog.h"

#include "core/logging.h"

#include <cstdio>

namespace Mouse {

EventLog::EventLog(int capacity, QObject *parent)
    : QObject(parent)
    , m_capacity(qMax(1, capacity))
{
    qRegisterMetaType<Mouse::EventLog::Event>();
}

void EventLog::add(Severity severity, const QString &source, const QString &message)
{
    Event event;
    event.time = QDateTime::currentDateTimeUtc();
    event.severity = severity;
    event.source = source;
    event.message = message;

    bool echo = false;
    {
        QMutexLocker lock(&m_mutex);
        event.id = m_nextId++;
        m_events.push_back(event);
        while (int(m_events.size()) > m_capacity)
            m_events.pop_front();
        echo = m_echo;
    }

    if (echo) {
        const QByteArray line
                = QStringLiteral("%1 %2 [%3] %4\n")
                          .arg(logTimestamp(event.time), severityName(severity), source, message)
                          .toUtf8();
        std::fputs(line.constData(), stderr);
    }
    emit eventAdded(event);
}

void EventLog::info(const QString &source, const QString &message)
{
    add(Severity::Info, source, message);
}

void EventLog::warning(const QString &source, const QString &message)
{
    add(Severity::Warning, source, message);
}

void EventLog::error(const QString &source, const QString &message)
{
    add(Severity::Error, source, message);
}

QList<EventLog::Event> EventLog::events(qint64 afterId, int limit) const
{
    QMutexLocker lock(&m_mutex);
    QList<Event> result;
    for (const Event &event : m_events) {
        if (event.id <= afterId)
            continue;
        result.append(event);
        if (afterId > 0 && result.size() == limit)
            break;
    }
    if (result.size() > limit)
        result = result.mid(result.size() - limit);
    return result;
}

void EventLog::setEchoToStderr(bool echo)
{
    QMutexLocker lock(&m_mutex);
    m_echo = echo;
}

QString EventLog::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return {};
}

} // namespace Mouse

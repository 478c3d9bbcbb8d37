// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>

#include <deque>

namespace Mouse {

// The operators' event log: short, sentence-case messages about things an operator acts on
// (server listening, an upstream failing, a payment dead-lettered). Developer diagnostics go
// through the mouse.* logging categories instead. Never put a secret in a message.
//
// Thread-safe: add() may be called from any thread; eventAdded is emitted in the adding thread,
// so connect with a context object (queued) to update a widget.
class EventLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLog)

public:
    enum class Severity { Info, Warning, Error };

    struct Event
    {
        qint64 id = 0;
        QDateTime time;
        Severity severity = Severity::Info;
        QString source; // module, e.g. "orgo", "payments"
        QString message;
    };

    explicit EventLog(int capacity = 1000, QObject *parent = nullptr);

    void add(Severity severity, const QString &source, const QString &message);
    void info(const QString &source, const QString &message);
    void warning(const QString &source, const QString &message);
    void error(const QString &source, const QString &message);

    // Oldest first, at most limit: with afterId 0 the newest events (a tail); otherwise the
    // first events after afterId, so a reader can page forward without skipping any.
    QList<Event> events(qint64 afterId = 0, int limit = 1000) const;

    // When set, every event is also written to stderr (headless mode).
    void setEchoToStderr(bool echo);

    static QString severityName(Severity severity);

signals:
    void eventAdded(const Mouse::EventLog::Event &event);

private:
    mutable QMutex m_mutex;
    std::deque<Event> m_events;
    int m_capacity;
    qint64 m_nextId = 1;
    bool m_echo = false;
};

} // namespace Mouse

Q_DECLARE_METATYPE(Mouse::EventLog::Event)

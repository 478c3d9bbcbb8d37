// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/eventlogmodel.h"

#include "ui/icons.h"

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
{}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    const EventLog::Event *event = eventAt(index.row());
    if (!index.isValid() || !event)
        return {};
    if (role == SeverityRole)
        return int(event->severity);
    if (role == Qt::DecorationRole && index.column() == Severity)
        return Icons::severityIcon(event->severity);
    if (role == Qt::ToolTipRole)
        return toText(*event);
    if (role != Qt::DisplayRole)
        return {};

    switch (index.column()) {
    case Time: {
        // Today's events need no date; the tooltip always has the full time stamp.
        const QDateTime local = event->time.toLocalTime();
        return local.date() == QDate::currentDate() ? local.toString(u"HH:mm:ss"_s)
                                                    : local.toString(u"yyyy-MM-dd HH:mm:ss"_s);
    }
    case Severity:
        return severityText(event->severity);
    case Source:
        return event->source;
    case Message:
        return event->message;
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Severity:
        return tr("Severity");
    case Source:
        return tr("Source");
    case Message:
        return tr("Message");
    default:
        return {};
    }
}

void EventLogModel::append(const EventLog::Event &event)
{
    // The log may deliver an event both from the initial backlog and the signal: keep one.
    if (event.id != 0 && event.id <= m_lastId)
        return;
    m_lastId = qMax(m_lastId, event.id);

    if (m_events.size() >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_events.removeFirst();
        endRemoveRows();
    }
    const int row = int(m_events.size());
    beginInsertRows({}, row, row);
    m_events.append(event);
    endInsertRows();
}

const EventLog::Event *EventLogModel::eventAt(int row) const
{
    return row >= 0 && row < m_events.size() ? &m_events.at(row) : nullptr;
}

QString EventLogModel::severityText(EventLog::Severity severity)
{
    switch (severity) {
    case EventLog::Severity::Info:
        return tr("Info");
    case EventLog::Severity::Warning:
        return tr("Warning");
    case EventLog::Severity::Error:
        return tr("Error");
    }
    return {};
}

QString EventLogModel::toText(const EventLog::Event &event)
{
    return u"%1 %2 [%3] %4"_s.arg(event.time.toLocalTime().toString(Qt::ISODate),
                                  EventLog::severityName(event.severity),
                                  event.source,
                                  event.message);
}

} // namespace Mouse::Ui

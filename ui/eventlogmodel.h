// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/log/eventlog.h"

#include <QAbstractTableModel>
#include <QList>

namespace Mouse::Ui {

// The operators' event log as a table, newest last, bounded like the log itself.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)

public:
    enum Column { Time, Severity, Source, Message, ColumnCount };
    enum Role { SeverityRole = Qt::UserRole + 1 };

    explicit EventLogModel(int capacity = 2000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void append(const EventLog::Event &event);
    const EventLog::Event *eventAt(int row) const;
    qint64 lastId() const { return m_lastId; }

    static QString severityText(EventLog::Severity severity);
    static QString toText(const EventLog::Event &event); // one line, for the clipboard

private:
    QList<EventLog::Event> m_events;
    int m_capacity;
    qint64 m_lastId = 0;
};

} // namespace Mouse::Ui

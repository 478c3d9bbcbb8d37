// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace Mouse {
class EventLog;
}

namespace Mouse::Ui {

class EventLogModel;

// The operators' event log, live (EventLog::eventAdded, queued), filterable and copyable.
class EventLogPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogPage)

public:
    explicit EventLogPage(EventLog *log, QWidget *parent = nullptr);

    EventLogModel *model() const { return m_model; }

public slots:
    void copySelection() const;

private:
    void applyFilter();

    EventLogModel *m_model;
    QSortFilterProxyModel *m_filter;
    QTableView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_severity = nullptr;
    bool m_follow = true;
};

} // namespace Mouse::Ui

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>

namespace Mouse::Ui {

// One VM as the Fleet page shows it: what FleetService knows, flattened for display.
struct FleetRow
{
    QString vmId;
    QString name;     // the computer's name at Orgo, or its id when it has none
    QString employee; // the AI employee that owns the VM
    QString customerId;
    QString customer;    // company name
    QString status;      // Orgo status, lower case; "unknown" when never fetched
    QDateTime fetchedAt; // when this status was read from Orgo (invalid: never)
    bool stale = false;  // served from cache past its TTL, e.g. while the breaker is open
    QString error;       // last per-VM error of a refresh, empty when the fetch succeeded
                         // (the Error column also names Orgo's "error" state)
    QString requestId;   // Orgo's request id of that error, for support
};

// The fleet grid: every VM, with a status icon and the age of its data. The age column is
// recomputed from an injectable clock on tick(), so it moves every second without refetching.
class FleetTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetTableModel)

public:
    enum Column { Name, Employee, Customer, Status, Age, Error, ColumnCount };
    enum Role {
        VmIdRole = Qt::UserRole + 1,
        CustomerIdRole,
        StatusRole, // raw Orgo status
        StaleRole,  // bool
        SortRole,   // numeric or case-folded key per column
        ErrorRole,  // bool: the row has a per-VM error
    };

    using Clock = std::function<QDateTime()>;

    explicit FleetTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Replaces the whole fleet, keeping rows of VMs that stay so that selections survive.
    void setRows(const QList<FleetRow> &rows);
    // Updates one VM (inserted at the end if it is new).
    void updateRow(const FleetRow &row);

    const FleetRow *rowAt(int row) const;
    int rowOfVm(const QString &vmId) const;
    QList<FleetRow> rows() const { return m_rows; }
    QStringList statuses() const;

    void setClock(Clock clock);
    // Recomputes the age column (call every second).
    void tick();

    // "just now", "3 s ago", "4 min ago", "2 h ago", "never".
    static QString ageText(const QDateTime &fetchedAt, const QDateTime &now);

    // A status as the operator reads it, in the dashboard's language; a status this
    // dashboard does not know as Orgo spells it.
    static QString statusText(const QString &status);

private:
    QVariant displayData(const FleetRow &row, int column) const;
    QVariant sortData(const FleetRow &row, int column) const;
    QString tooltip(const FleetRow &row) const;
    // The Error column: the fetch error, else a word on Orgo's own "error" state.
    static QString errorText(const FleetRow &row);
    void reindex();

    QList<FleetRow> m_rows;
    QHash<QString, int> m_index; // vmId -> row
    Clock m_clock;
};

} // namespace Mouse::Ui

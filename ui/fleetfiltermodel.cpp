// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/fleetfiltermodel.h"

#include "ui/fleettablemodel.h"

namespace Mouse::Ui {

FleetFilterModel::FleetFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(FleetTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    // The age column changes every second; re-sorting on every tick would make rows jump.
    setDynamicSortFilter(false);
}

void FleetFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void FleetFilterModel::setCustomerId(const QString &customerId)
{
    m_customerId = customerId;
    invalidateFilter();
}

void FleetFilterModel::setStatus(const QString &status)
{
    m_status = status;
    invalidateFilter();
}

bool FleetFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    const QModelIndex first = model->index(sourceRow, 0, sourceParent);

    if (!m_customerId.isEmpty()
        && first.data(FleetTableModel::CustomerIdRole).toString() != m_customerId)
        return false;

    if (m_status == QLatin1String(WithErrors)) {
        if (!first.data(FleetTableModel::ErrorRole).toBool())
            return false;
    } else if (m_status == QLatin1String(StaleOnly)) {
        if (!first.data(FleetTableModel::StaleRole).toBool())
            return false;
    } else if (!m_status.isEmpty()
               && first.data(FleetTableModel::StatusRole).toString() != m_status) {
        return false;
    }

    if (m_text.isEmpty())
        return true;
    for (const int column : {FleetTableModel::Name,
                             FleetTableModel::Employee,
                             FleetTableModel::Customer,
                             FleetTableModel::Error}) {
        const QString text = model->index(sourceRow, column, sourceParent).data().toString();
        if (text.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return first.data(FleetTableModel::VmIdRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace Mouse::Ui

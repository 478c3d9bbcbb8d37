// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>

namespace Mouse::Ui {

// Sorting and filtering of the fleet grid: free text (VM, employee, customer, error), one
// customer, and one status family or "with errors".
class FleetFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetFilterModel)

public:
    // Status filter values besides an exact Orgo status.
    static constexpr const char *AnyStatus = "";
    static constexpr const char *WithErrors = "@errors";
    static constexpr const char *StaleOnly = "@stale";

    explicit FleetFilterModel(QObject *parent = nullptr);

    void setText(const QString &text);
    void setCustomerId(const QString &customerId); // empty: every customer
    void setStatus(const QString &status);         // an Orgo status, or one of the values above

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QString m_customerId;
    QString m_status;
};

} // namespace Mouse::Ui

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/fleettablemodel.h"

#include "ui/icons.h"

#include <QBrush>
#include <QFont>
#include <QHash>
#include <QSet>

#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

FleetTableModel::FleetTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{}

int FleetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const FleetRow &row = m_rows.at(index.row());
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case Qt::DecorationRole:
        if (column == Status)
            return Icons::statusIcon(row.status);
        if (column == Error && !errorText(row).isEmpty())
            return Icons::severityIcon(EventLog::Severity::Error);
        return {};
    case Qt::ForegroundRole:
        if (column == Age && row.stale)
            return QBrush(QColor(0xa8, 0x6a, 0x00));
        if (column == Error)
            return QBrush(QColor(0xa8, 0x32, 0x2d));
        return {};
    case Qt::FontRole:
        if (column == Age && row.stale) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole:
        return tooltip(row);
    case Qt::TextAlignmentRole:
        // Left like every column: right-aligned after the short Status, it read as a gap.
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case VmIdRole:
        return row.vmId;
    case CustomerIdRole:
        return row.customerId;
    case StatusRole:
        return row.status;
    case StaleRole:
        return row.stale;
    case ErrorRole:
        return !errorText(row).isEmpty();
    case SortRole:
        return sortData(row, column);
    default:
        return {};
    }
}

QVariant FleetTableModel::displayData(const FleetRow &row, int column) const
{
    switch (column) {
    case Name:
        return row.name.isEmpty() ? row.vmId : row.name;
    case Employee:
        return row.employee;
    case Customer:
        return row.customer.isEmpty() ? row.customerId : row.customer;
    case Status:
        return statusText(row.status.isEmpty() ? u"unknown"_s : row.status);
    case Age: {
        const QString age = ageText(row.fetchedAt, m_clock());
        return row.stale ? tr("%1 · stale").arg(age) : age;
    }
    case Error:
        return errorText(row);
    default:
        return {};
    }
}

QString FleetTableModel::errorText(const FleetRow &row)
{
    if (!row.error.isEmpty())
        return row.error;
    // Orgo says a VM is in "error" without saying why; the column must not stay blank.
    if (row.status == u"error")
        return tr("Orgo reports the VM in error; restart it to recover");
    return {};
}

QVariant FleetTableModel::sortData(const FleetRow &row, int column) const
{
    switch (column) {
    case Age:
        // Newest first when sorted ascending by age: sort on how old the data is.
        return row.fetchedAt.isValid()
                       ? m_clock().toMSecsSinceEpoch() - row.fetchedAt.toMSecsSinceEpoch()
                       : std::numeric_limits<qint64>::max();
    case Status:
        // Group by family first (errors together), then by exact status.
        return QString(QChar(u'0' + int(Icons::statusFamily(row.status))) + row.status);
    default:
        return displayData(row, column).toString().toCaseFolded();
    }
}

QString FleetTableModel::tooltip(const FleetRow &row) const
{
    QStringList lines;
    lines << tr("VM %1").arg(row.vmId);
    if (row.fetchedAt.isValid())
        lines << tr("Status read %1 (%2)")
                         .arg(row.fetchedAt.toLocalTime().toString(u"HH:mm:ss"_s),
                              ageText(row.fetchedAt, m_clock()));
    if (row.stale)
        lines << tr("Stale: served from the cache past its lifetime");
    if (!errorText(row).isEmpty()) {
        lines << tr("Error: %1").arg(errorText(row));
        if (!row.requestId.isEmpty())
            lines << tr("Request id: %1").arg(row.requestId);
    }
    return lines.join(u'\n');
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole)
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("VM");
    case Employee:
        return tr("Employee");
    case Customer:
        return tr("Customer");
    case Status:
        return tr("Status");
    case Age:
        return tr("Updated");
    case Error:
        return tr("Error");
    default:
        return {};
    }
}

void FleetTableModel::setRows(const QList<FleetRow> &rows)
{
    // Same VMs in the same order (the usual refresh): change data in place, no reset, so
    // the view keeps its selection, scroll position and sorting.
    bool sameShape = rows.size() == m_rows.size();
    for (int i = 0; sameShape && i < rows.size(); ++i)
        sameShape = rows.at(i).vmId == m_rows.at(i).vmId;

    if (sameShape) {
        m_rows = rows;
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = rows;
    reindex();
    endResetModel();
}

void FleetTableModel::updateRow(const FleetRow &row)
{
    const int at = rowOfVm(row.vmId);
    if (at < 0) {
        const int end = int(m_rows.size());
        beginInsertRows({}, end, end);
        m_rows.append(row);
        m_index.insert(row.vmId, end);
        endInsertRows();
        return;
    }
    m_rows[at] = row;
    emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
}

const FleetRow *FleetTableModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int FleetTableModel::rowOfVm(const QString &vmId) const
{
    return m_index.value(vmId, -1);
}

QString FleetTableModel::statusText(const QString &status)
{
    // Every status Orgo's answers are normalised to (Orgo::normalizeStatus).
    static const QHash<QString, const char *> names{{u"running"_s, QT_TR_NOOP("running")},
                                                    {u"stopped"_s, QT_TR_NOOP("stopped")},
                                                    {u"suspended"_s, QT_TR_NOOP("suspended")},
                                                    {u"starting"_s, QT_TR_NOOP("starting")},
                                                    {u"stopping"_s, QT_TR_NOOP("stopping")},
                                                    {u"restarting"_s, QT_TR_NOOP("restarting")},
                                                    {u"creating"_s, QT_TR_NOOP("creating")},
                                                    {u"deleting"_s, QT_TR_NOOP("deleting")},
                                                    {u"error"_s, QT_TR_NOOP("error")},
                                                    {u"unknown"_s, QT_TR_NOOP("unknown")}};
    const char *name = names.value(status);
    return name ? tr(name) : status;
}

QStringList FleetTableModel::statuses() const
{
    QSet<QString> seen;
    for (const FleetRow &row : m_rows)
        seen.insert(row.status);
    QStringList list(seen.begin(), seen.end());
    list.sort();
    return list;
}

void FleetTableModel::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

void FleetTableModel::tick()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Age),
                         index(int(m_rows.size()) - 1, Age),
                         {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

QString FleetTableModel::ageText(const QDateTime &fetchedAt, const QDateTime &now)
{
    if (!fetchedAt.isValid())
        return tr("never");
    const qint64 seconds = qMax<qint64>(0, fetchedAt.secsTo(now));
    if (seconds < 1)
        return tr("just now");
    if (seconds < 60)
        return tr("%1 s ago").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min ago").arg(seconds / 60);
    if (seconds < 86400)
        return tr("%1 h ago").arg(seconds / 3600);
    return tr("%1 d ago").arg(seconds / 86400);
}

void FleetTableModel::reindex()
{
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).vmId, i);
}

} // namespace Mouse::Ui

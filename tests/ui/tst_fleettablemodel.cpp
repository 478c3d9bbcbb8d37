// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/fleetfiltermodel.h"
#include "ui/fleettablemodel.h"
#include "ui/icons.h"

#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using Mouse::Ui::FleetFilterModel;
using Mouse::Ui::FleetRow;
using Mouse::Ui::FleetTableModel;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 12, 4), QTime(12, 0), Qt::UTC);

FleetRow row(const QString &vm, const QString &customer, const QString &status, qint64 ageMs = 0)
{
    FleetRow r;
    r.vmId = vm;
    r.name = u"desk-"_s + vm;
    r.employee = u"Employee "_s + vm;
    r.customerId = customer;
    r.customer = u"Company "_s + customer;
    r.status = status;
    r.fetchedAt = T0.addMSecs(-ageMs);
    return r;
}

} // namespace

class TestFleetTableModel final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_now = T0;
        m_model = std::make_unique<FleetTableModel>();
        m_model->setClock([this] { return m_now; });
    }

    void showsOneRowPerVmWithItsColumns()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s), row(u"b"_s, u"c2"_s, u"stopped"_s)});
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->columnCount(), int(FleetTableModel::ColumnCount));
        QCOMPARE(m_model->index(0, FleetTableModel::Name).data().toString(), u"desk-a"_s);
        QCOMPARE(m_model->index(0, FleetTableModel::Employee).data().toString(), u"Employee a"_s);
        QCOMPARE(m_model->index(1, FleetTableModel::Customer).data().toString(), u"Company c2"_s);
        QCOMPARE(m_model->index(1, FleetTableModel::Status).data().toString(), u"stopped"_s);
        QCOMPARE(m_model->index(1, 0).data(FleetTableModel::VmIdRole).toString(), u"b"_s);
        QCOMPARE(m_model->rowOfVm(u"b"_s), 1);
        QCOMPARE(m_model->rowOfVm(u"zz"_s), -1);
    }

    void statusColumnCarriesAColouredIcon()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s), row(u"b"_s, u"c1"_s, u"error"_s)});
        const QVariant icon = m_model->index(0, FleetTableModel::Status).data(Qt::DecorationRole);
        QVERIFY(icon.canConvert<QIcon>());
        QVERIFY(!icon.value<QIcon>().isNull());
        QVERIFY(!m_model->index(0, FleetTableModel::Name).data(Qt::DecorationRole).isValid());

        // Running and error are drawn in different colours.
        const QImage running = icon.value<QIcon>().pixmap(16, 16).toImage();
        const QImage error = m_model->index(1, FleetTableModel::Status)
                                     .data(Qt::DecorationRole)
                                     .value<QIcon>()
                                     .pixmap(16, 16)
                                     .toImage();
        QVERIFY(running.pixelColor(8, 8) != error.pixelColor(8, 8));
        QCOMPARE(running.pixelColor(8, 8).rgb(), Mouse::Ui::Icons::statusColor(u"running"_s).rgb());
    }

    void ageTextFollowsTheClockWithoutRefetching()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s, 3000)});
        const QModelIndex age = m_model->index(0, FleetTableModel::Age);
        QCOMPARE(age.data().toString(), u"3 s ago"_s);

        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_now = m_now.addSecs(2);
        m_model->tick();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().column(), int(FleetTableModel::Age));
        QCOMPARE(age.data().toString(), u"5 s ago"_s);

        m_now = m_now.addSecs(120);
        QCOMPARE(age.data().toString(), u"2 min ago"_s);
    }

    void ageTextCoversEveryRange()
    {
        QCOMPARE(FleetTableModel::ageText({}, T0), u"never"_s);
        QCOMPARE(FleetTableModel::ageText(T0, T0), u"just now"_s);
        QCOMPARE(FleetTableModel::ageText(T0.addSecs(-59), T0), u"59 s ago"_s);
        QCOMPARE(FleetTableModel::ageText(T0.addSecs(-3600 * 5), T0), u"5 h ago"_s);
        QCOMPARE(FleetTableModel::ageText(T0.addDays(-2), T0), u"2 d ago"_s);
        // A clock that went backwards never shows a negative age.
        QCOMPARE(FleetTableModel::ageText(T0.addSecs(10), T0), u"just now"_s);
    }

    void staleRowsAreMarked()
    {
        FleetRow stale = row(u"a"_s, u"c1"_s, u"running"_s, 40000);
        stale.stale = true;
        m_model->setRows({stale});
        const QModelIndex age = m_model->index(0, FleetTableModel::Age);
        QVERIFY(age.data().toString().contains(u"stale"_s));
        QVERIFY(age.data(FleetTableModel::StaleRole).toBool());
        QVERIFY(age.data(Qt::FontRole).value<QFont>().italic());
    }

    void errorColumnShowsPerVmErrorsWithTheRequestId()
    {
        FleetRow failed = row(u"a"_s, u"c1"_s, u"running"_s);
        failed.error = u"Orgo answered 503"_s;
        failed.requestId = u"req_123"_s;
        m_model->setRows({failed, row(u"b"_s, u"c1"_s, u"running"_s)});

        const QModelIndex error = m_model->index(0, FleetTableModel::Error);
        QCOMPARE(error.data().toString(), u"Orgo answered 503"_s);
        QVERIFY(error.data(Qt::ToolTipRole).toString().contains(u"req_123"_s));
        QVERIFY(error.data(Qt::DecorationRole).isValid());
        QVERIFY(error.data(FleetTableModel::ErrorRole).toBool());
        QVERIFY(m_model->index(1, FleetTableModel::Error).data().toString().isEmpty());
    }

    // A VM in Orgo's state "error" says so in the Error column too (Orgo gives no reason), and
    // the "With errors" filter finds it; a fetch error's own message comes first.
    void errorColumnNamesTheErrorState()
    {
        FleetRow failedFetch = row(u"c"_s, u"c1"_s, u"error"_s);
        failedFetch.error = u"Orgo answered 503"_s;
        m_model->setRows({row(u"a"_s, u"c1"_s, u"error"_s),
                          row(u"b"_s, u"c1"_s, u"running"_s),
                          failedFetch});
        const QModelIndex error = m_model->index(0, FleetTableModel::Error);
        QVERIFY(!error.data().toString().isEmpty());
        QVERIFY(error.data(Qt::DecorationRole).isValid());
        QVERIFY(error.data(FleetTableModel::ErrorRole).toBool());
        QVERIFY(m_model->index(1, FleetTableModel::Error).data().toString().isEmpty());
        QCOMPARE(m_model->index(2, FleetTableModel::Error).data().toString(),
                 u"Orgo answered 503"_s);

        FleetFilterModel filter;
        filter.setSourceModel(m_model.get());
        filter.setStatus(QString::fromLatin1(FleetFilterModel::WithErrors));
        QCOMPARE(filter.rowCount(), 2);
    }

    // Every column's text starts at its left edge, like its header: a right-aligned column
    // after a short one reads as an empty column between them.
    void everyColumnAlignedWithItsHeader()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s, 3000)});
        for (int column = 0; column < FleetTableModel::ColumnCount; ++column) {
            const int cell = m_model->index(0, column).data(Qt::TextAlignmentRole).toInt();
            const int header
                    = m_model->headerData(column, Qt::Horizontal, Qt::TextAlignmentRole).toInt();
            QCOMPARE(cell & Qt::AlignRight, 0);
            QCOMPARE(header & Qt::AlignRight, 0);
        }
    }

    void refreshOfTheSameVmsKeepsRowsInPlace()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"starting"_s), row(u"b"_s, u"c1"_s, u"running"_s)});
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s), row(u"b"_s, u"c1"_s, u"running"_s)});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(m_model->index(0, FleetTableModel::Status).data().toString(), u"running"_s);

        m_model->setRows({row(u"c"_s, u"c1"_s, u"running"_s)});
        QCOMPARE(reset.count(), 1);
        QCOMPARE(m_model->rowOfVm(u"c"_s), 0);
        QCOMPARE(m_model->rowOfVm(u"a"_s), -1);
    }

    void updateRowInsertsOrReplaces()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"starting"_s)});
        m_model->updateRow(row(u"a"_s, u"c1"_s, u"running"_s));
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->index(0, FleetTableModel::Status).data().toString(), u"running"_s);
        m_model->updateRow(row(u"b"_s, u"c2"_s, u"stopped"_s));
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->rowOfVm(u"b"_s), 1);
    }

    void filtersByTextCustomerAndStatus()
    {
        FleetRow failed = row(u"d"_s, u"c2"_s, u"running"_s);
        failed.error = u"timeout"_s;
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s),
                          row(u"b"_s, u"c1"_s, u"stopped"_s),
                          row(u"c"_s, u"c2"_s, u"running"_s),
                          failed});
        FleetFilterModel filter;
        filter.setSourceModel(m_model.get());
        QCOMPARE(filter.rowCount(), 4);

        filter.setCustomerId(u"c1"_s);
        QCOMPARE(filter.rowCount(), 2);
        filter.setStatus(u"stopped"_s);
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data(FleetTableModel::VmIdRole).toString(), u"b"_s);

        filter.setCustomerId({});
        filter.setStatus(QString::fromLatin1(FleetFilterModel::WithErrors));
        QCOMPARE(filter.rowCount(), 1);
        filter.setStatus({});
        filter.setText(u"EMPLOYEE c"_s);
        QCOMPARE(filter.rowCount(), 1);
        filter.setText(u"timeout"_s);
        QCOMPARE(filter.rowCount(), 1);
        filter.setText(u"company c2"_s);
        QCOMPARE(filter.rowCount(), 2);
    }

    void sortsByAgeNumericallyAndStatusByFamily()
    {
        m_model->setRows({row(u"a"_s, u"c1"_s, u"running"_s, 90000),
                          row(u"b"_s, u"c1"_s, u"error"_s, 5000),
                          row(u"c"_s, u"c1"_s, u"stopped"_s, 20000)});
        FleetFilterModel filter;
        filter.setSourceModel(m_model.get());
        filter.sort(FleetTableModel::Age, Qt::AscendingOrder);
        QCOMPARE(filter.index(0, 0).data(FleetTableModel::VmIdRole).toString(), u"b"_s);
        QCOMPARE(filter.index(2, 0).data(FleetTableModel::VmIdRole).toString(), u"a"_s);

        filter.sort(FleetTableModel::Status, Qt::AscendingOrder);
        QCOMPARE(filter.index(0, 0).data(FleetTableModel::VmIdRole).toString(), u"a"_s);
        QCOMPARE(filter.index(2, 0).data(FleetTableModel::VmIdRole).toString(), u"b"_s);
    }

private:
    QDateTime m_now;
    std::unique_ptr<FleetTableModel> m_model;
};

QTEST_MAIN(TestFleetTableModel)
#include "tst_fleettablemodel.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The Fleet page: its summary counts every VM status once, and a Stop confirmed after a fleet
// refresh replaced the rows acts on the VM that was selected (built under ASan too: preset
// asan-gui, see tests/ui/CMakeLists.txt).
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "ui/fleetfiltermodel.h"
#include "ui/fleetpage.h"
#include "ui/icons.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;
using Mouse::Gateway;
using Mouse::Settings;
using Mouse::Ui::FleetPage;
using Mouse::Ui::FleetRow;
using Family = Mouse::Ui::Icons::StatusFamily;

namespace {

FleetRow rowWith(const QString &vmId, const QString &status)
{
    FleetRow row;
    row.vmId = vmId;
    row.employee = vmId;
    row.customerId = u"cst_x"_s;
    row.status = status;
    return row;
}

QPushButton *buttonNamed(const QWidget &parent, const QString &text)
{
    const QList<QPushButton *> buttons = parent.findChildren<QPushButton *>();
    const auto it = std::find_if(buttons.cbegin(), buttons.cend(), [&text](QPushButton *b) {
        return b->text() == text;
    });
    return it == buttons.cend() ? nullptr : *it;
}

} // namespace

class TestFleetPage final : public QObject
{
    Q_OBJECT

private slots:
    // Every status Orgo's answers are normalized to, and one it may add later, lands in one
    // chip: the chips add up to the total, and stopped VMs are counted.
    void summaryCountsEveryStatusOnce()
    {
        Gateway gateway(Settings::defaults()); // not started: no fleet, rows set by hand
        FleetPage page(&gateway);
        const QStringList statuses{u"running"_s,
                                   u"running"_s,
                                   u"stopped"_s,
                                   u"suspended"_s,
                                   u"creating"_s,
                                   u"starting"_s,
                                   u"stopping"_s,
                                   u"restarting"_s,
                                   u"deleting"_s,
                                   u"error"_s,
                                   u"unknown"_s,
                                   u"hibernating"_s};
        QList<FleetRow> rows;
        for (int i = 0; i < statuses.size(); ++i)
            rows << rowWith(u"vm-%1"_s.arg(i), statuses.at(i));
        page.setRows(rows);

        const QHash<int, int> counts = FleetPage::countByFamily(rows);
        int sum = 0;
        for (const int count : counts)
            sum += count;
        QCOMPARE(sum, int(rows.size()));
        QCOMPARE(counts.value(int(Family::Running)), 2);
        QCOMPARE(counts.value(int(Family::Stopped)), 2);
        QCOMPARE(counts.value(int(Family::Transition)), 5);
        QCOMPARE(counts.value(int(Family::Error)), 1);
        QCOMPARE(counts.value(int(Family::Unknown)), 2);

        const QString text = page.summaryText();
        for (const QString &part : {u"12 VM"_s,
                                    u"2 running"_s,
                                    u"2 stopped"_s,
                                    u"5 changing"_s,
                                    u"1 in error"_s,
                                    u"2 unknown"_s})
            QVERIFY2(text.contains(part), qPrintable(part + u" not in: "_s + text));

        // No stopped VM: the chip still says so.
        page.setRows({rowWith(u"vm-a"_s, u"running"_s)});
        QVERIFY(page.summaryText().contains(u"0 stopped"_s));
        QVERIFY(!page.summaryText().contains(u"unknown"_s));
    }

    // Start was enabled on a running VM and Stop on a stopped one. The buttons follow the
    // selected VM's state, also when that state changes under the selection.
    void actionsFollowTheSelectedVmsState()
    {
        Gateway gateway(Settings::defaults()); // not started: no fleet, rows set by hand
        FleetPage page(&gateway);
        page.setRows({rowWith(u"vm-run"_s, u"running"_s),
                      rowWith(u"vm-off"_s, u"stopped"_s),
                      rowWith(u"vm-boot"_s, u"starting"_s),
                      rowWith(u"vm-err"_s, u"error"_s)});
        QPushButton *start = buttonNamed(page, FleetPage::tr("Start"));
        QPushButton *stop = buttonNamed(page, FleetPage::tr("Stop"));
        QPushButton *restart = buttonNamed(page, FleetPage::tr("Restart"));
        QPushButton *screenshot = buttonNamed(page, FleetPage::tr("Screenshot"));
        QVERIFY(start && stop && restart && screenshot);
        const auto enabled = [&] {
            return QList<bool>{start->isEnabled(),
                               stop->isEnabled(),
                               restart->isEnabled(),
                               screenshot->isEnabled()};
        };
        const auto select = [&page](const QString &vmId) {
            const QModelIndex source = page.model()->index(page.model()->rowOfVm(vmId), 0);
            page.view()->selectionModel()->select(page.filterModel()->mapFromSource(source),
                                                  QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
            QCOMPARE(page.selectedVm(), vmId);
        };

        QCOMPARE(enabled(), (QList<bool>{false, false, false, false})); // nothing selected
        select(u"vm-run"_s);
        QCOMPARE(enabled(), (QList<bool>{false, true, true, true}));
        select(u"vm-off"_s);
        QCOMPARE(enabled(), (QList<bool>{true, false, false, true}));
        select(u"vm-boot"_s); // on its way up: may be stopped if it sticks, not started again
        QCOMPARE(enabled(), (QList<bool>{false, true, false, true}));
        select(u"vm-err"_s); // the gateway cannot tell: Orgo decides
        QCOMPARE(enabled(), (QList<bool>{true, true, true, true}));

        // The stopped VM, selected, is started (a refresh reads its new state).
        select(u"vm-off"_s);
        page.updateRow(rowWith(u"vm-off"_s, u"running"_s));
        QCOMPARE(page.selectedVm(), u"vm-off"_s);
        QCOMPARE(enabled(), (QList<bool>{false, true, true, true}));
        page.updateRow(rowWith(u"vm-off"_s, u"stopping"_s));
        QCOMPARE(enabled(), (QList<bool>{false, false, false, true}));

        // The same through a refresh that replaces every row.
        page.setRows({rowWith(u"vm-run"_s, u"stopped"_s), rowWith(u"vm-off"_s, u"stopped"_s)});
        select(u"vm-run"_s);
        QCOMPARE(enabled(), (QList<bool>{true, false, false, true}));
    }

    // The confirmation's event loop lets a fleet refresh replace every row; the action must
    // still go to the VM selected before (and its customer), not to whatever now sits where its
    // row was. Under ASan, the code that kept a row pointer across the dialog reads freed memory
    // here; without ASan it stopped another VM or answered "no VM with that id".
    void stopConfirmedAfterRefreshActsOnTheSelectedVm()
    {
        QTemporaryDir dir;
        const Settings settings
                = Settings::defaults()
                          .withValue(u"storage/database"_s, dir.filePath(u"gw.sqlite"_s))
                          .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                          .withValue(u"sandbox/latency_ms"_s, u"0"_s)
                          .withValue(u"sandbox/jitter_ms"_s, u"0"_s)
                          .withValue(u"sandbox/drift_ms"_s, u"0"_s)
                          .withValue(u"ui/refresh_ms"_s, u"3600000"_s);
        Gateway gateway(settings);
        QString error;
        QVERIFY2(gateway.start(&error), qPrintable(error));
        FleetPage page(&gateway);
        QSignalSpy shown(&page, &FleetPage::firstRefreshShown);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && page.model()->rowCount() > 3, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isRefreshing(), 15000);

        // A running VM (stop is allowed), and the rows a refresh replaces them with: reversed,
        // so that another VM sits where the chosen one was. The copies of the model's rows are
        // gone before the refresh, so that it frees the list the dialog's caller saw.
        FleetRow chosen;
        int chosenRow = -1;
        QList<FleetRow> replaced;
        {
            const QList<FleetRow> before = page.model()->rows();
            for (int i = 0; i < before.size() && chosenRow < 0; ++i) {
                if (before.at(i).status == u"running")
                    chosenRow = i;
            }
            QVERIFY(chosenRow >= 0);
            chosen = before.at(chosenRow);
            for (auto it = before.crbegin(); it != before.crend(); ++it)
                replaced << *it;
        }
        if (replaced.at(chosenRow).vmId == chosen.vmId) // the middle row of an odd count
            replaced.move(chosenRow, 0);
        QCOMPARE(page.model()->rowOfVm(chosen.vmId), chosenRow);

        const QModelIndex source = page.model()->index(page.model()->rowOfVm(chosen.vmId), 0);
        page.view()->selectionModel()->select(page.filterModel()->mapFromSource(source),
                                              QItemSelectionModel::ClearAndSelect
                                                      | QItemSelectionModel::Rows);
        QCOMPARE(page.selectedVm(), chosen.vmId);

        QStringList stoppedBefore;
        for (const Mouse::Employee &e : gateway.directory()->employees()) {
            if (e.status == u"stopped")
                stoppedBefore << e.id;
        }

        // While the question is open: the refresh replaces the rows, then the operator says yes.
        // Any other modal box (a failed action's warning) is closed and remembered.
        bool asked = false;
        QStringList unexpected;
        QTimer driver;
        driver.setInterval(10);
        connect(&driver, &QTimer::timeout, this, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            if (!asked && box->button(QMessageBox::Yes)) {
                asked = true;
                page.setRows(replaced);
                QVERIFY(page.model()->rowAt(chosenRow)->vmId != chosen.vmId);
                box->button(QMessageBox::Yes)->click();
                return;
            }
            unexpected << box->text();
            box->done(QMessageBox::Close);
        });
        driver.start();
        QPushButton *stop = buttonNamed(page, FleetPage::tr("Stop"));
        QVERIFY(stop);
        stop->click(); // returns once the question was answered and the call started
        QVERIFY(asked);

        const auto chosenEmployee = [&gateway, &chosen] {
            return gateway.directory()->employeeByVm(chosen.vmId);
        };
        QTRY_COMPARE_WITH_TIMEOUT(chosenEmployee()->status, u"stopped"_s, 10000);
        QCOMPARE(chosenEmployee()->customerId, chosen.customerId);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isRefreshing(), 10000);
        driver.stop();
        QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected.join(u"; "_s)));

        // Only that VM: every other employee kept its status.
        for (const Mouse::Employee &e : gateway.directory()->employees()) {
            if (e.vmId != chosen.vmId)
                QCOMPARE(e.status == u"stopped", stoppedBefore.contains(e.id));
        }
        bool logged = false;
        for (const Mouse::EventLog::Event &event : gateway.eventLog()->events()) {
            QVERIFY2(!event.message.startsWith(u"Could not stop"_s), qPrintable(event.message));
            logged = logged
                     || event.message
                                == u"Operator asked to stop the VM of %1 (%2, %3)"_s.arg(
                                        chosen.employee, chosen.name, chosen.customer);
        }
        QVERIFY(logged);
    }
};

QTEST_MAIN(TestFleetPage)
#include "tst_fleetpage.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "ui/chartspage.h"
#include "ui/eventlogmodel.h"
#include "ui/eventlogpage.h"
#include "ui/fleettablemodel.h"
#include "ui/screenshotspage.h"
#include "ui/timeserieschart.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QJsonObject>
#include <QListWidget>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

using namespace Qt::Literals::StringLiterals;
using Mouse::EventLog;
using Mouse::Gateway;
using Mouse::Settings;
using Mouse::Ui::ChartsPage;
using Mouse::Ui::EventLogPage;

namespace {

// Whether a thumbnail tile has light pixels (text) below its middle line.
bool hasTextBelowTheMiddle(const QIcon &icon)
{
    const QImage image = icon.pixmap(192, 108).toImage();
    for (int y = image.height() / 2 + 2; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixelColor(x, y).lightness() > 160)
                return true;
        }
    }
    return false;
}

} // namespace

class TestDashboardPages final : public QObject
{
    Q_OBJECT

private slots:
    void eventLogShowsBacklogAndEventsFromWorkerThreads()
    {
        EventLog log;
        log.info(u"gateway"_s, u"Gateway started"_s);
        EventLogPage page(&log);
        QCOMPARE(page.model()->rowCount(), 1);

        // Added on a worker thread: delivered queued to the page's thread.
        QtConcurrent::run([&log] {
            log.error(u"payments"_s, u"A task was dead-lettered"_s);
        }).waitForFinished();
        QTRY_COMPARE(page.model()->rowCount(), 2);
        const QModelIndex message = page.model()->index(1, Mouse::Ui::EventLogModel::Message);
        QCOMPARE(message.data().toString(), u"A task was dead-lettered"_s);
        QVERIFY(page.model()
                        ->index(1, Mouse::Ui::EventLogModel::Severity)
                        .data(Qt::DecorationRole)
                        .isValid());

        page.copySelection();
        const QString copied = QApplication::clipboard()->text();
        QVERIFY(copied.contains(u"Gateway started"_s));
        QVERIFY(copied.contains(u"[payments] A task was dead-lettered"_s));
    }

    void chartsReadTheSnapshotsWithBoundedHistory()
    {
        Gateway gateway(Settings::defaults());
        ChartsPage page(&gateway);
        QDateTime t = QDateTime::currentDateTime();
        // Nothing asked of the screenshot cache, no task finished: a hit rate or p95 of
        // nothing is not drawn as 0.
        const QJsonObject idle{
                {u"caches"_s,
                 QJsonObject{{u"screenshots"_s,
                              QJsonObject{{u"hit_rate"_s, 0}, {u"hits"_s, 0}, {u"misses"_s, 0}}}}},
                {u"queues"_s,
                 QJsonObject{{u"payments"_s,
                              QJsonObject{{u"completed"_s, 0},
                                          {u"processing_ms"_s, QJsonObject{{u"p95"_s, 0}}}}}}}};
        page.sample(t.addSecs(-1), idle);
        QCOMPARE(page.hitRateChart()->pointCount(1), 0);
        QCOMPARE(page.processingChart()->pointCount(0), 0);

        const QJsonObject health{
                {u"caches"_s,
                 QJsonObject{{u"vm_status"_s,
                              QJsonObject{{u"hit_rate"_s, 0.75},
                                          {u"hits"_s, 3},
                                          {u"misses"_s, 1},
                                          {u"size"_s, 60}}}}},
                {u"queues"_s,
                 QJsonObject{{u"payments"_s,
                              QJsonObject{{u"depth"_s, QJsonObject{{u"high"_s, 4}}},
                                          {u"completed"_s, 9},
                                          {u"processing_ms"_s, QJsonObject{{u"p95"_s, 12.5}}}}}}}};
        for (int i = 0; i < 3; ++i)
            page.sample(t.addSecs(i), health);

        QCOMPARE(page.hitRateChart()->lastValue(0), 75.0);
        QVERIFY(std::isnan(page.hitRateChart()->lastValue(1))); // no screenshot cache section
        QCOMPARE(page.hitRateChart()->pointCount(0), 3);
        QCOMPARE(page.hitRateChart()->pointCount(1), 0);
        QCOMPARE(page.cacheSizeChart()->lastValue(0), 60.0);
        QCOMPARE(page.queueDepthChart()->lastValue(0), 4.0);
        QCOMPARE(page.processingChart()->lastValue(0), 12.5);
    }

    void chartHistoryIsBoundedByWindowAndCount()
    {
        Mouse::Ui::TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s});
        chart.setWindow(60 * 1000);
        chart.setMaxPoints(600);
        const QDateTime t = QDateTime::currentDateTime();
        for (int i = 0; i < 100; ++i)
            chart.append(t.addSecs(i), {double(i)});
        QCOMPARE(chart.pointCount(0), 61); // the last minute, both ends included
        QCOMPARE(chart.lastValue(0), 99.0);

        chart.setWindow(3600 * 1000);
        chart.setMaxPoints(80);
        for (int i = 100; i < 200; ++i)
            chart.append(t.addSecs(i), {double(i)});
        QCOMPARE(chart.pointCount(0), 80);
    }

    // The time axis starts at the first sample, never before it: it spans two minutes from
    // there while the chart is young, then up to now, and slides once the window is full.
    // (It used to end at now and reach back two minutes: 72 s after start, it began 48 s
    // before the first sample.)
    void chartTimeAxisStartsAtTheFirstSample()
    {
        Mouse::Ui::TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s});
        chart.setWindow(10 * 60 * 1000);
        // Whole seconds: the axis keeps milliseconds as a double.
        const QDateTime t0
                = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() - 3600, Qt::UTC);
        chart.append(t0, {1});
        QCOMPARE(chart.timeRange().first, t0);
        QCOMPARE(chart.timeRange().second, t0.addSecs(120));

        chart.append(t0.addSecs(72), {2});
        QCOMPARE(chart.timeRange().first, t0);
        QCOMPARE(chart.timeRange().second, t0.addSecs(120));

        chart.append(t0.addSecs(300), {3});
        QCOMPARE(chart.timeRange().first, t0);
        QCOMPARE(chart.timeRange().second, t0.addSecs(300));

        chart.append(t0.addSecs(700), {4});
        QCOMPARE(chart.timeRange().first, t0.addSecs(100));
        QCOMPARE(chart.timeRange().second, t0.addSecs(700));

        // The charts page samples when it opens: its axes start then, not earlier.
        Gateway gateway(Settings::defaults());
        const QDateTime opened = QDateTime::currentDateTime();
        ChartsPage page(&gateway);
        for (Mouse::Ui::TimeSeriesChart *pageChart : {page.hitRateChart(),
                                                      page.cacheSizeChart(),
                                                      page.queueDepthChart(),
                                                      page.processingChart()}) {
            QVERIFY(pageChart->timeRange().first >= opened.addMSecs(-1));
            QCOMPARE(pageChart->timeRange().first.msecsTo(pageChart->timeRange().second),
                     qint64(120000));
        }
    }

    // The picker names VMs by who works on them and for whom, sorted by that name; the UUID
    // is only a tooltip. Names Orgo reports later relabel the entries in place.
    void screenshotPickerShowsNamesSortedWithIdAsTooltip()
    {
        Gateway gateway(Settings::defaults());
        Mouse::Ui::FleetTableModel fleet;
        auto row = [](const char *id, const char *employee, const char *customer) {
            Mouse::Ui::FleetRow r;
            r.vmId = QString::fromLatin1(id);
            r.employee = QString::fromLatin1(employee);
            r.customer = QString::fromLatin1(customer);
            r.customerId = r.customer.toLower();
            r.status = u"unknown"_s;
            return r;
        };
        fleet.setRows({row("9f1c2d3e-0000-4000-8000-000000000001", "zoe", "Acme Robotics"),
                       row("0a1b2c3d-0000-4000-8000-000000000002", "Ann", "Clean Eats"),
                       row("5e6f7a8b-0000-4000-8000-000000000003", "Mark", "Acme Robotics")});
        Mouse::Ui::ScreenshotsPage page(&gateway, &fleet);
        auto *picker = page.findChild<QComboBox *>(u"vmPicker"_s);
        QVERIFY(picker);
        QCOMPARE(picker->count(), 3);
        QCOMPARE(picker->itemText(0), u"Ann — Clean Eats"_s);
        QCOMPARE(picker->itemText(1), u"Mark — Acme Robotics"_s);
        QCOMPARE(picker->itemText(2), u"zoe — Acme Robotics"_s);
        for (int i = 0; i < picker->count(); ++i) {
            QVERIFY(!picker->itemText(i).contains(u"-0000-"_s));
            QCOMPARE(picker->itemData(i, Qt::ToolTipRole), picker->itemData(i));
        }
        QCOMPARE(page.currentVm(), u"0a1b2c3d-0000-4000-8000-000000000002"_s);
        QCOMPARE(picker->toolTip(), page.currentVm());

        Mouse::Ui::FleetRow named
                = row("5e6f7a8b-0000-4000-8000-000000000003", "Mark", "Acme Robotics");
        named.name = u"sales-mark-07"_s;
        named.status = u"running"_s;
        fleet.updateRow(named);
        QCOMPARE(picker->itemText(1), u"Mark — Acme Robotics  ·  sales-mark-07"_s);
        QCOMPARE(page.currentVm(), u"0a1b2c3d-0000-4000-8000-000000000002"_s);
    }

    // A thumbnail of a VM that is not running showed a dark tile and nothing else. Now the tile
    // says the state; it follows a change, and a frame that arrives for a stopped VM (asked
    // before it stopped) does not cover it.
    void thumbnailsOfVmsNotRunningSayTheirState()
    {
        Gateway gateway(Settings::defaults()); // not started: no frames ever come
        Mouse::Ui::FleetTableModel fleet;
        auto row = [](const char *id, const char *status) {
            Mouse::Ui::FleetRow r;
            r.vmId = QString::fromLatin1(id);
            r.employee = r.vmId;
            r.customer = u"Acme"_s;
            r.customerId = u"acme"_s;
            r.status = QString::fromLatin1(status);
            return r;
        };
        fleet.setRows({row("a-run", "running"),
                       row("b-off", "stopped"),
                       row("c-boot", "starting"),
                       row("d-odd", "hibernating")});
        Mouse::Ui::ScreenshotsPage page(&gateway, &fleet);
        auto *thumbs = page.findChild<QListWidget *>(u"thumbnails"_s);
        QVERIFY(thumbs);
        QCOMPARE(thumbs->count(), 4);
        const auto tile = [thumbs](const QString &vmId) -> QListWidgetItem * {
            for (int i = 0; i < thumbs->count(); ++i) {
                if (thumbs->item(i)->data(Qt::UserRole).toString() == vmId)
                    return thumbs->item(i);
            }
            return nullptr;
        };
        const auto state = [&tile](const QString &vmId) {
            return tile(vmId)->data(Qt::AccessibleDescriptionRole).toString();
        };
        QCOMPARE(state(u"a-run"_s), QString());
        QCOMPARE(state(u"b-off"_s), u"Stopped"_s);
        QCOMPARE(state(u"c-boot"_s), u"Starting"_s);
        QCOMPARE(state(u"d-odd"_s), u"hibernating"_s); // as Orgo spells a state it added
        QVERIFY(tile(u"b-off"_s)->toolTip().contains(u"Stopped"_s));

        // The words are on the picture: light text in the tile's lower half, which the
        // running VM's placeholder (a disc in the middle) leaves dark.
        QVERIFY(!hasTextBelowTheMiddle(tile(u"a-run"_s)->icon()));
        QVERIFY(hasTextBelowTheMiddle(tile(u"b-off"_s)->icon()));
        QVERIFY(hasTextBelowTheMiddle(tile(u"c-boot"_s)->icon()));

        // A late frame for the stopped VM does not cover its state; the running one's shows.
        QImage red(192, 108, QImage::Format_RGB32);
        red.fill(Qt::red);
        page.showThumbnail(u"b-off"_s, red);
        page.showThumbnail(u"a-run"_s, red);
        QVERIFY(tile(u"b-off"_s)->icon().pixmap(192, 108).toImage().pixelColor(2, 2) != Qt::red);
        QCOMPARE(tile(u"a-run"_s)->icon().pixmap(192, 108).toImage().pixelColor(2, 2),
                 QColor(Qt::red));

        // States change under the page: the running VM stops, the starting one runs.
        fleet.updateRow(row("a-run", "stopped"));
        fleet.updateRow(row("c-boot", "running"));
        QCOMPARE(state(u"a-run"_s), u"Stopped"_s);
        QVERIFY(hasTextBelowTheMiddle(tile(u"a-run"_s)->icon()));
        QCOMPARE(state(u"c-boot"_s), QString());
        QVERIFY(!hasTextBelowTheMiddle(tile(u"c-boot"_s)->icon()));
    }

    void numberAtWalksPaths()
    {
        const QJsonObject root{{u"a"_s, QJsonObject{{u"b"_s, 2.5}, {u"s"_s, u"x"_s}}}};
        QCOMPARE(ChartsPage::numberAt(root, {u"a"_s, u"b"_s}), 2.5);
        QVERIFY(std::isnan(ChartsPage::numberAt(root, {u"a"_s, u"s"_s})));
        QVERIFY(std::isnan(ChartsPage::numberAt(root, {u"a"_s, u"b"_s, u"c"_s})));
        QVERIFY(std::isnan(ChartsPage::numberAt(root, {u"z"_s})));
    }
};

QTEST_MAIN(TestDashboardPages)
#include "tst_dashboardpages.moc"

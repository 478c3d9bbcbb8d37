// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"
#include "core/screens/screenshotservice.h"
#include "ui/fleetpage.h"
#include "ui/fleettablemodel.h"
#include "ui/mainwindow.h"
#include "ui/screenshotspage.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Qt::Literals::StringLiterals;
using Mouse::Gateway;
using Mouse::Settings;
using Mouse::Ui::MainWindow;

// The main window on a started Gateway (sandbox Orgo, temporary database, ephemeral port).
class TestMainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        const Settings settings
                = Settings::defaults()
                          .withValue(u"storage/database"_s, m_dir->filePath(u"gw.sqlite"_s))
                          .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                          .withValue(u"sandbox/latency_ms"_s, u"1"_s)
                          .withValue(u"sandbox/jitter_ms"_s, u"0"_s);
        m_gateway = std::make_unique<Gateway>(settings);
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    void cleanup()
    {
        m_gateway.reset();
        m_dir.reset();
    }

    void showsTheFleetAfterTheFirstRefresh()
    {
        MainWindow window(m_gateway.get());
        QSignalSpy shown(&window, &MainWindow::fleetShown);
        window.show();
        QVERIFY(shown.wait(15000));
        QCOMPARE(shown.count(), 1);
        QVERIFY(!window.fleetPage()->isRefreshing());

        // Later refreshes do not announce the fleet again.
        window.fleetPage()->refresh();
        QTest::qWait(50);
        QCOMPARE(shown.count(), 1);
    }

    void fleetModelIsFedByTheGateway()
    {
        MainWindow window(m_gateway.get());
        QSignalSpy shown(&window, &MainWindow::fleetShown);
        window.show();
        QVERIFY(shown.wait(15000));

        // The sandbox's demo dataset: 60 employees, each with a VM, over 3 customers.
        const Mouse::Ui::FleetTableModel *model = window.fleetPage()->model();
        QCOMPARE(model->rowCount(), 60);
        QSet<QString> customers;
        int withStatus = 0;
        for (int row = 0; row < model->rowCount(); ++row) {
            const Mouse::Ui::FleetRow *vm = model->rowAt(row);
            customers.insert(vm->customerId);
            QVERIFY(!vm->employee.isEmpty());
            QVERIFY(!vm->customer.isEmpty());
            QVERIFY(model->index(row, Mouse::Ui::FleetTableModel::Status)
                            .data(Qt::DecorationRole)
                            .isValid());
            if (vm->status != u"unknown"_s && vm->fetchedAt.isValid())
                ++withStatus;
        }
        QCOMPARE(customers.size(), 3);
        QCOMPARE(withStatus, 60); // every VM answered by the sandbox through the batch fetch
        const QString age = model->index(0, Mouse::Ui::FleetTableModel::Age).data().toString();
        QVERIFY2(age.endsWith(u"ago"_s) || age == u"just now"_s, qPrintable(age));
        QVERIFY(model->index(0, Mouse::Ui::FleetTableModel::Error).data().toString().isEmpty());
    }

    void doubleClickOpensTheVmScreenshot()
    {
        MainWindow window(m_gateway.get());
        QSignalSpy shown(&window, &MainWindow::fleetShown);
        window.show();
        QVERIFY(shown.wait(15000));

        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTableView *view = window.fleetPage()->view();
        const QModelIndex first = view->model()->index(0, 0);
        const QString vmId = first.data(Mouse::Ui::FleetTableModel::VmIdRole).toString();
        const QPoint centre = view->visualRect(first).center();
        QVERIFY(view->viewport()->rect().contains(centre));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, centre);
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, centre);
        QCOMPARE(window.currentPage(), MainWindow::Screenshots);
        Mouse::Ui::ScreenshotsPage *page = window.screenshotsPage();
        QCOMPARE(page->currentVm(), vmId);

        // The sandbox's desktop through ScreenshotService at medium: within 1024x768.
        QTRY_VERIFY_WITH_TIMEOUT(!page->shownImage().isNull(), 15000);
        QVERIFY(page->shownImage().width() <= 1024);
        QVERIFY(page->shownImage().height() <= 768);
        QVERIFY2(page->infoText().contains(u"image/jpeg"_s), qPrintable(page->infoText()));
    }

    // The Screenshots page asks for frames only when it is shown: the dashboard opening on
    // the Fleet page made Orgo capture (and the pool encode) a customer's thumbnails.
    void hiddenScreenshotsPageAsksForNothing()
    {
        MainWindow window(m_gateway.get());
        window.showPage(MainWindow::Fleet);
        QSignalSpy shown(&window, &MainWindow::fleetShown);
        window.show();
        QVERIFY(shown.wait(15000));
        QTest::qWait(300);
        QCOMPARE(m_gateway->screens()->stats().requests, 0u);

        window.showPage(MainWindow::Screenshots);
        Mouse::Ui::ScreenshotsPage *page = window.screenshotsPage();
        QTRY_VERIFY_WITH_TIMEOUT(!page->shownImage().isNull(), 15000);
        QVERIFY(m_gateway->screens()->stats().requests > 1); // the image and the thumbnails
    }

    void statusBarShowsUrlModeAndAMaskedToken()
    {
        MainWindow window(m_gateway.get());
        window.show();
        QStringList texts;
        for (const QLabel *label : window.statusBar()->findChildren<QLabel *>())
            texts << label->text();
        for (const QToolButton *button : window.statusBar()->findChildren<QToolButton *>())
            texts << button->text() << button->toolTip();
        const QString all = texts.join(u'\n');
        QVERIFY2(all.contains(m_gateway->serverUrl().toString()), qPrintable(all));
        QVERIFY(all.contains(u"sandbox"_s));
        QVERIFY(all.contains(u"closed"_s));
        QVERIFY2(!all.contains(m_gateway->adminToken()), "the admin token is shown in full");

        window.copyAdminToken();
        QCOMPARE(QApplication::clipboard()->text(), m_gateway->adminToken());
    }

    void breakerStateIsShownInColour()
    {
        MainWindow window(m_gateway.get());
        window.setBreakerState(u"open"_s);
        QCOMPARE(window.breakerState(), u"open"_s);
        bool found = false;
        for (const QLabel *label : window.statusBar()->findChildren<QLabel *>())
            found = found
                    || (label->text().contains(u"open"_s) && label->text().contains(u"#c2413b"_s));
        QVERIFY(found);
    }

    // A first start takes the screen's free area at most (the offscreen platform's screen is
    // 800x800), and the pages fit a 1024x768 screen, so no button or status bar is left
    // off-screen there.
    void firstStartFitsTheScreen()
    {
        QSettings(u"mouse-gateway"_s, u"dashboard"_s).remove(u"window/geometry"_s);
        MainWindow window(m_gateway.get());
        window.show();
        const QSize minimum = window.minimumSizeHint();
        QVERIFY2(minimum.width() <= 1024 && minimum.height() <= 768 - 40,
                 qPrintable(u"%1x%2"_s.arg(minimum.width()).arg(minimum.height())));
        const QSize bound = window.screen()->availableSize().expandedTo(minimum);
        QVERIFY2(window.width() <= bound.width() && window.height() <= bound.height(),
                 qPrintable(u"%1x%2 within %3x%4"_s.arg(window.width())
                                    .arg(window.height())
                                    .arg(bound.width())
                                    .arg(bound.height())));
    }

    void remembersTheLastPage()
    {
        {
            MainWindow window(m_gateway.get());
            window.show();
            window.showPage(MainWindow::Charts);
            QCOMPARE(window.currentPage(), MainWindow::Charts);
            window.close();
        }
        MainWindow again(m_gateway.get());
        QCOMPARE(again.currentPage(), MainWindow::Charts);
        again.showPage(MainWindow::Fleet);
        again.close();
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Gateway> m_gateway;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"
#include "ui/paymentspage.h"

#include <QDateTime>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace Qt::Literals::StringLiterals;
using Mouse::Database;
using Mouse::Gateway;
using Mouse::NewTask;
using Mouse::Settings;
using Mouse::Task;
using Mouse::TaskQueue;
using Mouse::TaskResult;
using Mouse::Ui::PaymentsPage;

// The Payments page against a real TaskQueue on a temporary database: a task that fails
// until told otherwise is dead-lettered, then the page's buttons act on the queue.
class TestPaymentsPage final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_fail = true;
        m_runs = 0;
        m_dir = std::make_unique<QTemporaryDir>();
        m_db = std::make_unique<Database>(m_dir->filePath(u"ui.sqlite"_s));
        QString error;
        QVERIFY2(m_db->open(&error), qPrintable(error));

        TaskQueue::Options options;
        options.maxRetries = 0; // first failure dead-letters
        m_queue = std::make_unique<TaskQueue>(*m_db, options);
        m_queue->registerHandler(u"test.task"_s, [this](const Task &, QSqlDatabase &) {
            ++m_runs;
            return m_fail ? TaskResult::fail(u"upstream refused"_s) : TaskResult::done();
        });
        QVERIFY2(m_queue->start(&error), qPrintable(error));
        m_gateway = std::make_unique<Gateway>(Settings::defaults());
    }

    void cleanup()
    {
        m_queue->stop();
        m_queue.reset();
        m_gateway.reset();
        m_db.reset();
        m_dir.reset();
    }

    void showsDeadLettersAndRetryButtonCallsTheQueue()
    {
        const QString id = deadTask();
        QVERIFY(!id.isEmpty());
        PaymentsPage page(m_gateway.get(), m_queue.get(), nullptr);
        page.setConfirmDiscard(false);
        page.show();

        QTableWidget *table = page.deadLetterTable();
        QTRY_COMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, 0)->data(Qt::UserRole).toString(), id);
        QCOMPARE(table->item(0, 5)->text(), u"upstream refused"_s);
        // The time the task died, read from the queue's ISO 8601 answer, not 1970.
        const QDateTime deadAt = QDateTime::fromString(
                m_queue->task(id).value(u"finished_at"_s).toString(), Qt::ISODateWithMs);
        QVERIFY(deadAt.isValid());
        QCOMPARE(deadAt.timeSpec(), Qt::UTC);
        QVERIFY(qAbs(deadAt.secsTo(QDateTime::currentDateTimeUtc())) < 600);
        const QDateTime local = deadAt.toLocalTime();
        QCOMPARE(table->item(0, 4)->text(),
                 local.toString(local.date() == QDate::currentDate() ? u"HH:mm:ss"_s
                                                                     : u"yyyy-MM-dd HH:mm"_s));
        QVERIFY(!page.retryButton()->isEnabled()); // nothing selected yet

        m_fail = false;
        table->selectRow(0);
        QVERIFY(page.retryButton()->isEnabled());
        QSignalSpy finished(&page, &PaymentsPage::operationFinished);
        QTest::mouseClick(page.retryButton(), Qt::LeftButton);
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toInt(), 1);

        QVERIFY(m_queue->waitForIdle(10000));
        QCOMPARE(m_queue->task(id).value(u"status"_s).toString(), u"done"_s);
        QCOMPARE(m_runs.load(), 2);
        QTRY_COMPARE(table->rowCount(), 0);
    }

    void discardButtonDropsTheDeadTask()
    {
        const QString id = deadTask();
        QVERIFY(!id.isEmpty());
        PaymentsPage page(m_gateway.get(), m_queue.get(), nullptr);
        page.setConfirmDiscard(false);
        page.show();
        QTRY_COMPARE(page.deadLetterTable()->rowCount(), 1);

        page.deadLetterTable()->selectRow(0);
        QSignalSpy finished(&page, &PaymentsPage::operationFinished);
        QTest::mouseClick(page.discardButton(), Qt::LeftButton);
        QVERIFY(finished.wait(5000));
        QCOMPARE(m_queue->task(id).value(u"status"_s).toString(), u"discarded"_s);
        QCOMPARE(m_runs.load(), 1);
        QTRY_COMPARE(page.deadLetterTable()->rowCount(), 0);
    }

    void pauseButtonTogglesProcessing()
    {
        PaymentsPage page(m_gateway.get(), m_queue.get(), nullptr);
        page.show();
        QVERIFY(!m_queue->isPaused());
        QTest::mouseClick(page.pauseButton(), Qt::LeftButton);
        QVERIFY(m_queue->isPaused());
        QCOMPARE(page.pauseButton()->text(), u"Resume processing"_s);
        QTest::mouseClick(page.pauseButton(), Qt::LeftButton);
        QVERIFY(!m_queue->isPaused());
        QCOMPARE(page.pauseButton()->text(), u"Pause processing"_s);
    }

    void withoutAQueueThePageSaysSo()
    {
        PaymentsPage page(m_gateway.get(), nullptr, nullptr);
        page.show();
        QVERIFY(!page.pauseButton()->isEnabled());
        QTest::mouseClick(page.retryButton(), Qt::LeftButton); // harmless
    }

private:
    QString deadTask()
    {
        NewTask task;
        task.type = u"test.task"_s;
        task.reference = u"evt_1"_s;
        const QString id = m_queue->enqueue(task);
        if (!m_queue->waitForIdle(10000))
            return {};
        return m_queue->task(id).value(u"status"_s).toString() == u"dead"_s ? id : QString();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TaskQueue> m_queue;
    std::unique_ptr<Gateway> m_gateway;
    std::atomic<int> m_runs{0};
    std::atomic<bool> m_fail{true};
};

QTEST_MAIN(TestPaymentsPage)
#include "tst_paymentspage.moc"

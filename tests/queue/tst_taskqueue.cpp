// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/log/eventlog.h"
#include "core/queue/sqlitestatement.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QMutex>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <stdexcept>

using namespace Mouse;
using namespace Qt::Literals::StringLiterals;

namespace {

struct FakeClock
{
    std::shared_ptr<std::atomic<qint64>> ms = std::make_shared<std::atomic<qint64>>(1'000'000);
    Clock clock() const
    {
        auto value = ms;
        return [value] {
            return value->load();
        };
    }
    void advance(qint64 by) { ms->fetch_add(by); }
};

qint64 scalar(Database &db, const QString &sql)
{
    QSqlDatabase connection = db.connection();
    QSqlQuery query(connection);
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

void exec(Database &db, const QString &sql)
{
    QSqlDatabase connection = db.connection();
    QSqlQuery query(connection);
    QVERIFY2(query.exec(sql), qPrintable(sql));
}

NewTask task(const QString &type,
             const QString &key = {},
             TaskPriority priority = TaskPriority::Normal,
             const QByteArray &payload = {})
{
    NewTask t;
    t.type = type;
    t.orderingKey = key;
    t.priority = priority;
    t.reference = QString::fromUtf8(payload);
    t.payload = payload;
    return t;
}

} // namespace

class TestTaskQueue final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_db = std::make_unique<Database>(m_dir->filePath(u"queue.sqlite"_s));
        QString error;
        QVERIFY2(m_db->open(&error), qPrintable(error));
        exec(*m_db, u"CREATE TABLE effects (task TEXT NOT NULL, value TEXT)"_s);
    }
    void cleanup()
    {
        m_db.reset();
        m_dir.reset();
    }

    // The intake's hot binds: ASCII through a stack buffer, the rest through toUtf8(), the raw
    // body without a copy. Every path must store the same text QSqlQuery would read back.
    void sqliteStatementBindsTextAsUtf8()
    {
        QSqlDatabase db = m_db->connection();
        SqliteStatement insert(db, "INSERT INTO effects (task, value) VALUES (?, ?)");
        QVERIFY(insert.isValid());
        const QString longAscii = QString(300, u'x');
        const QString lastNonAscii = QString(255, u'a') + u"\u00e9"_s;
        const QList<QString> texts{u"evt_1MqLd2"_s,
                                   u""_s,
                                   u"caf\u00e9 \u20ac \U0001F600"_s,
                                   longAscii,
                                   lastNonAscii,
                                   QString(256, u'b')};
        for (qsizetype i = 0; i < texts.size(); ++i) {
            insert.bind(1, QString::number(i));
            insert.bind(2, texts[i]);
            QVERIFY(insert.run());
        }
        insert.bind(1, u"null"_s);
        insert.bind(2, QString());
        QVERIFY(insert.run());
        const QByteArray body = "{\"id\":\"evt_\u00e9\"}";
        insert.bind(1, u"body"_s);
        insert.bindUntilRun(2, body);
        QVERIFY(insert.run());
        // Bound twice before a run (the last bind counts), and from a temporary.
        insert.bind(1, u"rebound"_s);
        insert.bind(2, QString(400, u'z'));
        insert.bind(2, u"short"_s);
        QVERIFY(insert.run());
        insert.bind(1, QByteArray("temporary"));
        insert.bind(2, QByteArray("caf\u00e9") + QByteArray(300, 'y'));
        QVERIFY(insert.run());

        QSqlQuery read(db);
        QVERIFY(read.exec(u"SELECT task, value, typeof(value) FROM effects"_s));
        QHash<QString, QVariant> stored;
        QHash<QString, QString> types;
        while (read.next()) {
            stored.insert(read.value(0).toString(), read.value(1));
            types.insert(read.value(0).toString(), read.value(2).toString());
        }
        for (qsizetype i = 0; i < texts.size(); ++i) {
            QCOMPARE(stored.value(QString::number(i)).toString(), texts[i]);
            QCOMPARE(types.value(QString::number(i)), u"text"_s);
        }
        QCOMPARE(types.value(u"null"_s), u"null"_s);
        QCOMPARE(stored.value(u"body"_s).toString(), QString::fromUtf8(body));
        QCOMPARE(stored.value(u"rebound"_s).toString(), u"short"_s);
        QCOMPARE(stored.value(u"temporary"_s).toString(), u"caf\u00e9"_s + QString(300, u'y'));
    }

    // tsk_, 12 hex digits of the time in ms, then 80 random bits in 20 hex digits.
    void taskIdsStartWithTheTime()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const QString first = TaskQueue::newTaskId();
        const QString second = TaskQueue::newTaskId();
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        const QRegularExpression shape(u"^tsk_[0-9a-f]{32}$"_s);
        QVERIFY2(shape.match(first).hasMatch(), qPrintable(first));
        QVERIFY2(shape.match(second).hasMatch(), qPrintable(second));
        QVERIFY(first != second);
        bool ok = false;
        const qint64 ms = first.mid(4, 12).toLongLong(&ok, 16);
        QVERIFY(ok);
        QVERIFY(ms >= before && ms <= after);
    }

    void runsTasksByPriorityThenArrival()
    {
        TaskQueue::Options options;
        options.paymentWorkers = 1;
        TaskQueue queue(*m_db, options);
        QMutex mutex;
        QStringList order;
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &) {
            QMutexLocker lock(&mutex);
            order.append(QString::fromUtf8(t.payload));
            return TaskResult::done();
        });
        QString error;
        QVERIFY(queue.start(&error));
        queue.pause();
        queue.enqueue(task(u"t"_s, {}, TaskPriority::Low, "low1"));
        queue.enqueue(task(u"t"_s, {}, TaskPriority::Normal, "normal1"));
        queue.enqueue(task(u"t"_s, {}, TaskPriority::High, "high1"));
        queue.enqueue(task(u"t"_s, {}, TaskPriority::Normal, "normal2"));
        queue.enqueue(task(u"t"_s, {}, TaskPriority::High, "high2"));
        QCOMPARE(queue.metricsSnapshot().depthHigh, 2);
        QCOMPARE(queue.metricsSnapshot().depthNormal, 2);
        QCOMPARE(queue.metricsSnapshot().depthLow, 1);
        queue.resume();
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(order,
                 (QStringList{u"high1"_s, u"high2"_s, u"normal1"_s, u"normal2"_s, u"low1"_s}));
        QCOMPARE(queue.metricsSnapshot().completed, 5u);
        QCOMPARE(queue.backlog(), 0);
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM tasks WHERE status = 'done'"_s), 5);
    }

    void handlerWritesCommitOnlyWithTheDoneMark()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        options.maxRetries = 1;
        TaskQueue queue(*m_db, options);
        std::atomic<int> runs{0};
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &db) {
            QSqlQuery insert(db);
            insert.prepare(u"INSERT INTO effects (task, value) VALUES (?, ?)"_s);
            insert.addBindValue(t.id);
            insert.addBindValue(t.attempt);
            insert.exec();
            if (runs.fetch_add(1) == 0)
                return TaskResult::retry(u"not yet"_s);
            return TaskResult::done();
        });
        QString error;
        QVERIFY(queue.start(&error));
        const QString id = queue.enqueue(task(u"t"_s));
        QVERIFY(queue.waitForIdle(10000));
        // The first attempt wrote a row and asked for a retry: the row is gone with it.
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM effects"_s), 0);
        QCOMPARE(queue.task(id).value(u"status"_s).toString(), u"pending"_s);

        clock.advance(options.retryCapMs);
        queue.processDueRetries();
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM effects"_s), 1);
        QCOMPARE(scalar(*m_db, u"SELECT value FROM effects"_s), 2);
        QCOMPARE(queue.task(id).value(u"status"_s).toString(), u"done"_s);
    }

    void aRetryInABatchRollsBackOnlyItsOwnWrites()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        options.paymentWorkers = 1; // one worker takes all three in one transaction
        TaskQueue queue(*m_db, options);
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &db) {
            QSqlQuery insert(db);
            insert.prepare(u"INSERT INTO effects (task, value) VALUES (?, ?)"_s);
            insert.addBindValue(t.id);
            insert.addBindValue(QString::fromUtf8(t.payload));
            insert.exec();
            return t.payload == "two" ? TaskResult::retry(u"not now"_s) : TaskResult::done();
        });
        QString error;
        QVERIFY(queue.start(&error));
        queue.pause();
        queue.enqueue(task(u"t"_s, u"k1"_s, TaskPriority::Normal, "one"));
        const QString two = queue.enqueue(task(u"t"_s, u"k2"_s, TaskPriority::Normal, "two"));
        queue.enqueue(task(u"t"_s, u"k3"_s, TaskPriority::Normal, "three"));
        queue.resume();
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM effects"_s), 2);
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM effects WHERE value = 'two'"_s), 0);
        QCOMPARE(queue.task(two).value(u"status"_s).toString(), u"pending"_s);
        QCOMPARE(queue.metricsSnapshot().completed, 2u);
        QCOMPARE(queue.metricsSnapshot().depthNormal, 1);
    }

    void exceptionRollsBackAndRetries()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        TaskQueue queue(*m_db, options);
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &db) -> TaskResult {
            QSqlQuery insert(db);
            insert.prepare(u"INSERT INTO effects (task) VALUES (?)"_s);
            insert.addBindValue(t.id);
            insert.exec();
            throw std::runtime_error("boom");
        });
        QString error;
        QVERIFY(queue.start(&error));
        const QString id = queue.enqueue(task(u"t"_s));
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM effects"_s), 0);
        const QJsonObject row = queue.task(id);
        QCOMPARE(row.value(u"status"_s).toString(), u"pending"_s);
        QCOMPARE(row.value(u"last_error"_s).toString(), u"boom"_s);
        QCOMPARE(queue.metricsSnapshot().retried, 1u);
    }

    void backoffFollowsTheClock()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        options.retryBaseMs = 1000;
        options.retryCapMs = 3000;
        options.maxRetries = 5;
        options.random = [] {
            return 1.0;
        }; // the top of the jitter range
        TaskQueue queue(*m_db, options);
        std::atomic<int> runs{0};
        queue.registerHandler(u"t"_s, [&](const Task &, QSqlDatabase &) {
            runs.fetch_add(1);
            return TaskResult::retry(u"again"_s);
        });
        QString error;
        QVERIFY(queue.start(&error));
        const QString id = queue.enqueue(task(u"t"_s));
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(runs.load(), 1);

        // Retry n waits min(cap, base * 2^(n-1)): 1 s, 2 s, then the 3 s cap.
        const QList<qint64> expected{1000, 2000, 3000, 3000};
        for (int retry = 0; retry < expected.size(); ++retry) {
            const qint64 runAt = QDateTime::fromString(queue.task(id).value(u"run_at"_s).toString(),
                                                       Qt::ISODateWithMs)
                                         .toMSecsSinceEpoch();
            QCOMPARE(runAt - clock.ms->load(), expected[retry]);
            clock.advance(expected[retry] - 1);
            queue.processDueRetries();
            QVERIFY(queue.waitForIdle(10000));
            QCOMPARE(runs.load(), retry + 1); // one millisecond early: not yet
            clock.advance(1);
            queue.processDueRetries();
            QVERIFY(queue.waitForIdle(10000));
            QCOMPARE(runs.load(), retry + 2);
        }
    }

    void jitterStaysWithinHalfToFull()
    {
        TaskQueue::Options options;
        options.retryBaseMs = 1000;
        options.retryCapMs = 60000;
        double r = 0;
        options.random = [&r] {
            return r;
        };
        TaskQueue queue(*m_db, options);
        QCOMPARE(queue.backoffMs(1), 500);
        QCOMPARE(queue.backoffMs(3), 2000);
        r = 0.999;
        QVERIFY(queue.backoffMs(3) > 3990 && queue.backoffMs(3) < 4000);
        QCOMPARE(queue.backoffMs(30), 59970); // capped
    }

    QString eventStatus(const QString &eventId) const
    {
        QSqlQuery query(m_db->connection());
        query.prepare(u"SELECT status FROM stripe_events WHERE event_id = ?"_s);
        query.addBindValue(eventId);
        if (!query.exec() || !query.next())
            return {};
        return query.value(0).toString();
    }

    void deadLetterKeepsHistoryAndCanBeRetried()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        options.maxRetries = 2;
        TaskQueue queue(*m_db, options);
        std::atomic<bool> healthy{false};
        queue.registerHandler(u"t"_s, [&](const Task &, QSqlDatabase &) {
            return healthy ? TaskResult::done() : TaskResult::retry(u"upstream down"_s);
        });
        QSignalSpy dead(&queue, &TaskQueue::taskDeadLettered);
        QString error;
        QVERIFY(queue.start(&error));
        QSqlQuery stored(m_db->connection());
        QVERIFY(stored.exec(u"INSERT INTO stripe_events (event_id, type, payload, received_at) "
                            "VALUES ('evt_dead', 'invoice.paid', '{}', 1)"_s));
        NewTask withEvent = task(u"t"_s);
        withEvent.reference = u"evt_dead"_s;
        const QString id = queue.enqueue(withEvent);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(queue.waitForIdle(10000));
            clock.advance(options.retryCapMs);
            queue.processDueRetries();
        }
        QVERIFY(queue.waitForIdle(10000));
        QJsonObject row = queue.task(id);
        QCOMPARE(row.value(u"status"_s).toString(), u"dead"_s);
        QCOMPARE(row.value(u"attempts"_s).toArray().size(), 3); // first run + 2 retries
        QCOMPARE(row.value(u"attempts"_s).toArray().last()[u"outcome"_s].toString(), u"failed"_s);
        QCOMPARE(dead.size(), 1);
        QCOMPARE(queue.metricsSnapshot().dead, 1);
        QCOMPARE(queue.backlog(), 0);
        const QJsonArray list = queue.deadTasks().value(u"tasks"_s).toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0][u"id"_s].toString(), id);
        QCOMPARE(eventStatus(u"evt_dead"_s), u"failed"_s); // visible where operators look

        healthy = true;
        QVERIFY(queue.retryDead(id));
        QCOMPARE(eventStatus(u"evt_dead"_s), u"received"_s);
        QVERIFY(!queue.retryDead(id)); // no longer dead
        QVERIFY(queue.waitForIdle(10000));
        row = queue.task(id);
        QCOMPARE(row.value(u"status"_s).toString(), u"done"_s);
        QCOMPARE(row.value(u"attempts"_s).toArray().size(), 4);
        QCOMPARE(queue.metricsSnapshot().dead, 0);
    }

    void failDeadLettersAtOnceAndCanBeDiscarded()
    {
        EventLog log;
        TaskQueue queue(*m_db, {}, &log);
        queue.registerHandler(u"t"_s, [&](const Task &, QSqlDatabase &) {
            return TaskResult::fail(u"malformed"_s);
        });
        QString error;
        QVERIFY(queue.start(&error));
        const QString id = queue.enqueue(task(u"t"_s));
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(queue.task(id).value(u"status"_s).toString(), u"dead"_s);
        // One attempt, in the singular.
        const QList<EventLog::Event> events = log.events();
        const auto deadLettered = std::find_if(events.begin(), events.end(), [](const auto &e) {
            return e.message.contains(u"dead-letter list"_s);
        });
        QVERIFY(deadLettered != events.end());
        QVERIFY2(deadLettered->message.endsWith(u"after 1 attempt"_s),
                 qPrintable(deadLettered->message));

        // Retried by an operator, it dies again: one attempt since the retry, two in all.
        QVERIFY(queue.retryDead(id));
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(queue.task(id).value(u"status"_s).toString(), u"dead"_s);
        const QString last = log.events().constLast().message;
        QVERIFY2(last.endsWith(u"after 1 attempt since its retry (2 in all)"_s), qPrintable(last));

        QVERIFY(queue.discardDead(id));
        QCOMPARE(queue.task(id).value(u"status"_s).toString(), u"discarded"_s);
        QVERIFY(!queue.retryDead(id));
        QCOMPARE(queue.metricsSnapshot().dead, 0);
    }

    // The database refuses the dead-letter write (disk full, read-only). The task used to be
    // counted dead in memory only: no dead-letter row, no failed event, its key released,
    // while storage still had it claimed until a restart. Now it stays unfinished (claimed in
    // storage, so a restart resumes it), holds its key, the write is retried with backoff, an
    // operator event and a metric say so, and it is counted dead once, when written.
    void refusedDeadLetterWriteIsRetriedNotLost()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        EventLog log;
        TaskQueue queue(*m_db, options, &log);
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &) {
            return t.payload == "bad" ? TaskResult::fail(u"malformed"_s) : TaskResult::done();
        });
        QSignalSpy dead(&queue, &TaskQueue::taskDeadLettered);
        // The store refuses the dead-letter mark on every connection, as a full disk would.
        exec(*m_db,
             u"CREATE TRIGGER refuse_dead BEFORE UPDATE OF status ON tasks "
             "WHEN NEW.status = 'dead' BEGIN SELECT RAISE(ABORT, 'disk full'); END"_s);
        QString error;
        QVERIFY(queue.start(&error));
        const QString id = queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "bad"));
        const QString next = queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "ok"));
        QVERIFY(queue.waitForIdle(10000));

        const auto unrecorded = [&] {
            QCOMPARE(dead.size(), 0);
            QCOMPARE(queue.metricsSnapshot().dead, 0);
            QCOMPARE(queue.metricsSnapshot().unrecordedFailures, 1);
            QCOMPARE(queue.backlog(), 2);
            QCOMPARE(queue.task(id).value(u"status"_s).toString(), u"running"_s);
            QCOMPARE(queue.task(next).value(u"status"_s).toString(), u"pending"_s);
        };
        unrecorded();
        const QList<EventLog::Event> events = log.events();
        QCOMPARE(std::count_if(events.begin(),
                               events.end(),
                               [](const EventLog::Event &e) {
                                   return e.message.contains(u"refused to record"_s);
                               }),
                 1);

        // Still refused at the next write: nothing is counted, the write waits longer.
        clock.advance(options.retryCapMs);
        queue.processDueRetries();
        QVERIFY(queue.waitForIdle(10000));
        unrecorded();

        exec(*m_db, u"DROP TRIGGER refuse_dead"_s); // room on the disk again
        clock.advance(options.retryCapMs);
        queue.processDueRetries();
        QVERIFY(queue.waitForIdle(10000));
        const QJsonObject row = queue.task(id);
        QCOMPARE(row.value(u"status"_s).toString(), u"dead"_s);
        QCOMPARE(row.value(u"attempts"_s).toArray().size(), 1);
        QCOMPARE(row.value(u"attempts"_s).toArray()[0][u"outcome"_s].toString(), u"failed"_s);
        QCOMPARE(dead.size(), 1);
        QCOMPARE(queue.metricsSnapshot().dead, 1);
        QCOMPARE(queue.metricsSnapshot().unrecordedFailures, 0);
        QCOMPARE(queue.metricsSnapshot().failedAttempts, quint64(1)); // counted once
        QCOMPARE(queue.task(next).value(u"status"_s).toString(), u"done"_s);
        QCOMPARE(queue.backlog(), 0);
    }

    void sameKeyNeverOverlapsAndKeepsOrder()
    {
        TaskQueue::Options options;
        options.paymentWorkers = 3;
        options.serializeWrites = false; // let handlers overlap, as on PostgreSQL
        TaskQueue queue(*m_db, options);
        QMutex mutex;
        QHash<QString, int> active;
        QHash<QString, QStringList> seen;
        int overlapSameKey = 0;
        int maxActive = 0;
        int activeTotal = 0;
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &) {
            {
                QMutexLocker lock(&mutex);
                if (++active[t.orderingKey] > 1)
                    ++overlapSameKey;
                maxActive = qMax(maxActive, ++activeTotal);
                seen[t.orderingKey].append(QString::fromUtf8(t.payload));
            }
            QThread::msleep(20);
            QMutexLocker lock(&mutex);
            --active[t.orderingKey];
            --activeTotal;
            return TaskResult::done();
        });
        QString error;
        QVERIFY(queue.start(&error));
        queue.pause();
        QStringList expectedA;
        QStringList expectedB;
        QStringList expectedC;
        for (int i = 0; i < 6; ++i) {
            const QByteArray n = QByteArray::number(i);
            queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "a" + n));
            queue.enqueue(task(u"t"_s, u"cus_b"_s, TaskPriority::Normal, "b" + n));
            queue.enqueue(task(u"t"_s, u"cus_c"_s, TaskPriority::Normal, "c" + n));
            expectedA.append(u"a"_s + QString::number(i));
            expectedB.append(u"b"_s + QString::number(i));
            expectedC.append(u"c"_s + QString::number(i));
        }
        queue.resume();
        QVERIFY(queue.waitForIdle(20000));
        QCOMPARE(overlapSameKey, 0);
        QCOMPARE(seen.value(u"cus_a"_s), expectedA);
        QCOMPARE(seen.value(u"cus_b"_s), expectedB);
        QCOMPARE(seen.value(u"cus_c"_s), expectedC);
        QVERIFY2(maxActive >= 2, "different customers should run in parallel");
    }

    void aRetryingTaskHoldsBackItsKeyOnly()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        TaskQueue queue(*m_db, options);
        QMutex mutex;
        QStringList order;
        std::atomic<bool> firstFails{true};
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &) {
            const QString name = QString::fromUtf8(t.payload);
            if (name == u"a1"_s && firstFails.exchange(false))
                return TaskResult::retry(u"later"_s);
            QMutexLocker lock(&mutex);
            order.append(name);
            return TaskResult::done();
        });
        QString error;
        QVERIFY(queue.start(&error));
        queue.pause();
        queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "a1"));
        queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "a2"));
        queue.enqueue(task(u"t"_s, u"cus_b"_s, TaskPriority::Normal, "b1"));
        queue.resume();
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(order, QStringList{u"b1"_s}); // a2 waits behind a1's retry
        clock.advance(options.retryCapMs);
        queue.processDueRetries();
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(order, (QStringList{u"b1"_s, u"a1"_s, u"a2"_s}));
    }

    void resumesPendingAndInterruptedTasksAfterRestart()
    {
        const QString location = m_dir->filePath(u"queue.sqlite"_s);
        QString claimedId;
        QString pendingId;
        {
            TaskQueue queue(*m_db, {});
            QString error;
            QVERIFY(queue.start(&error));
            queue.pause();
            claimedId = queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "first"));
            pendingId = queue.enqueue(task(u"t"_s, u"cus_a"_s, TaskPriority::Normal, "second"));
            queue.stop();
        }
        // As if the process died while the first task ran: claimed, never finished.
        exec(*m_db,
             u"UPDATE tasks SET status = 'running', attempt = 1, claimed_at = 5 "
             "WHERE id = '%1'"_s.arg(claimedId));
        m_db.reset();

        m_db = std::make_unique<Database>(location);
        QString error;
        QVERIFY(m_db->open(&error));
        EventLog log;
        TaskQueue queue(*m_db, {}, &log);
        QMutex mutex;
        QStringList order;
        queue.registerHandler(u"t"_s, [&](const Task &t, QSqlDatabase &) {
            QMutexLocker lock(&mutex);
            order.append(QString::fromUtf8(t.payload) + u'@' + QString::number(t.attempt));
            return TaskResult::done();
        });
        QVERIFY(queue.start(&error));
        QVERIFY(queue.waitForIdle(10000));
        QCOMPARE(order, (QStringList{u"first@2"_s, u"second@1"_s}));
        const QJsonArray attempts = queue.task(claimedId).value(u"attempts"_s).toArray();
        QCOMPARE(attempts.size(), 2);
        QCOMPARE(attempts[0][u"outcome"_s].toString(), u"interrupted"_s);
        QCOMPARE(attempts[1][u"outcome"_s].toString(), u"done"_s);
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM tasks WHERE status <> 'done'"_s), 0);
        // Operators are told, in the singular ("1 interrupted tasks resume" until session 6).
        const QList<EventLog::Event> events = log.events();
        QVERIFY(std::any_of(events.begin(), events.end(), [](const EventLog::Event &e) {
            return e.message == u"1 task interrupted by the last stop will run again"_s;
        }));
    }

    void insertIsScheduledOnlyAfterAnnounce()
    {
        TaskQueue queue(*m_db, {});
        std::atomic<int> runs{0};
        queue.registerHandler(u"t"_s, [&](const Task &, QSqlDatabase &) {
            runs.fetch_add(1);
            return TaskResult::done();
        });
        QString error;
        QVERIFY(queue.start(&error));
        QSqlDatabase db = m_db->connection();
        QVERIFY(db.transaction());
        const QString kept = queue.insert(db, task(u"t"_s), 1);
        QVERIFY(db.commit());
        QVERIFY(db.transaction());
        const QString dropped = queue.insert(db, task(u"t"_s), 1);
        QVERIFY(db.rollback());
        QCOMPARE(queue.backlog(), 2);
        queue.forget({dropped});
        QVERIFY(queue.waitForIdle(5000));
        QCOMPARE(runs.load(), 0);
        queue.announce({kept});
        QVERIFY(queue.waitForIdle(5000));
        QCOMPARE(runs.load(), 1);
        QCOMPARE(queue.backlog(), 0);
        QVERIFY(queue.isBacklogFull(TaskQueue::Options{}.maxBacklog));
        QVERIFY(!queue.isBacklogFull(0));
    }

    void prunesFinishedTasksByAgeAndCount()
    {
        FakeClock clock;
        TaskQueue::Options options;
        options.clock = clock.clock();
        options.retentionDays = 1;
        options.retentionCount = 3;
        TaskQueue queue(*m_db, options);
        queue.registerHandler(u"t"_s,
                              [](const Task &, QSqlDatabase &) { return TaskResult::done(); });
        QString error;
        QVERIFY(queue.start(&error));
        for (int i = 0; i < 5; ++i) {
            queue.enqueue(task(u"t"_s));
            QVERIFY(queue.waitForIdle(5000));
            clock.advance(1000);
        }
        queue.pause();
        const QString waiting = queue.enqueue(task(u"t"_s));
        QCOMPARE(queue.pruneNow(), 2); // count: the 3 newest finished stay
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM tasks"_s), 4);
        clock.advance(2 * 24 * 3600 * 1000);
        QCOMPARE(queue.pruneNow(), 3); // age: all finished ones
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM tasks"_s), 1);
        QCOMPARE(queue.task(waiting).value(u"status"_s).toString(), u"pending"_s);
        QCOMPARE(scalar(*m_db, u"SELECT COUNT(*) FROM task_attempts"_s), 0);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

QTEST_GUILESS_MAIN(TestTaskQueue)
#include "tst_taskqueue.moc"

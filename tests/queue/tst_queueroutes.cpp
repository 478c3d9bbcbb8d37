// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripeevent.h"
#include "core/billing/webhookintake.h"
#include "core/http/responderstate.h"
#include "core/http/router.h"
#include "core/queue/queueroutes.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Mouse;
using namespace Qt::Literals::StringLiterals;

class TestQueueRoutes final : public QObject
{
    Q_OBJECT

    struct Call
    {
        std::shared_ptr<std::optional<Http::Reply>> reply
                = std::make_shared<std::optional<Http::Reply>>();
        bool ready() const { return reply->has_value(); }
        int status() const { return (*reply)->status; }
        QJsonObject json() const { return QJsonDocument::fromJson((*reply)->body).object(); }
    };

    Call call(const QByteArray &method, const QString &path, const QString &query = {})
    {
        Call result;
        const Http::Router::Match match = m_router->match(method, path);
        if (match.result != Http::Router::Match::Result::Found) {
            result.reply->emplace();
            (*result.reply)->status = 404;
            return result;
        }
        [&] {
            QCOMPARE(int(match.route->access), int(Http::Access::Admin));
        }();
        auto state = std::make_shared<Http::Responder::State>();
        auto target = result.reply;
        state->write = [target](Http::Reply &&r) {
            *target = std::move(r);
        };
        state->isConnected = [] {
            return true;
        };
        Http::Request request;
        request.method = method;
        request.path = path;
        request.query = QUrlQuery(query);
        request.params = match.params;
        request.principal.kind = Http::Principal::Kind::Admin;
        (*match.handler)(request, Http::Responder(state));
        return result;
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        setUp(m_dir->filePath(u"routes.sqlite"_s));
    }
    void cleanup()
    {
        m_router.reset();
        m_intake.reset();
        m_queue.reset();
        m_db.reset();
        m_dir.reset();
    }

private:
    void setUp(const QString &location)
    {
        cleanupStack();
        m_db = std::make_unique<Database>(location);
        QString error;
        QVERIFY(m_db->open(&error));
        m_queue = std::make_unique<TaskQueue>(*m_db, TaskQueue::Options{});
        m_queue->registerHandler(u"stripe.event"_s, [](const Task &task, QSqlDatabase &) {
            return task.reference == u"evt_bad"_s ? TaskResult::fail(u"malformed"_s)
                                                  : TaskResult::done();
        });
        QVERIFY(m_queue->start(&error));
        WebhookIntake::Options options;
        options.secrets = {"whsec_routes"};
        m_intake = std::make_unique<WebhookIntake>(*m_db, *m_queue, options);
        m_intake->start();
        m_router = std::make_unique<Http::Router>();
        registerQueueRoutes(*m_router, *m_queue, m_intake.get());
    }
    void cleanupStack()
    {
        m_router.reset();
        m_intake.reset();
        m_queue.reset();
        m_db.reset();
    }

    // A dead task (the handler fails evt_bad) and a stored event; returns the task's id.
    QString deadTaskAndStoredEvent()
    {
        NewTask bad;
        bad.type = u"stripe.event"_s;
        bad.reference = u"evt_bad"_s;
        const QString id = m_queue->enqueue(bad);
        // One writer at a time: on a shared-cache memory store, a worker's claim that meets the
        // intake's insert is SQLITE_LOCKED at once (no busy wait), and is retried later.
        if (!m_queue->waitForIdle(5000))
            return {};
        const QByteArray body = R"({"id":"evt_stored","object":"event","type":"invoice.paid",)"
                                R"("data":{"object":{"id":"in_1","customer":"cus_1"}}})";
        bool stored = false;
        m_intake->submit(*parseStripeEvent(body), body, [&stored](const WebhookIntake::Outcome &o) {
            stored = o.kind == WebhookIntake::Outcome::Kind::Accepted;
        });
        if (!QTest::qWaitFor([&stored] { return stored; }, 5000) || !m_queue->waitForIdle(5000))
            return {};
        return id;
    }

    // 503 storage_unavailable or 500 internal_error, in the API's error shape, without the
    // driver's words.
    static void verifyStorageFailure(const Call &reply, int status)
    {
        QCOMPARE(reply.status(), status);
        const QJsonObject error = reply.json().value(u"error"_s).toObject();
        QCOMPARE(error.value(u"code"_s).toString(),
                 status == 503 ? u"storage_unavailable"_s : u"internal_error"_s);
        QVERIFY(!error.value(u"message"_s).toString().isEmpty());
        QVERIFY(error.contains(u"request_id"_s));
        const QString body = QString::fromUtf8((*reply.reply)->body).toLower();
        for (const char *driverWord : {"locked", "sqlite", "database", "raise", "refused"})
            QVERIFY2(!body.contains(QLatin1String(driverWord)), qPrintable(body));
    }

private slots:

    void metricsPauseAndResume()
    {
        Call paused = call("POST", u"/admin/queue/pause"_s);
        QVERIFY(paused.ready());
        QCOMPARE(paused.json().value(u"paused"_s).toBool(), true);
        QVERIFY(m_queue->isPaused());
        Call metrics = call("GET", u"/admin/queue"_s);
        QVERIFY(metrics.ready());
        QCOMPARE(metrics.status(), 200);
        QCOMPARE(metrics.json().value(u"paused"_s).toBool(), true);
        QVERIFY(metrics.json().contains(u"processing_ms"_s));
        QVERIFY(metrics.json().value(u"webhooks"_s).isObject());
        call("POST", u"/admin/queue/resume"_s);
        QVERIFY(!m_queue->isPaused());
    }

    void deadLettersRetryDiscardAndReplay()
    {
        NewTask bad;
        bad.type = u"stripe.event"_s;
        bad.reference = u"evt_bad"_s;
        const QString id = m_queue->enqueue(bad);
        QVERIFY(m_queue->waitForIdle(5000));

        Call dead = call("GET", u"/admin/queue/dead"_s);
        QTRY_VERIFY(dead.ready());
        const QJsonArray tasks = dead.json().value(u"tasks"_s).toArray();
        QCOMPARE(tasks.size(), 1);
        QCOMPARE(tasks[0][u"id"_s].toString(), id);
        QCOMPARE(tasks[0][u"attempts"_s].toArray().size(), 1);
        // Times are ISO 8601 UTC with milliseconds, as in every other answer.
        const QJsonObject attempt = tasks[0][u"attempts"_s][0].toObject();
        for (const QJsonValue &time : {tasks[0][u"created_at"_s],
                                       tasks[0][u"run_at"_s],
                                       tasks[0][u"finished_at"_s],
                                       attempt[u"started_at"_s],
                                       attempt[u"finished_at"_s]}) {
            static const QRegularExpression iso(
                    u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"_s);
            QVERIFY2(iso.match(time.toString()).hasMatch(),
                     QJsonDocument(tasks[0].toObject()).toJson().constData());
            const QDateTime parsed = QDateTime::fromString(time.toString(), Qt::ISODateWithMs);
            QVERIFY(qAbs(parsed.secsTo(QDateTime::currentDateTimeUtc())) < 600);
        }

        // A limit that is not an integer from 1 to 1000 is refused, not quietly replaced.
        for (const QString &limit : {u"-1"_s, u"0"_s, u"1e9"_s, u"many"_s}) {
            Call refused = call("GET", u"/admin/queue/dead"_s, u"limit="_s + limit);
            QTRY_VERIFY(refused.ready());
            QCOMPARE(refused.status(), 400);
            QCOMPARE(refused.json()[u"error"_s][u"code"_s].toString(), u"invalid_query"_s);
        }

        Call one = call("GET", u"/admin/queue/tasks/%1"_s.arg(id));
        QTRY_VERIFY(one.ready());
        QCOMPARE(one.json().value(u"status"_s).toString(), u"dead"_s);

        Call missing = call("POST", u"/admin/queue/dead/tsk_nope/retry"_s);
        QTRY_VERIFY(missing.ready());
        QCOMPARE(missing.status(), 404);

        Call retried = call("POST", u"/admin/queue/dead/%1/retry"_s.arg(id));
        QTRY_VERIFY(retried.ready());
        QCOMPARE(retried.status(), 200);
        QVERIFY(m_queue->waitForIdle(5000)); // fails again: dead again

        Call discarded = call("DELETE", u"/admin/queue/dead/%1"_s.arg(id));
        QTRY_VERIFY(discarded.ready());
        QCOMPARE(discarded.status(), 200);
        QCOMPARE(m_queue->task(id).value(u"status"_s).toString(), u"discarded"_s);

        Call unknown = call("POST", u"/admin/events/evt_unknown/replay"_s);
        QTRY_VERIFY(unknown.ready());
        QCOMPARE(unknown.status(), 404);

        // A stored event: replay queues a new task for it.
        const QByteArray body = R"({"id":"evt_stored","object":"event","type":"invoice.paid",)"
                                R"("data":{"object":{"id":"in_1","customer":"cus_1"}}})";
        bool stored = false;
        m_intake->submit(*parseStripeEvent(body), body, [&stored](const WebhookIntake::Outcome &o) {
            stored = o.kind == WebhookIntake::Outcome::Kind::Accepted;
        });
        QTRY_VERIFY(stored);
        QVERIFY(m_queue->waitForIdle(5000));
        Call replay = call("POST", u"/admin/events/evt_stored/replay"_s);
        QTRY_VERIFY(replay.ready());
        QCOMPARE(replay.status(), 202);
        const QString replayTask = replay.json().value(u"task_id"_s).toString();
        QVERIFY(m_queue->waitForIdle(5000));
        const QJsonObject task = m_queue->task(replayTask);
        QCOMPARE(task.value(u"reference"_s).toString(), u"evt_stored"_s);
        QCOMPARE(task.value(u"ordering_key"_s).toString(), u"cus_1"_s);
        QCOMPARE(task.value(u"status"_s).toString(), u"done"_s);
    }

    // The store cannot be read or written now (another connection of a shared cache holds
    // the tasks table, SQLITE_LOCKED): the operator routes answered 404 "not found" for tasks
    // and events that exist. They answer 503 storage_unavailable with Retry-After, and the
    // same calls succeed once the lock is gone.
    void lockedStoreAnswers503NotNotFound()
    {
        setUp(u"sqlite::memory:"_s);
        const QString id = deadTaskAndStoredEvent();
        QVERIFY(!id.isEmpty());
        QCOMPARE(m_queue->task(id).value(u"status"_s).toString(), u"dead"_s);
        {
            QSqlDatabase holder = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tasks-writer"_s);
            holder.setDatabaseName(m_db->connection().databaseName());
            holder.setConnectOptions(u"QSQLITE_OPEN_URI"_s);
            QVERIFY(holder.open());
            QSqlQuery hold(holder);
            QVERIFY(hold.exec(u"BEGIN"_s));
            QVERIFY(hold.exec(u"UPDATE tasks SET last_error = last_error"_s));

            const QList<std::pair<QByteArray, QString>> calls{
                    {"GET", u"/admin/queue/dead"_s},
                    {"GET", u"/admin/queue/tasks/%1"_s.arg(id)},
                    {"POST", u"/admin/queue/dead/%1/retry"_s.arg(id)},
                    {"DELETE", u"/admin/queue/dead/%1"_s.arg(id)},
                    {"POST", u"/admin/events/evt_stored/replay"_s}};
            for (const auto &[method, path] : calls) {
                Call refused = call(method, path);
                QTRY_VERIFY(refused.ready());
                verifyStorageFailure(refused, 503);
                if (QTest::currentTestFailed())
                    return;
                bool retryAfter = false;
                for (const auto &[name, value] : std::as_const((*refused.reply)->headers))
                    retryAfter |= name.compare("Retry-After", Qt::CaseInsensitive) == 0
                                  && value == "5";
                QVERIFY2(retryAfter, qPrintable(path));
            }
            QVERIFY(hold.exec(u"ROLLBACK"_s));
            hold.finish();
            holder.close();
        }
        QSqlDatabase::removeDatabase(u"tasks-writer"_s);

        Call dead = call("GET", u"/admin/queue/dead"_s);
        QTRY_VERIFY(dead.ready());
        QCOMPARE(dead.status(), 200);
        QCOMPARE(dead.json().value(u"tasks"_s).toArray().size(), 1);
        Call one = call("GET", u"/admin/queue/tasks/%1"_s.arg(id));
        QTRY_VERIFY(one.ready());
        QCOMPARE(one.status(), 200);
        Call replay = call("POST", u"/admin/events/evt_stored/replay"_s);
        QTRY_VERIFY(replay.ready());
        QCOMPARE(replay.status(), 202);
        Call discarded = call("DELETE", u"/admin/queue/dead/%1"_s.arg(id));
        QTRY_VERIFY(discarded.ready());
        QCOMPARE(discarded.status(), 200);
        QVERIFY(m_queue->waitForIdle(5000));
        cleanupStack();
    }

    // A write the store refuses for good (here a trigger: the statement itself fails) is the
    // gateway's problem: 500 internal_error, not 404, and the task is still dead.
    void refusedWriteAnswers500NotNotFound()
    {
        const QString id = deadTaskAndStoredEvent();
        QVERIFY(!id.isEmpty());
        QSqlQuery trigger(m_db->connection());
        QVERIFY(trigger.exec(u"CREATE TRIGGER refuse_operator BEFORE UPDATE OF status ON tasks "
                             "WHEN OLD.status = 'dead' BEGIN SELECT RAISE(ABORT, 'refused'); "
                             "END"_s));
        for (const QByteArray &method : {QByteArray("POST"), QByteArray("DELETE")}) {
            const QString path = method == "POST" ? u"/admin/queue/dead/%1/retry"_s.arg(id)
                                                  : u"/admin/queue/dead/%1"_s.arg(id);
            Call refused = call(method, path);
            QTRY_VERIFY(refused.ready());
            verifyStorageFailure(refused, 500);
            if (QTest::currentTestFailed())
                return;
        }
        QCOMPARE(m_queue->task(id).value(u"status"_s).toString(), u"dead"_s);
        QVERIFY(trigger.exec(u"DROP TRIGGER refuse_operator"_s));
        Call missing = call("DELETE", u"/admin/queue/dead/tsk_nope"_s);
        QTRY_VERIFY(missing.ready());
        QCOMPARE(missing.status(), 404); // what is not there is still "not found"
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TaskQueue> m_queue;
    std::unique_ptr<WebhookIntake> m_intake;
    std::unique_ptr<Http::Router> m_router;
};

QTEST_GUILESS_MAIN(TestQueueRoutes)
#include "tst_queueroutes.moc"

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
        m_db = std::make_unique<Database>(m_dir->filePath(u"routes.sqlite"_s));
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
    void cleanup()
    {
        m_router.reset();
        m_intake.reset();
        m_queue.reset();
        m_db.reset();
        m_dir.reset();
    }

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

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TaskQueue> m_queue;
    std::unique_ptr<WebhookIntake> m_intake;
    std::unique_ptr<Http::Router> m_router;
};

QTEST_GUILESS_MAIN(TestQueueRoutes)
#include "tst_queueroutes.moc"

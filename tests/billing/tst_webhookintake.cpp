// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripesignature.h"
#include "core/billing/webhookintake.h"
#include "core/http/responderstate.h"
#include "core/metrics/metrics.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Mouse;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray kSecret = "whsec_intake_test";

struct Answer
{
    std::shared_ptr<std::optional<Http::Reply>> reply
            = std::make_shared<std::optional<Http::Reply>>();
    Http::Responder responder{makeState()};

    std::shared_ptr<Http::Responder::State> makeState()
    {
        auto state = std::make_shared<Http::Responder::State>();
        auto target = reply;
        state->write = [target](Http::Reply &&r) {
            *target = std::move(r);
        };
        state->isConnected = [] {
            return true;
        };
        return state;
    }
    bool ready() const { return reply->has_value(); }
    int status() const { return (*reply)->status; }
    QJsonObject json() const { return QJsonDocument::fromJson((*reply)->body).object(); }
    QString errorCode() const
    {
        return json().value(u"error"_s).toObject().value(u"code"_s).toString();
    }
};

QByteArray eventBody(const QString &id, const QString &customer = u"c_1"_s)
{
    return u"{\"id\":\"%1\",\"object\":\"event\",\"type\":\"checkout.session.completed\","
           "\"created\":1700000000,\"livemode\":false,\"data\":{\"object\":{\"id\":\"cs_%1\","
           "\"metadata\":{\"customer_id\":\"%2\"}}}}"_s.arg(id, customer)
                   .toUtf8();
}

Http::Request request(const QByteArray &body, const QByteArray &signature)
{
    Http::Request r;
    r.method = "POST";
    r.path = u"/webhooks/stripe"_s;
    r.body = body;
    if (!signature.isNull())
        r.headers.append({"Stripe-Signature", signature});
    return r;
}

QByteArray sign(const QByteArray &body, qint64 t = QDateTime::currentSecsSinceEpoch())
{
    return makeStripeSignatureHeader({kSecret}, t, body);
}

} // namespace

class TestWebhookIntake final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_db = std::make_unique<Database>(m_dir->filePath(u"intake.sqlite"_s));
        QString error;
        QVERIFY2(m_db->open(&error), qPrintable(error));
        TaskQueue::Options options;
        options.maxBacklog = 5;
        m_queue = std::make_unique<TaskQueue>(*m_db, options);
        QVERIFY(m_queue->start(&error));
        m_queue->pause(); // nothing processes: only the intake is under test
        WebhookIntake::Options intake;
        intake.secrets = {"whsec_old", kSecret};
        m_intake = std::make_unique<WebhookIntake>(*m_db, *m_queue, intake);
        m_intake->start();
    }
    void cleanup()
    {
        m_intake.reset();
        m_queue.reset();
        m_db.reset();
        m_dir.reset();
    }

    void acceptsAndStoresEventAndTaskTogether()
    {
        const QByteArray body = eventBody(u"evt_a"_s, u"c_7"_s);
        Answer answer;
        m_intake->handle(request(body, sign(body)), answer.responder);
        QTRY_VERIFY(answer.ready());
        QCOMPARE(answer.status(), 202);
        QCOMPARE(answer.json().value(u"received"_s).toBool(), true);
        const QString taskId = answer.json().value(u"task_id"_s).toString();
        QVERIFY(taskId.startsWith(u"tsk_"_s));
        // The bytes QJsonDocument writes for {"received":true,"task_id":...}, compact.
        QCOMPARE((*answer.reply)->body,
                 QJsonDocument(QJsonObject{{u"received"_s, true}, {u"task_id"_s, taskId}})
                         .toJson(QJsonDocument::Compact));
        QCOMPARE((*answer.reply)->contentType, QByteArray("application/json"));

        QSqlDatabase db = m_db->connection();
        QSqlQuery event(db);
        QVERIFY(event.exec(u"SELECT type, payload, status, ordering_key, task_id, created FROM "
                           "stripe_events WHERE event_id = 'evt_a'"_s));
        QVERIFY(event.next());
        QCOMPARE(event.value(0).toString(), u"checkout.session.completed"_s);
        QCOMPARE(event.value(1).toString().toUtf8(), body); // the raw body, byte for byte
        QCOMPARE(event.value(2).toString(), u"received"_s);
        QCOMPARE(event.value(3).toString(), u"c_7"_s);
        QCOMPARE(event.value(4).toString(), taskId);
        QCOMPARE(event.value(5).toLongLong(), 1700000000);
        const QJsonObject task = m_queue->task(taskId);
        QCOMPARE(task.value(u"type"_s).toString(), u"stripe.event"_s);
        QCOMPARE(task.value(u"reference"_s).toString(), u"evt_a"_s);
        QCOMPARE(task.value(u"ordering_key"_s).toString(), u"c_7"_s);
        QCOMPARE(task.value(u"status"_s).toString(), u"pending"_s);
        QCOMPARE(m_queue->backlog(), 1);
    }

    void duplicateDeliveryQueuesNothing()
    {
        const QByteArray body = eventBody(u"evt_dup"_s);
        Answer first;
        Answer second;
        Answer third;
        m_intake->handle(request(body, sign(body)), first.responder);
        m_intake->handle(request(body, sign(body)), second.responder); // same batch, maybe
        QTRY_VERIFY(first.ready() && second.ready());
        // A later redelivery: new timestamp, new signature, same event id.
        m_intake->handle(request(body, sign(body, QDateTime::currentSecsSinceEpoch() + 5)),
                         third.responder);
        QTRY_VERIFY(third.ready());
        QCOMPARE(first.status(), 202);
        QCOMPARE(second.status(), 200);
        QCOMPARE(second.json().value(u"duplicate"_s).toBool(), true);
        QCOMPARE(third.status(), 200);
        QCOMPARE(third.json().value(u"duplicate"_s).toBool(), true);
        QSqlDatabase db = m_db->connection();
        QSqlQuery count(db);
        QVERIFY(count.exec(u"SELECT COUNT(*) FROM tasks"_s) && count.next());
        QCOMPARE(count.value(0).toInt(), 1);
        QCOMPARE(m_queue->backlog(), 1);
    }

    void rejectsWithAReason_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("signature");
        QTest::addColumn<QString>("code");
        const QByteArray good = eventBody(u"evt_r"_s);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QTest::newRow("no header") << good << QByteArray() << u"missing_signature"_s;
        QTest::newRow("empty header") << good << QByteArray("") << u"missing_signature"_s;
        QTest::newRow("wrong secret")
                << good << makeStripeSignatureHeader({"whsec_nope"}, now, good)
                << u"bad_signature"_s;
        QByteArray tampered = good;
        tampered.replace("c_1", "c_2");
        QTest::newRow("tampered") << tampered << sign(good) << u"bad_signature"_s;
        QTest::newRow("malformed") << good << QByteArray("garbage") << u"bad_signature"_s;
        QTest::newRow("stale") << good << sign(good, now - 301) << u"stale_timestamp"_s;
        QTest::newRow("not json") << QByteArray("{nope") << sign("{nope") << u"invalid_json"_s;
        const QByteArray notEvent = R"({"id":"x","object":"charge"})";
        QTest::newRow("not an event") << notEvent << sign(notEvent) << u"not_an_event"_s;
    }
    void rejectsWithAReason()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, signature);
        QFETCH(QString, code);
        Answer answer;
        m_intake->handle(request(body, signature), answer.responder);
        QVERIFY(answer.ready()); // rejections answer at once
        QCOMPARE(answer.status(), 400);
        QCOMPARE(answer.errorCode(), code);
        QVERIFY(!answer.json()
                         .value(u"error"_s)
                         .toObject()
                         .value(u"message"_s)
                         .toString()
                         .contains(u"SQL"_s));
        QCOMPARE(m_queue->backlog(), 0);
    }

    void acceptsFutureTimestampsAndRotatedSecrets()
    {
        const QByteArray body = eventBody(u"evt_future"_s);
        Answer answer;
        m_intake->handle(
                request(body,
                        makeStripeSignatureHeader(
                                {"whsec_old"}, QDateTime::currentSecsSinceEpoch() + 3600, body)),
                answer.responder);
        QTRY_VERIFY(answer.ready());
        QCOMPARE(answer.status(), 202);
    }

    void fullBacklogAnswers503WithRetryAfter()
    {
        for (int i = 0; i < 5; ++i) {
            const QByteArray body = eventBody(u"evt_b%1"_s.arg(i));
            Answer answer;
            m_intake->handle(request(body, sign(body)), answer.responder);
            QTRY_VERIFY(answer.ready());
            QCOMPARE(answer.status(), 202);
        }
        const QByteArray body = eventBody(u"evt_over"_s);
        Answer answer;
        m_intake->handle(request(body, sign(body)), answer.responder);
        QVERIFY(answer.ready());
        QCOMPARE(answer.status(), 503);
        QCOMPARE(answer.errorCode(), u"backlog_full"_s);
        bool retryAfter = false;
        for (const auto &[name, value] : (*answer.reply)->headers)
            retryAfter = retryAfter || (name.toLower() == "retry-after" && value.toInt() > 0);
        QVERIFY(retryAfter);
        QCOMPARE(m_queue->backlog(), 5);
    }

    void noSecretConfiguredIsUnavailable()
    {
        WebhookIntake intake(*m_db, *m_queue, {});
        intake.start();
        const QByteArray body = eventBody(u"evt_n"_s);
        Answer answer;
        intake.handle(request(body, sign(body)), answer.responder);
        QVERIFY(answer.ready());
        QCOMPARE(answer.status(), 503);
        QCOMPARE(answer.errorCode(), u"webhook_not_configured"_s);
    }

    void manyConcurrentEventsAreGroupCommitted()
    {
        TaskQueue::Options options;
        QString error;
        m_intake.reset();
        m_queue = std::make_unique<TaskQueue>(*m_db, options);
        QVERIFY(m_queue->start(&error));
        m_queue->pause();
        WebhookIntake::Options intakeOptions;
        intakeOptions.secrets = {kSecret};
        WebhookIntake intake(*m_db, *m_queue, intakeOptions);
        intake.start();
        std::vector<Answer> answers(300);
        for (int i = 0; i < 300; ++i) {
            const QByteArray body = eventBody(u"evt_m%1"_s.arg(i % 200)); // 100 duplicates
            intake.handle(request(body, sign(body)), answers[i].responder);
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(answers.begin(),
                                             answers.end(),
                                             [](const Answer &a) { return a.ready(); }),
                                 20000);
        const auto accepted = std::count_if(
                answers.begin(), answers.end(), [](const Answer &a) { return a.status() == 202; });
        const auto duplicate = std::count_if(
                answers.begin(), answers.end(), [](const Answer &a) { return a.status() == 200; });
        QCOMPARE(accepted, 200);
        QCOMPARE(duplicate, 100);
        QCOMPARE(m_queue->backlog(), 200);
        QVERIFY(intake.snapshot().value(u"group_commits"_s).toInt() < 300);
    }

    // The write-ahead log is grown before the first commit, and a copy of the files taken
    // while the gateway runs (what a crash leaves) recovers every committed event: the zeros
    // past the last frame read as the end of the log.
    void reservedWalKeepsCommittedEventsAcrossACrash()
    {
        QString error;
        m_intake.reset();
        m_queue = std::make_unique<TaskQueue>(*m_db, TaskQueue::Options{});
        QVERIFY(m_queue->start(&error));
        m_queue->pause();
        WebhookIntake::Options options;
        options.secrets = {kSecret};
        options.walReserveBytes = 4 << 20;
        m_intake = std::make_unique<WebhookIntake>(*m_db, *m_queue, options);
        m_intake->start();
        const QString wal = m_dir->filePath(u"intake.sqlite-wal"_s);
        QTRY_VERIFY(QFileInfo(wal).size() >= options.walReserveBytes);

        std::vector<Answer> answers(20);
        for (int i = 0; i < 20; ++i) {
            const QByteArray body = eventBody(u"evt_w%1"_s.arg(i));
            m_intake->handle(request(body, sign(body)), answers[size_t(i)].responder);
        }
        QTRY_VERIFY(std::all_of(
                answers.begin(), answers.end(), [](const Answer &a) { return a.ready(); }));
        for (const Answer &answer : answers)
            QCOMPARE(answer.status(), 202);
        QCOMPARE(QFileInfo(wal).size(), options.walReserveBytes); // overwritten, not grown

        QTemporaryDir crashed;
        for (const QString &suffix : {u""_s, u"-wal"_s})
            QVERIFY(QFile::copy(m_dir->filePath(u"intake.sqlite"_s) + suffix,
                                crashed.filePath(u"copy.sqlite"_s) + suffix));
        Database copy(crashed.filePath(u"copy.sqlite"_s));
        QVERIFY2(copy.open(&error), qPrintable(error));
        QSqlQuery check(copy.connection());
        QVERIFY(check.exec(u"PRAGMA integrity_check"_s) && check.next());
        QCOMPARE(check.value(0).toString(), u"ok"_s);
        QVERIFY(check.exec(u"SELECT COUNT(*) FROM stripe_events e JOIN tasks t ON "
                           "t.id = e.task_id WHERE e.event_id LIKE 'evt_w%'"_s)
                && check.next());
        QCOMPARE(check.value(0).toInt(), 20);
    }

    // An in-memory database has no write-ahead log: nothing is reserved (its memory journal
    // is left alone) and events are stored as usual.
    void reserveIsSkippedWithoutAWriteAheadLog()
    {
        QString error;
        Database memory(u"sqlite::memory:"_s);
        QVERIFY2(memory.open(&error), qPrintable(error));
        TaskQueue queue(memory, TaskQueue::Options{});
        QVERIFY(queue.start(&error));
        queue.pause();
        WebhookIntake::Options options;
        options.secrets = {kSecret};
        options.walReserveBytes = 4 << 20;
        WebhookIntake intake(memory, queue, options);
        intake.start();
        const QByteArray body = eventBody(u"evt_mem"_s);
        Answer answer;
        intake.handle(request(body, sign(body)), answer.responder);
        QTRY_VERIFY(answer.ready());
        QCOMPARE(answer.status(), 202);
        QSqlQuery event(memory.connection());
        QVERIFY(event.exec(u"SELECT COUNT(*) FROM stripe_events WHERE event_id = 'evt_mem'"_s));
        QVERIFY(event.next());
        QCOMPARE(event.value(0).toInt(), 1);
    }

    // Every group commit says what its COMMIT was made of (session 4's diagnosis: time on a
    // run queue, asleep on the disk) and how long its answers waited for the HTTP thread.
    void eachCommitRecordsItsRunQueueWaitAndSleep()
    {
        Metrics::Registry metrics;
        m_intake.reset();
        WebhookIntake::Options options;
        options.secrets = {kSecret};
        m_intake = std::make_unique<WebhookIntake>(*m_db, *m_queue, options, nullptr, &metrics);
        m_intake->start();
        for (int i = 0; i < 3; ++i) {
            const QByteArray body = eventBody(u"evt_s%1"_s.arg(i));
            Answer answer;
            m_intake->handle(request(body, sign(body)), answer.responder);
            QTRY_VERIFY(answer.ready());
            QCOMPARE(answer.status(), 202);
        }
        const quint64 commits = quint64(m_intake->snapshot().value(u"group_commits"_s).toInt());
        QCOMPARE(commits, 3u); // one event at a time: one commit each
        auto count = [&](const QString &name) {
            return Metrics::read(metrics.histogram(name, {}, Metrics::latencyBucketsMs())).count;
        };
        QCOMPARE(count(u"mouse_webhook_sync_ms"_s), commits);
        QCOMPARE(count(u"mouse_webhook_answer_hop_ms"_s), commits);
#ifdef Q_OS_LINUX
        QCOMPARE(count(u"mouse_webhook_sync_runqueue_ms"_s), commits);
        QCOMPARE(count(u"mouse_webhook_sync_blocked_ms"_s), commits);
        // Wait and sleep are parts of the COMMIT's wall time, never more than it.
        const auto sum = [&](const QString &name) {
            return Metrics::read(metrics.histogram(name, {}, Metrics::latencyBucketsMs())).sum;
        };
        QVERIFY(sum(u"mouse_webhook_sync_runqueue_ms"_s) + sum(u"mouse_webhook_sync_blocked_ms"_s)
                <= sum(u"mouse_webhook_sync_ms"_s));
#endif
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TaskQueue> m_queue;
    std::unique_ptr<WebhookIntake> m_intake;
};

QTEST_GUILESS_MAIN(TestWebhookIntake)
#include "tst_webhookintake.moc"

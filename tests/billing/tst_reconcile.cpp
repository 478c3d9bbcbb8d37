// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Reconciliation against a mock Stripe on 127.0.0.1: paid sessions whose event never arrived
// are credited through the webhook intake and the queue, once, however often it runs and
// whatever events arrive afterwards.
#include "billingtestsupport.h"
#include "core/billing/billing.h"
#include "core/billing/reconciler.h"
#include "core/billing/stripeclient.h"
#include "core/billing/webhookintake.h"
#include "core/config/settings.h"
#include "core/gateway.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Mouse;
using namespace Mouse::Tests;

class tst_Reconcile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void creditsPaidSessionsWithoutEventOnce();
    void stripeDownAnswers502AndCreditsNothing();
    void refusesBadSinceHours();
    void expiredSessionExpiresItsPendingOrderOnce();
    void periodicRunCreditsAndTellsOperators();
    void gatewayRunsPeriodicallyOnlyWithAKey();
    void sessionsBeyondTheCapAreReported();
    void warningNamesOnlyTheFirstIds();

private:
    Captured reconcile(const QByteArray &body = {});

    QHttpServer m_mock;
    quint16 m_port = 0;
    QList<QJsonObject> m_sessions;
    QList<QUrlQuery> m_queries;
    int m_status = 200;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Billing> m_billing;
    std::unique_ptr<TaskQueue> m_queue;
    std::unique_ptr<WebhookIntake> m_intake;
    std::unique_ptr<Reconciler> m_reconciler;
    std::unique_ptr<Http::Router> m_router;
};

void tst_Reconcile::initTestCase()
{
    // Stripe's list, two per page, newest first, with has_more and starting_after.
    m_mock.route(s("/v1/checkout/sessions"),
                 QHttpServerRequest::Method::Get,
                 [this](const QHttpServerRequest &request) {
                     m_queries.append(request.query());
                     if (m_status != 200)
                         return QHttpServerResponse(QHttpServerResponse::StatusCode(m_status));
                     const QString after = request.query().queryItemValue(s("starting_after"));
                     qsizetype start = 0;
                     while (!after.isEmpty() && start < m_sessions.size()
                            && m_sessions[start][s("id")].toString() != after)
                         ++start;
                     if (!after.isEmpty())
                         ++start;
                     QJsonArray page;
                     for (qsizetype i = start; i < qMin(start + 2, m_sessions.size()); ++i)
                         page.append(m_sessions[i]);
                     return QHttpServerResponse(
                             QJsonObject{{s("object"), s("list")},
                                         {s("data"), page},
                                         {s("has_more"), start + 2 < m_sessions.size()}});
                 });
    m_port = m_mock.listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void tst_Reconcile::init()
{
    m_status = 200;
    m_queries.clear();
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>(m_dir->filePath(s("reconcile.sqlite")));
    QString error;
    QVERIFY2(m_db->open(&error), qPrintable(error));
    addCustomer(*m_db, s("cst_a"));
    const Settings settings
            = Settings::defaults()
                      .withValue(s("stripe/secret_key"), s("sk_test_reconcile"))
                      .withValue(s("stripe/api_url"), s("http://127.0.0.1:%1").arg(m_port));
    m_billing = std::make_unique<Billing>(*m_db, settings);
    m_queue = std::make_unique<TaskQueue>(*m_db, TaskQueue::Options{});
    Billing *billing = m_billing.get();
    m_queue->registerHandler(QString::fromLatin1(Billing::StripeEventTaskType),
                             [billing](const Task &task, QSqlDatabase &db) {
                                 return billing->handleStripeEvent(task, db);
                             });
    QVERIFY(m_queue->start(&error));
    m_intake = std::make_unique<WebhookIntake>(*m_db, *m_queue, WebhookIntake::Options{});
    m_intake->start();
    m_reconciler = std::make_unique<Reconciler>(*m_db, *m_billing->stripe(), *m_intake);
    m_router = std::make_unique<Http::Router>();
    m_reconciler->registerRoute(*m_router);

    // Paid, event lost (no order at all); paid, event lost (order pending); paid and already
    // credited; not paid; expired.
    m_sessions
            = {session(s("cs_lost"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_1")),
               session(s("cs_pending"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_2")),
               session(s("cs_done"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_3")),
               session(s("cs_unpaid"), s("cst_a"), s("pro"), 30000, 9900, s("unpaid"), s("pi_4"))};
    QJsonObject expired = m_sessions[3];
    expired[s("id")] = s("cs_expired");
    expired[s("status")] = s("expired");
    m_sessions.append(expired);
    for (const char *id : {"cs_pending", "cs_done"}) {
        QSqlQuery insert(m_db->connection());
        QVERIFY(insert.exec(
                s("INSERT INTO token_orders (id, customer_id, package_slug, "
                  "token_amount, price_cents, currency, stripe_checkout_session_id, "
                  "status, created_at, updated_at) VALUES ('ord_%1', 'cst_a', '%2', "
                  "%3, %4, 'usd', '%1', '%5', 1, 1)")
                        .arg(QLatin1String(id),
                             id == QByteArray("cs_done") ? s("starter") : s("growth"),
                             id == QByteArray("cs_done") ? s("4000") : s("12000"),
                             id == QByteArray("cs_done") ? s("1900") : s("4900"),
                             id == QByteArray("cs_done") ? s("completed") : s("pending"))));
    }
}

void tst_Reconcile::cleanup()
{
    m_router.reset();
    m_reconciler.reset();
    if (m_intake)
        m_intake->stop();
    m_intake.reset();
    if (m_queue)
        m_queue->stop(5000);
    m_queue.reset();
    if (m_billing)
        m_billing->shutdown();
    m_billing.reset();
    m_db.reset();
    m_dir.reset();
}

Captured tst_Reconcile::reconcile(const QByteArray &body)
{
    return callRoute(*m_router, "POST", s("/admin/payments/reconcile"), body, true);
}

void tst_Reconcile::creditsPaidSessionsWithoutEventOnce()
{
    const Captured reply = reconcile(R"({"since_hours":24})");
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    const QJsonObject report = reply.json();
    QCOMPARE(report[s("checked")].toInt(), 5); // three pages of two
    QCOMPARE(report[s("enqueued")].toArray(), (QJsonArray{s("cs_lost"), s("cs_pending")}));
    QCOMPARE(report[s("already_credited")].toArray(), QJsonArray{s("cs_done")});
    QCOMPARE(m_queries.size(), 3);
    const qint64 since = m_queries.first().queryItemValue(s("created[gte]")).toLongLong();
    QVERIFY(qAbs(QDateTime::currentSecsSinceEpoch() - 24 * 3600 - since) < 60);

    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 4000 + 12000);
    QCOMPARE(text(*m_db, s("SELECT status FROM token_orders WHERE id = 'ord_cs_pending'")),
             s("completed"));

    // Again: the synthetic events are stored already; nothing more is credited.
    const Captured again = reconcile();
    MOUSE_WAIT_REPLY(again);
    QCOMPARE(again.status(), 200);
    QCOMPARE(again.json()[s("enqueued")].toArray(), QJsonArray());
    QCOMPARE(again.json()[s("already_credited")].toArray().size(), 3);
    // The real event arriving late credits nothing either.
    QString error;
    const QJsonObject late{{s("id"), s("evt_late")},
                           {s("object"), s("event")},
                           {s("type"), s("checkout.session.completed")},
                           {s("created"), 1},
                           {s("livemode"), false},
                           {s("data"), QJsonObject{{s("object"), m_sessions[0]}}}};
    const QByteArray raw = QJsonDocument(late).toJson(QJsonDocument::Compact);
    bool stored = false;
    m_intake->submit(*parseStripeEvent(raw), raw, [&stored](const WebhookIntake::Outcome &) {
        stored = true;
    });
    QTRY_VERIFY(stored);
    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 4000 + 12000);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions")), 2);
}

void tst_Reconcile::stripeDownAnswers502AndCreditsNothing()
{
    m_status = 500;
    const Captured reply = reconcile();
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 502);
    QCOMPARE(reply.json()[s("error")][s("code")].toString(), s("reconciliation_failed"));
    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM stripe_events")), 0);
}

void tst_Reconcile::refusesBadSinceHours()
{
    for (const QByteArray &body : {QByteArray(R"({"since_hours":1e2})"),
                                   QByteArray(R"({"since_hours":"24"})"),
                                   QByteArray("[1]")}) {
        const Captured reply = reconcile(body);
        MOUSE_WAIT_REPLY(reply);
        QVERIFY2(reply.status() == 400, body.constData());
    }
    const Captured tooLong = reconcile(R"({"since_hours":10000})");
    MOUSE_WAIT_REPLY(tooLong);
    QCOMPARE(tooLong.status(), 422);
    QCOMPARE(m_queries.size(), 0);
}

// Stripe lists a session as expired whose checkout.session.expired never arrived: its pending
// order is marked expired through the same intake and effects, once; nothing is credited.
void tst_Reconcile::expiredSessionExpiresItsPendingOrderOnce()
{
    QSqlQuery insert(m_db->connection());
    QVERIFY(insert.exec(s("INSERT INTO token_orders (id, customer_id, package_slug, token_amount, "
                          "price_cents, currency, stripe_checkout_session_id, status, created_at, "
                          "updated_at) VALUES ('ord_cs_expired', 'cst_a', 'pro', 30000, 9900, "
                          "'usd', 'cs_expired', 'pending', 1, 1)")));
    const Captured reply = reconcile();
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QCOMPARE(reply.json()[s("expired")].toArray(), QJsonArray{s("cs_expired")});
    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(text(*m_db, s("SELECT status FROM token_orders WHERE id = 'ord_cs_expired'")),
             s("expired"));
    QCOMPARE(scalar(*m_db,
                    s("SELECT COUNT(*) FROM stripe_events WHERE event_id = "
                      "'evt_reconcile_expired_cs_expired' AND type = 'checkout.session.expired'")),
             1);
    // Only the expired session's order: the paid ones were credited as before.
    QCOMPARE(text(*m_db, s("SELECT status FROM token_orders WHERE id = 'ord_cs_pending'")),
             s("completed"));

    const Captured again = reconcile();
    MOUSE_WAIT_REPLY(again);
    QCOMPARE(again.json()[s("expired")].toArray(), QJsonArray());
    QVERIFY(!again.json()[s("already_enqueued")].toArray().contains(s("cs_expired")));
    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 4000 + 12000);
}

// The periodic run is the route's run on a timer: it credits the lost sessions through the
// queue, tells operators in the event log, and a later run finds nothing more to do.
void tst_Reconcile::periodicRunCreditsAndTellsOperators()
{
    EventLog log;
    m_reconciler->setEventLog(&log);
    // One run per start: the timer stops when a run ends (runs never overlap), so no run of
    // one step is still going in the next.
    QList<Reconciler::Report> reports;
    Reconciler *reconciler = m_reconciler.get();
    connect(reconciler,
            &Reconciler::periodicRunFinished,
            this,
            [&reports, reconciler](const Reconciler::Report &report) {
                reports.append(report);
                reconciler->startPeriodic(0);
            });
    QVERIFY(!m_reconciler->isPeriodic());
    m_reconciler->startPeriodic(20);
    QVERIFY(m_reconciler->isPeriodic());
    QTRY_VERIFY_WITH_TIMEOUT(!reports.isEmpty(), 10000);
    QVERIFY(!m_reconciler->isPeriodic());

    const Reconciler::Report first = reports.first();
    QVERIFY(first.ok);
    QCOMPARE(first.enqueued, (QStringList{s("cs_lost"), s("cs_pending")}));
    QCOMPARE(first.alreadyCredited, QStringList{s("cs_done")});
    // It looks back 72 hours, like the route's default.
    const qint64 since = m_queries.first().queryItemValue(s("created[gte]")).toLongLong();
    QVERIFY(qAbs(QDateTime::currentSecsSinceEpoch() - 72 * 3600 - since) < 60);
    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 4000 + 12000);

    QList<EventLog::Event> told;
    for (const EventLog::Event &event : log.events()) {
        if (event.source == s("payments"))
            told.append(event);
    }
    QCOMPARE(told.size(), 1);
    QCOMPARE(told.first().severity, EventLog::Severity::Warning);
    QVERIFY(told.first().message.startsWith(s("Periodic reconciliation")));
    QVERIFY(told.first().message.contains(s("2 paid Checkout Sessions")));
    QVERIFY(told.first().message.contains(s("cs_lost, cs_pending")));

    // Later runs: nothing new to credit, nothing more said.
    const qsizetype runs = reports.size();
    m_reconciler->startPeriodic(20);
    QTRY_VERIFY_WITH_TIMEOUT(reports.size() > runs, 10000);
    QVERIFY(reports.last().ok);
    QVERIFY(reports.last().enqueued.isEmpty());
    QVERIFY(m_queue->waitForIdle(10000));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 4000 + 12000);
    qsizetype payments = 0;
    for (const EventLog::Event &event : log.events())
        payments += event.source == s("payments");
    QCOMPARE(payments, qsizetype(1));

    // Stripe down: the periodic run says so once per run, and credits nothing.
    m_status = 500;
    const qsizetype before = reports.size();
    m_reconciler->startPeriodic(20);
    QTRY_VERIFY_WITH_TIMEOUT(reports.size() > before, 10000);
    QVERIFY(!reports.last().ok);
    QVERIFY(log.events().last().message.contains(s("could not be read")));
    m_reconciler->setEventLog(nullptr);
}

// stripe/reconcile_interval_s starts the periodic run only where Stripe can be read.
void tst_Reconcile::gatewayRunsPeriodicallyOnlyWithAKey()
{
    for (const bool withKey : {false, true}) {
        Settings settings
                = Settings::defaults()
                          .withValue(s("storage/database"), s("sqlite::memory:"))
                          .withValue(s("server/listen"), s("127.0.0.1:0"))
                          .withValue(s("storage/seed_demo"), s("false"))
                          .withValue(s("stripe/reconcile_interval_s"), s("600"))
                          .withValue(s("stripe/api_url"), s("http://127.0.0.1:%1").arg(m_port));
        if (withKey)
            settings = settings.withValue(s("stripe/secret_key"), s("sk_test_reconcile"));
        Gateway gateway(settings);
        QString error;
        QVERIFY2(gateway.start(&error), qPrintable(error));
        const auto *reconciler = gateway.findChild<Reconciler *>();
        QVERIFY(reconciler);
        QCOMPARE(reconciler->isPeriodic(), withKey);
    }
}

// A run reads at most ten pages. Beyond them (Stripe still says has_more) lie the window's
// oldest sessions, which no run checks: the answer and the event log say so. Until session 6
// the run answered as if it had read everything.
void tst_Reconcile::sessionsBeyondTheCapAreReported()
{
    const QJsonObject open = m_sessions[3];
    m_sessions.clear();
    for (int i = 0; i < 25; ++i) {
        QJsonObject one = open;
        one[s("id")] = s("cs_open_%1").arg(i);
        m_sessions.append(one);
    }
    EventLog log;
    m_reconciler->setEventLog(&log);
    const Captured reply = reconcile();
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QCOMPARE(m_queries.size(), 10);
    QCOMPARE(reply.json()[s("checked")].toInt(), 20);
    QCOMPARE(reply.json()[s("truncated")].toBool(), true);
    QCOMPARE(log.events().size(), 1);
    QCOMPARE(log.events().first().severity, EventLog::Severity::Warning);
    QVERIFY(log.events().first().message.contains(s("newest 20 Checkout Sessions")));

    // Within the cap: not truncated, and nothing to tell.
    m_sessions = m_sessions.mid(0, 20);
    const Captured whole = reconcile();
    MOUSE_WAIT_REPLY(whole);
    QCOMPARE(whole.json()[s("truncated")].toBool(), false);
    QCOMPARE(log.events().size(), 1);
    m_reconciler->setEventLog(nullptr);
}

// A run may queue up to a thousand sessions; until session 6 the warning named every one of
// them in one event-log line (~68 KB). It now gives the count and the first five.
void tst_Reconcile::warningNamesOnlyTheFirstIds()
{
    m_sessions.clear();
    for (int i = 0; i < 12; ++i)
        m_sessions.append(session(s("cs_many_%1").arg(i, 2, 10, QLatin1Char('0')),
                                  s("cst_a"),
                                  s("starter"),
                                  4000,
                                  1900,
                                  s("paid"),
                                  s("pi_many_%1").arg(i)));
    EventLog log;
    m_reconciler->setEventLog(&log);
    const Captured reply = reconcile();
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QCOMPARE(reply.json()[s("enqueued")].toArray().size(), 12); // the answer still has them all
    QCOMPARE(log.events().size(), 1);
    const QString message = log.events().first().message;
    QCOMPARE(log.events().first().severity, EventLog::Severity::Warning);
    QVERIFY2(message.contains(s("12 paid Checkout Sessions")), qPrintable(message));
    QVERIFY2(message.contains(s("cs_many_00, cs_many_01, cs_many_02, cs_many_03, cs_many_04 "
                                "and 7 more")),
             qPrintable(message));
    QVERIFY2(!message.contains(s("cs_many_05")), qPrintable(message));
    QVERIFY(m_queue->waitForIdle(10000));
    m_reconciler->setEventLog(nullptr);
}

QTEST_GUILESS_MAIN(tst_Reconcile)
#include "tst_reconcile.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The money path on a real PostgreSQL 15: the same SQL as on SQLite, so the portability claim of
// migration 0021 and of every ledger statement is checked, not assumed.
#include "billingtestsupport.h"
#include "core/billing/billing.h"
#include "core/billing/sqlhelpers.h"
#include "core/billing/stripeevent.h"
#include "core/billing/webhookintake.h"
#include "core/config/settings.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"
#include "support/postgresserver.h"

#include <QTest>
#include <QtConcurrent>

#include <atomic>

using namespace Mouse;
using namespace Mouse::Tests;

class tst_LedgerPostgres : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void purchaseRefundAndSubscription();
    void concurrentUsesNeverOverdraw();
    void intakeStoresOnceOnPostgres();

private:
    EffectOutcome process(const QJsonObject &event);

    PostgresServer m_server;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Billing> m_billing;
};

void tst_LedgerPostgres::initTestCase()
{
    const QString reason = PostgresServer::unavailableReason();
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
    m_db = std::make_unique<Database>(m_server.url());
    QVERIFY2(m_db->open(&error), qPrintable(error));
    m_billing = std::make_unique<Billing>(*m_db, Settings::defaults());
    addCustomer(*m_db, s("cst_a"));
    addCustomer(*m_db, s("cst_s"), s("cus_s"));
}

void tst_LedgerPostgres::cleanupTestCase()
{
    m_billing.reset();
    m_db.reset();
    m_server.stop();
}

EffectOutcome tst_LedgerPostgres::process(const QJsonObject &event)
{
    const QString id = event.value(s("id")).toString();
    if (text(*m_db, s("SELECT event_id FROM stripe_events WHERE event_id = ?"), {id}) != id)
        storeEvent(*m_db, event);
    QSqlDatabase db = m_db->connection();
    BillingSql::Transaction transaction(db);
    const EffectOutcome outcome = m_billing->processEvent(db, id);
    StorageError error;
    if (outcome.kind == EffectOutcome::Kind::Processed
        || outcome.kind == EffectOutcome::Kind::Ignored)
        transaction.commit(&error);
    return outcome;
}

void tst_LedgerPostgres::purchaseRefundAndSubscription()
{
    const QString balance = s("SELECT balance FROM token_balances WHERE customer_id = 'cst_a'");
    QCOMPARE(process(envelope(s("evt_r"),
                              s("charge.refunded"),
                              charge(s("ch_1"), s("pi_1"), 4900, 2450)))
                     .kind,
             EffectOutcome::Kind::Processed);
    const QJsonObject paid
            = session(s("cs_1"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_1"));
    QCOMPARE(process(envelope(s("evt_1"), s("checkout.session.completed"), paid)).tokensDelta,
             6000);
    QCOMPARE(process(envelope(s("evt_1b"), s("checkout.session.completed"), paid)).tokensDelta, 0);
    QCOMPARE(process(envelope(s("evt_1c"), s("checkout.session.expired"), paid)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(scalar(*m_db, balance), 6000);
    QCOMPARE(text(*m_db, s("SELECT status FROM token_orders")), s("completed"));
    QCOMPARE(process(envelope(s("evt_r2"),
                              s("charge.refunded"),
                              charge(s("ch_1"), s("pi_1"), 4900, 4900)))
                     .tokensDelta,
             -6000);
    QCOMPARE(text(*m_db, s("SELECT status FROM token_orders")), s("refunded"));
    QCOMPARE(text(*m_db, s("SELECT status FROM stripe_events WHERE event_id = 'evt_r2'")),
             s("processed"));

    const QJsonObject basil{{s("id"), s("in_1")},
                            {s("customer"), s("cus_s")},
                            {s("amount_paid"), 2900},
                            {s("parent"),
                             QJsonObject{{s("subscription_details"),
                                          QJsonObject{{s("subscription"), s("sub_1")}}}}}};
    QCOMPARE(process(envelope(s("evt_i"), s("invoice.paid"), basil, 100)).kind,
             EffectOutcome::Kind::Processed);
    const QJsonObject sub{
            {s("id"), s("sub_1")}, {s("customer"), s("cus_s")}, {s("status"), s("past_due")}};
    process(envelope(s("evt_s_old"), s("customer.subscription.updated"), sub, 50));
    QCOMPARE(text(*m_db, s("SELECT subscription_status FROM customers WHERE id = 'cst_s'")),
             s("active"));
    QCOMPARE(process(envelope(s("evt_x"), s("customer.created"), {})).kind,
             EffectOutcome::Kind::Ignored);
}

void tst_LedgerPostgres::concurrentUsesNeverOverdraw()
{
    {
        QSqlDatabase db = m_db->connection();
        BillingSql::Transaction transaction(db);
        LedgerPosting grant{s("cst_a"), s("adjustment"), 500, s("grant"), {}, {}, {}};
        QVERIFY(m_billing->ledger().credit(db, grant).ok());
        StorageError error;
        QVERIFY2(transaction.commit(&error), qPrintable(error.text));
    }
    const qint64 start = scalar(*m_db,
                                s("SELECT balance FROM token_balances WHERE "
                                  "customer_id = 'cst_a'"));
    std::atomic<int> succeeded{0};
    std::atomic<int> errors{0};
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    QList<QFuture<void>> futures;
    for (int worker = 0; worker < 4; ++worker) {
        futures.append(QtConcurrent::run(&pool, [&] {
            QSqlDatabase db = m_db->connection();
            for (int i = 0; i < 30; ++i) {
                BillingSql::Transaction transaction(db);
                LedgerPosting use{s("cst_a"), s("usage"), 9, s("work"), {}, {}, {}};
                const LedgerResult result = m_billing->ledger().use(db, use);
                StorageError error;
                if (result.ok() && transaction.commit(&error))
                    ++succeeded;
                else if (result.status != LedgerResult::Status::Insufficient)
                    ++errors;
            }
        }));
    }
    for (QFuture<void> &future : futures)
        future.waitForFinished();
    QCOMPARE(errors.load(), 0);
    QCOMPARE(qint64(succeeded.load()), start / 9);
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances WHERE customer_id = 'cst_a'")),
             start % 9);
}

// The intake's QSqlQuery path (PostgreSQL has no sqlite3 handle): INSERT ... ON CONFLICT DO
// NOTHING finds duplicates stored earlier and within one batch.
void tst_LedgerPostgres::intakeStoresOnceOnPostgres()
{
    TaskQueue queue(*m_db, TaskQueue::Options{});
    QString error;
    QVERIFY2(queue.start(&error), qPrintable(error));
    queue.pause(); // only the intake is under test
    WebhookIntake intake(*m_db, queue, WebhookIntake::Options{});
    intake.start();

    auto body = [](const char *id) -> QByteArray {
        return QByteArray(R"({"id":")") + id
               + R"(","object":"event","type":"checkout.session.completed",)"
                 R"("data":{"object":{"metadata":{"customer_id":"cst_pg"}}}})";
    };
    QList<WebhookIntake::Outcome> outcomes;
    auto submit = [&](const char *id) {
        const QByteArray raw = body(id);
        intake.submit(*parseStripeEvent(raw), raw, [&outcomes](const WebhookIntake::Outcome &o) {
            outcomes.append(o);
        });
    };
    submit("evt_pg_1");
    submit("evt_pg_1"); // the same batch, most likely
    QTRY_COMPARE(outcomes.size(), 2);
    submit("evt_pg_1"); // stored earlier
    submit("evt_pg_2");
    QTRY_COMPARE(outcomes.size(), 4);

    using Kind = WebhookIntake::Outcome::Kind;
    QCOMPARE(int(outcomes[0].kind), int(Kind::Accepted));
    QCOMPARE(int(outcomes[1].kind), int(Kind::Duplicate));
    QCOMPARE(int(outcomes[2].kind), int(Kind::Duplicate));
    QCOMPARE(int(outcomes[3].kind), int(Kind::Accepted));

    QSqlDatabase db = m_db->connection();
    QSqlQuery count(db);
    QVERIFY(count.exec(s("SELECT COUNT(*), MIN(ordering_key) FROM stripe_events "
                         "WHERE event_id LIKE 'evt_pg_%'")));
    QVERIFY(count.next());
    QCOMPARE(count.value(0).toInt(), 2);
    QCOMPARE(count.value(1).toString(), s("cst_pg"));
    QSqlQuery payload(db);
    QVERIFY(payload.exec(s("SELECT payload FROM stripe_events WHERE event_id = 'evt_pg_2'")));
    QVERIFY(payload.next());
    QCOMPARE(payload.value(0).toString().toUtf8(), body("evt_pg_2"));
    QCOMPARE(queue.backlog(), 2);
    QCOMPARE(queue.task(outcomes[3].taskId).value(s("reference")).toString(), s("evt_pg_2"));
    intake.stop();
    queue.stop();
}

QTEST_GUILESS_MAIN(tst_LedgerPostgres)
#include "tst_ledgerpostgres.moc"

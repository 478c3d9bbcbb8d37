// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "billingtestsupport.h"
#include "core/billing/billing.h"
#include "core/billing/sqlhelpers.h"
#include "core/config/settings.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Mouse;
using namespace Mouse::Tests;

class tst_EventEffects : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void paidCompletionCreditsOnce();
    void unknownOrderIsMadeFromMetadata();
    void inconsistentMetadataFails();
    void unpaidCompletionWaitsForAsyncPayment();
    void asyncPaymentFailed();
    void expiredAfterCompletedStaysCompleted();
    void refundBeforeCompletionIsApplied();
    void refundBeyondBalanceRecordsDebt();
    void refundShareOfHugeAmountDoesNotOverflow();
    void disputeWithdrawnRevokesAndWonGivesBack();
    void disputeEventsInAnyOrder();
    void disputeAfterPartialRefundTakesOnlyTheRest();
    void unknownTypeIsIgnored();
    void subscriptionStatusFromBothInvoiceShapes();
    void olderSubscriptionEventDoesNotOverwrite();
    void handlerReturnsTaskResults();
    void liveEventOnTestDeploymentIsIgnored();
    void lockedStoreIsRetriedNotDeadLettered();

private:
    EffectOutcome process(const QJsonObject &event);
    void addOrder(const QString &sessionId, const QString &slug, qint64 tokens, qint64 price);
    qint64 balance() const
    {
        return scalar(*m_db,
                      s("SELECT COALESCE(MAX(balance), 0) FROM "
                        "token_balances WHERE customer_id = 'cst_a'"));
    }
    QString orderStatus(const QString &sessionId) const
    {
        return text(*m_db,
                    s("SELECT status FROM token_orders WHERE stripe_checkout_session_id = ?"),
                    {sessionId});
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Billing> m_billing;
};

void tst_EventEffects::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>(m_dir->filePath(s("effects.sqlite")));
    QString error;
    QVERIFY2(m_db->open(&error), qPrintable(error));
    m_billing = std::make_unique<Billing>(*m_db, Settings::defaults());
    m_billing->setClock([] { return qint64(1700000000000); });
    addCustomer(*m_db, s("cst_a"));
}

void tst_EventEffects::cleanup()
{
    m_billing.reset();
    m_db.reset();
    m_dir.reset();
}

// What the queue does: one transaction around the handler, committed only on success.
EffectOutcome tst_EventEffects::process(const QJsonObject &event)
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

void tst_EventEffects::addOrder(const QString &sessionId,
                                const QString &slug,
                                qint64 tokens,
                                qint64 price)
{
    QSqlQuery query(m_db->connection());
    query.prepare(s("INSERT INTO token_orders (id, customer_id, package_slug, token_amount, "
                    "price_cents, stripe_checkout_session_id, status, created_at, updated_at) "
                    "VALUES (?, 'cst_a', ?, ?, ?, ?, 'pending', 1, 1)"));
    query.addBindValue(QString(s("ord_") + sessionId));
    query.addBindValue(slug);
    query.addBindValue(tokens);
    query.addBindValue(price);
    query.addBindValue(sessionId);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
}

void tst_EventEffects::paidCompletionCreditsOnce()
{
    addOrder(s("cs_1"), s("starter"), 4000, 1900);
    QSignalSpy notices(m_billing.get(), &Billing::paymentProcessed);
    const QJsonObject paid
            = session(s("cs_1"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_1"));
    const EffectOutcome first
            = process(envelope(s("evt_1"), s("checkout.session.completed"), paid));
    QCOMPARE(first.kind, EffectOutcome::Kind::Processed);
    QCOMPARE(first.tokensDelta, 4000);
    QCOMPARE(balance(), 4000);
    QCOMPARE(orderStatus(s("cs_1")), s("completed"));
    QCOMPARE(text(*m_db, s("SELECT status FROM stripe_events WHERE event_id = 'evt_1'")),
             s("processed"));
    QVERIFY(scalar(*m_db, s("SELECT processed_at FROM stripe_events WHERE event_id = 'evt_1'"))
            > 0);
    QCOMPARE(notices.count(), 1);

    // The same event again (a redelivery or a replay), and a second Event object for the same
    // session (Stripe sometimes sends two): still one credit.
    QCOMPARE(process(envelope(s("evt_1"), s("checkout.session.completed"), paid)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(process(envelope(s("evt_1b"), s("checkout.session.completed"), paid)).tokensDelta, 0);
    QCOMPARE(process(envelope(s("evt_1c"), s("checkout.session.async_payment_succeeded"), paid))
                     .tokensDelta,
             0);
    QCOMPARE(balance(), 4000);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions")), 1);
    QCOMPARE(text(*m_db, s("SELECT reference_id FROM token_transactions")), s("cs_1"));
    QCOMPARE(text(*m_db, s("SELECT stripe_payment_intent_id FROM token_orders")), s("pi_1"));
}

void tst_EventEffects::unknownOrderIsMadeFromMetadata()
{
    const QJsonObject paid
            = session(s("cs_lost"), s("cst_a"), s("pro"), 30000, 9900, s("paid"), s("pi_2"));
    QCOMPARE(process(envelope(s("evt_2"), s("checkout.session.completed"), paid)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(balance(), 30000);
    QCOMPARE(orderStatus(s("cs_lost")), s("completed"));
    QCOMPARE(text(*m_db, s("SELECT package_slug FROM token_orders")), s("pro"));
}

void tst_EventEffects::inconsistentMetadataFails()
{
    // More tokens than the package holds: refused and dead-lettered, nothing credited.
    const QJsonObject forged
            = session(s("cs_bad"), s("cst_a"), s("starter"), 99999, 1900, s("paid"), s("pi_3"));
    QCOMPARE(process(envelope(s("evt_3"), s("checkout.session.completed"), forged)).kind,
             EffectOutcome::Kind::Fail);
    const QJsonObject stranger
            = session(s("cs_who"), s("cst_nobody"), s("starter"), 4000, 1900, s("paid"), s("pi_4"));
    QCOMPARE(process(envelope(s("evt_4"), s("checkout.session.completed"), stranger)).kind,
             EffectOutcome::Kind::Fail);
    const QJsonObject cheap
            = session(s("cs_cheap"), s("cst_a"), s("pro"), 30000, 100, s("paid"), s("pi_5"));
    QCOMPARE(process(envelope(s("evt_5"), s("checkout.session.completed"), cheap)).kind,
             EffectOutcome::Kind::Fail);
    QCOMPARE(balance(), 0);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_orders")), 0);
    QCOMPARE(text(*m_db, s("SELECT status FROM stripe_events WHERE event_id = 'evt_3'")),
             s("received"));
}

void tst_EventEffects::unpaidCompletionWaitsForAsyncPayment()
{
    addOrder(s("cs_6"), s("growth"), 12000, 4900);
    const QJsonObject unpaid
            = session(s("cs_6"), s("cst_a"), s("growth"), 12000, 4900, s("unpaid"), s("pi_6"));
    QCOMPARE(process(envelope(s("evt_6"), s("checkout.session.completed"), unpaid)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(balance(), 0);
    QCOMPARE(orderStatus(s("cs_6")), s("pending"));

    QJsonObject paid = unpaid;
    paid.insert(s("payment_status"), s("paid"));
    QCOMPARE(process(envelope(s("evt_6b"), s("checkout.session.async_payment_succeeded"), paid))
                     .tokensDelta,
             12000);
    QCOMPARE(balance(), 12000);
    QCOMPARE(orderStatus(s("cs_6")), s("completed"));
    // A late async_payment_failed cannot undo it.
    QCOMPARE(
            process(envelope(s("evt_6c"), s("checkout.session.async_payment_failed"), unpaid)).kind,
            EffectOutcome::Kind::Processed);
    QCOMPARE(orderStatus(s("cs_6")), s("completed"));
    QCOMPARE(balance(), 12000);
}

void tst_EventEffects::asyncPaymentFailed()
{
    addOrder(s("cs_7"), s("starter"), 4000, 1900);
    const QJsonObject unpaid
            = session(s("cs_7"), s("cst_a"), s("starter"), 4000, 1900, s("unpaid"), s("pi_7"));
    process(envelope(s("evt_7"), s("checkout.session.completed"), unpaid));
    QCOMPARE(
            process(envelope(s("evt_7b"), s("checkout.session.async_payment_failed"), unpaid)).kind,
            EffectOutcome::Kind::Processed);
    QCOMPARE(orderStatus(s("cs_7")), s("failed"));
    QCOMPARE(balance(), 0);
}

void tst_EventEffects::expiredAfterCompletedStaysCompleted()
{
    addOrder(s("cs_8"), s("starter"), 4000, 1900);
    const QJsonObject paid
            = session(s("cs_8"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_8"));
    process(envelope(s("evt_8"), s("checkout.session.completed"), paid));
    QCOMPARE(process(envelope(s("evt_8b"), s("checkout.session.expired"), paid)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(orderStatus(s("cs_8")), s("completed"));
    QCOMPARE(balance(), 4000);

    addOrder(s("cs_9"), s("starter"), 4000, 1900);
    const QJsonObject open
            = session(s("cs_9"), s("cst_a"), s("starter"), 4000, 1900, s("unpaid"), {});
    process(envelope(s("evt_9"), s("checkout.session.expired"), open));
    QCOMPARE(orderStatus(s("cs_9")), s("expired"));
}

void tst_EventEffects::refundBeforeCompletionIsApplied()
{
    addOrder(s("cs_10"), s("growth"), 12000, 4900);
    // Half refunded, delivered before the completion.
    QCOMPARE(process(envelope(s("evt_r1"),
                              s("charge.refunded"),
                              charge(s("ch_10"), s("pi_10"), 4900, 2450)))
                     .kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(balance(), 0);

    const QJsonObject paid
            = session(s("cs_10"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_10"));
    const EffectOutcome completed
            = process(envelope(s("evt_10"), s("checkout.session.completed"), paid));
    QCOMPARE(completed.tokensDelta, 12000 - 6000);
    QCOMPARE(balance(), 6000);
    QCOMPARE(scalar(*m_db, s("SELECT tokens_revoked FROM token_orders")), 6000);

    // Then fully refunded: only the difference is revoked; the older event again changes nothing.
    QCOMPARE(process(envelope(s("evt_r2"),
                              s("charge.refunded"),
                              charge(s("ch_10"), s("pi_10"), 4900, 4900)))
                     .tokensDelta,
             -6000);
    QCOMPARE(process(envelope(s("evt_r1"),
                              s("charge.refunded"),
                              charge(s("ch_10"), s("pi_10"), 4900, 2450)))
                     .tokensDelta,
             0);
    QCOMPARE(balance(), 0);
    QCOMPARE(orderStatus(s("cs_10")), s("refunded"));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions WHERE type = 'refund'")), 2);
    QCOMPARE(scalar(*m_db, s("SELECT debt FROM token_balances")), 0);

    // The dashboard's snapshot: gross revenue, what was refunded, tokens revoked.
    m_billing->refreshSummary();
    QTRY_COMPARE_WITH_TIMEOUT(m_billing->summary().ordersRefunded, 1, 10000);
    const Billing::Summary summary = m_billing->summary();
    QCOMPARE(summary.revenueCents, 4900);
    QCOMPARE(summary.refundedCents, 4900);
    QCOMPARE(summary.tokensRevoked, 12000);
    QCOMPARE(summary.stats.totalPurchases, 12000);
    QCOMPARE(summary.stats.totalRefunds, 12000);
}

void tst_EventEffects::refundBeyondBalanceRecordsDebt()
{
    addOrder(s("cs_11"), s("starter"), 4000, 1900);
    process(envelope(
            s("evt_11"),
            s("checkout.session.completed"),
            session(s("cs_11"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_11"))));
    {
        QSqlDatabase db = m_db->connection();
        LedgerPosting use{s("cst_a"), s("usage"), 3000, s("work"), {}, {}, {}};
        QVERIFY(m_billing->ledger().use(db, use).ok());
    }
    QCOMPARE(process(envelope(s("evt_r11"),
                              s("charge.refunded"),
                              charge(s("ch_11"), s("pi_11"), 1900, 1900)))
                     .tokensDelta,
             -4000);
    QCOMPARE(balance(), 0);
    QCOMPARE(scalar(*m_db, s("SELECT debt FROM token_balances")), 3000);
    QCOMPARE(scalar(*m_db, s("SELECT debt_after FROM token_transactions WHERE type = 'refund'")),
             3000);
}

void tst_EventEffects::refundShareOfHugeAmountDoesNotOverflow()
{
    addOrder(s("cs_12"), s("growth"), 12000, 4900);
    process(envelope(
            s("evt_12"),
            s("checkout.session.completed"),
            session(s("cs_12"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_12"))));
    // A signed event may carry any amount: half of 4e15 cents refunded is half the tokens,
    // although 2e15 x 12000 does not fit in 64 bits.
    const qint64 amount = 4'000'000'000'000'000;
    QCOMPARE(process(envelope(s("evt_r12"),
                              s("charge.refunded"),
                              charge(s("ch_12"), s("pi_12"), amount, amount / 2)))
                     .tokensDelta,
             -6000);
    QCOMPARE(balance(), 6000);
}

namespace {

// A Stripe Dispute object; withdrawn and reinstated add the balance transactions Stripe lists.
QJsonObject dispute(const QString &id,
                    const QString &paymentIntent,
                    qint64 amount,
                    const QString &status,
                    bool withdrawn = false,
                    bool reinstated = false)
{
    QJsonArray transactions;
    if (withdrawn)
        transactions.append(QJsonObject{{s("id"), s("txn_w")}, {s("amount"), -amount}});
    if (reinstated)
        transactions.append(QJsonObject{{s("id"), s("txn_r")}, {s("amount"), amount}});
    return {{s("id"), id},
            {s("object"), s("dispute")},
            {s("amount"), amount},
            {s("currency"), s("usd")},
            {s("charge"), QString(s("ch_") + id)},
            {s("payment_intent"), paymentIntent},
            {s("reason"), s("fraudulent")},
            {s("status"), status},
            {s("balance_transactions"), transactions}};
}

} // namespace

void tst_EventEffects::disputeWithdrawnRevokesAndWonGivesBack()
{
    addOrder(s("cs_20"), s("growth"), 12000, 4900);
    process(envelope(
            s("evt_20"),
            s("checkout.session.completed"),
            session(s("cs_20"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_20"))));
    QCOMPARE(balance(), 12000);

    // Opened: no money moved yet, recorded only.
    const EffectOutcome opened
            = process(envelope(s("evt_d1"),
                               s("charge.dispute.created"),
                               dispute(s("dp_1"), s("pi_20"), 4900, s("needs_response"))));
    QCOMPARE(opened.kind, EffectOutcome::Kind::Processed);
    QCOMPARE(opened.tokensDelta, 0);
    QCOMPARE(text(*m_db, s("SELECT status FROM stripe_disputes WHERE dispute_id = 'dp_1'")),
             s("needs_response"));

    // The funds are withdrawn: the tokens go, once, however often the event comes.
    const QJsonObject withdrawn = dispute(s("dp_1"), s("pi_20"), 4900, s("needs_response"), true);
    QCOMPARE(process(envelope(s("evt_d2"), s("charge.dispute.funds_withdrawn"), withdrawn))
                     .tokensDelta,
             -12000);
    QCOMPARE(process(envelope(s("evt_d2"), s("charge.dispute.funds_withdrawn"), withdrawn))
                     .tokensDelta,
             0);
    QCOMPARE(process(envelope(s("evt_d2b"), s("charge.dispute.updated"), withdrawn)).tokensDelta,
             0);
    QCOMPARE(balance(), 0);

    // Won: the funds and the tokens come back, once.
    const QJsonObject won = dispute(s("dp_1"), s("pi_20"), 4900, s("won"), true, true);
    QCOMPARE(process(envelope(s("evt_d3"), s("charge.dispute.closed"), won)).tokensDelta, 12000);
    QCOMPARE(process(envelope(s("evt_d4"), s("charge.dispute.funds_reinstated"), won)).tokensDelta,
             0);
    QCOMPARE(process(envelope(s("evt_d2"), s("charge.dispute.funds_withdrawn"), withdrawn))
                     .tokensDelta,
             0);
    QCOMPARE(balance(), 12000);
    QCOMPARE(scalar(*m_db,
                    s("SELECT COUNT(*) FROM token_transactions "
                      "WHERE reference_type = 'stripe_dispute'")),
             2);
    QCOMPARE(scalar(*m_db, s("SELECT SUM(amount) FROM token_transactions")), 12000);
    QCOMPARE(orderStatus(s("cs_20")), s("completed"));
}

void tst_EventEffects::disputeEventsInAnyOrder()
{
    addOrder(s("cs_21"), s("growth"), 12000, 4900);
    addOrder(s("cs_22"), s("starter"), 4000, 1900);
    // A won dispute whose reinstatement is delivered before the withdrawal: nothing moves.
    process(envelope(
            s("evt_21"),
            s("checkout.session.completed"),
            session(s("cs_21"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_21"))));
    QCOMPARE(process(envelope(s("evt_d21r"),
                              s("charge.dispute.funds_reinstated"),
                              dispute(s("dp_21"), s("pi_21"), 4900, s("won"), true, true)))
                     .tokensDelta,
             0);
    QCOMPARE(process(envelope(s("evt_d21w"),
                              s("charge.dispute.funds_withdrawn"),
                              dispute(s("dp_21"), s("pi_21"), 4900, s("under_review"), true)))
                     .tokensDelta,
             0);
    QCOMPARE(balance(), 12000);

    // A lost dispute delivered before the purchase completes: the completion credits the tokens
    // and the dispute takes them back in the same transaction.
    QCOMPARE(process(envelope(s("evt_d22"),
                              s("charge.dispute.closed"),
                              dispute(s("dp_22"), s("pi_22"), 1900, s("lost"))))
                     .tokensDelta,
             0);
    const EffectOutcome completed = process(envelope(
            s("evt_22"),
            s("checkout.session.completed"),
            session(s("cs_22"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_22"))));
    QCOMPARE(completed.tokensDelta, 0);
    QCOMPARE(balance(), 12000);
    QCOMPARE(scalar(*m_db,
                    s("SELECT tokens_revoked FROM stripe_disputes WHERE dispute_id = "
                      "'dp_22'")),
             4000);
}

void tst_EventEffects::disputeAfterPartialRefundTakesOnlyTheRest()
{
    addOrder(s("cs_23"), s("growth"), 12000, 4900);
    process(envelope(
            s("evt_23"),
            s("checkout.session.completed"),
            session(s("cs_23"), s("cst_a"), s("growth"), 12000, 4900, s("paid"), s("pi_23"))));
    // Half refunded, then the rest disputed and lost, the refund's event delivered last.
    const QJsonObject lost = dispute(s("dp_23"), s("pi_23"), 2450, s("lost"), true);
    QCOMPARE(process(envelope(s("evt_d23"), s("charge.dispute.closed"), lost)).tokensDelta, -6000);
    QCOMPARE(process(envelope(s("evt_r23"),
                              s("charge.refunded"),
                              charge(s("ch_23"), s("pi_23"), 4900, 2450)))
                     .tokensDelta,
             -6000);
    QCOMPARE(process(envelope(s("evt_d23"), s("charge.dispute.closed"), lost)).tokensDelta, 0);
    QCOMPARE(balance(), 0);
    QCOMPARE(scalar(*m_db, s("SELECT debt FROM token_balances")), 0);
}

void tst_EventEffects::unknownTypeIsIgnored()
{
    const EffectOutcome outcome = process(
            envelope(s("evt_u"), s("customer.created"), QJsonObject{{s("id"), s("cus_x")}}));
    QCOMPARE(outcome.kind, EffectOutcome::Kind::Ignored);
    QCOMPARE(text(*m_db, s("SELECT status FROM stripe_events WHERE event_id = 'evt_u'")),
             s("ignored"));
}

void tst_EventEffects::subscriptionStatusFromBothInvoiceShapes()
{
    addCustomer(*m_db, s("cst_s"), s("cus_s"));
    // Before 2025-03-31: invoice.subscription and invoice.paid.
    const QJsonObject legacy{{s("id"), s("in_old")},
                             {s("object"), s("invoice")},
                             {s("customer"), s("cus_s")},
                             {s("subscription"), s("sub_old")},
                             {s("paid"), true},
                             {s("status"), s("paid")},
                             {s("amount_paid"), 2900},
                             {s("currency"), s("usd")}};
    QCOMPARE(process(envelope(s("evt_i1"), s("invoice.paid"), legacy, 100)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(text(*m_db, s("SELECT subscription_id FROM customers WHERE id = 'cst_s'")),
             s("sub_old"));
    QCOMPARE(text(*m_db, s("SELECT subscription_status FROM customers WHERE id = 'cst_s'")),
             s("active"));

    // Since 2025-03-31: parent.subscription_details.subscription, no top-level subscription.
    const QJsonObject basil{{s("id"), s("in_new")},
                            {s("object"), s("invoice")},
                            {s("customer"), s("cus_s")},
                            {s("status"), s("open")},
                            {s("amount_due"), 2900},
                            {s("parent"),
                             QJsonObject{{s("type"), s("subscription_details")},
                                         {s("subscription_details"),
                                          QJsonObject{{s("subscription"), s("sub_new")},
                                                      {s("metadata"), QJsonObject()}}}}}};
    QCOMPARE(process(envelope(s("evt_i2"), s("invoice.payment_failed"), basil, 200)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(text(*m_db, s("SELECT subscription_id FROM customers WHERE id = 'cst_s'")),
             s("sub_new"));
    QCOMPARE(text(*m_db, s("SELECT subscription_status FROM customers WHERE id = 'cst_s'")),
             s("past_due"));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM payment_records WHERE customer_id = 'cst_s'")),
             2);
    QCOMPARE(scalar(*m_db,
                    s("SELECT amount_cents FROM payment_records WHERE object_id = "
                      "'in_old'")),
             2900);
}

void tst_EventEffects::olderSubscriptionEventDoesNotOverwrite()
{
    addCustomer(*m_db, s("cst_t"), s("cus_t"));
    const auto sub = [](const QString &status) {
        return QJsonObject{
                {s("id"), s("sub_t")},
                {s("object"), s("subscription")},
                {s("customer"), s("cus_t")},
                {s("status"), status},
                {s("items"),
                 QJsonObject{{s("data"),
                              QJsonArray{QJsonObject{{s("current_period_end"), 1800000000}}}}}}};
    };
    const QString status = s("SELECT subscription_status FROM customers WHERE id = 'cst_t'");
    process(envelope(s("evt_s1"), s("customer.subscription.updated"), sub(s("active")), 300));
    QCOMPARE(text(*m_db, status), s("active"));
    // Delivered late, created earlier: ignored.
    process(envelope(s("evt_s0"), s("customer.subscription.updated"), sub(s("past_due")), 200));
    QCOMPARE(text(*m_db, status), s("active"));
    // An invoice inferring past_due at the same second as the subscription object loses too.
    const QJsonObject failed{{s("id"), s("in_t")},
                             {s("customer"), s("cus_t")},
                             {s("subscription"), s("sub_t")},
                             {s("amount_due"), 100}};
    process(envelope(s("evt_s0i"), s("invoice.payment_failed"), failed, 300));
    QCOMPARE(text(*m_db, status), s("active"));

    process(envelope(s("evt_s2"), s("customer.subscription.deleted"), sub(s("canceled")), 400));
    QCOMPARE(text(*m_db, status), s("canceled"));
    // A canceled subscription never comes back, whatever the timestamps say.
    process(envelope(s("evt_s3"), s("customer.subscription.updated"), sub(s("active")), 500));
    QCOMPARE(text(*m_db, status), s("canceled"));
    QCOMPARE(scalar(*m_db, s("SELECT current_period_end FROM subscription_states")), 1800000000);
}

void tst_EventEffects::handlerReturnsTaskResults()
{
    addOrder(s("cs_12"), s("starter"), 4000, 1900);
    storeEvent(*m_db,
               envelope(s("evt_12"),
                        s("checkout.session.completed"),
                        session(s("cs_12"),
                                s("cst_a"),
                                s("starter"),
                                4000,
                                1900,
                                s("paid"),
                                s("pi_12"))));
    Task task;
    task.type = s("stripe.event");
    task.reference = s("evt_12");
    QSqlDatabase db = m_db->connection();
    {
        BillingSql::Transaction transaction(db);
        QCOMPARE(m_billing->handleStripeEvent(task, db).kind, TaskResult::Kind::Done);
        StorageError error;
        QVERIFY(transaction.commit(&error));
    }
    QCOMPARE(balance(), 4000);

    task.reference = s("evt_missing");
    BillingSql::Transaction transaction(db);
    QCOMPARE(m_billing->handleStripeEvent(task, db).kind, TaskResult::Kind::Fail);
}

void tst_EventEffects::liveEventOnTestDeploymentIsIgnored()
{
    m_billing = std::make_unique<Billing>(
            *m_db, Settings::defaults().withValue(s("stripe/secret_key"), s("sk_test_123")));
    addOrder(s("cs_13"), s("starter"), 4000, 1900);
    const QJsonObject paid
            = session(s("cs_13"), s("cst_a"), s("starter"), 4000, 1900, s("paid"), s("pi_13"));
    QCOMPARE(process(envelope(s("evt_13"), s("checkout.session.completed"), paid, 1, true)).kind,
             EffectOutcome::Kind::Ignored);
    QCOMPARE(balance(), 0);
    QCOMPARE(process(envelope(s("evt_13t"), s("checkout.session.completed"), paid, 1, false)).kind,
             EffectOutcome::Kind::Processed);
    QCOMPARE(balance(), 4000);
}

// A payment whose ledger write meets a store that cannot take it now (another connection of a
// shared cache reads token_balances: SQLITE_LOCKED) was retried like any failure, and after
// queue/max_retries it was dead-lettered: a paid purchase waited for an operator. Billing
// now tells the queue it was the store (by the driver's code), the queue keeps retrying it
// without using up its retries, and once the lock is gone it credits exactly once.
void tst_EventEffects::lockedStoreIsRetriedNotDeadLettered()
{
    Database db(s("sqlite::memory:"));
    QString error;
    QVERIFY2(db.open(&error), qPrintable(error));
    addCustomer(db, s("cst_a"));
    addCustomer(db, s("cst_b"));
    QSqlQuery seed(db.connection());
    QVERIFY(seed.exec(s("INSERT INTO token_balances (customer_id, balance, debt, "
                        "lifetime_earned, lifetime_spent, updated_at) "
                        "VALUES ('cst_b', 1, 0, 1, 0, 1)")));
    storeEvent(db,
               envelope(s("evt_locked"),
                        s("checkout.session.completed"),
                        session(s("cs_locked"),
                                s("cst_a"),
                                s("starter"),
                                4000,
                                1900,
                                s("paid"),
                                s("pi_locked"))));
    Billing billing(db, Settings::defaults());
    qint64 now = 1700000000000;
    TaskQueue::Options options;
    options.maxRetries = 1;
    options.clock = [&now] {
        return now;
    };
    TaskQueue queue(db, options);
    queue.registerHandler(s("stripe.event"), [&billing](const Task &task, QSqlDatabase &c) {
        return billing.handleStripeEvent(task, c);
    });
    QVERIFY2(queue.start(&error), qPrintable(error));

    QSqlDatabase holder = QSqlDatabase::addDatabase(s("QSQLITE"), s("balance-reader"));
    holder.setDatabaseName(db.connection().databaseName());
    holder.setConnectOptions(s("QSQLITE_OPEN_URI"));
    QVERIFY(holder.open());
    auto reader = std::make_unique<QSqlQuery>(holder);
    reader->setForwardOnly(true);
    QVERIFY(reader->exec(s("SELECT customer_id FROM token_balances")));
    QVERIFY(reader->next()); // active: token_balances is read-locked for the other connections

    NewTask newTask;
    newTask.type = s("stripe.event");
    newTask.reference = s("evt_locked");
    newTask.orderingKey = s("cst_a");
    const QString id = queue.enqueue(newTask);
    QVERIFY(!id.isEmpty());
    QVERIFY(queue.waitForIdle(10000));
    for (int retry = 0; retry < 4; ++retry) { // well past max_retries
        now += options.retryCapMs;
        queue.processDueRetries();
        QVERIFY(queue.waitForIdle(10000));
    }
    QJsonObject task = queue.task(id);
    QCOMPARE(task.value(s("status")).toString(), s("pending"));
    const QJsonArray attempts = task.value(s("attempts")).toArray();
    QCOMPARE(attempts.size(), 5);
    for (const QJsonValue &attempt : attempts)
        QCOMPARE(attempt[s("outcome")].toString(), s("retry"));
    QCOMPARE(queue.metricsSnapshot().dead, 0);
    QCOMPARE(scalar(db, s("SELECT COUNT(*) FROM token_transactions")), 0);

    reader.reset();
    holder.close();
    holder = {};
    QSqlDatabase::removeDatabase(s("balance-reader"));
    now += options.retryCapMs;
    queue.processDueRetries();
    QVERIFY(queue.waitForIdle(10000));
    task = queue.task(id);
    QCOMPARE(task.value(s("status")).toString(), s("done"));
    QCOMPARE(scalar(db, s("SELECT balance FROM token_balances WHERE customer_id = 'cst_a'")), 4000);
    QCOMPARE(scalar(db, s("SELECT COUNT(*) FROM token_transactions")), 1);

    // Delivered again (a replay): still one credit.
    const QString again = queue.enqueue(newTask);
    QVERIFY(queue.waitForIdle(10000));
    QCOMPARE(queue.task(again).value(s("status")).toString(), s("done"));
    QCOMPARE(scalar(db, s("SELECT balance FROM token_balances WHERE customer_id = 'cst_a'")), 4000);
    QCOMPARE(scalar(db, s("SELECT COUNT(*) FROM token_transactions")), 1);
    queue.stop(5000);
}

QTEST_GUILESS_MAIN(tst_EventEffects)
#include "tst_eventeffects.moc"

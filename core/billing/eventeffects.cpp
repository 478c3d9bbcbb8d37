// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/eventeffects.h"

#include "core/billing/packages.h"
#include "core/billing/sqlhelpers.h"
#include "core/log/plural.h"
#include "core/logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

using BillingSql::exec;
using BillingSql::nullable;

namespace {

const QString SessionReference = u"stripe_checkout_session"_s;
const QString RefundReference = u"stripe_refund"_s;
const QString DisputeReference = u"stripe_dispute"_s;

// A field that Stripe sends either as an id string or as an expanded object.
QString idOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    return value.toObject().value(u"id"_s).toString();
}

// Metadata values are strings in Stripe; accept numbers too.
qint64 integerOf(const QJsonValue &value, bool *ok)
{
    *ok = false;
    if (value.isDouble()) {
        const double d = value.toDouble();
        *ok = d == double(qint64(d));
        return qint64(d);
    }
    return value.toString().toLongLong(ok);
}

int statusRank(const QString &status)
{
    if (status == u"incomplete")
        return 0;
    if (status == u"canceled" || status == u"incomplete_expired")
        return 2;
    return 1;
}

bool isTerminal(const QString &status)
{
    return statusRank(status) == 2;
}

// Completions, refunds and disputes of one payment may run at once on different workers: each
// first locks (creating it if need be) the payment's stripe_refunds row, so whichever runs
// second sees the other's committed work (on PostgreSQL's read committed as on SQLite's single
// writer). Nothing to lock without a payment intent.
bool lockPayment(QSqlQuery &query, const QString &paymentIntent, qint64 now, StorageError *error)
{
    return paymentIntent.isEmpty()
           || exec(query,
                   u"INSERT INTO stripe_refunds (payment_intent_id, amount_cents, "
                   "amount_refunded_cents, updated_at) VALUES (?, 0, 0, ?) "
                   "ON CONFLICT (payment_intent_id) DO UPDATE SET "
                   "updated_at = excluded.updated_at"_s,
                   {paymentIntent, now},
                   error);
}

} // namespace

EffectOutcome EffectOutcome::processed(QString message)
{
    return {Kind::Processed, std::move(message), {}, {}, {}, 0, false};
}

EffectOutcome EffectOutcome::ignored(QString message)
{
    return {Kind::Ignored, std::move(message), {}, {}, {}, 0, false};
}

EffectOutcome EffectOutcome::retry(QString message)
{
    return {Kind::Retry, std::move(message), {}, {}, {}, 0, false};
}

EffectOutcome EffectOutcome::retry(const StorageError &error, const QString &doing)
{
    EffectOutcome outcome = retry(doing.isEmpty() ? error.text : doing + u": "_s + error.text);
    outcome.storageUnavailable = error.unavailable;
    return outcome;
}

EffectOutcome EffectOutcome::fail(QString message)
{
    return {Kind::Fail, std::move(message), {}, {}, {}, 0, false};
}

struct EventEffects::Order
{
    QString id;
    QString customerId;
    QString packageSlug;
    qint64 tokenAmount = 0;
    qint64 priceCents = 0;
    QString status;
    qint64 tokensCredited = 0;
    qint64 tokensRevoked = 0;
    QString paymentIntentId;
    qint64 amountPaidCents = 0;
};

struct EventEffects::Context
{
    QString eventId;
    QString type;
    qint64 created = 0; // seconds, as Stripe sends it
    QJsonObject object; // data.object
    QString customerId; // matched customer, when known
    qint64 tokensDelta = 0;
};

EventEffects::EventEffects(const Ledger &ledger, Mode mode)
    : m_ledger(ledger)
    , m_mode(mode)
{}

EventEffects::Mode EventEffects::modeForSecretKey(const QString &secretKey)
{
    if (secretKey.startsWith(u"sk_live_") || secretKey.startsWith(u"rk_live_"))
        return Mode::LiveOnly;
    if (secretKey.startsWith(u"sk_test_") || secretKey.startsWith(u"rk_test_"))
        return Mode::TestOnly;
    return Mode::Any;
}

EffectOutcome EventEffects::processStored(QSqlDatabase &db, const QString &eventId) const
{
    QSqlQuery query(db);
    StorageError error;
    if (!exec(query, u"SELECT payload FROM stripe_events WHERE event_id = ?"_s, {eventId}, &error))
        return EffectOutcome::retry(error, u"cannot read the event"_s);
    if (!query.next())
        return EffectOutcome::fail(u"event %1 is not stored"_s.arg(eventId));
    const QByteArray payload = query.value(0).toByteArray();
    query.finish();

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (!document.isObject())
        return EffectOutcome::fail(u"event %1 is not a JSON object"_s.arg(eventId));
    EffectOutcome outcome = apply(db, document.object());
    if (outcome.kind == EffectOutcome::Kind::Retry || outcome.kind == EffectOutcome::Kind::Fail)
        return outcome;

    const QString status
            = outcome.kind == EffectOutcome::Kind::Processed ? u"processed"_s : u"ignored"_s;
    if (!exec(query,
              u"UPDATE stripe_events SET status = ?, processed_at = ? WHERE event_id = ?"_s,
              {status, m_ledger.now(), eventId},
              &error))
        return EffectOutcome::retry(error, u"cannot mark the event"_s);
    return outcome;
}

EffectOutcome EventEffects::apply(QSqlDatabase &db, const QJsonObject &event) const
{
    Context ctx;
    ctx.eventId = event.value(u"id"_s).toString();
    ctx.type = event.value(u"type"_s).toString();
    ctx.created = event.value(u"created"_s).toVariant().toLongLong();
    ctx.object = event.value(u"data"_s).toObject().value(u"object"_s).toObject();
    if (ctx.eventId.isEmpty() || ctx.type.isEmpty())
        return EffectOutcome::fail(u"not a Stripe event (no id or type)"_s);

    const bool live = event.value(u"livemode"_s).toBool();
    if ((m_mode == Mode::LiveOnly && !live) || (m_mode == Mode::TestOnly && live)) {
        EffectOutcome outcome = EffectOutcome::ignored(live ? u"live event on a test deployment"_s
                                                            : u"test event on a live deployment"_s);
        outcome.eventId = ctx.eventId;
        outcome.eventType = ctx.type;
        outcome.modeMismatch = true;
        return outcome;
    }

    EffectOutcome outcome;
    const QString &type = ctx.type;
    if (type == u"checkout.session.completed"
        || type == u"checkout.session.async_payment_succeeded")
        outcome = checkoutPaid(db, ctx);
    else if (type == u"checkout.session.async_payment_failed")
        outcome = checkoutFailed(db, ctx);
    else if (type == u"checkout.session.expired")
        outcome = checkoutExpired(db, ctx);
    else if (type == u"charge.refunded")
        outcome = chargeRefunded(db, ctx);
    else if (type.startsWith(u"charge.dispute."))
        outcome = chargeDispute(db, ctx);
    else if (type == u"payment_intent.payment_failed" || type == u"payment_intent.succeeded")
        outcome = paymentIntent(db, ctx);
    else if (type == u"invoice.paid" || type == u"invoice.payment_succeeded"
             || type == u"invoice.payment_failed")
        outcome = invoice(db, ctx);
    else if (type.startsWith(u"customer.subscription."))
        outcome = subscription(db, ctx);
    else
        outcome = EffectOutcome::ignored(u"event type %1 is not handled"_s.arg(type));

    outcome.eventId = ctx.eventId;
    outcome.eventType = ctx.type;
    outcome.customerId = ctx.customerId;
    outcome.tokensDelta = ctx.tokensDelta;
    return outcome;
}

std::optional<EventEffects::Order> EventEffects::findOrder(QSqlDatabase &db,
                                                           const QString &column,
                                                           const QString &value,
                                                           StorageError *error) const
{
    QSqlQuery query(db);
    // column is one of two fixed names chosen by this file, never input.
    if (!exec(query,
              u"SELECT id, customer_id, package_slug, token_amount, price_cents, status, "
              "tokens_credited, tokens_revoked, stripe_payment_intent_id, amount_paid_cents "
              "FROM token_orders WHERE "_s
                      + column + u" = ? ORDER BY created_at LIMIT 1"_s,
              {value},
              error)
        || !query.next())
        return std::nullopt;
    Order order;
    order.id = query.value(0).toString();
    order.customerId = query.value(1).toString();
    order.packageSlug = query.value(2).toString();
    order.tokenAmount = query.value(3).toLongLong();
    order.priceCents = query.value(4).toLongLong();
    order.status = query.value(5).toString();
    order.tokensCredited = query.value(6).toLongLong();
    order.tokensRevoked = query.value(7).toLongLong();
    order.paymentIntentId = query.value(8).toString();
    order.amountPaidCents = query.value(9).toLongLong();
    return order;
}

// The order of a Checkout Session: the one created at purchase, or, when the gateway never saw
// the purchase (its database was restored, or the session was made elsewhere), one made from
// the session's metadata after checking it against the catalogue.
std::optional<EventEffects::Order>
EventEffects::orderForSession(QSqlDatabase &db, Context &ctx, EffectOutcome *problem) const
{
    const QString sessionId = ctx.object.value(u"id"_s).toString();
    StorageError error;
    if (sessionId.isEmpty()) {
        *problem = EffectOutcome::fail(u"the Checkout Session has no id"_s);
        return std::nullopt;
    }
    if (auto order = findOrder(db, u"stripe_checkout_session_id"_s, sessionId, &error))
        return order;
    if (!error.isEmpty()) {
        *problem = EffectOutcome::retry(error);
        return std::nullopt;
    }

    const QJsonObject metadata = ctx.object.value(u"metadata"_s).toObject();
    const QString customerId = metadata.value(u"customer_id"_s).toString();
    const QString slug = metadata.value(u"package_slug"_s).toString();
    if (customerId.isEmpty() && slug.isEmpty()) {
        *problem = EffectOutcome::processed(u"not a token purchase"_s);
        return std::nullopt;
    }
    bool ok = false;
    const qint64 tokens = integerOf(metadata.value(u"token_amount"_s), &ok);
    const std::optional<TokenPackage> package = TokenPackages::find(slug);
    if (!package || !ok || tokens != package->tokenAmount) {
        *problem = EffectOutcome::fail(
                u"session %1: metadata does not match a token package"_s.arg(sessionId));
        return std::nullopt;
    }
    const QJsonValue total = ctx.object.value(u"amount_total"_s);
    if (total.isDouble() && total.toDouble() < package->priceCents) {
        *problem = EffectOutcome::fail(
                u"session %1: amount paid is below the package price"_s.arg(sessionId));
        return std::nullopt;
    }
    const bool exists = customerExists(db, customerId, &error);
    if (!error.isEmpty() || !exists) {
        *problem = error.isEmpty()
                           ? EffectOutcome::fail(u"session %1: unknown customer"_s.arg(sessionId))
                           : EffectOutcome::retry(error);
        return std::nullopt;
    }

    Order order;
    order.id = u"ord_"_s + QUuid::createUuid().toString(QUuid::Id128);
    order.customerId = customerId;
    order.packageSlug = slug;
    order.tokenAmount = tokens;
    order.priceCents = package->priceCents;
    order.status = u"pending"_s;
    const QString currency = ctx.object.value(u"currency"_s).toString(u"usd"_s);
    QSqlQuery query(db);
    const qint64 now = m_ledger.now();
    if (!exec(query,
              u"INSERT INTO token_orders (id, customer_id, package_slug, token_amount, "
              u"price_cents, "
              "currency, stripe_checkout_session_id, status, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)"_s,
              {order.id, customerId, slug, tokens, order.priceCents, currency, sessionId, now, now},
              &error)) {
        *problem = EffectOutcome::retry(error);
        return std::nullopt;
    }
    qCInfo(lcBilling) << "order" << order.id << "made from the metadata of session" << sessionId;
    return order;
}

EffectOutcome EventEffects::checkoutPaid(QSqlDatabase &db, Context &ctx) const
{
    EffectOutcome problem;
    std::optional<Order> order = orderForSession(db, ctx, &problem);
    if (!order)
        return problem;
    ctx.customerId = order->customerId;

    const QString paymentStatus = ctx.object.value(u"payment_status"_s).toString();
    const bool paid = ctx.type == u"checkout.session.async_payment_succeeded"
                      || paymentStatus == u"paid" || paymentStatus == u"no_payment_required";
    if (!paid)
        return EffectOutcome::processed(u"awaiting the asynchronous payment"_s);
    if (order->tokensCredited > 0)
        return EffectOutcome::processed(u"already credited"_s);

    const QString sessionId = ctx.object.value(u"id"_s).toString();
    const QString paymentIntent = idOf(ctx.object.value(u"payment_intent"_s));
    const qint64 amountPaid = ctx.object.value(u"amount_total"_s).toVariant().toLongLong();
    const qint64 now = m_ledger.now();
    StorageError error;
    QSqlQuery query(db);
    if (!lockPayment(query, paymentIntent, now, &error))
        return EffectOutcome::retry(error);
    // The state check in the WHERE makes a concurrent second completion a no-op.
    if (!exec(query,
              u"UPDATE token_orders SET status = 'completed', tokens_credited = token_amount, "
              "stripe_payment_intent_id = COALESCE(?, stripe_payment_intent_id), "
              "amount_paid_cents = ?, completed_at = ?, updated_at = ? "
              "WHERE id = ? AND tokens_credited = 0"_s,
              {nullable(paymentIntent), amountPaid, now, now, order->id},
              &error))
        return EffectOutcome::retry(error);
    if (query.numRowsAffected() != 1)
        return EffectOutcome::processed(u"already credited"_s);

    LedgerPosting posting;
    posting.customerId = order->customerId;
    posting.type = u"purchase"_s;
    posting.amount = order->tokenAmount;
    posting.description = u"Token purchase - %1"_s.arg(order->packageSlug);
    posting.referenceType = SessionReference;
    posting.referenceId = sessionId;
    posting.metadata = {{u"session_id"_s, sessionId},
                        {u"order_id"_s, order->id},
                        {u"package_slug"_s, order->packageSlug},
                        {u"amount_paid"_s, amountPaid},
                        {u"currency"_s, ctx.object.value(u"currency"_s).toString()},
                        {u"payment_intent"_s, paymentIntent},
                        {u"event_id"_s, ctx.eventId}};
    const LedgerResult credited = m_ledger.credit(db, posting);
    if (credited.status == LedgerResult::Status::Error)
        return EffectOutcome::retry(credited.error);
    if (credited.ok())
        ctx.tokensDelta += order->tokenAmount;

    const QString stripeCustomer = idOf(ctx.object.value(u"customer"_s));
    if (!linkStripeCustomer(db, order->customerId, stripeCustomer, &error))
        return EffectOutcome::retry(error);

    // A refund that arrived before this completion is applied now.
    order->status = u"completed"_s;
    order->tokensCredited = order->tokenAmount;
    if (!paymentIntent.isEmpty())
        order->paymentIntentId = paymentIntent;
    order->amountPaidCents = amountPaid;
    if (!applyRefund(db, ctx, *order, &error) || !applyDisputes(db, ctx, *order, &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(
            u"credited %1"_s.arg(counted(order->tokenAmount, u"token", u"tokens")));
}

EffectOutcome EventEffects::checkoutFailed(QSqlDatabase &db, Context &ctx) const
{
    EffectOutcome problem;
    const std::optional<Order> order = orderForSession(db, ctx, &problem);
    if (!order)
        return problem;
    ctx.customerId = order->customerId;
    QSqlQuery query(db);
    StorageError error;
    // Only a pending order fails: a completed one stays completed whatever arrives late.
    if (!exec(query,
              u"UPDATE token_orders SET status = 'failed', updated_at = ? "
              "WHERE id = ? AND status = 'pending'"_s,
              {m_ledger.now(), order->id},
              &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"payment failed"_s);
}

EffectOutcome EventEffects::checkoutExpired(QSqlDatabase &db, Context &ctx) const
{
    const QString sessionId = ctx.object.value(u"id"_s).toString();
    StorageError error;
    const std::optional<Order> order
            = findOrder(db, u"stripe_checkout_session_id"_s, sessionId, &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);
    if (!order)
        return EffectOutcome::processed(u"no order for this session"_s);
    ctx.customerId = order->customerId;
    QSqlQuery query(db);
    if (!exec(query,
              u"UPDATE token_orders SET status = 'expired', updated_at = ? "
              "WHERE id = ? AND status = 'pending'"_s,
              {m_ledger.now(), order->id},
              &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"session expired"_s);
}

EffectOutcome EventEffects::chargeRefunded(QSqlDatabase &db, Context &ctx) const
{
    const QString chargeId = ctx.object.value(u"id"_s).toString();
    const QString paymentIntent = idOf(ctx.object.value(u"payment_intent"_s));
    const qint64 amount = ctx.object.value(u"amount"_s).toVariant().toLongLong();
    const qint64 refunded = ctx.object.value(u"amount_refunded"_s).toVariant().toLongLong();
    if (amount <= 0 || refunded < 0)
        return EffectOutcome::fail(u"charge %1 has no valid amounts"_s.arg(chargeId));

    StorageError error;
    const QJsonObject metadata = ctx.object.value(u"metadata"_s).toObject();
    ctx.customerId = matchCustomer(db,
                                   metadata.value(u"customer_id"_s).toString(),
                                   idOf(ctx.object.value(u"customer"_s)),
                                   &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);
    if (!recordPayment(db, ctx, chargeId, {}, refunded, u"refunded"_s, {}, &error))
        return EffectOutcome::retry(error);
    if (paymentIntent.isEmpty())
        return EffectOutcome::processed(u"refund without a payment intent: recorded"_s);

    // Cumulative and monotonic: an older charge.refunded arriving late cannot lower it.
    QSqlQuery query(db);
    if (!exec(query,
              u"INSERT INTO stripe_refunds (payment_intent_id, charge_id, amount_cents, "
              "amount_refunded_cents, currency, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (payment_intent_id) DO UPDATE SET "
              "amount_refunded_cents = CASE WHEN excluded.amount_refunded_cents > "
              "stripe_refunds.amount_refunded_cents THEN excluded.amount_refunded_cents "
              "ELSE stripe_refunds.amount_refunded_cents END, "
              "amount_cents = CASE WHEN excluded.amount_cents > 0 THEN excluded.amount_cents "
              "ELSE stripe_refunds.amount_cents END, "
              "charge_id = COALESCE(excluded.charge_id, stripe_refunds.charge_id), "
              "currency = COALESCE(excluded.currency, stripe_refunds.currency), "
              "updated_at = excluded.updated_at"_s,
              {paymentIntent,
               chargeId,
               amount,
               refunded,
               ctx.object.value(u"currency"_s).toString(),
               m_ledger.now()},
              &error))
        return EffectOutcome::retry(error);

    const std::optional<Order> order
            = findOrder(db, u"stripe_payment_intent_id"_s, paymentIntent, &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);
    if (!order || order->tokensCredited == 0)
        return EffectOutcome::processed(u"refund recorded; applied when the order completes"_s);
    ctx.customerId = order->customerId;
    if (!applyRefund(db, ctx, *order, &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"refund applied"_s);
}

// Revokes the refunded share of the order's tokens: target = refunded / amount x credited, less
// what earlier refunds of the same payment already revoked.
bool EventEffects::applyRefund(QSqlDatabase &db,
                               Context &ctx,
                               const Order &order,
                               StorageError *error) const
{
    if (order.paymentIntentId.isEmpty() || order.tokensCredited == 0)
        return true;
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT amount_cents, amount_refunded_cents FROM stripe_refunds "
              "WHERE payment_intent_id = ?"_s,
              {order.paymentIntentId},
              error))
        return false;
    if (!query.next())
        return true;
    const qint64 amount = query.value(0).toLongLong();
    const qint64 refunded = std::min(query.value(1).toLongLong(), amount);
    query.finish();
    if (amount <= 0)
        return true;

    // refunded < amount here, so the share fits in 64 bits; the product may not (a signed event
    // may carry any amount), hence 128-bit arithmetic.
    const qint64 target = refunded >= amount
                                  ? order.tokensCredited
                                  : qint64(__int128(refunded) * order.tokensCredited / amount);
    const qint64 delta = target - order.tokensRevoked;
    if (delta <= 0)
        return true;

    const qint64 now = m_ledger.now();
    if (!exec(query,
              u"UPDATE token_orders SET tokens_revoked = ?, amount_refunded_cents = ?, "
              "status = CASE WHEN ? >= tokens_credited THEN 'refunded' ELSE status END, "
              "updated_at = ? WHERE id = ? AND tokens_revoked = ?"_s,
              {target, refunded, target, now, order.id, order.tokensRevoked},
              error))
        return false;
    if (query.numRowsAffected() != 1)
        return true; // another worker applied this refund first

    LedgerPosting posting;
    posting.customerId = order.customerId;
    posting.type = u"refund"_s;
    posting.amount = delta;
    posting.description = u"Refund - %1"_s.arg(order.packageSlug);
    posting.referenceType = RefundReference;
    posting.referenceId = u"%1:%2"_s.arg(order.paymentIntentId).arg(target);
    posting.metadata = {{u"order_id"_s, order.id},
                        {u"payment_intent"_s, order.paymentIntentId},
                        {u"amount_refunded"_s, refunded},
                        {u"amount"_s, amount},
                        {u"event_id"_s, ctx.eventId}};
    const LedgerResult revoked = m_ledger.revoke(db, posting);
    if (revoked.status == LedgerResult::Status::Error) {
        *error = revoked.error;
        return false;
    }
    if (revoked.ok()) {
        ctx.tokensDelta -= delta;
        if (revoked.balance.debt > 0)
            qCInfo(lcBilling) << "refund left customer" << order.customerId << "with a debt of"
                              << revoked.balance.debt << "tokens";
    }
    return true;
}

namespace {

// What the dispute object itself says about the money: its balance transactions list the
// withdrawal (negative) and the reinstatement (positive); a lost dispute keeps the funds
// withdrawn, a won one gives them back. The event type says the same for the funds_* events.
struct DisputeMoney
{
    bool withdrawn = false;
    bool reinstated = false;
};

DisputeMoney disputeMoney(const QString &type, const QJsonObject &dispute)
{
    DisputeMoney money;
    const QString status = dispute.value(u"status"_s).toString();
    money.withdrawn = type == u"charge.dispute.funds_withdrawn" || status == u"lost";
    money.reinstated = type == u"charge.dispute.funds_reinstated" || status == u"won";
    const QJsonArray transactions = dispute.value(u"balance_transactions"_s).toArray();
    for (const QJsonValue &transaction : transactions) {
        const qint64 amount = transaction.toObject().value(u"amount"_s).toVariant().toLongLong();
        money.withdrawn = money.withdrawn || amount < 0;
        money.reinstated = money.reinstated || amount > 0;
    }
    return money;
}

} // namespace

// charge.dispute.*: the dispute's state is recorded per dispute (sticky money flags), then the
// order of its PaymentIntent, found as refunds find it, gets its tokens held back or given back.
EffectOutcome EventEffects::chargeDispute(QSqlDatabase &db, Context &ctx) const
{
    const QString disputeId = ctx.object.value(u"id"_s).toString();
    if (disputeId.isEmpty())
        return EffectOutcome::fail(u"dispute event without a dispute id"_s);
    const QString chargeId = idOf(ctx.object.value(u"charge"_s));
    const QString paymentIntent = idOf(ctx.object.value(u"payment_intent"_s));
    const qint64 amount = ctx.object.value(u"amount"_s).toVariant().toLongLong();
    if (amount < 0)
        return EffectOutcome::fail(u"dispute %1 has a negative amount"_s.arg(disputeId));
    const DisputeMoney money = disputeMoney(ctx.type, ctx.object);

    StorageError error;
    if (!recordPayment(db,
                       ctx,
                       disputeId,
                       {},
                       amount,
                       ctx.object.value(u"status"_s).toString(),
                       {},
                       &error))
        return EffectOutcome::retry(error);
    const qint64 now = m_ledger.now();
    QSqlQuery query(db);
    if (!lockPayment(query, paymentIntent, now, &error)) // before a completion can interleave
        return EffectOutcome::retry(error);
    // The status shown is the one of the newest event; the money flags only ever get set.
    if (!exec(query,
              u"INSERT INTO stripe_disputes (dispute_id, payment_intent_id, charge_id, "
              "amount_cents, currency, status, reason, funds_withdrawn, funds_reinstated, "
              "status_created, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (dispute_id) DO UPDATE SET "
              "payment_intent_id = COALESCE(stripe_disputes.payment_intent_id, "
              "excluded.payment_intent_id), "
              "charge_id = COALESCE(stripe_disputes.charge_id, excluded.charge_id), "
              "amount_cents = excluded.amount_cents, "
              "currency = COALESCE(excluded.currency, stripe_disputes.currency), "
              "status = CASE WHEN excluded.status_created >= stripe_disputes.status_created "
              "THEN excluded.status ELSE stripe_disputes.status END, "
              "status_created = CASE WHEN excluded.status_created > "
              "stripe_disputes.status_created THEN excluded.status_created "
              "ELSE stripe_disputes.status_created END, "
              "reason = COALESCE(excluded.reason, stripe_disputes.reason), "
              "funds_withdrawn = CASE WHEN excluded.funds_withdrawn = 1 THEN 1 "
              "ELSE stripe_disputes.funds_withdrawn END, "
              "funds_reinstated = CASE WHEN excluded.funds_reinstated = 1 THEN 1 "
              "ELSE stripe_disputes.funds_reinstated END, "
              "updated_at = excluded.updated_at"_s,
              {disputeId,
               nullable(paymentIntent),
               nullable(chargeId),
               amount,
               nullable(ctx.object.value(u"currency"_s).toString()),
               nullable(ctx.object.value(u"status"_s).toString()),
               nullable(ctx.object.value(u"reason"_s).toString()),
               money.withdrawn ? 1 : 0,
               money.reinstated ? 1 : 0,
               ctx.created,
               now},
              &error))
        return EffectOutcome::retry(error);
    if (paymentIntent.isEmpty())
        return EffectOutcome::processed(u"dispute without a payment intent: recorded"_s);

    const std::optional<Order> order
            = findOrder(db, u"stripe_payment_intent_id"_s, paymentIntent, &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);
    if (!order || order->tokensCredited == 0)
        return EffectOutcome::processed(u"dispute recorded; applied when the order completes"_s);
    ctx.customerId = order->customerId;
    if (!applyDisputes(db, ctx, *order, &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"dispute %1 applied"_s.arg(disputeId));
}

// Brings every dispute of the order's payment to its target: the dispute's share of the credited
// tokens while its funds are withdrawn and not reinstated, nothing otherwise. The share is capped
// by what refunds and the other disputes left, so tokens are never taken back twice.
bool EventEffects::applyDisputes(QSqlDatabase &db,
                                 Context &ctx,
                                 const Order &order,
                                 StorageError *error) const
{
    if (order.paymentIntentId.isEmpty() || order.tokensCredited == 0)
        return true;
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT dispute_id, amount_cents, funds_withdrawn, funds_reinstated, "
              "tokens_revoked FROM stripe_disputes WHERE payment_intent_id = ? "
              "ORDER BY dispute_id"_s,
              {order.paymentIntentId},
              error))
        return false;
    struct Dispute
    {
        QString id;
        qint64 amount = 0;
        bool held = false;
        qint64 revoked = 0;
    };
    QList<Dispute> disputes;
    qint64 revokedByDisputes = 0;
    while (query.next()) {
        Dispute dispute{query.value(0).toString(),
                        query.value(1).toLongLong(),
                        query.value(2).toInt() == 1 && query.value(3).toInt() == 0,
                        query.value(4).toLongLong()};
        revokedByDisputes += dispute.revoked;
        disputes.append(dispute);
    }
    query.finish();

    const qint64 paid = order.amountPaidCents > 0 ? order.amountPaidCents : order.priceCents;
    for (const Dispute &dispute : std::as_const(disputes)) {
        qint64 target = 0;
        if (dispute.held) {
            const qint64 share
                    = paid <= 0 || dispute.amount >= paid
                              ? order.tokensCredited
                              : qint64(__int128(dispute.amount) * order.tokensCredited / paid);
            const qint64 left = order.tokensCredited - order.tokensRevoked
                                - (revokedByDisputes - dispute.revoked);
            target = std::clamp<qint64>(share, 0, std::max<qint64>(left, 0));
        }
        if (target == dispute.revoked)
            continue;
        if (!applyDispute(db, ctx, order, dispute.id, target, dispute.revoked, error))
            return false;
        revokedByDisputes += target - dispute.revoked;
    }
    return true;
}

// One dispute's move from current to target: a revocation when its funds were withdrawn, a
// re-credit when they were reinstated. The flags are sticky, so each dispute moves up at most
// once and back down at most once, and each move has its own ledger reference.
bool EventEffects::applyDispute(QSqlDatabase &db,
                                Context &ctx,
                                const Order &order,
                                const QString &disputeId,
                                qint64 target,
                                qint64 current,
                                StorageError *error) const
{
    QSqlQuery query(db);
    if (!exec(query,
              u"UPDATE stripe_disputes SET tokens_revoked = ?, updated_at = ? "
              "WHERE dispute_id = ? AND tokens_revoked = ?"_s,
              {target, m_ledger.now(), disputeId, current},
              error))
        return false;
    if (query.numRowsAffected() != 1)
        return true; // another worker moved this dispute first

    const bool revoke = target > current;
    LedgerPosting posting;
    posting.customerId = order.customerId;
    posting.type = revoke ? u"refund"_s : u"adjustment"_s;
    posting.amount = revoke ? target - current : current - target;
    posting.description
            = (revoke ? u"Dispute - %1"_s : u"Dispute won - %1"_s).arg(order.packageSlug);
    posting.referenceType = DisputeReference;
    posting.referenceId = u"%1:%2"_s.arg(disputeId, revoke ? u"withdrawn"_s : u"reinstated"_s);
    posting.metadata = {{u"order_id"_s, order.id},
                        {u"payment_intent"_s, order.paymentIntentId},
                        {u"dispute_id"_s, disputeId},
                        {u"event_id"_s, ctx.eventId}};
    const LedgerResult written
            = revoke ? m_ledger.revoke(db, posting) : m_ledger.credit(db, posting);
    if (written.status == LedgerResult::Status::Error) {
        *error = written.error;
        return false;
    }
    if (written.ok()) {
        ctx.tokensDelta += revoke ? -posting.amount : posting.amount;
        qCInfo(lcBilling) << "dispute" << disputeId << (revoke ? "held back" : "gave back")
                          << posting.amount << "tokens of order" << order.id;
    }
    return true;
}

EffectOutcome EventEffects::paymentIntent(QSqlDatabase &db, Context &ctx) const
{
    StorageError error;
    const QJsonObject metadata = ctx.object.value(u"metadata"_s).toObject();
    ctx.customerId = matchCustomer(db,
                                   metadata.value(u"customer_id"_s).toString(),
                                   idOf(ctx.object.value(u"customer"_s)),
                                   &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);
    const QString failure
            = ctx.object.value(u"last_payment_error"_s).toObject().value(u"message"_s).toString();
    if (!recordPayment(db,
                       ctx,
                       ctx.object.value(u"id"_s).toString(),
                       {},
                       ctx.object.value(u"amount"_s).toVariant().toLongLong(),
                       ctx.object.value(u"status"_s).toString(),
                       failure.left(500),
                       &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"payment intent recorded"_s);
}

EffectOutcome EventEffects::invoice(QSqlDatabase &db, Context &ctx) const
{
    // 2025-03-31 shape: parent.subscription_details.subscription; older: invoice.subscription.
    const QJsonObject details
            = ctx.object.value(u"parent"_s).toObject().value(u"subscription_details"_s).toObject();
    QString subscriptionId = idOf(details.value(u"subscription"_s));
    if (subscriptionId.isEmpty())
        subscriptionId = idOf(ctx.object.value(u"subscription"_s));
    QString metadataCustomer
            = details.value(u"metadata"_s).toObject().value(u"customer_id"_s).toString();
    if (metadataCustomer.isEmpty())
        metadataCustomer
                = ctx.object.value(u"metadata"_s).toObject().value(u"customer_id"_s).toString();

    StorageError error;
    const QString stripeCustomer = idOf(ctx.object.value(u"customer"_s));
    ctx.customerId = matchCustomer(db, metadataCustomer, stripeCustomer, &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);

    const bool paid = ctx.type != u"invoice.payment_failed";
    const qint64 amount
            = ctx.object.value(paid ? u"amount_paid"_s : u"amount_due"_s).toVariant().toLongLong();
    if (!recordPayment(db,
                       ctx,
                       ctx.object.value(u"id"_s).toString(),
                       subscriptionId,
                       amount,
                       paid ? u"paid"_s : u"payment_failed"_s,
                       {},
                       &error))
        return EffectOutcome::retry(error);
    if (subscriptionId.isEmpty())
        return EffectOutcome::processed(u"invoice recorded (no subscription)"_s);
    if (!updateSubscription(db,
                            ctx,
                            subscriptionId,
                            paid ? u"active"_s : u"past_due"_s,
                            u"invoice"_s,
                            0,
                            false,
                            &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"invoice recorded"_s);
}

EffectOutcome EventEffects::subscription(QSqlDatabase &db, Context &ctx) const
{
    const QString subscriptionId = ctx.object.value(u"id"_s).toString();
    QString status = ctx.object.value(u"status"_s).toString();
    if (status.isEmpty() && ctx.type == u"customer.subscription.deleted")
        status = u"canceled"_s;
    if (subscriptionId.isEmpty() || status.isEmpty())
        return EffectOutcome::fail(u"subscription event without id or status"_s);

    // Top-level current_period_end before 2025-03-31, per item since.
    qint64 periodEnd = ctx.object.value(u"current_period_end"_s).toVariant().toLongLong();
    const QJsonArray items = ctx.object.value(u"items"_s).toObject().value(u"data"_s).toArray();
    for (const QJsonValue &item : items)
        periodEnd = std::max(
                periodEnd, item.toObject().value(u"current_period_end"_s).toVariant().toLongLong());

    StorageError error;
    ctx.customerId = matchCustomer(
            db,
            ctx.object.value(u"metadata"_s).toObject().value(u"customer_id"_s).toString(),
            idOf(ctx.object.value(u"customer"_s)),
            &error);
    if (!error.isEmpty())
        return EffectOutcome::retry(error);
    if (!recordPayment(db, ctx, subscriptionId, subscriptionId, 0, status, {}, &error))
        return EffectOutcome::retry(error);
    if (!updateSubscription(db,
                            ctx,
                            subscriptionId,
                            status,
                            u"subscription"_s,
                            periodEnd,
                            ctx.object.value(u"cancel_at_period_end"_s).toBool(),
                            &error))
        return EffectOutcome::retry(error);
    return EffectOutcome::processed(u"subscription %1"_s.arg(status));
}

// Stripe does not order deliveries, so each state carries the created time of the event that set
// it: an older event never overwrites a newer state, a canceled subscription never comes back,
// and at the same second a subscription object beats a status inferred from an invoice.
bool EventEffects::updateSubscription(QSqlDatabase &db,
                                      const Context &ctx,
                                      const QString &subscriptionId,
                                      const QString &status,
                                      const QString &source,
                                      qint64 periodEnd,
                                      bool cancelAtPeriodEnd,
                                      StorageError *error) const
{
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT status, version_created, version_source, customer_id "
              "FROM subscription_states WHERE subscription_id = ?"_s,
              {subscriptionId},
              error))
        return false;
    QString customerId = ctx.customerId;
    if (query.next()) {
        const QString oldStatus = query.value(0).toString();
        const qint64 oldCreated = query.value(1).toLongLong();
        const QString oldSource = query.value(2).toString();
        if (customerId.isEmpty())
            customerId = query.value(3).toString();
        bool accept = false;
        if (isTerminal(oldStatus) && !isTerminal(status))
            accept = false;
        else if (ctx.created != oldCreated)
            accept = ctx.created > oldCreated;
        else if (source == u"invoice")
            accept = oldSource == u"invoice";
        else
            accept = oldSource == u"invoice" || statusRank(status) >= statusRank(oldStatus);
        query.finish();
        if (!accept) {
            qCDebug(lcBilling) << "subscription" << subscriptionId << "keeps" << oldStatus
                               << "over the older" << status;
            return true;
        }
    }
    query.finish();

    const qint64 now = m_ledger.now();
    if (!exec(query,
              u"INSERT INTO subscription_states (subscription_id, customer_id, stripe_customer_id, "
              "status, version_created, version_source, version_event_id, current_period_end, "
              "cancel_at_period_end, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (subscription_id) DO UPDATE SET "
              "customer_id = COALESCE(excluded.customer_id, subscription_states.customer_id), "
              "stripe_customer_id = COALESCE(excluded.stripe_customer_id, "
              "subscription_states.stripe_customer_id), status = excluded.status, "
              "version_created = excluded.version_created, "
              "version_source = excluded.version_source, "
              "version_event_id = excluded.version_event_id, "
              "current_period_end = COALESCE(excluded.current_period_end, "
              "subscription_states.current_period_end), "
              "cancel_at_period_end = excluded.cancel_at_period_end, "
              "updated_at = excluded.updated_at"_s,
              {subscriptionId,
               nullable(customerId),
               nullable(idOf(ctx.object.value(u"customer"_s))),
               status,
               ctx.created,
               source,
               ctx.eventId,
               periodEnd > 0 ? QVariant(periodEnd) : QVariant(QMetaType(QMetaType::LongLong)),
               cancelAtPeriodEnd ? 1 : 0,
               now},
              error))
        return false;
    if (customerId.isEmpty())
        return true;
    return exec(query,
                u"UPDATE customers SET subscription_id = ?, subscription_status = ? WHERE id = ?"_s,
                {subscriptionId, status, customerId},
                error);
}

bool EventEffects::customerExists(QSqlDatabase &db, const QString &id, StorageError *error) const
{
    QSqlQuery query(db);
    if (!exec(query, u"SELECT 1 FROM customers WHERE id = ?"_s, {id}, error))
        return false;
    return query.next();
}

// By metadata.customer_id first (set by the gateway on everything it creates), then by the
// Stripe customer id stored on the customer. Empty when neither matches.
QString EventEffects::matchCustomer(QSqlDatabase &db,
                                    const QString &metadataCustomer,
                                    const QString &stripeCustomer,
                                    StorageError *error) const
{
    if (!metadataCustomer.isEmpty()) {
        const bool exists = customerExists(db, metadataCustomer, error);
        if (!error->isEmpty())
            return {};
        if (exists) {
            if (!linkStripeCustomer(db, metadataCustomer, stripeCustomer, error))
                return {};
            return metadataCustomer;
        }
    }
    if (stripeCustomer.isEmpty())
        return {};
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT id FROM customers WHERE stripe_customer_id = ?"_s,
              {stripeCustomer},
              error)
        || !query.next())
        return {};
    return query.value(0).toString();
}

// Remembers the customer's Stripe id when it has none yet and no other customer holds it.
bool EventEffects::linkStripeCustomer(QSqlDatabase &db,
                                      const QString &customerId,
                                      const QString &stripeCustomer,
                                      StorageError *error) const
{
    if (customerId.isEmpty() || !stripeCustomer.startsWith(u"cus_"))
        return true;
    QSqlQuery query(db);
    return exec(query,
                u"UPDATE customers SET stripe_customer_id = ? WHERE id = ? "
                "AND stripe_customer_id IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM customers other WHERE other.stripe_customer_id = ?)"_s,
                {stripeCustomer, customerId, stripeCustomer},
                error);
}

bool EventEffects::recordPayment(QSqlDatabase &db,
                                 const Context &ctx,
                                 const QString &objectId,
                                 const QString &subscriptionId,
                                 qint64 amountCents,
                                 const QString &status,
                                 const QString &failure,
                                 StorageError *error) const
{
    QSqlQuery query(db);
    return exec(query,
                u"INSERT INTO payment_records (id, stripe_event_id, event_type, object_id, "
                "customer_id, stripe_customer_id, subscription_id, amount_cents, currency, status, "
                "failure_message, event_created, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (stripe_event_id) DO NOTHING"_s,
                {QString(u"pay_"_s + QUuid::createUuid().toString(QUuid::Id128)),
                 ctx.eventId,
                 ctx.type,
                 nullable(objectId),
                 nullable(ctx.customerId),
                 nullable(idOf(ctx.object.value(u"customer"_s))),
                 nullable(subscriptionId),
                 amountCents,
                 nullable(ctx.object.value(u"currency"_s).toString()),
                 nullable(status),
                 nullable(failure),
                 ctx.created,
                 m_ledger.now()},
                error);
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/billing/ledger.h"
#include "core/storage/storageerror.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Mouse {

// What processing one Stripe event came to.
struct EffectOutcome
{
    enum class Kind {
        Processed, // effects applied (or already applied: a redelivery)
        Ignored,   // a type we do not handle, or a livemode mismatch: recorded, nothing done
        Retry,     // transient trouble (the database): roll back, try again later
        Fail,      // permanent (malformed, inconsistent): roll back, dead-letter
    };
    Kind kind = Kind::Fail;
    QString message; // for logs and the dead-letter list; never secrets
    QString eventId;
    QString eventType;
    QString customerId;        // when known
    qint64 tokensDelta = 0;    // tokens credited (+) or revoked (-) by this event
    bool modeMismatch = false; // ignored: a live event on a test key, or the other way round
    // Retry: the store could not take the work now (Database::isUnavailable, by the driver's
    // code). The queue then retries without using up the event's retries: a locked or full
    // store must not dead-letter a payment.
    bool storageUnavailable = false;

    static EffectOutcome processed(QString message = {});
    static EffectOutcome ignored(QString message);
    static EffectOutcome retry(QString message);
    // A storage failure: retried, its class kept (storageUnavailable).
    static EffectOutcome retry(const StorageError &error, const QString &doing = {});
    static EffectOutcome fail(QString message);
};

// The business effects of Stripe events on orders, the ledger and subscription state.
// Every call runs inside the caller's transaction and never commits or rolls back. Applying the
// same event twice, or events in any order, gives the same end state: each effect is guarded by
// a state check and a unique constraint (one credit per session, cumulative refund revocation,
// versioned subscription state).
class EventEffects final
{
public:
    // Which events to accept: livemode must match when set (sk_live_ vs sk_test_ keys).
    enum class Mode { Any, TestOnly, LiveOnly };

    explicit EventEffects(const Ledger &ledger, Mode mode = Mode::Any);

    // Loads event_id from stripe_events, applies it, and sets the row's status (processed or
    // ignored) and processed_at. A missing row is a Fail.
    EffectOutcome processStored(QSqlDatabase &db, const QString &eventId) const;

    // Applies one parsed event envelope; does not touch stripe_events.
    EffectOutcome apply(QSqlDatabase &db, const QJsonObject &event) const;

    static Mode modeForSecretKey(const QString &secretKey);

private:
    struct Order;
    struct Context;

    EffectOutcome checkoutPaid(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome checkoutFailed(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome checkoutExpired(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome chargeRefunded(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome chargeDispute(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome paymentIntent(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome invoice(QSqlDatabase &db, Context &ctx) const;
    EffectOutcome subscription(QSqlDatabase &db, Context &ctx) const;

    std::optional<Order> findOrder(QSqlDatabase &db,
                                   const QString &column,
                                   const QString &value,
                                   StorageError *error) const;
    std::optional<Order>
    orderForSession(QSqlDatabase &db, Context &ctx, EffectOutcome *problem) const;
    bool applyRefund(QSqlDatabase &db, Context &ctx, const Order &order, StorageError *error) const;
    bool
    applyDisputes(QSqlDatabase &db, Context &ctx, const Order &order, StorageError *error) const;
    bool applyDispute(QSqlDatabase &db,
                      Context &ctx,
                      const Order &order,
                      const QString &disputeId,
                      qint64 target,
                      qint64 current,
                      StorageError *error) const;
    bool customerExists(QSqlDatabase &db, const QString &id, StorageError *error) const;
    QString matchCustomer(QSqlDatabase &db,
                          const QString &metadataCustomer,
                          const QString &stripeCustomer,
                          StorageError *error) const;
    bool linkStripeCustomer(QSqlDatabase &db,
                            const QString &customerId,
                            const QString &stripeCustomer,
                            StorageError *error) const;
    bool recordPayment(QSqlDatabase &db,
                       const Context &ctx,
                       const QString &objectId,
                       const QString &subscriptionId,
                       qint64 amountCents,
                       const QString &status,
                       const QString &failure,
                       StorageError *error) const;
    bool updateSubscription(QSqlDatabase &db,
                            const Context &ctx,
                            const QString &subscriptionId,
                            const QString &status,
                            const QString &source,
                            qint64 periodEnd,
                            bool cancelAtPeriodEnd,
                            StorageError *error) const;

    const Ledger &m_ledger;
    Mode m_mode;
};

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <functional>

namespace Mouse {

class Database;
class StripeClient;
class WebhookIntake;

namespace Http {
class Router;
}

// Reconciliation against Stripe (admin-triggered): Stripe's list of recent Checkout Sessions,
// and for each paid one whose order is not completed (its checkout.session.completed never
// arrived, or is not processed yet), a synthetic event "evt_reconcile_<session id>" holding the
// session as Stripe lists it, submitted through the webhook intake: the same durable queue and
// the same effects, which credit a session once however many events name it.
class Reconciler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Reconciler)

public:
    struct Report
    {
        bool ok = false;             // Stripe was read and every submission was stored
        int checked = 0;             // sessions listed
        QStringList alreadyCredited; // paid, order completed
        QStringList enqueued;        // paid, order not completed: a synthetic event queued
        QStringList alreadyEnqueued; // paid, its synthetic event stored by an earlier run
        QJsonObject toJson() const;
    };
    using Done = std::function<void(const Report &)>;

    Reconciler(Database &database,
               StripeClient &stripe,
               WebhookIntake &intake,
               QObject *parent = nullptr);
    ~Reconciler() override;

    // Sessions created at or after `createdSince` (unix seconds). `done` runs on this thread.
    void run(qint64 createdSince, Done done);

    // POST /admin/payments/reconcile {"since_hours": 1..720, default 72}.
    void registerRoute(Http::Router &router);

    static bool isPaid(const QJsonObject &session);
    static QByteArray syntheticEvent(const QJsonObject &session);

private:
    void submitAll(QList<QJsonObject> unpaidOrders, Report report, Done done);

    Database &m_database;
    StripeClient &m_stripe;
    WebhookIntake &m_intake;
    QThreadPool m_pool; // the order lookups (one run at a time is plenty)
};

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <functional>

class QTimer;

namespace Mouse {

class Database;
class EventLog;
class StripeClient;
class WebhookIntake;

namespace Http {
class Router;
}

// Reconciliation against Stripe, on request (the admin route) and every
// stripe/reconcile_interval_s: Stripe's list of recent Checkout Sessions, and for each paid one
// whose order is not completed (its checkout.session.completed never arrived, or is not
// processed yet), a synthetic event "evt_reconcile_<session id>" holding the session as Stripe
// lists it, submitted through the webhook intake: the same durable queue and the same effects,
// which credit a session once however many events name it. An expired session whose order is
// still pending gets "evt_reconcile_expired_<session id>" (checkout.session.expired) the same
// way, which marks a pending order expired and nothing else.
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
        QStringList alreadyEnqueued; // its synthetic event stored by an earlier run
        QStringList expired;         // expired, order pending: an expiry event queued
        bool truncated = false;      // more sessions in the window than one run reads
        QJsonObject toJson() const;
    };
    using Done = std::function<void(const Report &)>;

    Reconciler(Database &database,
               StripeClient &stripe,
               WebhookIntake &intake,
               QObject *parent = nullptr);
    ~Reconciler() override;

    // Where a run that queues anything, and a periodic run that fails, is told to operators.
    void setEventLog(EventLog *log) { m_eventLog = log; }

    // Sessions created at or after `createdSince` (unix seconds). `done` runs on this thread.
    void run(qint64 createdSince, Done done);

    // A run over the last 72 hours every intervalMs (the first one interval from now); a tick
    // while the previous run is still going is skipped. 0 stops it.
    void startPeriodic(qint64 intervalMs);
    bool isPeriodic() const;

    // POST /admin/payments/reconcile {"since_hours": 1..720, default 72}.
    void registerRoute(Http::Router &router);

    static bool isPaid(const QJsonObject &session);
    static bool isExpired(const QJsonObject &session);
    // checkout.session.completed, or checkout.session.expired with expired = true.
    static QByteArray syntheticEvent(const QJsonObject &session, bool expired = false);

signals:
    // After each periodic run (the route's runs answer their caller instead).
    void periodicRunFinished(const Mouse::Reconciler::Report &report);

private:
    struct Submission
    {
        QJsonObject session;
        bool expired = false;
    };
    void submitAll(QList<Submission> submissions, Report report, Done done);
    void runPeriodic();
    void tell(const Report &report, bool periodic) const;

    Database &m_database;
    StripeClient &m_stripe;
    WebhookIntake &m_intake;
    EventLog *m_eventLog = nullptr;
    QTimer *m_timer = nullptr;
    bool m_periodicRunning = false;
    QThreadPool m_pool; // the order lookups (one run at a time is plenty)
};

} // namespace Mouse

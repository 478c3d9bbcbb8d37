// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/billing/eventeffects.h"
#include "core/billing/ledger.h"
#include "core/metrics/metricsfwd.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <optional>

namespace Mouse {

class BillingRoutes;
class Database;
class EventLog;
class Settings;
class StripeClient;
struct Task;
struct TaskResult;
namespace Http {
class Router;
} // namespace Http

// The billing facade the gateway owns: Stripe event effects for the queue, the token routes,
// Checkout Session creation, and ledger snapshots for the dashboard.
//
// Route handlers run on the main thread and do their database work on the billing pool (its
// threads' own connections); answers go back through the Responder on the main thread.
class Billing final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Billing)

public:
    static constexpr const char *StripeEventTaskType = "stripe.event";
    static constexpr qint64 LowBalanceThreshold = 500;
    static constexpr qint64 MaxTokenAmount = 1000000; // per use or credit call

    // What the dashboard shows: totals and the newest journal rows, from memory.
    struct Summary
    {
        qint64 customersWithBalance = 0;
        qint64 totalBalance = 0;
        qint64 totalDebt = 0;
        qint64 lifetimeEarned = 0;
        qint64 lifetimeSpent = 0;
        qint64 ordersPending = 0;
        qint64 ordersCompleted = 0;
        qint64 ordersExpired = 0;
        qint64 ordersFailed = 0;
        qint64 ordersRefunded = 0;
        qint64 revenueCents = 0;   // amount paid on completed and refunded orders
        qint64 refundedCents = 0;  // refunded on those orders (revenue is gross)
        qint64 tokensRevoked = 0;  // by refunds
        LedgerStats stats;         // over the whole journal
        QList<LedgerEntry> recent; // newest first
        QDateTime updatedAt;       // invalid until the first refresh

        QJsonObject toJson() const;
    };

    // Sent after the queue's worker applied a Stripe event (the commit follows in the same task).
    struct PaymentNotice
    {
        QString eventId;
        QString eventType;
        QString customerId;
        qint64 tokensDelta = 0;
        bool ignored = false;
        QString message;
    };

    Billing(Database &database,
            const Settings &settings,
            EventLog *eventLog = nullptr,
            Metrics::Registry *metrics = nullptr,
            QObject *parent = nullptr);
    ~Billing() override;

    // Tests: a fixed clock for every timestamp the ledger writes.
    void setClock(BillingClock clock);

    // The queue handler for "stripe.event" tasks: loads task.reference from stripe_events,
    // applies the effects and marks the row, all in the caller's transaction.
    TaskResult handleStripeEvent(const Task &task, QSqlDatabase &db);

    // The same without the queue types: what the handler does, for tests and tools.
    EffectOutcome processEvent(QSqlDatabase &db, const QString &eventId);

    void registerRoutes(Http::Router &router);

    const Ledger &ledger() const { return *m_ledger; }
    StripeClient *stripe() const { return m_stripe; }

    // The last snapshot (never waits); refreshSummary() updates it on the pool and emits
    // summaryChanged() on the main thread. Refreshed on its own after payments and route writes.
    Summary summary() const;
    void refreshSummary();

    // Stops taking route work and waits for the pool (shutdown).
    void shutdown();

signals:
    void paymentProcessed(const Mouse::Billing::PaymentNotice &notice);
    void summaryChanged();

private:
    friend class BillingRoutes;

    void scheduleSummaryRefresh();
    void noteStorageUnavailable();
    std::optional<Summary> loadSummary(StorageError *error) const;

    Database &m_database;
    QString m_secretKey;
    EventLog *m_eventLog = nullptr;
    BillingClock m_clock;
    std::unique_ptr<Ledger> m_ledger;
    std::unique_ptr<EventEffects> m_effects;
    StripeClient *m_stripe = nullptr;
    QThreadPool m_pool;
    std::unique_ptr<BillingRoutes> m_routes;
    Metrics::Counter *m_processed = nullptr;
    Metrics::Counter *m_ignored = nullptr;
    Metrics::Counter *m_failed = nullptr;
    Metrics::Counter *m_tokensCredited = nullptr;
    Metrics::Counter *m_tokensRevoked = nullptr;

    mutable QMutex m_summaryMutex;
    Summary m_summary;
    bool m_refreshPending = false;
    QElapsedTimer m_storageWarned; // the last operator event about a store refusing writes
};

} // namespace Mouse

Q_DECLARE_METATYPE(Mouse::Billing::PaymentNotice)

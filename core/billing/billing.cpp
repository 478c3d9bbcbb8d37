// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/billing.h"

#include "core/billing/billingroutes.h"
#include "core/billing/sqlhelpers.h"
#include "core/billing/stripeclient.h"
#include "core/config/settings.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/metrics.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QTimer>
#include <QtConcurrent>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

QJsonObject Billing::Summary::toJson() const
{
    QJsonArray recentJson;
    for (const LedgerEntry &entry : recent)
        recentJson.append(entry.toJson());
    return {{u"customers_with_balance"_s, customersWithBalance},
            {u"total_balance"_s, totalBalance},
            {u"total_debt"_s, totalDebt},
            {u"lifetime_earned"_s, lifetimeEarned},
            {u"lifetime_spent"_s, lifetimeSpent},
            {u"orders"_s,
             QJsonObject{{u"pending"_s, ordersPending},
                         {u"completed"_s, ordersCompleted},
                         {u"expired"_s, ordersExpired},
                         {u"failed"_s, ordersFailed},
                         {u"refunded"_s, ordersRefunded}}},
            {u"revenue_cents"_s, revenueCents},
            {u"refunded_cents"_s, refundedCents},
            {u"tokens_revoked"_s, tokensRevoked},
            {u"transactions"_s, stats.toJson()},
            {u"recent_transactions"_s, recentJson},
            {u"updated_at"_s, updatedAt.toString(Qt::ISODateWithMs)}};
}

Billing::Billing(Database &database,
                 const Settings &settings,
                 EventLog *eventLog,
                 Metrics::Registry *metrics,
                 QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_secretKey(settings.string(u"stripe/secret_key"_s))
    , m_eventLog(eventLog)
    , m_ledger(std::make_unique<Ledger>())
{
    qRegisterMetaType<Mouse::Billing::PaymentNotice>();
    m_effects = std::make_unique<EventEffects>(*m_ledger,
                                               EventEffects::modeForSecretKey(m_secretKey));
    m_stripe = new StripeClient(QUrl(settings.string(u"stripe/api_url"_s)), m_secretKey, this);
    // Route database work: a few threads are plenty; writes serialize in the database anyway.
    m_pool.setMaxThreadCount(2);
    // Threads never expire: connections are per thread id, and a new thread may reuse an id.
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(u"billing"_s);
    m_routes = std::make_unique<BillingRoutes>(*this);
    if (metrics) {
        const QString help = u"Stripe events applied by the ledger, by outcome"_s;
        m_processed = &metrics->counter(
                u"mouse_billing_events_total"_s, help, {{u"outcome"_s, u"processed"_s}});
        m_ignored = &metrics->counter(
                u"mouse_billing_events_total"_s, help, {{u"outcome"_s, u"ignored"_s}});
        m_failed = &metrics->counter(
                u"mouse_billing_events_total"_s, help, {{u"outcome"_s, u"failed"_s}});
        m_tokensCredited = &metrics->counter(u"mouse_billing_tokens_credited_total"_s,
                                             u"Tokens credited by purchases"_s);
        m_tokensRevoked = &metrics->counter(u"mouse_billing_tokens_revoked_total"_s,
                                            u"Tokens revoked by refunds"_s);
    }
}

Billing::~Billing()
{
    shutdown();
}

void Billing::shutdown()
{
    m_pool.waitForDone();
}

void Billing::setClock(BillingClock clock)
{
    m_clock = clock;
    m_ledger = std::make_unique<Ledger>(std::move(clock));
    m_effects = std::make_unique<EventEffects>(*m_ledger,
                                               EventEffects::modeForSecretKey(m_secretKey));
}

EffectOutcome Billing::processEvent(QSqlDatabase &db, const QString &eventId)
{
    // A worker runs event after event on one connection: its statements are prepared once.
    EffectOutcome outcome = [&] {
        const BillingSql::StatementScope statements;
        return m_effects->processStored(db, eventId);
    }();
    switch (outcome.kind) {
    case EffectOutcome::Kind::Processed:
    case EffectOutcome::Kind::Ignored: {
        const bool ignored = outcome.kind == EffectOutcome::Kind::Ignored;
        if (Metrics::Counter *counter = ignored ? m_ignored : m_processed)
            counter->Increment();
        if (outcome.tokensDelta > 0 && m_tokensCredited)
            m_tokensCredited->Increment(double(outcome.tokensDelta));
        if (outcome.tokensDelta < 0 && m_tokensRevoked)
            m_tokensRevoked->Increment(double(-outcome.tokensDelta));
        qCDebug(lcBilling) << "event" << outcome.eventId << outcome.eventType << outcome.message;
        if (outcome.modeMismatch && m_eventLog)
            m_eventLog->warning(u"payments"_s,
                                u"Stripe event %1 ignored: %2 (check STRIPE_SECRET_KEY and the "
                                "webhook endpoint)"_s.arg(outcome.eventId, outcome.message));
        PaymentNotice notice{outcome.eventId,
                             outcome.eventType,
                             outcome.customerId,
                             outcome.tokensDelta,
                             ignored,
                             outcome.message};
        // Emitted from the worker; receivers connect with a context object (queued).
        emit paymentProcessed(notice);
        QMetaObject::invokeMethod(this, &Billing::scheduleSummaryRefresh, Qt::QueuedConnection);
        break;
    }
    case EffectOutcome::Kind::Retry:
        qCWarning(lcBilling) << "event" << eventId << "will be retried:" << outcome.message;
        break;
    case EffectOutcome::Kind::Fail:
        if (m_failed)
            m_failed->Increment();
        qCWarning(lcBilling) << "event" << eventId << "failed:" << outcome.message;
        if (m_eventLog)
            m_eventLog->error(
                    u"payments"_s,
                    u"Stripe event %1 cannot be applied: %2"_s.arg(eventId, outcome.message));
        break;
    }
    return outcome;
}

TaskResult Billing::handleStripeEvent(const Task &task, QSqlDatabase &db)
{
    const EffectOutcome outcome = processEvent(db, task.reference);
    switch (outcome.kind) {
    case EffectOutcome::Kind::Processed:
    case EffectOutcome::Kind::Ignored:
        return TaskResult::done();
    case EffectOutcome::Kind::Retry:
        return outcome.storageUnavailable ? TaskResult::unavailable(outcome.message)
                                          : TaskResult::retry(outcome.message);
    case EffectOutcome::Kind::Fail:
        break;
    }
    return TaskResult::fail(outcome.message);
}

void Billing::registerRoutes(Http::Router &router)
{
    m_routes->registerRoutes(router);
}

Billing::Summary Billing::summary() const
{
    const QMutexLocker lock(&m_summaryMutex);
    return m_summary;
}

// Coalesces bursts of payments into one refresh.
// Main thread. One operator event a minute at most: a locked or full store fails every
// ledger write until it recovers, and the log must not be flooded by them.
void Billing::noteStorageUnavailable()
{
    if (!m_eventLog || (m_storageWarned.isValid() && m_storageWarned.elapsed() < 60000))
        return;
    m_storageWarned.start();
    m_eventLog->error(u"payments"_s,
                      u"The database refuses ledger writes (locked, full or read-only): token "
                      "routes answer 503 storage_unavailable until it recovers"_s);
}

void Billing::scheduleSummaryRefresh()
{
    if (m_refreshPending)
        return;
    m_refreshPending = true;
    QTimer::singleShot(250, this, [this] {
        m_refreshPending = false;
        refreshSummary();
    });
}

void Billing::refreshSummary()
{
    m_pool.start([this] {
        StorageError error;
        std::optional<Summary> summary = loadSummary(&error);
        if (!summary) {
            qCWarning(lcBilling) << "cannot load the ledger summary:" << error.text;
            return;
        }
        {
            const QMutexLocker lock(&m_summaryMutex);
            m_summary = *summary;
        }
        QMetaObject::invokeMethod(this, &Billing::summaryChanged, Qt::QueuedConnection);
    });
}

std::optional<Billing::Summary> Billing::loadSummary(StorageError *error) const
{
    QSqlDatabase db = m_database.connection();
    Summary summary;
    QSqlQuery query(db);
    if (!BillingSql::exec(query,
                          u"SELECT COUNT(*), COALESCE(SUM(balance), 0), COALESCE(SUM(debt), 0), "
                          "COALESCE(SUM(lifetime_earned), 0), COALESCE(SUM(lifetime_spent), 0) "
                          "FROM token_balances"_s,
                          {},
                          error)
        || !query.next())
        return std::nullopt;
    summary.customersWithBalance = query.value(0).toLongLong();
    summary.totalBalance = query.value(1).toLongLong();
    summary.totalDebt = query.value(2).toLongLong();
    summary.lifetimeEarned = query.value(3).toLongLong();
    summary.lifetimeSpent = query.value(4).toLongLong();

    if (!BillingSql::exec(query,
                          u"SELECT status, COUNT(*), COALESCE(SUM(COALESCE(amount_paid_cents, "
                          "price_cents)), 0), COALESCE(SUM(tokens_revoked), 0), "
                          "COALESCE(SUM(amount_refunded_cents), 0) "
                          "FROM token_orders GROUP BY status"_s,
                          {},
                          error))
        return std::nullopt;
    while (query.next()) {
        const QString status = query.value(0).toString();
        const qint64 count = query.value(1).toLongLong();
        if (status == u"completed" || status == u"refunded") {
            summary.revenueCents += query.value(2).toLongLong();
            summary.tokensRevoked += query.value(3).toLongLong();
            summary.refundedCents += query.value(4).toLongLong();
        }
        if (status == u"pending")
            summary.ordersPending = count;
        else if (status == u"completed")
            summary.ordersCompleted = count;
        else if (status == u"expired")
            summary.ordersExpired = count;
        else if (status == u"failed")
            summary.ordersFailed = count;
        else if (status == u"refunded")
            summary.ordersRefunded = count;
    }

    const std::optional<LedgerStats> stats = m_ledger->stats(db, {}, error);
    if (!stats)
        return std::nullopt;
    summary.stats = *stats;
    if (!BillingSql::exec(query,
                          u"SELECT "_s + ledgerEntryColumns()
                                  + u" FROM token_transactions ORDER BY seq DESC LIMIT 20"_s,
                          {},
                          error))
        return std::nullopt;
    while (query.next())
        summary.recent.append(ledgerEntryFromQuery(query));
    summary.updatedAt = QDateTime::currentDateTimeUtc();
    return summary;
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/billing/billing.h"
#include "core/billing/reconciler.h"
#include "core/billing/stripeclient.h"
#include "core/billing/webhookintake.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/metrics/metrics.h"
#include "core/queue/queueroutes.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

const auto kIntakeName = u"mouse-webhook-intake"_s;

// Ledger part: the billing facade, its token routes, and the queue handler for Stripe events
// (registered before the queue starts, so resumed tasks find it).
void wireBilling(Billing &billing, Http::Router &router, TaskQueue *queue)
{
    billing.registerRoutes(router);
    if (queue) {
        queue->registerHandler(QString::fromLatin1(Billing::StripeEventTaskType),
                               [&billing](const Task &task, QSqlDatabase &db) {
                                   return billing.handleStripeEvent(task, db);
                               });
    }
    billing.refreshSummary();
}

// Queue part: the webhook route (the signature is its authentication, so Access::Public).
void wireWebhook(WebhookIntake *intake, Http::Router &router)
{
    Http::RouteOptions webhook;
    webhook.maxBodyBytes = 1 << 20;
    webhook.summary = u"Stripe webhook (authenticated by its Stripe-Signature)"_s;
    webhook.tags = {u"payments"_s};
    using Http::BodyField;
    webhook.body = {{BodyField::text(u"id"_s, 1, 255).isRequired(),
                     BodyField::text(u"type"_s, 1, 255).isRequired(),
                     BodyField::object(u"data"_s).isRequired().described(u"data.object"_s),
                     BodyField::integer(u"created"_s, 0, BodyField::Unbounded)},
                    false,
                    u"A Stripe event, exactly as Stripe signed it (Stripe-Signature)"_s};
    router.post(
            u"/webhooks/stripe"_s,
            Http::Access::Public,
            [intake](const Http::Request &request, const Http::Responder &responder) {
                intake->handle(request, responder);
            },
            webhook);
}

void wireHealth(Metrics::HealthBoard &health, TaskQueue *queue, WebhookIntake *intake)
{
    health.add(u"queues"_s, u"payments"_s, [queue] {
        QJsonObject section = queue->metricsSnapshot().toJson();
        const qint64 backlog = queue->backlog();
        section.insert(u"backlog"_s, backlog);
        section.insert(u"max_backlog"_s, queue->maxBacklog());
        if (queue->isPaused() || backlog >= queue->maxBacklog())
            section.insert(u"degraded"_s, true);
        return section;
    });
    health.add(u"payments"_s, u"webhooks"_s, [intake] { return intake->snapshot(); });
}

// A webhook that never arrives is found without an operator asking, as long as Stripe can be
// read (a secret key): the same run as POST /admin/payments/reconcile.
void startReconciling(Reconciler &reconciler, const Settings &settings, const StripeClient &stripe)
{
    const qint64 intervalS = settings.integer(u"stripe/reconcile_interval_s"_s);
    if (intervalS <= 0 || !stripe.isConfigured())
        return;
    reconciler.startPeriodic(intervalS * 1000);
    qCInfo(lcBilling) << "reconciling with Stripe every" << intervalS << "s";
}

} // namespace

bool Gateway::startPayments(QString *error)
{
    m_queue = std::make_unique<TaskQueue>(*m_database,
                                          TaskQueue::Options::fromSettings(m_settings),
                                          m_eventLog.get(),
                                          m_metrics.get());
    m_billing
            = std::make_unique<Billing>(*m_database, m_settings, m_eventLog.get(), m_metrics.get());
    wireBilling(*m_billing, *m_router, m_queue.get());
    if (!m_queue->start(error))
        return false;

    auto *intake = new WebhookIntake(*m_database,
                                     *m_queue,
                                     WebhookIntake::Options::fromSettings(m_settings),
                                     m_eventLog.get(),
                                     m_metrics.get(),
                                     this);
    intake->setObjectName(kIntakeName);
    intake->start();
    if (m_settings.list(u"stripe/webhook_secret"_s).isEmpty())
        m_eventLog->warning(
                u"payments"_s,
                u"No Stripe webhook secret is set: signed deliveries to POST /webhooks/stripe "
                "answer 503 until STRIPE_WEBHOOK_SECRET is configured"_s);
    wireWebhook(intake, *m_router);
    auto *reconciler = new Reconciler(*m_database, *m_billing->stripe(), *intake, intake);
    reconciler->setEventLog(m_eventLog.get());
    reconciler->registerRoute(*m_router);
    startReconciling(*reconciler, m_settings, *m_billing->stripe());
    registerQueueRoutes(*m_router, *m_queue, intake);
    wireHealth(*m_health, m_queue.get(), intake);
    return true;
}

void Gateway::stopPayments()
{
    m_health->remove(u"queues"_s, u"payments"_s);
    m_health->remove(u"payments"_s, u"webhooks"_s);
    // Intake first (it commits and answers what it holds), then the queue lets running
    // tasks finish (bounded wait: shutdown only), then billing's own pool.
    if (auto *intake = findChild<WebhookIntake *>(kIntakeName, Qt::FindDirectChildrenOnly)) {
        intake->stop();
        delete intake;
    }
    if (m_queue)
        m_queue->stop(10000);
    if (m_billing)
        m_billing->shutdown();
    m_queue.reset();
    m_billing.reset();
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/billing/billing.h"
#include "core/billing/webhookintake.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/queue/queueroutes.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QSqlQuery>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

const auto kIntakeName = u"mouse-webhook-intake"_s;

// TODO(#3): replace with billing->handleStripeEvent once the Ledger engineer's Billing lands in
// main; until then an event is only marked processed, in the task's transaction.
TaskResult placeholderStripeHandler(const Task &task, QSqlDatabase &db)
{
    QSqlQuery mark(db);
    mark.prepare(u"UPDATE stripe_events SET status = 'processed', processed_at = ? "
                 "WHERE event_id = ?"_s);
    mark.addBindValue(QDateTime::currentMSecsSinceEpoch());
    mark.addBindValue(task.reference);
    if (!mark.exec())
        return TaskResult::retry(u"the event could not be marked"_s);
    if (mark.numRowsAffected() != 1)
        return TaskResult::fail(u"the event is not stored"_s);
    return TaskResult::done();
}

} // namespace

bool Gateway::startPayments(QString *error)
{
    m_queue = std::make_unique<TaskQueue>(*m_database,
                                          TaskQueue::Options::fromSettings(m_settings),
                                          m_eventLog.get(),
                                          m_metrics.get());
    m_queue->registerHandler(u"stripe.event"_s, placeholderStripeHandler, TaskPool::Payments);
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
        m_eventLog->warning(u"payments"_s,
                            u"No Stripe webhook secret is set: POST /webhooks/stripe answers 503 "
                            "until STRIPE_WEBHOOK_SECRET is configured"_s);

    Http::RouteOptions webhook;
    webhook.maxBodyBytes = 1 << 20;
    webhook.summary = u"Stripe webhook (authenticated by its Stripe-Signature)"_s;
    webhook.tags = {u"payments"_s};
    m_router->post(
            u"/webhooks/stripe"_s,
            Http::Access::Public,
            [intake](const Http::Request &request, const Http::Responder &responder) {
                intake->handle(request, responder);
            },
            webhook);
    registerQueueRoutes(*m_router, *m_queue, intake);

    TaskQueue *queue = m_queue.get();
    m_health->add(u"queues"_s, u"payments"_s, [queue] {
        QJsonObject section = queue->metricsSnapshot().toJson();
        const qint64 backlog = queue->backlog();
        section.insert(u"backlog"_s, backlog);
        section.insert(u"max_backlog"_s, queue->maxBacklog());
        if (queue->isPaused() || backlog >= queue->maxBacklog())
            section.insert(u"degraded"_s, true);
        return section;
    });
    m_health->add(u"payments"_s, u"webhooks"_s, [intake] { return intake->snapshot(); });
    return true;
}

void Gateway::stopPayments()
{
    m_health->remove(u"queues"_s, u"payments"_s);
    m_health->remove(u"payments"_s, u"webhooks"_s);
    // Intake first (it commits and answers what it holds), then the queue lets running
    // tasks finish (bounded wait: shutdown only).
    if (auto *intake = findChild<WebhookIntake *>(kIntakeName, Qt::FindDirectChildrenOnly)) {
        intake->stop();
        delete intake;
    }
    if (m_queue)
        m_queue->stop(10000);
    m_billing.reset();
    m_queue.reset();
}

} // namespace Mouse

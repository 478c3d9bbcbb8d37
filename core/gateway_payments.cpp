// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/billing/billing.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/metrics/metrics.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

namespace Mouse {

namespace {

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

} // namespace

bool Gateway::startPayments(QString *)
{
    m_billing
            = std::make_unique<Billing>(*m_database, m_settings, m_eventLog.get(), m_metrics.get());
    wireBilling(*m_billing, *m_router, m_queue.get());
    return true;
}

void Gateway::stopPayments()
{
    if (m_billing)
        m_billing->shutdown();
}

} // namespace Mouse

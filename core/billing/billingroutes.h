// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/httptypes.h"

#include <QSqlDatabase>

#include <functional>
#include <optional>

namespace Mouse {

class Billing;
namespace Http {
class Router;
} // namespace Http

// The token routes of Billing. Handlers validate on the main thread, run their database work on
// the billing pool and answer through the Responder on the main thread.
class BillingRoutes final
{
    Q_DISABLE_COPY_MOVE(BillingRoutes)

public:
    explicit BillingRoutes(Billing &billing);

    void registerRoutes(Http::Router &router);

private:
    using Work = std::function<Http::Reply(QSqlDatabase &db, const QString &requestId)>;
    void runOnPool(const Http::Responder &responder, Work work);

    void packages(const Http::Request &request, const Http::Responder &responder);
    void balance(const Http::Request &request, const Http::Responder &responder);
    void transactions(const Http::Request &request, const Http::Responder &responder);
    void orders(const Http::Request &request, const Http::Responder &responder);
    void use(const Http::Request &request, const Http::Responder &responder);
    void credit(const Http::Request &request, const Http::Responder &responder);
    void purchase(const Http::Request &request, const Http::Responder &responder);
    void history(const Http::Request &request, const Http::Responder &responder);
    void overview(const Http::Request &request, const Http::Responder &responder);

    Billing &m_billing;
};

} // namespace Mouse

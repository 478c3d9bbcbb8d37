// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/billing/packages.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace Mouse {

struct CheckoutRequest
{
    QString customerId;
    QString customerEmail;    // prefilled on the Checkout page when there is no Stripe customer
    QString stripeCustomerId; // cus_..., when known
    TokenPackage package;
    QString orderId;
    QString successUrl;
    QString cancelUrl;
    QString idempotencyKey; // the same key makes Stripe answer a retried create with one session
};

struct CheckoutResult
{
    enum class Status { Ok, NotConfigured, Rejected, Unavailable, BadResponse };
    Status status = Status::BadResponse;
    QString sessionId;
    QUrl url;
    int httpStatus = 0; // Stripe's answer, when there was one
    QString stripeCode; // error.code from Stripe (e.g. "url_invalid"), safe to show
    QString requestId;  // Stripe's Request-Id, for support
};

struct StripeCustomerResult
{
    bool ok = false;
    QString id; // cus_...
    int httpStatus = 0;
};

// Creates Customers and Checkout Sessions through Stripe's REST API (POST {api_url}/v1/...,
// form-encoded, Bearer secret key, Idempotency-Key). Lives on the main thread; the callbacks
// run there too. The secret key is never logged.
class StripeClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StripeClient)

public:
    StripeClient(QUrl apiUrl, QString secretKey, QObject *parent = nullptr);
    ~StripeClient() override;

    bool isConfigured() const { return !m_secretKey.isEmpty(); }
    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }

    using Callback = std::function<void(const CheckoutResult &result)>;
    void createCheckoutSession(const CheckoutRequest &request, Callback done);

    // The Stripe Customer of a gateway customer (POST /v1/customers, email and
    // metadata[customer_id]). Keyed "mouse-customer-<id>", so a retry within Stripe's 24 h
    // idempotency window answers the same Customer.
    using CustomerCallback = std::function<void(const StripeCustomerResult &result)>;
    void createCustomer(const QString &customerId, const QString &email, CustomerCallback done);

    // Checkout Sessions created at or after `createdSince` (unix seconds), newest first:
    // GET /v1/checkout/sessions?limit=100&created[gte]=..., following has_more up to
    // `maxPages` pages. ok is false when Stripe could not be read (nothing partial is given);
    // more is true when Stripe still had older sessions after the last page read.
    using SessionsCallback
            = std::function<void(bool ok, const QList<QJsonObject> &sessions, bool more)>;
    void listCheckoutSessions(qint64 createdSince, int maxPages, SessionsCallback done);

    // The form body sent to Stripe (public for tests).
    static QByteArray checkoutForm(const CheckoutRequest &request);

    // The largest answer read from Stripe: a page of 100 sessions is a few hundred KiB.
    static constexpr qint64 MaxResponseBytes = 8 * 1024 * 1024;

private:
    QNetworkRequest request(const QString &path, const QString &idempotencyKey) const;
    // Aborts `reply` at the timeout (however much it trickled) or past MaxResponseBytes.
    QNetworkReply *bounded(QNetworkReply *reply) const;
    static bool wasCutOff(const QNetworkReply *reply);
    static constexpr char CutOffProperty[] = "mouseCutOff";
    void listPage(qint64 createdSince,
                  int pagesLeft,
                  QList<QJsonObject> sessions,
                  const QString &startingAfter,
                  SessionsCallback done);

    QUrl m_apiUrl;
    QString m_secretKey;
    int m_timeoutMs = 20000;
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace Mouse

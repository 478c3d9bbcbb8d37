// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripeclient.h"

#include "core/logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPair>
#include <QTimer>
#include <QUrlQuery>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

using Field = QPair<QString, QString>;

QByteArray encode(const QList<Field> &fields)
{
    QByteArray body;
    for (const Field &field : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(field.first) + '=' + QUrl::toPercentEncoding(field.second);
    }
    return body;
}

} // namespace

StripeClient::StripeClient(QUrl apiUrl, QString secretKey, QObject *parent)
    : QObject(parent)
    , m_apiUrl(std::move(apiUrl))
    , m_secretKey(std::move(secretKey))
    , m_network(new QNetworkAccessManager(this))
{}

StripeClient::~StripeClient() = default;

QByteArray StripeClient::checkoutForm(const CheckoutRequest &request)
{
    const TokenPackage &package = request.package;
    const QString tokens = QString::number(package.tokenAmount);
    QList<Field> fields{
            {u"mode"_s, u"payment"_s},
            {u"success_url"_s, request.successUrl},
            {u"cancel_url"_s, request.cancelUrl},
            {u"client_reference_id"_s, request.customerId},
            {u"line_items[0][quantity]"_s, u"1"_s},
            {u"line_items[0][price_data][currency]"_s, u"usd"_s},
            {u"line_items[0][price_data][unit_amount]"_s, QString::number(package.priceCents)},
            {u"line_items[0][price_data][product_data][name]"_s,
             u"%1 token package"_s.arg(package.name)},
            {u"line_items[0][price_data][product_data][description]"_s,
             u"%1 tokens - %2"_s.arg(tokens, package.description)},
    };
    // The same metadata on the session and its PaymentIntent: the webhook handlers match
    // customers and validate the token amount from it, even for sessions the gateway lost.
    const QList<Field> metadata{{u"customer_id"_s, request.customerId},
                                {u"package_slug"_s, package.slug},
                                {u"token_amount"_s, tokens},
                                {u"order_id"_s, request.orderId}};
    for (const Field &entry : metadata) {
        fields.append({u"metadata[%1]"_s.arg(entry.first), entry.second});
        fields.append({u"payment_intent_data[metadata][%1]"_s.arg(entry.first), entry.second});
    }
    if (!request.stripeCustomerId.isEmpty())
        fields.append({u"customer"_s, request.stripeCustomerId});
    else if (!request.customerEmail.isEmpty())
        fields.append({u"customer_email"_s, request.customerEmail});
    return encode(fields);
}

QNetworkRequest StripeClient::request(const QString &path, const QString &idempotencyKey) const
{
    QUrl url = m_apiUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    QNetworkRequest http(url);
    http.setHeader(QNetworkRequest::ContentTypeHeader,
                   QByteArrayLiteral("application/x-www-form-urlencoded"));
    http.setRawHeader("Authorization", "Bearer " + m_secretKey.toUtf8());
    if (!idempotencyKey.isEmpty())
        http.setRawHeader("Idempotency-Key", idempotencyKey.toUtf8());
    // Stripe's API never redirects; following one would send the secret key and the form to
    // whatever host the Location names (Qt's default policy follows https to any host).
    http.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                      QNetworkRequest::ManualRedirectPolicy);
    http.setTransferTimeout(m_timeoutMs);
    return http;
}

// The transfer timeout only notices silence: a peer that trickles a byte now and then would
// hold the call (a purchase, a reconciliation run) forever, and one that sends without end
// would be buffered whole. A deadline for the whole call and a size limit bound both.
QNetworkReply *StripeClient::bounded(QNetworkReply *reply) const
{
    QTimer::singleShot(m_timeoutMs, reply, [reply] {
        if (reply->isRunning()) {
            reply->setProperty(CutOffProperty, true);
            reply->abort();
        }
    });
    // The last chunk may arrive with the reply already finished: marked all the same.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received <= MaxResponseBytes)
            return;
        reply->setProperty(CutOffProperty, true);
        if (reply->isRunning())
            reply->abort();
    });
    return reply;
}

bool StripeClient::wasCutOff(const QNetworkReply *reply)
{
    return reply->property(CutOffProperty).toBool() || reply->bytesAvailable() > MaxResponseBytes;
}

void StripeClient::createCustomer(const QString &customerId,
                                  const QString &email,
                                  CustomerCallback done)
{
    if (!isConfigured()) {
        done({});
        return;
    }
    QList<Field> fields{{u"metadata[customer_id]"_s, customerId}};
    if (!email.isEmpty())
        fields.append({u"email"_s, email});
    QNetworkReply *reply = bounded(m_network->post(
            request(u"/v1/customers"_s, u"mouse-customer-"_s + customerId), encode(fields)));
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        StripeCustomerResult result;
        result.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        result.id = body.value(u"id"_s).toString();
        result.ok = result.httpStatus >= 200 && result.httpStatus < 300 && !wasCutOff(reply)
                    && result.id.startsWith(u"cus_") && result.id.size() <= 255;
        if (!result.ok) {
            qCWarning(lcBilling) << "Stripe did not create the Customer:" << result.httpStatus
                                 << "request" << reply->rawHeader("Request-Id");
            result.id.clear();
        }
        done(result);
    });
}

void StripeClient::listCheckoutSessions(qint64 createdSince, int maxPages, SessionsCallback done)
{
    if (!isConfigured()) {
        done(false, {}, false);
        return;
    }
    listPage(createdSince, qMax(1, maxPages), {}, {}, std::move(done));
}

void StripeClient::listPage(qint64 createdSince,
                            int pagesLeft,
                            QList<QJsonObject> sessions,
                            const QString &startingAfter,
                            SessionsCallback done)
{
    QNetworkRequest http = request(u"/v1/checkout/sessions"_s, {});
    QUrl url = http.url();
    QUrlQuery query;
    query.addQueryItem(u"limit"_s, u"100"_s);
    query.addQueryItem(u"created[gte]"_s, QString::number(createdSince));
    if (!startingAfter.isEmpty())
        query.addQueryItem(u"starting_after"_s, startingAfter);
    url.setQuery(query);
    http.setUrl(url);
    QNetworkReply *reply = bounded(m_network->get(http));
    connect(reply,
            &QNetworkReply::finished,
            this,
            [this, reply, createdSince, pagesLeft, sessions, done = std::move(done)]() mutable {
                reply->deleteLater();
                const int status
                        = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
                const QJsonValue data = body.value(u"data"_s);
                if (status != 200 || wasCutOff(reply) || !data.isArray()) {
                    qCWarning(lcBilling) << "Stripe did not list Checkout Sessions:" << status
                                         << "request" << reply->rawHeader("Request-Id");
                    done(false, {}, false);
                    return;
                }
                for (const QJsonValue &session : data.toArray())
                    sessions.append(session.toObject());
                const QString last = sessions.isEmpty() ? QString()
                                                        : sessions.last().value(u"id"_s).toString();
                const bool more = body.value(u"has_more"_s).toBool() && !last.isEmpty();
                if (more && pagesLeft > 1) {
                    listPage(createdSince, pagesLeft - 1, sessions, last, std::move(done));
                    return;
                }
                done(true, sessions, more);
            });
}

void StripeClient::createCheckoutSession(const CheckoutRequest &request, Callback done)
{
    if (!isConfigured()) {
        CheckoutResult result;
        result.status = CheckoutResult::Status::NotConfigured;
        done(result);
        return;
    }
    QNetworkReply *reply = bounded(
            m_network->post(this->request(u"/v1/checkout/sessions"_s, request.idempotencyKey),
                            checkoutForm(request)));
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        CheckoutResult result;
        result.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.requestId = QString::fromUtf8(reply->rawHeader("Request-Id"));
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        if (result.httpStatus == 0 || wasCutOff(reply)) {
            qCWarning(lcBilling) << "Stripe unreachable:" << reply->errorString();
            result.httpStatus = 0;
            result.status = CheckoutResult::Status::Unavailable;
        } else if (result.httpStatus >= 200 && result.httpStatus < 300) {
            result.sessionId = body.value(u"id"_s).toString();
            result.url = QUrl(body.value(u"url"_s).toString());
            // The URL goes to the customer's browser as is: only an https page, never a
            // javascript: or data: URL from a broken or impersonated Stripe.
            const bool valid = result.sessionId.startsWith(u"cs_") && result.url.isValid()
                               && result.url.scheme() == u"https" && !result.url.host().isEmpty();
            result.status
                    = valid ? CheckoutResult::Status::Ok : CheckoutResult::Status::BadResponse;
        } else {
            result.stripeCode
                    = body.value(u"error"_s).toObject().value(u"code"_s).toString().left(64);
            result.status = result.httpStatus >= 500 || result.httpStatus == 429
                                    ? CheckoutResult::Status::Unavailable
                                    : CheckoutResult::Status::Rejected;
            qCWarning(lcBilling) << "Stripe refused the Checkout Session with" << result.httpStatus
                                 << result.stripeCode << "request" << result.requestId;
        }
        done(result);
    });
}

} // namespace Mouse

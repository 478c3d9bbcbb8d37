// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/billingroutes.h"

#include "core/billing/billing.h"
#include "core/billing/packages.h"
#include "core/billing/sqlhelpers.h"
#include "core/billing/stripeclient.h"
#include "core/http/jsonbody.h"
#include "core/http/router.h"
#include "core/log/plural.h"
#include "core/logging.h"
#include "core/storage/database.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <QtConcurrent>
#include <algorithm>
#include <cstdlib>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

using BillingSql::exec;
using Http::Access;
using Http::ApiError;
using Http::ErrorKind;
using Http::Reply;
using Http::Request;
using Http::Responder;

namespace {

constexpr int MaxPageSize = 200;
constexpr int MaxOffset = 1000000;
constexpr int MaxDescription = 500;
constexpr int MaxReference = 200;
constexpr int MaxUrl = 2048;

ApiError apiError(ErrorKind kind,
                  const QString &code,
                  const QString &message,
                  const QJsonObject &details = {})
{
    return {kind, code, message, details, -1};
}

// A store that is locked, full or read-only is not the gateway's bug: 503 with Retry-After,
// as the webhook intake answers, so that clients retry instead of giving up on a 500. Told
// apart by the driver's code (StorageError::unavailable), never by its text.
Reply internalError(const QString &requestId, const StorageError &what)
{
    qCWarning(lcBilling) << "request" << requestId << "failed:" << what.text;
    return Reply::error(
            ApiError::storageFailure(what.unavailable,
                                     u"The ledger cannot be written now; retry later."_s),
            requestId);
}

Reply customerNotFound(const QString &requestId)
{
    return Reply::error(ApiError::notFound(u"customer_not_found"_s, u"No such customer."_s),
                        requestId);
}

std::optional<QJsonObject> jsonBody(const Request &request)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

// The body of use and credit: a JSON object with a positive, bounded "amount", written as a
// JSON integer (Http::integerField). On failure the responder has answered and nothing is
// returned.
std::optional<QJsonObject>
amountBody(const Request &request, const Responder &responder, std::optional<qint64> *amount)
{
    std::optional<QJsonObject> body = jsonBody(request);
    if (!body) {
        responder.fail(
                ApiError::badRequest(u"invalid_json"_s, u"The body must be a JSON object."_s));
        return std::nullopt;
    }
    ApiError error;
    *amount = Http::integerField(
            request.body, u"amount"_s, 1, Billing::MaxTokenAmount, u"invalid_amount"_s, &error);
    if (!*amount) {
        responder.fail(error);
        return std::nullopt;
    }
    return body;
}

bool optionalString(const QJsonObject &body, const QString &key, int maxLength, QString *out)
{
    const QJsonValue value = body.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isString() || value.toString().size() > maxLength)
        return false;
    *out = value.toString().trimmed();
    return true;
}

bool isWebUrl(const QString &text)
{
    // Tolerant parsing: Stripe's {CHECKOUT_SESSION_ID} template is not strictly valid.
    const bool printable = std::all_of(text.begin(), text.end(), [](QChar c) {
        return c.unicode() > 0x20 && c.unicode() != 0x7f;
    });
    const QUrl url(text);
    return printable && text.size() <= MaxUrl && url.isValid() && !url.host().isEmpty()
           && (url.scheme() == u"https" || url.scheme() == u"http");
}

// Kept only when the customer has none yet: a concurrent purchase got the same Customer from
// Stripe (one idempotency key per customer), and the webhook handlers may have linked one.
void storeStripeCustomer(Database *database,
                         QThreadPool *pool,
                         const QString &customerId,
                         const QString &stripeId)
{
    // Fire and forget: the checkout does not wait for this write.
    pool->start([database, customerId, stripeId] {
        QSqlDatabase db = database->connection();
        QSqlQuery query(db);
        StorageError error;
        if (!exec(query,
                  u"UPDATE customers SET stripe_customer_id = ? WHERE id = ? AND "
                  "(stripe_customer_id IS NULL OR stripe_customer_id = '')"_s,
                  {stripeId, customerId},
                  &error))
            qCWarning(lcBilling) << "Stripe Customer of" << customerId
                                 << "not stored:" << error.text;
    });
}

bool customerExists(QSqlDatabase &db, const QString &id, StorageError *error)
{
    QSqlQuery query(db);
    return exec(query, u"SELECT 1 FROM customers WHERE id = ?"_s, {id}, error) && query.next();
}

QJsonObject pageJson(const LedgerPage &page, int limit, int offset, qint64 cursor, qint64 total)
{
    QJsonArray rows;
    for (const LedgerEntry &entry : page.entries)
        rows.append(entry.toJson());
    QJsonObject pagination{{u"limit"_s, limit},
                           {u"offset"_s, offset},
                           {u"returned"_s, rows.size()},
                           {u"total"_s, total},
                           {u"has_more"_s, page.hasMore}};
    pagination.insert(u"cursor"_s, cursor > 0 ? QJsonValue(QString::number(cursor)) : QJsonValue());
    pagination.insert(u"next_cursor"_s,
                      page.hasMore ? QJsonValue(QString::number(page.nextCursor)) : QJsonValue());
    return {{u"transactions"_s, rows}, {u"pagination"_s, pagination}};
}

struct PageParams
{
    int limit = 50;
    int offset = 0;
    qint64 cursor = 0;
};

std::optional<PageParams> pageParams(const Request &request, const Responder &responder)
{
    QString bad;
    PageParams params;
    params.limit = int(request.integerQuery(u"limit"_s, 50, 1, MaxPageSize, &bad));
    params.offset = int(request.integerQuery(u"offset"_s, 0, 0, MaxOffset, &bad));
    params.cursor
            = request.integerQuery(u"cursor"_s, 0, 1, std::numeric_limits<qint64>::max(), &bad);
    if (!bad.isEmpty()) {
        responder.fail(ApiError::badRequest(u"invalid_pagination"_s, bad));
        return std::nullopt;
    }
    return params;
}

// Client references are namespaced by customer, so one customer can neither collide with
// another's nor with the gateway's own references (Stripe sessions, refunds).
void clientReference(const QString &scope,
                     const QString &customerId,
                     const QString &type,
                     const QString &id,
                     LedgerPosting *posting)
{
    if (id.isEmpty())
        return;
    posting->referenceType = scope;
    posting->referenceId = u"%1/%2/%3"_s.arg(customerId, type.isEmpty() ? u"default"_s : type, id);
    posting->metadata.insert(u"client_reference_type"_s, type);
    posting->metadata.insert(u"client_reference_id"_s, id);
}

// A client reference names one operation: repeating it must ask for the same thing, or it is
// a client bug that "duplicate" with the first amount would hide.
bool sameOperation(const LedgerEntry &existing, const LedgerPosting &posting)
{
    return std::abs(existing.amount) == posting.amount && existing.type == posting.type;
}

Reply idempotencyConflict(const LedgerEntry &existing, const QString &requestId)
{
    return Reply::error(
            apiError(ErrorKind::Conflict,
                     u"idempotency_conflict"_s,
                     u"This reference_id was already used for another operation "
                     "(%1, %2)."_s.arg(counted(std::abs(existing.amount), u"token", u"tokens"),
                                       existing.type),
                     {{u"transaction_id"_s, existing.id},
                      {u"amount"_s, std::abs(existing.amount)},
                      {u"transaction_type"_s, existing.type}}),
            requestId);
}

// Claims a client's Idempotency-Key for this request (its order id and what it asks for), and
// says whether the key was claimed by, or its order made for, another request. The claim is
// one INSERT on a primary key, so of two requests racing under one key only the first passes.
// Orders made before purchase_keys existed compare by package and amount.
bool keyTakenOtherwise(QSqlDatabase &db,
                       const CheckoutRequest &checkout,
                       const QString &requestHash,
                       qint64 now,
                       StorageError *error)
{
    QSqlQuery query(db);
    if (!exec(query,
              u"INSERT INTO purchase_keys (order_id, customer_id, request_hash, created_at) "
              "VALUES (?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING"_s,
              {checkout.orderId, checkout.customerId, requestHash, now},
              error)
        || !exec(query,
                 u"SELECT request_hash FROM purchase_keys WHERE order_id = ?"_s,
                 {checkout.orderId},
                 error))
        return false;
    if (query.next() && query.value(0).toString() != requestHash)
        return true;
    if (!exec(query,
              u"SELECT package_slug, token_amount, price_cents FROM token_orders WHERE id = ?"_s,
              {checkout.orderId},
              error)
        || !query.next())
        return false;
    return query.value(0).toString() != checkout.package.slug
           || query.value(1).toLongLong() != checkout.package.tokenAmount
           || query.value(2).toLongLong() != checkout.package.priceCents;
}

ApiError idempotencyKeyReused()
{
    return apiError(ErrorKind::Conflict,
                    u"idempotency_key_reused"_s,
                    u"This Idempotency-Key was already used for a purchase with another package, "
                    "amount or URLs; use a new key for a new purchase."_s);
}

struct OrderRows
{
    QJsonArray orders;
    QJsonObject summary;
};

std::optional<OrderRows>
loadOrders(QSqlDatabase &db, const QString &customerId, int limit, int offset, StorageError *error)
{
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT id, package_slug, token_amount, price_cents, currency, "
              "stripe_checkout_session_id, stripe_payment_intent_id, status, tokens_credited, "
              "tokens_revoked, amount_paid_cents, amount_refunded_cents, created_at, updated_at, "
              "completed_at FROM token_orders WHERE customer_id = ? "
              "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"_s,
              {customerId, limit, offset},
              error))
        return std::nullopt;
    const auto iso = [](const QVariant &ms) -> QJsonValue {
        if (ms.isNull())
            return QJsonValue();
        return QDateTime::fromMSecsSinceEpoch(ms.toLongLong(), Qt::UTC).toString(Qt::ISODateWithMs);
    };
    OrderRows rows;
    while (query.next()) {
        rows.orders.append(QJsonObject{{u"id"_s, query.value(0).toString()},
                                       {u"package_slug"_s, query.value(1).toString()},
                                       {u"token_amount"_s, query.value(2).toLongLong()},
                                       {u"price_cents"_s, query.value(3).toLongLong()},
                                       {u"currency"_s, query.value(4).toString()},
                                       {u"stripe_checkout_session_id"_s, query.value(5).toString()},
                                       {u"stripe_payment_intent_id"_s, query.value(6).toString()},
                                       {u"status"_s, query.value(7).toString()},
                                       {u"tokens_credited"_s, query.value(8).toLongLong()},
                                       {u"tokens_revoked"_s, query.value(9).toLongLong()},
                                       {u"amount_paid_cents"_s, query.value(10).toLongLong()},
                                       {u"amount_refunded_cents"_s, query.value(11).toLongLong()},
                                       {u"created_at"_s, iso(query.value(12))},
                                       {u"updated_at"_s, iso(query.value(13))},
                                       {u"completed_at"_s, iso(query.value(14))}});
    }
    if (!exec(query,
              u"SELECT COUNT(*), "
              "COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0), "
              "COALESCE(SUM(CASE WHEN status IN ('completed', 'refunded') "
              "THEN COALESCE(amount_paid_cents, price_cents) ELSE 0 END), 0), "
              "COALESCE(SUM(tokens_credited), 0), COALESCE(SUM(tokens_revoked), 0), "
              "COALESCE(SUM(amount_refunded_cents), 0) "
              "FROM token_orders WHERE customer_id = ?"_s,
              {customerId},
              error)
        || !query.next())
        return std::nullopt;
    rows.summary = {{u"total_orders"_s, query.value(0).toLongLong()},
                    {u"completed_orders"_s, query.value(1).toLongLong()},
                    {u"total_spent_cents"_s, query.value(2).toLongLong()},
                    {u"total_tokens_purchased"_s, query.value(3).toLongLong()},
                    {u"total_tokens_revoked"_s, query.value(4).toLongLong()},
                    {u"total_refunded_cents"_s, query.value(5).toLongLong()}};
    return rows;
}

} // namespace

BillingRoutes::BillingRoutes(Billing &billing)
    : m_billing(billing)
{}

void BillingRoutes::registerRoutes(Http::Router &router)
{
    using namespace std::placeholders;
    const auto bind = [this](void (BillingRoutes::*method)(const Request &, const Responder &)) {
        return [this, method](const Request &request, const Responder &responder) {
            (this->*method)(request, responder);
        };
    };
    const QStringList tags{u"tokens"_s};
    const QString customer = u"/api/v1/customers/{customer}/tokens"_s;
    using Http::BodyField;
    const BodyField amount = BodyField::integer(u"amount"_s, 1, Billing::MaxTokenAmount)
                                     .isRequired()
                                     .described(u"Tokens, a JSON integer (not 1e3 or 1000.0)"_s);
    const BodyField referenceType = BodyField::text(u"reference_type"_s, 0, MaxReference);
    const BodyField referenceId
            = BodyField::text(u"reference_id"_s, 0, MaxReference)
                      .described(u"With reference_type: repeating it does not count twice"_s);
    QStringList slugs;
    for (const TokenPackage &p : TokenPackages::purchasable())
        slugs.append(p.slug);
    const Http::BodySchema useBody{{amount,
                                    BodyField::text(u"description"_s, 0, MaxDescription),
                                    referenceType,
                                    referenceId}};
    const Http::BodySchema creditBody{
            {amount,
             BodyField::text(u"description"_s, 1, MaxDescription).isRequired(),
             BodyField::text(u"transaction_type"_s, 0, 32).oneOf({u"adjustment"_s, u"bonus"_s}),
             referenceType,
             referenceId}};
    const Http::BodySchema purchaseBody{
            {BodyField::text(u"package_slug"_s, 1, 64).oneOf(slugs).isRequired(),
             BodyField::text(u"success_url"_s, 1, MaxUrl).isRequired().described(u"http(s)"_s),
             BodyField::text(u"cancel_url"_s, 1, MaxUrl).isRequired().described(u"http(s)"_s)}};
    router.get(u"/api/v1/token-packages"_s,
               Access::Public,
               bind(&BillingRoutes::packages),
               {-1, u"Token packages for sale"_s, tags});
    router.get(customer,
               Access::Customer,
               bind(&BillingRoutes::balance),
               {-1, u"Token balance, debt and recent transactions"_s, tags});
    router.get(customer + u"/transactions"_s,
               Access::Customer,
               bind(&BillingRoutes::transactions),
               {-1, u"Token transactions, paginated (limit, offset, cursor)"_s, tags});
    router.get(customer + u"/orders"_s,
               Access::Customer,
               bind(&BillingRoutes::orders),
               {-1, u"Token orders"_s, tags});
    router.post(customer + u"/use"_s,
                Access::Customer,
                bind(&BillingRoutes::use),
                {16384, u"Spend tokens (402 when the balance is short)"_s, tags, useBody});
    router.post(customer + u"/credit"_s,
                Access::Admin,
                bind(&BillingRoutes::credit),
                {16384, u"Credit tokens by hand (admin)"_s, tags, creditBody});
    router.post(customer + u"/purchase"_s,
                Access::Customer,
                bind(&BillingRoutes::purchase),
                {16384, u"Buy a token package through Stripe Checkout"_s, tags, purchaseBody});
    router.get(u"/admin/customers/{customer}/token-history"_s,
               Access::Admin,
               bind(&BillingRoutes::history),
               {-1, u"A customer's whole token history"_s, tags});
    router.get(u"/admin/tokens/overview"_s,
               Access::Admin,
               bind(&BillingRoutes::overview),
               {-1, u"Ledger totals over all customers"_s, tags});
}

void BillingRoutes::runOnPool(const Responder &responder, Work work)
{
    Database *database = &m_billing.m_database;
    const QString requestId = responder.requestId();
    QtConcurrent::run(&m_billing.m_pool, [database, requestId, work = std::move(work)] {
        QSqlDatabase db = database->connection();
        if (!db.isOpen())
            return internalError(requestId, database->storageError(db.lastError()));
        return work(db, requestId);
    }).then(&m_billing, [responder, billing = &m_billing](const Reply &reply) {
        if (reply.status >= 200 && reply.status < 300)
            billing->scheduleSummaryRefresh();
        else if (reply.status == 503)
            billing->noteStorageUnavailable();
        responder.send(reply);
    });
}

void BillingRoutes::packages(const Request &, const Responder &responder)
{
    QJsonArray packages;
    for (const TokenPackage &package : TokenPackages::purchasable())
        packages.append(package.toJson());
    responder.sendJson({{u"packages"_s, packages}});
}

void BillingRoutes::balance(const Request &request, const Responder &responder)
{
    const QString customerId = request.param(u"customer"_s);
    const Ledger *ledger = &m_billing.ledger();
    runOnPool(responder, [customerId, ledger](QSqlDatabase &db, const QString &requestId) {
        StorageError error;
        if (!customerExists(db, customerId, &error))
            return error.isEmpty() ? customerNotFound(requestId) : internalError(requestId, error);
        const auto balance = ledger->balance(db, customerId, &error);
        const auto recent = ledger->entries(db, customerId, 10, 0, 0, &error);
        if (!balance || !recent)
            return internalError(requestId, error);
        QJsonObject json = balance->toJson();
        QJsonArray rows;
        for (const LedgerEntry &entry : recent->entries)
            rows.append(entry.toJson());
        json.insert(u"is_low_balance"_s, balance->balance < Billing::LowBalanceThreshold);
        json.insert(u"low_balance_threshold"_s, Billing::LowBalanceThreshold);
        json.insert(u"has_debt"_s, balance->debt > 0);
        json.insert(u"recent_transactions"_s, rows);
        return Reply::json(json);
    });
}

void BillingRoutes::transactions(const Request &request, const Responder &responder)
{
    const std::optional<PageParams> params = pageParams(request, responder);
    if (!params)
        return;
    const QString customerId = request.param(u"customer"_s);
    const Ledger *ledger = &m_billing.ledger();
    const PageParams p = *params;
    runOnPool(responder, [customerId, ledger, p](QSqlDatabase &db, const QString &requestId) {
        StorageError error;
        if (!customerExists(db, customerId, &error))
            return error.isEmpty() ? customerNotFound(requestId) : internalError(requestId, error);
        const auto page = ledger->entries(db, customerId, p.limit, p.cursor, p.offset, &error);
        const auto stats = ledger->stats(db, customerId, &error);
        if (!page || !stats)
            return internalError(requestId, error);
        QJsonObject json = pageJson(*page, p.limit, p.offset, p.cursor, stats->count);
        json.insert(u"customer_id"_s, customerId);
        json.insert(u"stats"_s, stats->toJson());
        return Reply::json(json);
    });
}

void BillingRoutes::orders(const Request &request, const Responder &responder)
{
    const std::optional<PageParams> params = pageParams(request, responder);
    if (!params)
        return;
    const QString customerId = request.param(u"customer"_s);
    const PageParams p = *params;
    runOnPool(responder, [customerId, p](QSqlDatabase &db, const QString &requestId) {
        StorageError error;
        if (!customerExists(db, customerId, &error))
            return error.isEmpty() ? customerNotFound(requestId) : internalError(requestId, error);
        const auto rows = loadOrders(db, customerId, p.limit, p.offset, &error);
        if (!rows)
            return internalError(requestId, error);
        return Reply::json(
                QJsonObject{{u"customer_id"_s, customerId},
                            {u"orders"_s, rows->orders},
                            {u"summary"_s, rows->summary},
                            {u"pagination"_s,
                             QJsonObject{{u"limit"_s, p.limit},
                                         {u"offset"_s, p.offset},
                                         {u"total"_s, rows->summary.value(u"total_orders"_s)}}}});
    });
}

void BillingRoutes::use(const Request &request, const Responder &responder)
{
    std::optional<qint64> amount;
    const std::optional<QJsonObject> body = amountBody(request, responder, &amount);
    if (!body)
        return;
    // The fleet routes' checks: no member the route does not read, and no control characters
    // (a NUL or an escape sequence in a description reaches the ledger, exports and logs).
    ApiError invalid;
    const QStringList allowed{
            u"amount"_s, u"description"_s, u"reference_type"_s, u"reference_id"_s};
    if (!Http::onlyAllowedMembers(*body, allowed, &invalid)) {
        responder.fail(invalid);
        return;
    }
    const std::optional<QString> description
            = Http::textMember(*body, u"description"_s, 0, MaxDescription, &invalid);
    const std::optional<QString> referenceType
            = description ? Http::textMember(*body, u"reference_type"_s, 0, MaxReference, &invalid)
                          : std::nullopt;
    const std::optional<QString> referenceId
            = referenceType ? Http::textMember(*body, u"reference_id"_s, 0, MaxReference, &invalid)
                            : std::nullopt;
    if (!referenceId) {
        responder.fail(invalid);
        return;
    }
    const QString customerId = request.param(u"customer"_s);
    LedgerPosting posting;
    posting.customerId = customerId;
    posting.type = u"usage"_s;
    posting.amount = *amount;
    posting.description = description->isEmpty() ? u"Token usage"_s : *description;
    clientReference(u"client_usage"_s, customerId, *referenceType, *referenceId, &posting);

    const Ledger *ledger = &m_billing.ledger();
    runOnPool(responder, [posting, ledger](QSqlDatabase &db, const QString &requestId) {
        StorageError error;
        if (!customerExists(db, posting.customerId, &error))
            return error.isEmpty() ? customerNotFound(requestId) : internalError(requestId, error);
        BillingSql::Transaction transaction(db);
        if (!transaction.isActive())
            return internalError(requestId, transaction.beginError());
        const LedgerResult result = ledger->use(db, posting);
        if (result.status == LedgerResult::Status::Error)
            return internalError(requestId, result.error);
        if (result.status == LedgerResult::Status::Insufficient) {
            const qint64 current = result.balance.balance;
            return Reply::error(
                    apiError(ErrorKind::PaymentRequired,
                             u"insufficient_tokens"_s,
                             u"Not enough tokens: %1 required, %2 available."_s.arg(posting.amount)
                                     .arg(current),
                             {{u"required"_s, posting.amount},
                              {u"current"_s, current},
                              {u"shortfall"_s, posting.amount - current},
                              {u"debt"_s, result.balance.debt}}),
                    requestId);
        }
        const bool duplicate = result.status == LedgerResult::Status::Duplicate;
        if (duplicate && !sameOperation(result.entry, posting))
            return idempotencyConflict(result.entry, requestId);
        if (!transaction.commit(&error))
            return internalError(requestId, error);
        return Reply::json(QJsonObject{{u"success"_s, true},
                                       {u"duplicate"_s, duplicate},
                                       {u"transaction_id"_s, result.entry.id},
                                       {u"new_balance"_s, result.balance.balance},
                                       {u"amount_used"_s, -result.entry.amount}});
    });
}

void BillingRoutes::credit(const Request &request, const Responder &responder)
{
    std::optional<qint64> amount;
    const std::optional<QJsonObject> body = amountBody(request, responder, &amount);
    if (!body)
        return;
    QString description;
    QString type = u"adjustment"_s;
    QString referenceType;
    QString referenceId;
    if (!optionalString(*body, u"description"_s, MaxDescription, &description)
        || description.isEmpty()) {
        responder.fail(apiError(ErrorKind::Unprocessable,
                                u"invalid_description"_s,
                                u"A description (up to 500 characters) is required."_s));
        return;
    }
    if (!optionalString(*body, u"transaction_type"_s, 32, &type)
        || (type != u"adjustment" && type != u"bonus")
        || !optionalString(*body, u"reference_type"_s, MaxReference, &referenceType)
        || !optionalString(*body, u"reference_id"_s, MaxReference, &referenceId)) {
        responder.fail(apiError(ErrorKind::Unprocessable,
                                u"invalid_field"_s,
                                u"transaction_type must be adjustment or bonus; references must "
                                "be short strings."_s));
        return;
    }
    const QString customerId = request.param(u"customer"_s);
    LedgerPosting posting;
    posting.customerId = customerId;
    posting.type = type;
    posting.amount = *amount;
    posting.description = description;
    posting.metadata.insert(u"by"_s, u"admin"_s);
    clientReference(u"admin_credit"_s, customerId, referenceType, referenceId, &posting);

    const Ledger *ledger = &m_billing.ledger();
    runOnPool(responder, [posting, ledger](QSqlDatabase &db, const QString &requestId) {
        StorageError error;
        if (!customerExists(db, posting.customerId, &error))
            return error.isEmpty() ? customerNotFound(requestId) : internalError(requestId, error);
        BillingSql::Transaction transaction(db);
        if (!transaction.isActive())
            return internalError(requestId, transaction.beginError());
        const LedgerResult result = ledger->credit(db, posting);
        if (result.status == LedgerResult::Status::Duplicate
            && !sameOperation(result.entry, posting))
            return idempotencyConflict(result.entry, requestId);
        if (result.status == LedgerResult::Status::Error || !transaction.commit(&error))
            return internalError(requestId, result.error.isEmpty() ? error : result.error);
        return Reply::json(
                QJsonObject{{u"success"_s, true},
                            {u"duplicate"_s, result.status == LedgerResult::Status::Duplicate},
                            {u"transaction_id"_s, result.entry.id},
                            {u"amount_credited"_s, result.entry.amount},
                            {u"new_balance"_s, result.balance.balance},
                            {u"debt"_s, result.balance.debt}});
    });
}

void BillingRoutes::purchase(const Request &request, const Responder &responder)
{
    StripeClient *stripe = m_billing.stripe();
    if (!stripe->isConfigured()) {
        responder.fail(apiError(ErrorKind::Unavailable,
                                u"payments_not_configured"_s,
                                u"Token purchases are not configured: set STRIPE_SECRET_KEY "
                                "(setting stripe/secret_key) to sell tokens through Stripe."_s));
        return;
    }
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body) {
        responder.fail(
                ApiError::badRequest(u"invalid_json"_s, u"The body must be a JSON object."_s));
        return;
    }
    const QString slug = body->value(u"package_slug"_s).toString();
    const std::optional<TokenPackage> package = TokenPackages::find(slug);
    if (!package) {
        QJsonArray slugs;
        for (const TokenPackage &p : TokenPackages::purchasable())
            slugs.append(p.slug);
        responder.fail(apiError(ErrorKind::Unprocessable,
                                u"unknown_package"_s,
                                u"package_slug must name a package for sale."_s,
                                {{u"packages"_s, slugs}}));
        return;
    }
    const QString successUrl = body->value(u"success_url"_s).toString();
    const QString cancelUrl = body->value(u"cancel_url"_s).toString();
    if (!isWebUrl(successUrl) || !isWebUrl(cancelUrl)) {
        responder.fail(apiError(ErrorKind::Unprocessable,
                                u"invalid_url"_s,
                                u"success_url and cancel_url must be absolute http(s) URLs."_s));
        return;
    }

    // A client's Idempotency-Key makes a retried purchase reuse the same order and session.
    const QString customerId = request.param(u"customer"_s);
    const QByteArray clientKey = request.header("Idempotency-Key");
    QString orderId;
    QString requestHash; // with a client key: what this key asks for, compared on reuse
    if (!clientKey.isEmpty() && clientKey.size() <= 255) {
        const QByteArray digest = QCryptographicHash::hash(
                QByteArray(customerId.toUtf8() + "\n" + clientKey), QCryptographicHash::Sha256);
        orderId = u"ord_"_s + QString::fromLatin1(digest.toHex().left(32));
        // Joined by hand: a URL's %2F would be taken for a QString::arg() marker.
        const QByteArray asked = package->slug.toUtf8() + '\n'
                                 + QByteArray::number(package->priceCents) + '\n'
                                 + successUrl.toUtf8() + '\n' + cancelUrl.toUtf8();
        requestHash = QString::fromLatin1(
                QCryptographicHash::hash(asked, QCryptographicHash::Sha256).toHex());
    } else {
        orderId = u"ord_"_s + QUuid::createUuid().toString(QUuid::Id128);
    }
    CheckoutRequest checkout;
    checkout.customerId = customerId;
    checkout.package = *package;
    checkout.orderId = orderId;
    checkout.successUrl = successUrl;
    checkout.cancelUrl = cancelUrl;
    checkout.idempotencyKey = u"mouse-checkout-"_s + orderId;

    // 1. the customer (worker), 2. Stripe (main thread), 3. the pending order (worker).
    Database *database = &m_billing.m_database;
    QThreadPool *pool = &m_billing.m_pool;
    Billing *billing = &m_billing;
    const Ledger *ledger = &m_billing.ledger();
    struct Customer
    {
        bool found = false;
        StorageError error;
        QString email;
        QString stripeId;
        bool keyReused = false; // the Idempotency-Key was taken by another request
    };
    const qint64 claimedAt = ledger->now();
    QtConcurrent::run(pool, [database, customerId, checkout, requestHash, claimedAt] {
        Customer customer;
        QSqlDatabase db = database->connection();
        QSqlQuery query(db);
        if (exec(query,
                 u"SELECT email, stripe_customer_id FROM customers WHERE id = ?"_s,
                 {customerId},
                 &customer.error)
            && query.next()) {
            customer.found = true;
            customer.email = query.value(0).toString();
            customer.stripeId = query.value(1).toString();
        }
        query.finish(); // no read transaction left open under the key's claim
        if (customer.found && !requestHash.isEmpty())
            customer.keyReused
                    = keyTakenOtherwise(db, checkout, requestHash, claimedAt, &customer.error);
        return customer;
    }).then(billing, [=](const Customer &customer) mutable {
        if (!customer.error.isEmpty()) {
            responder.send(internalError(responder.requestId(), customer.error));
            return;
        }
        if (!customer.found) {
            responder.send(customerNotFound(responder.requestId()));
            return;
        }
        if (customer.keyReused) {
            responder.fail(idempotencyKeyReused());
            return;
        }
        checkout.customerEmail = customer.email;
        checkout.stripeCustomerId = customer.stripeId;
        const auto createSession = [=](const CheckoutRequest &checkout) {
            stripe->createCheckoutSession(checkout, [=](const CheckoutResult &result) {
                if (result.status != CheckoutResult::Status::Ok) {
                    ApiError error = apiError(ErrorKind::BadGateway,
                                              u"stripe_error"_s,
                                              u"Stripe did not create the checkout session."_s);
                    if (result.status == CheckoutResult::Status::Unavailable) {
                        error = apiError(ErrorKind::Unavailable,
                                         u"stripe_unavailable"_s,
                                         u"Stripe is not reachable; try again shortly."_s);
                        error.retryAfterSeconds = 5;
                    }
                    if (!result.stripeCode.isEmpty())
                        error.details.insert(u"stripe_code"_s, result.stripeCode);
                    responder.fail(error);
                    return;
                }
                const qint64 now = ledger->now();
                QtConcurrent::run(pool, [database, checkout, result, now] {
                    QSqlDatabase db = database->connection();
                    QSqlQuery query(db);
                    StorageError error;
                    // A retried purchase finds its order already there.
                    exec(query,
                         u"INSERT INTO token_orders (id, customer_id, "
                         "package_slug, token_amount, price_cents, currency, "
                         "stripe_checkout_session_id, status, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, 'usd', ?, "
                         "'pending', ?, ?) ON CONFLICT DO NOTHING"_s,
                         {checkout.orderId,
                          checkout.customerId,
                          checkout.package.slug,
                          checkout.package.tokenAmount,
                          checkout.package.priceCents,
                          result.sessionId,
                          now,
                          now},
                         &error);
                    return error;
                }).then(billing, [responder, result, checkout](const StorageError &error) {
                    if (!error.isEmpty()) {
                        // The session exists; its completion still credits from the
                        // session's metadata, so the customer can pay safely.
                        qCWarning(lcBilling)
                                << "order" << checkout.orderId << "not stored:" << error.text;
                    }
                    responder.sendJson({{u"success"_s, true},
                                        {u"checkout_url"_s, result.url.toString()},
                                        {u"session_id"_s, result.sessionId},
                                        {u"order_id"_s, checkout.orderId},
                                        {u"package_slug"_s, checkout.package.slug},
                                        {u"token_amount"_s, checkout.package.tokenAmount},
                                        {u"price_cents"_s, checkout.package.priceCents}});
                });
            });
        };
        if (!checkout.stripeCustomerId.isEmpty())
            return createSession(checkout);
        // The first purchase gives the customer its Stripe Customer, kept for later ones: its
        // payments, refunds and invoices then meet under one Customer in Stripe. Without one
        // (Stripe refused), Checkout still works with the e-mail prefilled.
        stripe->createCustomer(
                customerId, customer.email, [=](const StripeCustomerResult &created) mutable {
                    if (created.ok) {
                        checkout.stripeCustomerId = created.id;
                        storeStripeCustomer(database, pool, customerId, created.id);
                    }
                    createSession(checkout);
                });
    });
}

void BillingRoutes::history(const Request &request, const Responder &responder)
{
    const std::optional<PageParams> params = pageParams(request, responder);
    if (!params)
        return;
    const QString customerId = request.param(u"customer"_s);
    const Ledger *ledger = &m_billing.ledger();
    const PageParams p = *params;
    runOnPool(responder, [customerId, ledger, p](QSqlDatabase &db, const QString &requestId) {
        StorageError error;
        if (!customerExists(db, customerId, &error))
            return error.isEmpty() ? customerNotFound(requestId) : internalError(requestId, error);
        const auto balance = ledger->balance(db, customerId, &error);
        const auto page = ledger->entries(db, customerId, p.limit, p.cursor, p.offset, &error);
        const auto stats = ledger->stats(db, customerId, &error);
        const auto orders = loadOrders(db, customerId, MaxPageSize, 0, &error);
        if (!balance || !page || !stats || !orders)
            return internalError(requestId, error);
        QSqlQuery query(db);
        QJsonObject subscription;
        if (exec(query,
                 u"SELECT subscription_id, subscription_status, stripe_customer_id "
                 "FROM customers WHERE id = ?"_s,
                 {customerId},
                 &error)
            && query.next()) {
            subscription = {{u"subscription_id"_s, query.value(0).toString()},
                            {u"status"_s, query.value(1).toString()},
                            {u"stripe_customer_id"_s, query.value(2).toString()}};
        }
        QJsonObject json = pageJson(*page, p.limit, p.offset, p.cursor, stats->count);
        json.insert(u"customer_id"_s, customerId);
        json.insert(u"balance"_s, balance->toJson());
        json.insert(u"stats"_s, stats->toJson());
        json.insert(u"orders"_s, orders->orders);
        json.insert(u"orders_summary"_s, orders->summary);
        json.insert(u"subscription"_s, subscription);
        return Reply::json(json);
    });
}

void BillingRoutes::overview(const Request &, const Responder &responder)
{
    const Billing *billing = &m_billing;
    runOnPool(responder, [billing](QSqlDatabase &, const QString &requestId) {
        StorageError error;
        const std::optional<Billing::Summary> summary = billing->loadSummary(&error);
        if (!summary)
            return internalError(requestId, error);
        return Reply::json(summary->toJson());
    });
}

} // namespace Mouse

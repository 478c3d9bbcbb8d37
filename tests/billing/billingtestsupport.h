// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Helpers shared by the ledger tests: a migrated database, customers, stored Stripe events,
// event envelopes, and calling Router handlers with a capturing Responder.

#include "core/http/responderstate.h"
#include "core/http/router.h"
#include "core/storage/database.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <memory>
#include <optional>

namespace Mouse::Tests {

inline QString s(const char *text)
{
    return QString::fromUtf8(text);
}

inline void addCustomer(Database &database, const QString &id, const QString &stripeId = {})
{
    QSqlQuery query(database.connection());
    query.prepare(s("INSERT INTO customers (id, company_name, email, stripe_customer_id, "
                    "created_at) VALUES (?, ?, ?, ?, 1)"));
    query.addBindValue(id);
    query.addBindValue(QString(id + s(" Inc")));
    query.addBindValue(QString(id + s("@example.com")));
    query.addBindValue(stripeId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : stripeId);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
}

inline qint64 scalar(Database &database, const QString &sql, const QVariantList &binds = {})
{
    QSqlQuery query(database.connection());
    query.prepare(sql);
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    if (!query.exec() || !query.next()) {
        qWarning() << "scalar failed:" << sql << query.lastError().text();
        return -999999;
    }
    return query.value(0).toLongLong();
}

inline QString text(Database &database, const QString &sql, const QVariantList &binds = {})
{
    QSqlQuery query(database.connection());
    query.prepare(sql);
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    if (!query.exec() || !query.next())
        return s("<none>");
    return query.value(0).toString();
}

// A Stripe event envelope around data.object.
inline QJsonObject envelope(const QString &id,
                            const QString &type,
                            const QJsonObject &object,
                            qint64 created = 1700000000,
                            bool livemode = false)
{
    return {{s("id"), id},
            {s("object"), s("event")},
            {s("api_version"), s("2025-03-31.basil")},
            {s("created"), created},
            {s("livemode"), livemode},
            {s("pending_webhooks"), 1},
            {s("type"), type},
            {s("data"), QJsonObject{{s("object"), object}}}};
}

// Stores the event as webhook intake does (stripe_events row, status received).
inline void storeEvent(Database &database, const QJsonObject &event)
{
    QSqlQuery query(database.connection());
    query.prepare(s("INSERT INTO stripe_events (event_id, type, payload, received_at, status, "
                    "livemode, created) VALUES (?, ?, ?, 1, 'received', 0, ?)"));
    query.addBindValue(event.value(s("id")).toString());
    query.addBindValue(event.value(s("type")).toString());
    query.addBindValue(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
    query.addBindValue(event.value(s("created")).toVariant().toLongLong());
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
}

inline QJsonObject session(const QString &id,
                           const QString &customerId,
                           const QString &slug,
                           qint64 tokens,
                           qint64 amount,
                           const QString &paymentStatus,
                           const QString &paymentIntent)
{
    return {{s("id"), id},
            {s("object"), s("checkout.session")},
            {s("mode"), s("payment")},
            {s("status"), paymentStatus == s("paid") ? s("complete") : s("open")},
            {s("payment_status"), paymentStatus},
            {s("amount_total"), amount},
            {s("currency"), s("usd")},
            {s("customer"), QJsonValue()},
            {s("payment_intent"), paymentIntent},
            {s("metadata"),
             QJsonObject{{s("customer_id"), customerId},
                         {s("package_slug"), slug},
                         {s("token_amount"), QString::number(tokens)}}}};
}

inline QJsonObject
charge(const QString &id, const QString &paymentIntent, qint64 amount, qint64 refunded)
{
    return {{s("id"), id},
            {s("object"), s("charge")},
            {s("amount"), amount},
            {s("amount_refunded"), refunded},
            {s("refunded"), refunded >= amount},
            {s("currency"), s("usd")},
            {s("payment_intent"), paymentIntent}};
}

// A handler's answer, called the way the HTTP server would (after its access check).
struct Captured
{
    std::shared_ptr<std::optional<Http::Reply>> reply
            = std::make_shared<std::optional<Http::Reply>>();

    bool done() const { return reply->has_value(); }
    int status() const { return (*reply)->status; }
    QJsonObject json() const { return QJsonDocument::fromJson((*reply)->body).object(); }
};

inline Captured callRoute(Http::Router &router,
                          const QByteArray &method,
                          const QString &path,
                          const QByteArray &body = {},
                          bool admin = false,
                          const QString &query = {},
                          const Http::HeaderList &headers = {})
{
    Captured captured;
    const Http::Router::Match match = router.match(method, path);
    if (match.result != Http::Router::Match::Result::Found) {
        qWarning() << "no route for" << method << path;
        return captured;
    }
    Http::Request request;
    request.method = method;
    request.path = path;
    request.query = QUrlQuery(query);
    request.body = body;
    request.headers = headers;
    request.requestId = s("req-test");
    request.params = match.params;
    if (admin) {
        request.principal.kind = Http::Principal::Kind::Admin;
    } else {
        request.principal.kind = Http::Principal::Kind::Customer;
        request.principal.customerId = match.params.value(s("customer"));
    }
    auto state = std::make_shared<Http::Responder::State>();
    state->requestId = request.requestId;
    auto slot = captured.reply;
    state->write = [slot](Http::Reply &&reply) {
        *slot = std::move(reply);
    };
    (*match.handler)(request, Http::Responder(state));
    return captured;
}

// Waits (spinning the event loop) for the handler's answer.
#define MOUSE_WAIT_REPLY(captured) QTRY_VERIFY_WITH_TIMEOUT((captured).done(), 15000)

} // namespace Mouse::Tests

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/apierror.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

#include <functional>
#include <memory>

namespace Mouse::Http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// Who is calling, established by the router before a handler runs.
struct Principal
{
    enum class Kind { Anonymous, Admin, Customer };
    Kind kind = Kind::Anonymous;
    QString customerId; // for Kind::Customer

    bool isAdmin() const { return kind == Kind::Admin; }
};

// One parsed request as a handler sees it. The body is complete and within the route's limit.
struct Request
{
    QByteArray method; // "GET", "POST", ... (HEAD is routed to the GET handler)
    QString path;      // decoded path, no query
    QUrlQuery query;
    HeaderList headers;
    QByteArray body;
    QHostAddress peer;              // the client, after trusted-proxy resolution
    QString requestId;              // also in the X-Request-Id answer header and the logs
    QHash<QString, QString> params; // {name} placeholders of the route pattern
    Principal principal;

    QByteArray header(QByteArrayView name) const; // case-insensitive, first value, or empty
    // An optional integer query parameter within [min, max]: `fallback` when absent; when it
    // is present but not such an integer, or more than once, *bad says so (for a 400) and
    // `fallback` is returned.
    qint64
    integerQuery(const QString &name, qint64 fallback, qint64 min, qint64 max, QString *bad) const;
    QString param(const QString &name) const { return params.value(name); }
};

// An answer. json() and error() build the common shapes.
struct Reply
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json"); // static: no allocation
    QByteArray body;
    HeaderList headers; // extra headers; common and security headers are added by the server

    static Reply json(const QJsonObject &object, int status = 200);
    static Reply json(const QJsonArray &array, int status = 200);
    static Reply bytes(QByteArray body, QByteArray contentType, int status = 200);
    static Reply error(const ApiError &error, const QString &requestId);
};

// The way a handler answers, now or later. Copyable (shared state); the first send wins.
// send() must be called on the HTTP server's thread (use a context object or
// QMetaObject::invokeMethod to get there); if the client has gone, it does nothing.
class Responder
{
public:
    struct State;
    explicit Responder(std::shared_ptr<State> state);

    void send(Reply reply) const;
    void sendJson(const QJsonObject &object, int status = 200) const;
    void fail(const ApiError &error) const;
    bool isConnected() const;
    bool hasAnswered() const;
    QString requestId() const;

private:
    std::shared_ptr<State> d;
};

using Handler = std::function<void(const Request &, const Responder &)>;

} // namespace Mouse::Http

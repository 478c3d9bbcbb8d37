// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/bodyschema.h"
#include "core/http/httptypes.h"

#include <QList>
#include <QString>

class QWebSocket;

namespace Mouse::Http {

// Who may call a route. The router enforces it before the handler runs:
// missing or invalid credentials -> 401, valid but not allowed -> 403.
enum class Access {
    Public,   // no credentials (health, the webhook: it checks its own signature)
    Admin,    // the admin bearer token
    Customer, // the admin token, or the API key of the customer named by the {customer} param
};

struct RouteOptions
{
    qint64 maxBodyBytes = -1; // -1: the server default (server/max_body_bytes)
    QString summary;          // one line for openapi.json
    QStringList tags;         // openapi grouping, e.g. {"vms"}
    BodySchema body{};        // the JSON body it reads; none: a state-changing route takes none
};

struct RouteInfo
{
    QByteArray method;
    QString pattern; // e.g. /api/v1/customers/{customer}/vms/{vm}
    Access access;
    RouteOptions options;
};

// The gateway's one route table. Patterns are literal segments and {name} placeholders
// (one segment each). Registering GET also answers HEAD; OPTIONS and 405 with Allow are
// derived from the table. Lookup is by segment, independent of the number of routes.
class Router final
{
public:
    Router();
    ~Router();
    Q_DISABLE_COPY_MOVE(Router)

    // POST, PUT, PATCH and DELETE without a declared body get a body limit of 0.
    void add(const QByteArray &method,
             const QString &pattern,
             Access access,
             Handler handler,
             RouteOptions options = {});

    void get(const QString &pattern, Access access, Handler handler, RouteOptions options = {})
    {
        add("GET", pattern, access, std::move(handler), std::move(options));
    }
    void post(const QString &pattern, Access access, Handler handler, RouteOptions options = {})
    {
        add("POST", pattern, access, std::move(handler), std::move(options));
    }
    void del(const QString &pattern, Access access, Handler handler, RouteOptions options = {})
    {
        add("DELETE", pattern, access, std::move(handler), std::move(options));
    }

    struct Match
    {
        enum class Result { Found, NotFound, MethodNotAllowed };
        Result result = Result::NotFound;
        const RouteInfo *route = nullptr;
        const Handler *handler = nullptr;
        QHash<QString, QString> params;
        QList<QByteArray> allowed; // for 405 and OPTIONS
        int routeIndex = -1;       // into routes(), when found
    };
    Match match(const QByteArray &method, const QString &path) const;

    QList<RouteInfo> routes() const;

    // WebSocket endpoints: the server authenticates the upgrade request (Authorization header,
    // or ?token= since browsers cannot set headers on a WebSocket) with the same Access rules,
    // then hands the accepted socket to the handler, which takes ownership.
    using WebSocketHandler = std::function<void(QWebSocket *socket, const Request &request)>;
    void websocket(const QString &pattern, Access access, WebSocketHandler handler);
    struct WebSocketMatch
    {
        const WebSocketHandler *handler = nullptr;
        Access access = Access::Admin;
        QHash<QString, QString> params;
    };
    WebSocketMatch matchWebSocket(const QString &path) const;
    QList<RouteInfo> webSocketRoutes() const; // method "GET", for docs and route-table tests

private:
    struct Node;
    std::unique_ptr<Node> m_root;
    std::unique_ptr<Node> m_webSocketRoot;
    QList<RouteInfo> m_routes;
    QList<RouteInfo> m_webSocketRoutes;
};

} // namespace Mouse::Http

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A test HttpServer on 127.0.0.1 with a small route table exercising every feature.

#include "core/config/settings.h"
#include "core/http/httpserver.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/metrics/metrics.h"

#include <QJsonObject>
#include <QTimer>
#include <QWebSocket>

#include <memory>
#include <stdexcept>

class Harness
{
public:
    explicit Harness(Mouse::Settings settings = Mouse::Settings::defaults())
        : m_settings(
                settings.withValue(QStringLiteral("server/listen"), QStringLiteral("127.0.0.1:0")))
    {
        addRoutes();
    }

    bool start()
    {
        Mouse::Http::Credentials credentials;
        credentials.adminToken = QStringLiteral("admin-secret-for-tests");
        credentials.customerForKey = [](const QByteArray &key) -> std::optional<QString> {
            if (key == "key-a")
                return QStringLiteral("cst_a");
            if (key == "key-b")
                return QStringLiteral("cst_b");
            return std::nullopt;
        };
        credentials.customerExists = [](const QString &id) {
            return id == QLatin1String("cst_a") || id == QLatin1String("cst_b");
        };
        server = std::make_unique<Mouse::Http::HttpServer>(
                router, m_settings, events, metrics, credentials);
        QString error;
        if (!server->listen(&error)) {
            qWarning("listen failed: %s", qPrintable(error));
            return false;
        }
        return true;
    }

    quint16 port() const { return server->port(); }

    Mouse::Http::Router router;
    Mouse::EventLog events;
    Mouse::Metrics::Registry metrics;
    std::unique_ptr<Mouse::Http::HttpServer> server;
    int echoCalls = 0;
    int slowAnswered = 0;
    QByteArray lastBody;

private:
    void addRoutes()
    {
        using namespace Mouse::Http;
        router.get(
                QStringLiteral("/public"), Access::Public, [](const Request &, const Responder &r) {
                    r.sendJson({{QStringLiteral("ok"), true}});
                });
        router.get(QStringLiteral("/admin/thing"),
                   Access::Admin,
                   [](const Request &req, const Responder &r) {
                       r.sendJson({{QStringLiteral("admin"), req.principal.isAdmin()}});
                   });
        // POST routes take a body only when they declare one (RouteOptions::body).
        RouteOptions small;
        small.maxBodyBytes = 100;
        small.body.description = QStringLiteral("Any bytes");
        router.post(
                QStringLiteral("/admin/thing"),
                Access::Admin,
                [this](const Request &req, const Responder &r) {
                    lastBody = req.body;
                    r.sendJson({{QStringLiteral("size"), int(req.body.size())}}, 201);
                },
                small);
        router.get(QStringLiteral("/api/v1/customers/{customer}/things"),
                   Access::Customer,
                   [](const Request &req, const Responder &r) {
                       r.sendJson(
                               {{QStringLiteral("customer"), req.param(QStringLiteral("customer"))},
                                {QStringLiteral("principal"), req.principal.customerId},
                                {QStringLiteral("admin"), req.principal.isAdmin()}});
                   });
        RouteOptions echo;
        echo.maxBodyBytes = 1024;
        echo.body.description = QStringLiteral("Any bytes, counted");
        router.post(
                QStringLiteral("/echo"),
                Access::Public,
                [this](const Request &req, const Responder &r) {
                    ++echoCalls;
                    lastBody = req.body;
                    r.sendJson({{QStringLiteral("size"), int(req.body.size())}});
                },
                echo);
        router.get(QStringLiteral("/slow"),
                   Access::Public,
                   [this](const Request &, const Responder &r) {
                       QTimer::singleShot(200, &events, [this, r] {
                           ++slowAnswered;
                           r.sendJson({{QStringLiteral("slow"), true}});
                       });
                   });
        // What a handler sees of the request line, headers and body, whether the guard or
        // QHttpServer parsed the request: the same.
        const auto inspect = [](const Request &req, const Responder &r) {
            QJsonObject headers;
            for (const auto &[name, value] : req.headers)
                headers.insert(QString::fromLatin1(name.toLower()), QString::fromUtf8(value));
            r.sendJson({{QStringLiteral("path"), req.path},
                        {QStringLiteral("q"),
                         req.query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded)},
                        {QStringLiteral("r"), req.query.queryItemValue(QStringLiteral("r"))},
                        {QStringLiteral("thing"), QString::fromLatin1(req.header("x-thing"))},
                        {QStringLiteral("headers"), headers},
                        {QStringLiteral("peer"), req.peer.toString()},
                        {QStringLiteral("body"), QString::fromLatin1(req.body)}});
        };
        router.get(QStringLiteral("/inspect/{name}"), Access::Public, inspect);
        RouteOptions inspected;
        inspected.body.description = QStringLiteral("Any bytes, shown");
        router.post(QStringLiteral("/inspect/{name}"), Access::Public, inspect, inspected);
        router.get(QStringLiteral("/big"), Access::Public, [](const Request &, const Responder &r) {
            r.send(Reply::bytes(QByteArray(100000, 'b'), "application/octet-stream"));
        });
        router.get(QStringLiteral("/never"),
                   Access::Public,
                   [](const Request &, const Responder &) {});
        router.get(
                QStringLiteral("/throw"), Access::Public, [](const Request &, const Responder &) {
                    throw std::runtime_error("SELECT secret FROM internal_table failed");
                });
        router.get(
                QStringLiteral("/inject"), Access::Public, [](const Request &, const Responder &r) {
                    Reply reply = Reply::json(QJsonObject{{QStringLiteral("x"), 1}});
                    reply.headers.append(
                            qMakePair(QByteArray("X-Evil"), QByteArray("a\r\nSet-Cookie: b=c")));
                    reply.headers.append(qMakePair(QByteArray("X-Fine"), QByteArray("yes")));
                    r.send(reply);
                });
        router.websocket(
                QStringLiteral("/ws/{customer}"),
                Access::Customer,
                [](QWebSocket *socket, const Request &req) {
                    QObject::connect(
                            socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
                    socket->sendTextMessage(QStringLiteral("hello ")
                                            + (req.principal.isAdmin() ? QStringLiteral("admin")
                                                                       : req.principal.customerId));
                });
    }

    Mouse::Settings m_settings;
};

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/auth.h"

#include <QObject>
#include <QUrl>

class QThreadPool;

#include <memory>

namespace Mouse {
class EventLog;
class Settings;
namespace Metrics {
class Registry;
} // namespace Metrics
} // namespace Mouse

namespace Mouse::Http {

class Router;

// The gateway's HTTP(S) server: QHttpServer 6.4's engine (parsing, responders, WebSocket
// upgrade) behind a guard that enforces the limits 6.4 lacks (body, header, connections,
// idle and slow-request timeouts, Expect: 100-continue, Connection: close), then every request
// dispatched through the Router: 404/405/HEAD/OPTIONS/CORS, Access before the handler, request
// ids, common and security headers, logging on lcHttp and Prometheus metrics. See docs/http.md.
//
// Lives on the thread that calls listen() (the main thread); handlers run there.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    HttpServer(Router &router,
               const Settings &settings,
               EventLog &events,
               Metrics::Registry &metrics,
               Credentials credentials,
               QObject *parent = nullptr);
    ~HttpServer() override;

    // Binds server/listen (port 0: an ephemeral port), with TLS when server/tls_cert and
    // server/tls_key are set. On failure *error says what to fix.
    bool listen(QString *error);
    // Shutdown, first step: no new connection is accepted; the open ones are still served,
    // each answer with Connection: close.
    void stopListening();
    // Shutdown: connections that still owe an answer or hold unsent bytes (WebSockets apart).
    int connectionsInFlight() const;
    void close();

    bool isListening() const;
    QUrl url() const; // http(s)://host:port of the bound socket
    quint16 port() const;
    bool isTls() const;
    int openConnections() const;

    // Replaces the credential lookups (e.g. once the Directory exists).
    void setCredentials(Credentials credentials);

    // A small pool for handlers' blocking work (e.g. Directory writes, which use the calling
    // thread's database connection). Drained when the server is destroyed.
    QThreadPool *workerPool() const;

    // For tests: a monotonic millisecond clock for the auth failure window.
    void setAuthClock(std::function<qint64()> clock);

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace Mouse::Http

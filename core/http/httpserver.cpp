// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/httpserver.h"

#include "core/http/httpserver_p.h"
#include "core/http/responderstate.h"
#include "core/http/responsewriter.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/metrics.h"

#include <QCoreApplication>
#include <QFile>
#include <QHttpServerRequest>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>

#include <algorithm>
#include <exception>
#include <utility>

namespace Mouse::Http {

using namespace Qt::Literals::StringLiterals;

namespace {

// What the auth-failure limiter may refuse: no, wrong or another customer's credentials.
bool isFailure(Authenticator::Outcome outcome)
{
    return outcome == Authenticator::Outcome::Missing || outcome == Authenticator::Outcome::Invalid
           || outcome == Authenticator::Outcome::Forbidden;
}

bool isSaneRequestId(QByteArrayView id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok)
            return false;
    }
    return true;
}

QByteArray joined(const QList<QByteArray> &items)
{
    QByteArray out;
    for (const QByteArray &item : items) {
        if (!out.isEmpty())
            out += ", ";
        out += item;
    }
    return out;
}

void addHeader(HeaderList &headers, const char *name, const QByteArray &value)
{
    headers.append(qMakePair(QByteArray(name), value));
}

ApiError makeError(ErrorKind kind, const char *code, const char *message, int retryAfter = -1)
{
    return {kind, QString::fromLatin1(code), QString::fromLatin1(message), {}, retryAfter};
}

// RFC 8259 8.1: JSON sent over a network carries no byte order mark. Qt's reader skips one,
// Http::integerField's scanner does not, so a body with one read as an object and then had no
// integer amount (400 invalid_amount). Refused here, once, for every route that declares a
// JSON body: a route that declares none does not read one (tst_gatewayroutes checks).
bool startsWithByteOrderMark(const QByteArray &body, const RouteInfo &route)
{
    return route.options.body.isDeclared() && body.startsWith("\xEF\xBB\xBF");
}

// Custom deleter: a handler that drops every copy of its Responder without answering gets
// a 500, so the client is never left hanging.
constexpr quint64 kMaxIncomingWebSocketMessage = 64 * 1024;

void finishState(Responder::State *state)
{
    if (!state->answered && state->write) {
        auto write = std::move(state->write);
        auto connected = std::move(state->isConnected);
        const QString requestId = state->requestId;
        auto answer = [write = std::move(write), connected = std::move(connected), requestId] {
            if (!connected || connected())
                write(Reply::error(ApiError::internal(), requestId));
        };
        if (QThread::currentThread() == state->owner)
            answer();
        else if (QCoreApplication::instance()
                 && QCoreApplication::instance()->thread() == state->owner)
            QMetaObject::invokeMethod(
                    QCoreApplication::instance(), std::move(answer), Qt::QueuedConnection);
    }
    delete state;
}

} // namespace

// ---------------------------------------------------------------------------------------------

Engine::Engine(HttpServer::Private *d, QObject *parent)
    : QAbstractHttpServer(parent)
    , d(d)
{
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [d] {
        d->onWebSocketConnections();
    });
}

bool Engine::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    return d->handleRequest(request, socket);
}

void Engine::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    d->missingHandler(request, socket);
}

GuardedTcpServer::GuardedTcpServer(HttpServer::Private *d, QObject *parent)
    : QTcpServer(parent)
    , d(d)
{}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    if (d->guards.size() >= d->maxConnections) {
        refuse(descriptor);
        return;
    }
    QTcpSocket *socket = d->tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    // Answers are written in one piece; without Nagle's delay a large one is not held back
    // waiting for the client's delayed ACK of the previous segment.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto *guard = new ConnectionGuard(d, socket, d->tls);
    if (!d->tls) {
        guard->attachBefore();
        addPendingConnection(socket); // QHttpServer connects its slots in here
        guard->attachAfter();
        return;
    }

    auto *ssl = static_cast<QSslSocket *>(socket);
    ssl->setSslConfiguration(d->sslConfiguration);
    connect(ssl, &QSslSocket::encrypted, this, [this, ssl, guard] {
        guard->attachBefore();
        addPendingConnection(ssl);
        guard->attachAfter();
    });
    connect(ssl, &QSslSocket::sslErrors, ssl, [ssl] { ssl->abort(); });
    connect(ssl, &QAbstractSocket::disconnected, ssl, &QObject::deleteLater);
    ssl->startServerEncryption();
}

void GuardedTcpServer::refuse(qintptr descriptor)
{
    d->refusedConnections->Increment();
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    if (d->tls) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    socket->write(serializeGuardError(503, "too_many_connections", d->newRequestId()));
    socket->disconnectFromHost();
    QTimer::singleShot(1000, socket, [socket] { socket->abort(); });
}

// ---------------------------------------------------------------------------------------------

HttpServer::Private::Private(HttpServer *q,
                             Router &router,
                             const Settings &settings,
                             EventLog &events,
                             Metrics::Registry &metrics,
                             Credentials credentials)
    : q(q)
    , router(router)
    , settings(settings)
    , events(events)
    , metrics(metrics)
    , auth(std::move(credentials))
    , resolver(settings.list(u"server/trusted_proxies"_s))
{
    m_clock.start();
    limiter = std::make_unique<AuthFailureLimiter>(
            int(settings.integer(u"server/auth_failures_per_minute"_s)));
    for (const QString &origin : settings.list(u"server/cors_origins"_s))
        corsOrigins.insert(origin.trimmed().toUtf8());
    framerLimits.maxHeadBytes = settings.integer(u"server/max_header_bytes"_s);
    framerLimits.maxFieldBytes = qMin<qsizetype>(8192, framerLimits.maxHeadBytes);
    maxBodyBytes = settings.integer(u"server/max_body_bytes"_s);
    maxConnections = int(settings.integer(u"server/max_connections"_s));
    idleTimeoutMs = settings.integer(u"server/idle_timeout_ms"_s);
    requestTimeoutMs = settings.integer(u"server/request_timeout_ms"_s);

    const quint32 random = QRandomGenerator::system()->generate();
    requestIdPrefix = QByteArray::number(random, 16).rightJustified(8, '0') + '-';

    openConnectionsGauge = &metrics.gauge(u"mouse_http_open_connections"_s,
                                          u"Open HTTP connections, WebSockets included"_s);
    refusedConnections = &metrics.counter(u"mouse_http_refused_connections_total"_s,
                                          u"Connections refused at server/max_connections"_s);
    authFailures = &metrics.counter(u"mouse_http_auth_failures_total"_s,
                                    u"Requests with invalid or foreign credentials"_s);
    for (const char *reason : {"body",
                               "header",
                               "malformed",
                               "pipelined",
                               "request_timeout",
                               "idle_timeout",
                               "write_timeout",
                               "handshake_timeout",
                               "rate_limited"}) {
        limitCounters.insert(reason,
                             &metrics.counter(u"mouse_http_limit_hits_total"_s,
                                              u"Requests or connections stopped by a limit"_s,
                                              {{u"reason"_s, QString::fromLatin1(reason)}}));
    }

    sweepTimer.setInterval(int(
            qBound<qint64>(qint64(20), qMin(idleTimeoutMs, requestTimeoutMs) / 4, qint64(1000))));
    QObject::connect(&sweepTimer, &QTimer::timeout, q, [this] { sweep(); });
}

void HttpServer::Private::countLimit(const char *reason)
{
    if (Metrics::Counter *counter = limitCounters.value(reason))
        counter->Increment();
}

qint64 HttpServer::Private::bodyLimitFor(const PendingRequest &request) const
{
    if (request.match.route && request.match.route->options.maxBodyBytes >= 0)
        return request.match.route->options.maxBodyBytes;
    return maxBodyBytes;
}

QByteArray HttpServer::Private::newRequestId()
{
    // prefix + counter in hex, in one allocation.
    char digits[16];
    int count = 0;
    quint64 value = ++requestCounter;
    do {
        digits[count++] = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value > 0);
    QByteArray id(requestIdPrefix.size() + count, Qt::Uninitialized);
    char *out = std::copy(requestIdPrefix.cbegin(), requestIdPrefix.cend(), id.data());
    while (count > 0)
        *out++ = digits[--count];
    return id;
}

void HttpServer::Private::registerGuard(QTcpSocket *socket, ConnectionGuard *guard)
{
    guards.insert(socket, guard);
    openConnectionsGauge->Set(double(guards.size()));
}

void HttpServer::Private::unregisterGuard(QTcpSocket *socket)
{
    guards.remove(socket);
    openConnectionsGauge->Set(double(guards.size()));
}

void HttpServer::Private::sweep()
{
    const qint64 now = nowMs();
    // Deadlines never delete synchronously (abort() only schedules deleteLater), so the
    // copied pointers stay valid for the whole loop.
    const QList<ConnectionGuard *> all = guards.values();
    for (ConnectionGuard *guard : all) {
        if (guards.contains(guard->socket()))
            guard->checkDeadlines(now);
    }
}

RouteMetrics &HttpServer::Private::routeMetrics(int routeIndex)
{
    auto create = [this](const RouteInfo *route) {
        auto metricsForRoute = std::make_unique<RouteMetrics>();
        const QString pattern = route ? route->pattern : u"unmatched"_s;
        const QString method = route ? QString::fromLatin1(route->method) : u"any"_s;
        metricsForRoute->route = pattern;
        metricsForRoute->method = method;
        metricsForRoute->latency = &metrics.histogram(
                u"mouse_http_request_duration_ms"_s,
                u"Time from dispatch to the answer being queued, in milliseconds"_s,
                Metrics::latencyBucketsMs(),
                {{u"route"_s, pattern}, {u"method"_s, method}});
        return metricsForRoute;
    };
    if (routeIndex < 0) {
        if (!unmatchedMetrics)
            unmatchedMetrics = create(nullptr);
        return *unmatchedMetrics;
    }
    if (routeIndex >= int(routeMetricsByIndex.size()))
        routeMetricsByIndex.resize(routeIndex + 1);
    auto &slot = routeMetricsByIndex[routeIndex];
    if (!slot) {
        const QList<RouteInfo> routes = router.routes();
        slot = create(&routes.at(routeIndex));
    }
    return *slot;
}

// Created on first use, on the server thread (answers are written there only).
Metrics::Counter &HttpServer::Private::statusCounter(RouteMetrics &route, int statusClass)
{
    Metrics::Counter *&counter = route.byClass[statusClass];
    if (!counter) {
        counter = &metrics.counter(u"mouse_http_requests_total"_s,
                                   u"HTTP requests by route pattern and status class"_s,
                                   {{u"route"_s, route.route},
                                    {u"method"_s, route.method},
                                    {u"status"_s, QString::number(statusClass) + u"xx"_s}});
    }
    return *counter;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

bool HttpServer::Private::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    ConnectionGuard *guard = guards.value(socket);
    if (!guard)
        return true;
    quint64 sequence = 0;
    PendingRequest *pending = guard->beginDispatch(&sequence, int(request.method()));
    if (!pending)
        return true;
    if (pending->head.upgrade)
        return handleUpgrade(request, guard, *pending);
    dispatch(&request, guard, sequence, *pending);
    return true;
}

void HttpServer::Private::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    // Only reached for an upgrade to a path without a WebSocket route; QHttpServer closes
    // the connection right after.
    ConnectionGuard *guard = guards.value(socket);
    const bool badHandshake = std::exchange(refusingUpgrade, false);
    if (!guard)
        return;
    const QByteArray id = newRequestId();
    const ApiError error
            = badHandshake ? makeError(ErrorKind::BadRequest,
                                       "invalid_websocket_handshake",
                                       "A WebSocket upgrade needs GET, HTTP/1.1, Host, "
                                       "Sec-WebSocket-Key and Sec-WebSocket-Version: 13.")
                           : makeError(ErrorKind::NotFound, "not_found", "No such endpoint.");
    Reply reply = Reply::error(error, QString::fromLatin1(id));
    if (badHandshake)
        reply.headers.append(qMakePair(QByteArray("Sec-WebSocket-Version"), QByteArray("13")));
    ResponseFraming framing;
    framing.close = true;
    framing.requestId = id;
    socket->write(serializeResponse(reply, framing));
    socket->disconnectFromHost(); // also when QHttpServer took it for a plain request
}

void HttpServer::Private::dispatch(const QHttpServerRequest *request,
                                   ConnectionGuard *guard,
                                   quint64 sequence,
                                   PendingRequest &pending)
{
    const qint64 startNs = m_clock.nsecsElapsed();
    const RequestHead &head = pending.head;
    const QByteArray requestId = isSaneRequestId(head.requestId) ? head.requestId : newRequestId();
    const QByteArray origin = corsOrigins.isEmpty() ? QByteArray() : head.origin;
    const bool corsAllowed = !origin.isEmpty() && corsOrigins.contains(origin);
    const bool isHead = head.method == "HEAD";
    Router::Match &match = pending.match;
    RouteMetrics &routeStats = routeMetrics(match.routeIndex);

    auto state = std::shared_ptr<Responder::State>(new Responder::State, finishState);
    state->requestId = QString::fromLatin1(requestId);
    QPointer<ConnectionGuard> guardPointer(guard);
    state->isConnected = [guardPointer] {
        return guardPointer && guardPointer->isConnected();
    };
    state->write = [this,
                    guardPointer,
                    sequence,
                    isHead,
                    close = head.close,
                    keepAlive10 = head.minorVersion == 0 && !head.close,
                    requestId,
                    origin = corsAllowed ? origin : QByteArray(),
                    startNs,
                    &routeStats,
                    method = head.method,
                    path = pending.path](Reply &&reply) {
        const double elapsedMs = double(m_clock.nsecsElapsed() - startNs) / 1e6;
        const int statusClass = qBound(1, reply.status / 100, 5);
        statusCounter(routeStats, statusClass).Increment();
        routeStats.latency->Observe(elapsedMs);
        if (reply.status >= 500)
            qCWarning(lcHttp).noquote()
                    << method << path << reply.status << elapsedMs << "ms" << requestId;
        else
            qCDebug(lcHttp).noquote()
                    << method << path << reply.status << elapsedMs << "ms" << requestId;
        if (!guardPointer)
            return;
        const bool closeAfter = close || stopping;
        ResponseFraming framing;
        framing.head = isHead;
        framing.close = closeAfter;
        framing.keepAlive10 = keepAlive10 && !closeAfter;
        framing.requestId = requestId;
        framing.corsOrigin = origin;
        QByteArray head = serializeResponseHead(reply, framing);
        QByteArray body = isHead ? QByteArray() : std::move(reply.body);
        guardPointer->answer(sequence, std::move(head), std::move(body), closeAfter);
    };
    const Responder responder(state);

    if (head.method == "OPTIONS") {
        if (match.result == Router::Match::Result::NotFound) {
            responder.fail(makeError(ErrorKind::NotFound, "not_found", "No such endpoint."));
            return;
        }
        Reply reply = Reply::bytes({}, {}, 204);
        addHeader(reply.headers, "Allow", joined(match.allowed));
        if (corsAllowed && !head.corsRequestMethod.isEmpty()) {
            addHeader(reply.headers, "Access-Control-Allow-Methods", joined(match.allowed));
            addHeader(reply.headers,
                      "Access-Control-Allow-Headers",
                      "Authorization, Content-Type, X-Request-Id");
            addHeader(reply.headers, "Access-Control-Max-Age", "600");
        }
        responder.send(std::move(reply));
        return;
    }
    if (match.result == Router::Match::Result::NotFound) {
        responder.fail(makeError(ErrorKind::NotFound, "not_found", "No such endpoint."));
        return;
    }
    if (match.result == Router::Match::Result::MethodNotAllowed) {
        Reply reply = Reply::error(makeError(ErrorKind::MethodNotAllowed,
                                             "method_not_allowed",
                                             "This endpoint does not accept that method."),
                                   state->requestId);
        addHeader(reply.headers, "Allow", joined(match.allowed));
        responder.send(std::move(reply));
        return;
    }

    Request r;
    r.method = head.method;
    r.path = pending.path;
    r.peer = resolver.resolve(request ? request->remoteAddress() : guard->peer(),
                              head.forwardedFor);
    r.requestId = state->requestId;
    r.params = std::move(match.params);

    const Access access = match.route->access;
    const QByteArray token = Authenticator::bearerToken(head.authorization);
    if (access != Access::Public || !token.isEmpty()) {
        const Authenticator::Result result
                = auth.authenticate(access, token, r.params.value(u"customer"_s));
        // The limiter slows down guessing, not valid users: a correct credential passes even
        // when others failed often from the same address (e.g. 127.0.0.1 behind one proxy).
        const int retryAfter = access == Access::Public || !isFailure(result.outcome)
                                       ? -1
                                       : limiter->retryAfterSeconds(r.peer);
        if (retryAfter >= 0) {
            countLimit("rate_limited");
            responder.fail(makeError(ErrorKind::TooManyRequests,
                                     "too_many_failures",
                                     "Too many failed authentications; try again later.",
                                     retryAfter));
            return;
        }
        switch (result.outcome) {
        case Authenticator::Outcome::Allowed:
            r.principal = result.principal;
            break;
        case Authenticator::Outcome::Missing: {
            Reply reply = Reply::error(
                    makeError(ErrorKind::Unauthorized, "unauthorized", "Credentials are required."),
                    state->requestId);
            addHeader(reply.headers, "WWW-Authenticate", "Bearer");
            responder.send(std::move(reply));
            return;
        }
        case Authenticator::Outcome::Invalid: {
            authFailures->Increment();
            limiter->recordFailure(r.peer);
            Reply reply = Reply::error(makeError(ErrorKind::Unauthorized,
                                                 "unauthorized",
                                                 "The credentials are not valid."),
                                       state->requestId);
            addHeader(reply.headers, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
            responder.send(std::move(reply));
            return;
        }
        case Authenticator::Outcome::Forbidden:
            authFailures->Increment();
            limiter->recordFailure(r.peer);
            responder.fail(makeError(ErrorKind::Forbidden,
                                     "forbidden",
                                     "These credentials do not give access to this resource."));
            return;
        case Authenticator::Outcome::UnknownCustomer:
            responder.fail(
                    makeError(ErrorKind::NotFound, "customer_not_found", "No such customer."));
            return;
        }
    }

    r.body = request ? request->body() : std::move(pending.requestBody);
    if (r.body.size() > bodyLimitFor(pending)) {
        countLimit("body");
        responder.fail(makeError(
                ErrorKind::PayloadTooLarge, "payload_too_large", "The request body is too large."));
        return;
    }
    if (startsWithByteOrderMark(r.body, *match.route)) {
        responder.fail(makeError(ErrorKind::BadRequest,
                                 "invalid_json",
                                 "The JSON body must not start with a byte order mark."));
        return;
    }
    if (request) {
        r.query = request->query();
        r.headers = request->headers();
    } else {
        const qsizetype question = head.target.indexOf('?');
        if (question >= 0)
            r.query = QUrlQuery(QUrl::fromEncoded(head.target).query());
        r.headers = head.fields;
    }

    // An answer given at once pops `pending` from the guard's queue: nothing of it is used
    // after the handler runs.
    const Handler *handler = match.handler;
    const RouteInfo *route = match.route;
    try {
        (*handler)(r, responder);
    } catch (const std::exception &exception) {
        qCWarning(lcHttp) << "handler threw for" << route->pattern << exception.what();
        if (!responder.hasAnswered())
            responder.fail(ApiError::internal());
    } catch (...) {
        qCWarning(lcHttp) << "handler threw for" << route->pattern;
        if (!responder.hasAnswered())
            responder.fail(ApiError::internal());
    }
}

// ---------------------------------------------------------------------------------------------
// WebSockets

namespace {

// What QWebSocketHandshakeRequest 6.4 requires before it answers 101.
bool isValidWebSocketHandshake(const QHttpServerRequest &request, const RequestHead &head)
{
    if (head.method != "GET" || head.minorVersion < 1 || request.value("host").isEmpty()
        || request.value("sec-websocket-key").trimmed().isEmpty())
        return false;
    const QList<QByteArray> versions = request.value("sec-websocket-version").split(',');
    return std::any_of(versions.cbegin(), versions.cend(), [](const QByteArray &version) {
        return version.trimmed() == "13";
    });
}

QString peerKey(const QHostAddress &address, quint16 port)
{
    return ClientAddressResolver::normalized(address).toString() + u'|' + QString::number(port);
}

} // namespace

bool HttpServer::Private::handleUpgrade(const QHttpServerRequest &request,
                                        ConnectionGuard *guard,
                                        PendingRequest &pending)
{
    const Router::WebSocketMatch match = router.matchWebSocket(pending.path);
    if (!match.handler)
        return false; // missingHandler answers 404
    // QtWebSockets closes a handshake it rejects without a word, and the pending upgrade
    // below would stay in pendingUpgrades forever: check what it checks first.
    if (!isValidWebSocketHandshake(request, pending.head)) {
        refusingUpgrade = true;
        return false; // missingHandler answers 400
    }

    guard->markUpgraded();
    PendingUpgrade upgrade;
    upgrade.handler = *match.handler;
    Request &r = upgrade.request;
    r.method = pending.head.method;
    r.path = pending.path;
    r.query = request.query();
    r.headers = request.headers();
    r.peer = resolver.resolve(request.remoteAddress(), pending.head.forwardedFor);
    r.requestId = QString::fromLatin1(newRequestId());
    r.params = match.params;

    QByteArray token = Authenticator::bearerToken(pending.head.authorization);
    if (token.isEmpty())
        token = r.query.queryItemValue(u"token"_s, QUrl::FullyDecoded).toUtf8();
    // The token must not reach the handler or its logs through the query.
    r.query.removeAllQueryItems(u"token"_s);

    const Authenticator::Result result
            = auth.authenticate(match.access, token, r.params.value(u"customer"_s));
    if (match.access != Access::Public && isFailure(result.outcome)
        && limiter->retryAfterSeconds(r.peer) >= 0) {
        upgrade.closeCode = 4429; // as for HTTP: a correct credential is never refused here
    } else {
        switch (result.outcome) {
        case Authenticator::Outcome::Allowed:
            r.principal = result.principal;
            break;
        case Authenticator::Outcome::Missing:
            upgrade.closeCode = 4401;
            break;
        case Authenticator::Outcome::Invalid:
            upgrade.closeCode = 4401;
            authFailures->Increment();
            limiter->recordFailure(r.peer);
            break;
        case Authenticator::Outcome::Forbidden:
            upgrade.closeCode = 4403;
            authFailures->Increment();
            limiter->recordFailure(r.peer);
            break;
        case Authenticator::Outcome::UnknownCustomer:
            upgrade.closeCode = 4404;
            break;
        }
    }
    QTcpSocket *socket = guard->socket();
    pendingUpgrades.insert(peerKey(socket->peerAddress(), socket->peerPort()), std::move(upgrade));
    return true;
}

void HttpServer::Private::onWebSocketConnections()
{
    while (engine->hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = engine->nextPendingWebSocketConnection();
        if (!socket)
            continue;
        const auto it = pendingUpgrades.find(peerKey(socket->peerAddress(), socket->peerPort()));
        if (it == pendingUpgrades.end()) {
            socket->abort();
            continue;
        }
        PendingUpgrade upgrade = std::move(*it);
        pendingUpgrades.erase(it);
        QWebSocket *raw = socket.release();
        raw->setParent(q); // until a handler takes it; freed with the server otherwise
        // Not now: QHttpServer 6.4 emits readyRead for the socket after
        // QWebSocketServer::handleConnection has already done so, so a second, stale call of
        // QtWebSockets' queued handshake slot is still to come for it, and that slot peeks
        // at the socket. A socket closed here (a refused upgrade, a handler's 1008) made it
        // warn "QIODevice::peek (QTcpSocket): device not open" for every such connection.
        // Queued after that call, this runs once it has.
        QMetaObject::invokeMethod(
                q,
                [this, raw = QPointer<QWebSocket>(raw), upgrade = std::move(upgrade)]() mutable {
                    if (raw)
                        startWebSocket(raw, std::move(upgrade));
                },
                Qt::QueuedConnection);
    }
}

void HttpServer::Private::startWebSocket(QWebSocket *raw, PendingUpgrade upgrade)
{
    if (raw->state() != QAbstractSocket::ConnectedState) {
        raw->deleteLater(); // the client left while the upgrade was queued
        return;
    }
    // Clients of these routes only watch; QtWebSockets would otherwise buffer a client's
    // message up to 2 GiB (a 300 MB frame took the server to 1.1 GB RSS). Larger ones
    // are closed with 1009.
    raw->setMaxAllowedIncomingFrameSize(kMaxIncomingWebSocketMessage);
    raw->setMaxAllowedIncomingMessageSize(kMaxIncomingWebSocketMessage);
    if (upgrade.closeCode != 0) {
        const QString reason = upgrade.closeCode == 4401   ? u"unauthorized"_s
                               : upgrade.closeCode == 4403 ? u"forbidden"_s
                               : upgrade.closeCode == 4404 ? u"not found"_s
                                                           : u"too many failures"_s;
        QObject::connect(raw, &QWebSocket::disconnected, raw, &QObject::deleteLater);
        QTimer::singleShot(5000, raw, [raw] { raw->abort(); });
        raw->close(QWebSocketProtocol::CloseCode(upgrade.closeCode), reason);
        return;
    }
    qCDebug(lcHttp).noquote() << "WebSocket" << upgrade.request.path << "accepted"
                              << upgrade.request.requestId;
    upgrade.handler(raw, upgrade.request);
}

// ---------------------------------------------------------------------------------------------

HttpServer::HttpServer(Router &router,
                       const Settings &settings,
                       EventLog &events,
                       Metrics::Registry &metrics,
                       Credentials credentials,
                       QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, router, settings, events, metrics, std::move(credentials)))
{
    d->engine = new Engine(d.get(), this);
    d->workers.setMaxThreadCount(2);
    d->workers.setObjectName(u"mouse-http-workers"_s);
}

HttpServer::~HttpServer()
{
    close();
    d->workers.waitForDone();
    // Sockets (and their guards) die with the engine; they must go while d is alive.
    delete d->engine;
    d->engine = nullptr;
}

namespace {

bool loadTls(const QString &certPath,
             const QString &keyPath,
             QSslConfiguration *config,
             QString *error)
{
    QFile certFile(certPath);
    QFile keyFile(keyPath);
    if (!certFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read the TLS certificate %1 (server/tls_cert)"_s.arg(certPath);
        return false;
    }
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read the TLS key %1 (server/tls_key)"_s.arg(keyPath);
        return false;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = u"the TLS certificate %1 is not a PEM certificate (server/tls_cert)"_s.arg(
                certPath);
        return false;
    }
    if (key.isNull()) {
        *error = u"the TLS key %1 is not an unencrypted PEM RSA or EC key (server/tls_key)"_s.arg(
                keyPath);
        return false;
    }
    *config = QSslConfiguration::defaultConfiguration();
    config->setLocalCertificate(chain.first());
    if (chain.size() > 1)
        config->setLocalCertificateChain(chain);
    config->setPrivateKey(key);
    config->setProtocol(QSsl::TlsV1_2OrLater);
    config->setPeerVerifyMode(QSslSocket::VerifyNone);
    return true;
}

} // namespace

bool HttpServer::listen(QString *error)
{
    QString ignored;
    if (!error)
        error = &ignored;
    if (isListening())
        return true;

    const QString certPath = d->settings.string(u"server/tls_cert"_s);
    const QString keyPath = d->settings.string(u"server/tls_key"_s);
    if (certPath.isEmpty() != keyPath.isEmpty()) {
        *error = u"server/tls_cert and server/tls_key must be set together"_s;
        return false;
    }
    d->tls = !certPath.isEmpty();
    if (d->tls) {
        if (!QSslSocket::supportsSsl()) {
            *error = u"TLS is configured but this Qt has no TLS backend"_s;
            return false;
        }
        if (!loadTls(certPath, keyPath, &d->sslConfiguration, error))
            return false;
    }

    const QString listen = d->settings.string(u"server/listen"_s);
    const qsizetype colon = listen.lastIndexOf(u':');
    QString host = listen.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    const quint16 port = quint16(listen.mid(colon + 1).toUInt());
    const QHostAddress address
            = host == u"localhost" ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);

    auto *tcp = new GuardedTcpServer(d.get(), nullptr);
    if (!tcp->listen(address, port)) {
        *error = u"cannot listen on %1: %2 (server/listen)"_s.arg(listen, tcp->errorString());
        delete tcp;
        return false;
    }
    d->engine->bind(tcp); // reparents tcp to the engine
    d->tcp = tcp;
    d->sweepTimer.start();
    d->events.info(u"http"_s,
                   u"Serving HTTP%1 on %2"_s.arg(d->tls ? u"S"_s : QString(), url().toString()));
    return true;
}

void HttpServer::stopListening()
{
    d->stopping = true;
    if (d->tcp)
        d->tcp->close();
}

int HttpServer::connectionsInFlight() const
{
    int busy = 0;
    for (const ConnectionGuard *guard : std::as_const(d->guards))
        busy += guard->hasWorkInFlight() ? 1 : 0;
    return busy;
}

void HttpServer::close()
{
    d->sweepTimer.stop();
    if (d->tcp) {
        d->tcp->close();
        delete d->tcp.data();
    }
    const QList<ConnectionGuard *> all = d->guards.values();
    for (ConnectionGuard *guard : all)
        guard->closeNow();
    d->pendingUpgrades.clear();
}

bool HttpServer::isListening() const
{
    return d->tcp && d->tcp->isListening();
}

QUrl HttpServer::url() const
{
    QUrl url;
    url.setScheme(d->tls ? u"https"_s : u"http"_s);
    if (!d->tcp)
        return url;
    QHostAddress address = d->tcp->serverAddress();
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv4)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (address == QHostAddress::AnyIPv6)
        address = QHostAddress(QHostAddress::LocalHostIPv6);
    url.setHost(address.toString());
    url.setPort(d->tcp->serverPort());
    return url;
}

quint16 HttpServer::port() const
{
    return d->tcp ? d->tcp->serverPort() : 0;
}

bool HttpServer::isTls() const
{
    return d->tls;
}

int HttpServer::openConnections() const
{
    return int(d->guards.size());
}

void HttpServer::setCredentials(Credentials credentials)
{
    d->auth.setCredentials(std::move(credentials));
}

QThreadPool *HttpServer::workerPool() const
{
    return &d->workers;
}

void HttpServer::setAuthClock(std::function<qint64()> clock)
{
    d->limiter = std::make_unique<AuthFailureLimiter>(
            int(d->settings.integer(u"server/auth_failures_per_minute"_s)), std::move(clock));
}

} // namespace Mouse::Http

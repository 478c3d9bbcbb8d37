// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internals of HttpServer, shared by httpserver.cpp and connectionguard.cpp. Not a public API.

#include "core/config/settings.h"
#include "core/http/auth.h"
#include "core/http/httpserver.h"
#include "core/http/requestframer.h"
#include "core/http/router.h"
#include "core/metrics/metricsfwd.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QThreadPool>
#include <QTimer>

#include <array>
#include <deque>
#include <memory>

class QHttpServerRequest;
class QTcpSocket;
class QWebSocket;

namespace Mouse::Http {

class ConnectionGuard;

// QHttpServer 6.4's engine: parsing, the request object, the WebSocket handshake. Every
// request reaches handleRequest (no QHttpServer rules, no afterRequest hooks).
class Engine final : public QAbstractHttpServer
{
public:
    explicit Engine(HttpServer::Private *d, QObject *parent);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    HttpServer::Private *d;
};

// Creates every socket itself, so the guard is connected to readyRead before QHttpServer.
class GuardedTcpServer final : public QTcpServer
{
public:
    explicit GuardedTcpServer(HttpServer::Private *d, QObject *parent);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void refuse(qintptr descriptor);
    HttpServer::Private *d;
};

// One request seen by the guard, from its head until its answer is on the wire.
struct PendingRequest
{
    RequestHead head;
    QString path; // decoded
    Router::Match match;
    bool complete = false;   // the whole body has arrived
    bool dispatched = false; // QHttpServer handed it to handleRequest
    bool ready = false;      // bytes hold the serialized answer
    bool closeAfter = false; // close the connection once written
    bool refusal = false;    // the guard's own last answer, never dispatched
    QByteArray bytes;        // the serialized answer, or its head when body is set apart
    QByteArray body;         // sent after bytes in the same writev (shared, not copied)
    QByteArray requestBody;  // the body of a request the guard serves itself
};

// The per-connection guard, a child of its socket. It sees the bytes of each request before
// QHttpServer does (its readyRead slot is connected first), keeps the limits and timers, and
// writes the answers in request order.
class ConnectionGuard final : public QObject
{
public:
    ConnectionGuard(HttpServer::Private *d, QTcpSocket *socket, bool tls);
    ~ConnectionGuard() override;

    // Connects the slots around QHttpServer's: before handing over, then after.
    void attachBefore();
    void attachAfter();

    QTcpSocket *socket() const { return m_socket; }
    const QHostAddress &peer() const { return m_peer; } // read once, at accept
    bool isConnected() const;

    // Called by the dispatcher for the next request QHttpServer parsed. nullptr: the two
    // parsers disagree (the connection is then aborted) or the request is to be ignored.
    PendingRequest *beginDispatch(quint64 *sequence, int method);

    // The answer of request `sequence` (head, then body); written when every earlier answer is
    // out.
    void answer(quint64 sequence, QByteArray head, QByteArray body, bool closeAfter);

    void markUpgraded() { m_upgraded = true; }
    bool isUpgraded() const { return m_upgraded; }

    void checkDeadlines(qint64 nowMs);
    void closeNow(); // server shutdown
    // An answer is owed or not yet handed to the kernel (not for WebSockets): shutdown waits.
    bool hasWorkInFlight() const;

private:
    void onReadyRead();
    void afterReadyRead();
    void onBytesWritten();
    bool onHead(qsizetype bodyBytesAlreadyHere);
    bool canServeDirectly(const PendingRequest &request) const;
    void writeAnswer(const QByteArray &head, const QByteArray &body);
    void reject(int status, const char *code);
    void refuseFurther(int status, const char *code);
    quint64 dispatchEnd() const; // sequence after the last request QHttpServer may dispatch
    void detachEngine();
    void flush();
    void beginClose();
    void finishWriteSide();
    void discardInput();
    void keepSpareDescriptor();
    void onSocketError(QAbstractSocket::SocketError error);
    void onStateChanged(QAbstractSocket::SocketState state);
    bool answerIncompleteRequest();
    bool owesDeferredAnswer() const;
    bool hasUndispatched() const { return m_nextDispatch < dispatchEnd(); }
    void takeOverAfterFin(bool cutShort);
    void dispatchLeftOver();
    void flushToSpare();
    void endPeerGone();

    HttpServer::Private *d;
    QTcpSocket *m_socket;
    QHostAddress m_peer;
    bool m_tls;
    RequestFramer m_framer;
    qint64 m_unconsumed = 0;
    std::deque<PendingRequest> m_requests;
    quint64 m_firstSequence = 0; // of m_requests.front()
    quint64 m_nextDispatch = 0;  // sequence of the next request QHttpServer will dispatch
    qint64 m_createdMs = 0;
    qint64 m_requestStartMs = -1; // first byte of the request being received
    qint64 m_lastActivityMs = 0;
    qint64 m_lastWriteProgressMs = 0;
    qint64 m_lingerUntilMs = -1;
    bool m_attached = false;       // after the TLS handshake, or at once for plain TCP
    bool m_noMoreRequests = false; // after Connection: close, an upgrade or a rejection
    bool m_engineDetached = false;
    bool m_closing = false;  // the last answer is written; shutting down
    bool m_upgraded = false; // a WebSocket now owns the socket
    // A duplicate of the socket's descriptor, held only while a request is half received: Qt
    // closes its own descriptor as soon as it reads the client's FIN, and this one still lets
    // the guard answer 400 to a client that half-closed mid-request. -1 otherwise.
    int m_spareFd = -1;
    // The client half-closed while answers were owed: Qt's side of the socket is gone, the
    // socket object is kept, and the owed answers go to m_spareFd.
    bool m_peerGone = false;
};

struct RouteMetrics
{
    // 1xx..5xx, index 0 unused; a class's series is created when it first occurs, so /metrics
    // lists only the status classes a route has answered (no 1xx series that is always 0).
    std::array<Metrics::Counter *, 6> byClass{};
    Metrics::Histogram *latency = nullptr;
    QString route; // the label values of its series
    QString method;
};

struct HttpServer::Private
{
    Private(HttpServer *q,
            Router &router,
            const Settings &settings,
            EventLog &events,
            Metrics::Registry &metrics,
            Credentials credentials);

    qint64 nowMs() const { return m_clock.elapsed(); }
    qint64 bodyLimitFor(const PendingRequest &request) const;
    QByteArray newRequestId();
    void registerGuard(QTcpSocket *socket, ConnectionGuard *guard);
    void unregisterGuard(QTcpSocket *socket);
    void sweep();

    // Dispatch (httpserver.cpp).
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket);
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket);
    // request: QHttpServer's parse, or nullptr for a bodiless request the guard framed and
    // consumed itself (its fields come from pending.head).
    void dispatch(const QHttpServerRequest *request,
                  ConnectionGuard *guard,
                  quint64 sequence,
                  PendingRequest &pending);
    bool handleUpgrade(const QHttpServerRequest &request,
                       ConnectionGuard *guard,
                       PendingRequest &pending);
    void onWebSocketConnections();
    RouteMetrics &routeMetrics(int routeIndex);
    Metrics::Counter &statusCounter(RouteMetrics &route, int statusClass);
    void countLimit(const char *reason);

    HttpServer *q;
    Router &router;
    Settings settings;
    EventLog &events;
    Metrics::Registry &metrics;
    // Set by stopListening(): every answer from then on closes its connection, so that a
    // keep-alive client does not send its next request into a connection about to close.
    bool stopping = false;
    Authenticator auth;
    std::unique_ptr<AuthFailureLimiter> limiter;
    ClientAddressResolver resolver;
    QSet<QByteArray> corsOrigins;
    RequestFramer::Limits framerLimits;
    qint64 maxBodyBytes = 1 << 20;
    int maxConnections = 1024;
    qint64 idleTimeoutMs = 30000;
    qint64 requestTimeoutMs = 10000;
    qint64 lingerMs = 2000;
    int maxPipelined = 32;

    bool tls = false;
    QSslConfiguration sslConfiguration;
    QElapsedTimer m_clock;
    Engine *engine = nullptr;
    QPointer<GuardedTcpServer> tcp;
    QHash<QTcpSocket *, ConnectionGuard *> guards;
    QTimer sweepTimer;
    QThreadPool workers;

    QByteArray requestIdPrefix;
    quint64 requestCounter = 0;

    struct PendingUpgrade
    {
        Router::WebSocketHandler handler;
        Request request;
        int closeCode = 0; // 0: accepted; 4401, 4403, 4404, 4429: refused
    };
    QHash<QString, PendingUpgrade> pendingUpgrades; // by "address|port"
    void startWebSocket(QWebSocket *socket, PendingUpgrade upgrade);
    bool refusingUpgrade = false; // handleUpgrade refused a handshake; missingHandler answers

    Metrics::Gauge *openConnectionsGauge = nullptr;
    Metrics::Counter *refusedConnections = nullptr;
    Metrics::Counter *authFailures = nullptr;
    QHash<QByteArray, Metrics::Counter *> limitCounters;
    std::vector<std::unique_ptr<RouteMetrics>> routeMetricsByIndex;
    std::unique_ptr<RouteMetrics> unmatchedMetrics;
};

} // namespace Mouse::Http

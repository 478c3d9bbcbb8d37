// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QUrl>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace Mouse::Orgo {

// A lean HTTP/1.1 client for the Orgo API: one pool of keep-alive connections per
// scheme+host+port (QTcpSocket, or QSslSocket with peer verification and SNI for https), up to
// maxConnectionsPerHost each (no cap of 6), a FIFO of requests waiting for a connection, and a
// response parser that reuses its buffers (Content-Length, chunked, or read until close).
//
// Lives on its thread (the main thread) and never blocks it: send() returns at once and the
// callback runs later on this object's thread, never inside send(). A connection that closes or
// errors fails only its own request, except the stale keep-alive race (a reused connection the
// server had closed before any byte of the response came), which is retried once on a fresh
// connection. A request's timeout covers connect, send and the whole response; it aborts the
// connection. Responses over maxResponseBytes fail with Failure::TooLarge.
class HttpClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpClient)

public:
    enum class Failure {
        None,
        Network,  // refused, reset, closed early, TLS handshake or certificate error
        Timeout,  // no complete response within the request's timeout
        Protocol, // the server's bytes are not HTTP/1.x
        TooLarge, // the response exceeds maxResponseBytes
        Aborted,  // abortAll()
    };

    struct Request
    {
        QByteArray method = "GET";
        QUrl url;           // http or https; path and query are sent as encoded
        QByteArray headers; // extra header lines, each ending in "\r\n" (no Host, no length)
        QByteArray body;    // sent with Content-Length when not empty or when not GET/DELETE
        int timeoutMs = 30000;
    };

    struct Response
    {
        int status = 0; // 0 when no response came
        QByteArray body;
        QByteArray contentType;
        QByteArray retryAfter;
        QByteArray requestId; // X-Request-Id
        Failure failure = Failure::None;
        QString errorString; // ours, for logs; never an upstream body
        bool ok() const { return failure == Failure::None; }
    };

    using Done = std::function<void(Response &&)>;

    explicit HttpClient(int maxConnectionsPerHost = 10, QObject *parent = nullptr);
    ~HttpClient() override;

    void setMaxConnectionsPerHost(int connections);
    int maxConnectionsPerHost() const { return m_maxConnections; }
    void setMaxResponseBytes(qint64 bytes) { m_maxResponseBytes = bytes; }
    qint64 maxResponseBytes() const { return m_maxResponseBytes; }
    // Idle keep-alive connections are closed after this long without a request.
    void setIdleTimeoutMs(int ms) { m_idleTimeoutMs = ms; }

    void send(Request request, Done done);

    // Fails every queued and running request with Failure::Aborted (synchronously) and closes
    // every connection.
    void abortAll();

    int openConnections() const;                                      // over all pools
    quint64 connectionsOpened() const { return m_connectionsOpened; } // ever, over all pools
    quint64 staleRetries() const { return m_staleRetries; }
    int queued() const;

    static constexpr qint64 DefaultMaxResponseBytes = 32 << 20;

private:
    struct Pending;
    struct Pool;
    class Connection;
    friend class Connection;

    Pool &poolFor(const QUrl &url);
    void pump(Pool &pool);
    void finished(Pool *pool, std::unique_ptr<Pending> pending, Response &&response);
    void retryStale(Connection *connection, std::unique_ptr<Pending> pending);
    void dropConnection(Connection *connection);

    QHash<QString, Pool *> m_pools;
    int m_maxConnections = 10;
    qint64 m_maxResponseBytes = DefaultMaxResponseBytes;
    int m_idleTimeoutMs = 60000;
    quint64 m_connectionsOpened = 0;
    quint64 m_staleRetries = 0;
    bool m_aborting = false;
};

} // namespace Mouse::Orgo

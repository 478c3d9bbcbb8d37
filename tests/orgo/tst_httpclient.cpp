// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later

// Orgo::HttpClient against a raw QTcpServer on 127.0.0.1 whose answers each test scripts byte
// for byte: keep-alive reuse, the concurrency limit, chunked and Content-Length bodies, stale
// keep-alive connections, timeouts, garbage and the response cap.

#include "core/orgo/httpclient.h"

#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <optional>

using namespace Mouse::Orgo;
using namespace Qt::Literals::StringLiterals;

namespace {

// Reads requests (head plus Content-Length body) and hands each to the test's script, which
// writes whatever it likes on the socket (or nothing, or closes it).
class ScriptedServer final : public QObject
{
public:
    struct Seen
    {
        QByteArray head;
        QByteArray body;
        int connection = 0; // 1-based, in order of accept
        int indexOnConnection = 0;
    };
    using Script = std::function<void(QTcpSocket *, const Seen &)>;

    explicit ScriptedServer(QObject *parent = nullptr)
        : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                const int number = ++m_connections;
                ++m_open;
                m_maxOpen = qMax(m_maxOpen, m_open);
                auto buffer = std::make_shared<QByteArray>();
                auto count = std::make_shared<int>(0);
                connect(socket, &QTcpSocket::readyRead, this, [=] {
                    *buffer += socket->readAll();
                    consume(socket, *buffer, number, *count);
                });
                connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    --m_open;
                    socket->deleteLater();
                });
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    }

    QUrl url(const QString &path) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
    }
    void setScript(Script script) { m_script = std::move(script); }
    int connections() const { return m_connections; }
    int open() const { return m_open; }
    int maxOpen() const { return m_maxOpen; }
    const QList<Seen> &seen() const { return m_seen; }

private:
    void consume(QTcpSocket *socket, QByteArray &buffer, int number, int &count)
    {
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            Seen seen;
            seen.head = buffer.left(end);
            qsizetype length = 0;
            const qsizetype at = seen.head.toLower().indexOf("content-length:");
            if (at >= 0) {
                const qsizetype eol = seen.head.indexOf('\r', at);
                length = seen.head.mid(at + 15, eol < 0 ? -1 : eol - at - 15)
                                 .trimmed()
                                 .toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            seen.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            seen.connection = number;
            seen.indexOnConnection = ++count;
            m_seen.append(seen);
            if (m_script)
                m_script(socket, seen);
        }
    }

    QTcpServer m_server;
    Script m_script;
    QList<Seen> m_seen;
    int m_connections = 0;
    int m_open = 0;
    int m_maxOpen = 0;
};

QByteArray okResponse(const QByteArray &body, const QByteArray &extra = {})
{
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body;
}

} // namespace

class tst_HttpClient final : public QObject
{
    Q_OBJECT

private slots:
    void keepAliveReusesOneConnection();
    void postSendsBodyAndHost();
    void parallelRequestsOpenUpToTheLimit();
    void contentLengthAndChunkedBodies();
    void bodyUntilClose();
    void responseHeaders();
    void staleKeepAliveIsRetriedOnce();
    void freshConnectionClosedFailsOnlyItsRequest();
    void idleConnectionClosedByServerIsDropped();
    void timeoutAbortsTheConnection();
    void garbageIsAProtocolError();
    void responseCap();
    void abortAllFailsEverything();
    void refusedConnection();

private:
    static HttpClient::Response wait(std::optional<HttpClient::Response> &slot)
    {
        if (!QTest::qWaitFor([&] { return slot.has_value(); }, 10000))
            qFatal("request did not finish");
        return *slot;
    }
    static HttpClient::Response get(HttpClient &client, const QUrl &url, int timeoutMs = 5000)
    {
        std::optional<HttpClient::Response> result;
        HttpClient::Request request;
        request.url = url;
        request.timeoutMs = timeoutMs;
        client.send(request, [&result](HttpClient::Response &&r) { result = std::move(r); });
        return wait(result);
    }
};

void tst_HttpClient::keepAliveReusesOneConnection()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        socket->write(okResponse("{\"n\":" + QByteArray::number(seen.indexOnConnection) + "}"));
    });
    HttpClient client(10);
    for (int i = 1; i <= 5; ++i) {
        const HttpClient::Response response = get(client, server.url(u"/api/computers/a"_s));
        QVERIFY2(response.ok(), qPrintable(response.errorString));
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, "{\"n\":" + QByteArray::number(i) + "}");
    }
    QCOMPARE(server.connections(), 1);
    QCOMPARE(client.connectionsOpened(), 1u);
    QVERIFY(server.seen().first().head.startsWith("GET /api/computers/a HTTP/1.1\r\n"));
}

void tst_HttpClient::postSendsBodyAndHost()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &) {
        socket->write(okResponse("{}"));
    });
    HttpClient client(2);
    std::optional<HttpClient::Response> result;
    HttpClient::Request request;
    request.method = "POST";
    request.url = server.url(u"/api/computers?x=1%202"_s);
    request.headers = "Authorization: Bearer k\r\nContent-Type: application/json\r\n";
    request.body = R"({"name":"a"})";
    client.send(request, [&result](HttpClient::Response &&r) { result = std::move(r); });
    QVERIFY(wait(result).ok());

    const ScriptedServer::Seen &seen = server.seen().first();
    QVERIFY(seen.head.startsWith("POST /api/computers?x=1%202 HTTP/1.1\r\n"));
    const QByteArray host = "\r\nHost: 127.0.0.1:" + QByteArray::number(request.url.port());
    QVERIFY(seen.head.contains(host));
    QVERIFY(seen.head.contains("\r\nContent-Length: 12"));
    QVERIFY(seen.head.contains("\r\nAuthorization: Bearer k"));
    QCOMPARE(seen.body, request.body);
}

void tst_HttpClient::parallelRequestsOpenUpToTheLimit()
{
    // The server holds every answer until `limit` requests are open at once: the batch can only
    // finish if the client really runs that many in parallel.
    constexpr int limit = 10;
    ScriptedServer server;
    QList<QPointer<QTcpSocket>> held;
    server.setScript([&held](QTcpSocket *socket, const ScriptedServer::Seen &) {
        held.append(socket);
        if (held.size() < limit)
            return;
        for (const QPointer<QTcpSocket> &s : std::as_const(held)) {
            if (s)
                s->write(okResponse("{}"));
        }
        held.clear();
    });
    HttpClient client(limit);
    QList<std::optional<HttpClient::Response>> results(limit * 3);
    for (int i = 0; i < results.size(); ++i) {
        HttpClient::Request request;
        request.url = server.url(u"/c/%1"_s.arg(i));
        client.send(request,
                    [&results, i](HttpClient::Response &&r) { results[i] = std::move(r); });
    }
    QCOMPARE(client.queued(), results.size() - limit);
    for (auto &result : results)
        QVERIFY(wait(result).ok());
    QCOMPARE(server.connections(), limit); // exactly the limit, then reused
    QCOMPARE(server.maxOpen(), limit);
    QCOMPARE(client.openConnections(), limit);
    QCOMPARE(server.seen().size(), results.size());
}

void tst_HttpClient::contentLengthAndChunkedBodies()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        if (seen.head.contains("/chunked")) {
            // Split at awkward places, with an extension and a trailer.
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel");
            socket->flush();
            socket->write("lo\r\n");
            socket->write("F");
            socket->flush();
            socket->write("\r\n, chunked world\r\n0\r\nX-Trailer: 1\r\n\r\n");
        } else {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello");
            socket->flush();
            socket->write(" world");
        }
    });
    HttpClient client(4);
    HttpClient::Response response = get(client, server.url(u"/chunked"_s));
    QVERIFY2(response.ok(), qPrintable(response.errorString));
    QCOMPARE(response.body, QByteArray("hello, chunked world"));
    response = get(client, server.url(u"/length"_s));
    QVERIFY2(response.ok(), qPrintable(response.errorString));
    QCOMPARE(response.body, QByteArray("hello world"));
    response = get(client, server.url(u"/chunked"_s));
    QCOMPARE(response.body, QByteArray("hello, chunked world"));
    QCOMPARE(server.connections(), 1); // both framings leave the connection reusable
}

void tst_HttpClient::bodyUntilClose()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &) {
        socket->write("HTTP/1.0 200 OK\r\nContent-Type: image/png\r\n\r\nPNGDATA");
        socket->disconnectFromHost();
    });
    HttpClient client(4);
    const HttpClient::Response response = get(client, server.url(u"/img"_s));
    QVERIFY2(response.ok(), qPrintable(response.errorString));
    QCOMPARE(response.body, QByteArray("PNGDATA"));
    QCOMPARE(response.contentType, QByteArray("image/png"));
    QVERIFY(get(client, server.url(u"/img"_s)).ok()); // a new connection
    QCOMPARE(server.connections(), 2);
}

void tst_HttpClient::responseHeaders()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &) {
        socket->write("HTTP/1.1 100 Continue\r\n\r\n"
                      "HTTP/1.1 429 Too Many Requests\r\ncontent-type:application/json\r\n"
                      "RETRY-AFTER:   7  \r\nX-Request-Id: req_42\r\nContent-Length: 2\r\n\r\n{}");
    });
    HttpClient client(1);
    const HttpClient::Response response = get(client, server.url(u"/x"_s));
    QVERIFY(response.ok()); // an HTTP answer, whatever its status
    QCOMPARE(response.status, 429);
    QCOMPARE(response.retryAfter, QByteArray("7"));
    QCOMPARE(response.contentType, QByteArray("application/json"));
    QCOMPARE(response.requestId, QByteArray("req_42"));
    QCOMPARE(response.body, QByteArray("{}"));
}

void tst_HttpClient::staleKeepAliveIsRetriedOnce()
{
    // The server answers the first request of each connection, then closes on reading the
    // second without a byte: the client's idle connection was stale.
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        if (seen.indexOnConnection == 1)
            socket->write(okResponse("{}"));
        else
            socket->abort();
    });
    HttpClient client(4);
    QVERIFY(get(client, server.url(u"/a"_s)).ok());
    const HttpClient::Response second = get(client, server.url(u"/b"_s));
    QVERIFY2(second.ok(), qPrintable(second.errorString));
    QCOMPARE(second.status, 200);
    QCOMPARE(client.staleRetries(), 1u);
    QCOMPARE(server.connections(), 2);
    QCOMPARE(server.seen().size(), 3); // /a, /b (dropped), /b again
}

void tst_HttpClient::freshConnectionClosedFailsOnlyItsRequest()
{
    // A connection that closes before answering its first request is not the stale race: no
    // resend (the server may have acted on it); only that request fails.
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        if (seen.head.contains("/die"))
            socket->abort();
        else
            socket->write(okResponse("{}"));
    });
    HttpClient client(4);
    std::optional<HttpClient::Response> die;
    std::optional<HttpClient::Response> fine;
    HttpClient::Request request;
    request.url = server.url(u"/die"_s);
    client.send(request, [&die](HttpClient::Response &&r) { die = std::move(r); });
    request.url = server.url(u"/fine"_s);
    client.send(request, [&fine](HttpClient::Response &&r) { fine = std::move(r); });
    QCOMPARE(wait(die).failure, HttpClient::Failure::Network);
    QVERIFY(wait(fine).ok());
    QCOMPARE(client.staleRetries(), 0u);
    int dies = 0;
    for (const auto &seen : server.seen())
        dies += seen.head.contains("/die") ? 1 : 0;
    QCOMPARE(dies, 1);
}

void tst_HttpClient::idleConnectionClosedByServerIsDropped()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &) {
        socket->write(okResponse("{}"));
        socket->disconnectFromHost(); // an idle timeout on the server's side
    });
    HttpClient client(4);
    QVERIFY(get(client, server.url(u"/a"_s)).ok());
    QTRY_COMPARE(client.openConnections(), 0);
    QVERIFY(get(client, server.url(u"/b"_s)).ok());
    QCOMPARE(server.connections(), 2);
    QCOMPARE(client.staleRetries(), 0u);
}

void tst_HttpClient::timeoutAbortsTheConnection()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        if (seen.head.contains("/slow"))
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
        else
            socket->write(okResponse("{}"));
    });
    HttpClient client(1);
    const HttpClient::Response response = get(client, server.url(u"/slow"_s), 150);
    QCOMPARE(response.failure, HttpClient::Failure::Timeout);
    QCOMPARE(response.status, 0);
    QTRY_COMPARE(server.open(), 0); // the connection was aborted, not left half-read
    QVERIFY(get(client, server.url(u"/fast"_s)).ok());
    QCOMPARE(server.connections(), 2);
}

void tst_HttpClient::garbageIsAProtocolError()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        if (seen.head.contains("/noise"))
            socket->write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        else if (seen.head.contains("/badlength"))
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n");
        else if (seen.head.contains("/badchunk"))
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        else if (seen.head.contains("/binary"))
            socket->write(QByteArray(70000, '\x01'));
        else
            socket->write("HTTP/1.1 2x0 OK\r\n\r\n");
    });
    HttpClient client(2);
    for (const QString &path :
         {u"/noise"_s, u"/badlength"_s, u"/badchunk"_s, u"/binary"_s, u"/status"_s}) {
        const HttpClient::Response response = get(client, server.url(path));
        QCOMPARE(response.failure, HttpClient::Failure::Protocol);
        QVERIFY(response.errorString.contains(u"invalid HTTP response"_s));
    }
    QTRY_COMPARE(client.openConnections(), 0);
}

void tst_HttpClient::responseCap()
{
    ScriptedServer server;
    server.setScript([](QTcpSocket *socket, const ScriptedServer::Seen &seen) {
        const QByteArray big(3000, 'x');
        if (seen.head.contains("/length")) {
            socket->write(okResponse(big));
        } else if (seen.head.contains("/chunked")) {
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 3; ++i)
                socket->write("3E8\r\n" + QByteArray(1000, 'y') + "\r\n");
            socket->write("0\r\n\r\n");
        } else if (seen.head.contains("/close")) {
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big);
            socket->disconnectFromHost();
        } else {
            socket->write(okResponse(QByteArray(2048, 'z')));
        }
    });
    HttpClient client(2);
    client.setMaxResponseBytes(2048);
    for (const QString &path : {u"/length"_s, u"/chunked"_s, u"/close"_s}) {
        const HttpClient::Response response = get(client, server.url(path));
        QCOMPARE(response.failure, HttpClient::Failure::TooLarge);
        QVERIFY(response.errorString.contains(u"2048"_s));
        QVERIFY(response.body.isEmpty());
    }
    const HttpClient::Response exact = get(client, server.url(u"/exact"_s));
    QVERIFY(exact.ok());
    QCOMPARE(exact.body.size(), 2048);
}

void tst_HttpClient::abortAllFailsEverything()
{
    ScriptedServer server; // never answers
    HttpClient client(2);
    QList<std::optional<HttpClient::Response>> results(5);
    for (int i = 0; i < results.size(); ++i) {
        HttpClient::Request request;
        request.url = server.url(u"/hang"_s);
        client.send(request,
                    [&results, i](HttpClient::Response &&r) { results[i] = std::move(r); });
    }
    QTRY_COMPARE(server.seen().size(), 2);
    client.abortAll();
    for (const auto &result : results) {
        QVERIFY(result.has_value()); // synchronously
        QCOMPARE(result->failure, HttpClient::Failure::Aborted);
    }
    QCOMPARE(client.openConnections(), 0);
    QCOMPARE(client.queued(), 0);
}

void tst_HttpClient::refusedConnection()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed: nothing listens there now
    HttpClient client(2);
    const HttpClient::Response response = get(client, QUrl(u"http://127.0.0.1:%1/x"_s.arg(port)));
    QCOMPARE(response.failure, HttpClient::Failure::Network);
    QCOMPARE(response.status, 0);
}

QTEST_GUILESS_MAIN(tst_HttpClient)
#include "tst_httpclient.moc"

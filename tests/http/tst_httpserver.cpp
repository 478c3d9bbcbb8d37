// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "harness.h"
#include "rawclient.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <sys/socket.h>

using Mouse::Settings;

namespace {

Settings with(std::initializer_list<std::pair<const char *, const char *>> values)
{
    Settings settings = Settings::defaults();
    for (const auto &[key, value] : values)
        settings = settings.withValue(QString::fromLatin1(key), QString::fromLatin1(value));
    return settings;
}

// Every error answer has the one shape and says nothing internal.
void verifyErrorShape(const RawResponse &response)
{
    const QJsonObject error = response.json().value(QStringLiteral("error")).toObject();
    QVERIFY2(!error.value(QStringLiteral("code")).toString().isEmpty(), response.body.constData());
    QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
    QVERIFY(!error.value(QStringLiteral("request_id")).toString().isEmpty());
    QCOMPARE(response.header("content-type"), QByteArray("application/json"));
    for (const char *leak : {"SELECT", "secret", "internal_table", "Qt", "exception", "what()"})
        QVERIFY2(!response.body.contains(leak), response.body.constData());
}

QString errorCode(const RawResponse &response)
{
    const QJsonObject error = response.json().value(QStringLiteral("error")).toObject();
    return error.value(QStringLiteral("code")).toString();
}

} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT

private slots:
    void publicRouteAndCommonHeaders();
    void answersCloseTheConnectionOnceStopping();
    void requestIds();
    void notFound();
    void methodNotAllowed();
    void unknownMethodNotImplemented();
    void hostRequired();
    void byteOrderMarkRefused();
    void headAnswersGetHeaders();
    void optionsAllow();
    void largeBodies();
    void corsOnlyForConfiguredOrigins();
    void adminRoute();
    void customerRoute();
    void authFailuresRateLimited();
    void oversizedBodyRefusedBeforeBuffering();
    void routeBodyLimit();
    void chunkedBodies();
    void expectContinue();
    void headerTooLarge();
    void malformedRequest();
    void pathIsUtf8();
    void slowClientCutOff();
    void halfClosedMidRequest();
    void idleConnectionClosed();
    void deferredAnswerThenCloseEndsConnection();
    void tooManyConnections();
    void connectionCloseHonoured();
    void http10();
    void pipelinedAnswersKeepOrder();
    void pipelinedBeyondTheLimit();
    void requestFieldsSameOnBothPaths();
    void pipelinedMixOfBodiesAndBodiless();
    void clientGoneDuringDeferredAnswer();
    void halfClosedAfterWholeRequestsGetsDeferredAnswers();
    void halfClosedPipelineAllAnswered();
    void droppedResponderAnswers500();
    void throwingHandlerLeaksNothing();
    void handlerHeaderInjectionDropped();
    void metricsCounted();
    void webSocketAuthentication();
    void webSocketLargeClientMessageRefused();
    void webSocketBadHandshakeAnswered();
    void closeStopsServing();
};

void tst_HttpServer::publicRouteAndCommonHeaders()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->json().value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(response->header("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(response->header("x-frame-options"), QByteArray("DENY"));
    QCOMPARE(response->header("cache-control"), QByteArray("no-store"));
    QVERIFY(response->header("content-security-policy").contains("default-src 'none'"));
    QVERIFY(!response->header("x-request-id").isEmpty());
    QVERIFY(!response->hasHeader("connection"));
    QVERIFY(h.server->url().toString().startsWith(QStringLiteral("http://127.0.0.1:")));

    // Keep-alive: the same connection serves again.
    const auto again = client.request(get("/public"));
    QVERIFY(again);
    QCOMPARE(again->status, 200);
    QVERIFY(again->header("x-request-id") != response->header("x-request-id"));
}

// Shutdown drains the open connections: a keep-alive client is told to go (Connection: close,
// then the server closes), instead of sending its next request into a connection that the
// end of the drain cuts without an answer.
void tst_HttpServer::answersCloseTheConnectionOnceStopping()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto before = client.request(get("/public"));
    QVERIFY(before);
    QVERIFY(!before->hasHeader("connection"));

    h.server->stopListening();
    const auto during = client.request(get("/public"));
    QVERIFY(during);
    QCOMPARE(during->status, 200);
    QCOMPARE(during->header("connection"), QByteArray("close"));
    QTRY_COMPARE_WITH_TIMEOUT(client.socket()->state(), QAbstractSocket::UnconnectedState, 5000);
}

void tst_HttpServer::requestIds()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    auto response = client.request(get("/public", "X-Request-Id: trace-42.a_b\r\n"));
    QVERIFY(response);
    QCOMPARE(response->header("x-request-id"), QByteArray("trace-42.a_b"));

    response = client.request(get("/nope", "X-Request-Id: trace-43\r\n"));
    QVERIFY(response);
    QCOMPARE(response->json()
                     .value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("request_id"))
                     .toString(),
             QStringLiteral("trace-43"));

    // Not sane (spaces, quotes, too long): replaced.
    response = client.request(get("/public", "X-Request-Id: a b\"<script>\r\n"));
    QVERIFY(response);
    QVERIFY(!response->header("x-request-id").contains("script"));
    response = client.request(get("/public", "X-Request-Id: " + QByteArray(100, 'x') + "\r\n"));
    QVERIFY(response);
    QVERIFY(response->header("x-request-id").size() < 64);
}

void tst_HttpServer::notFound()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    for (const char *path : {"/nope",
                             "/public/",
                             "/api/v1/customers/cst_a",
                             "/%2e%2e/public",
                             "/api/v1/customers/cst_a/things/extra"}) {
        const auto response = client.request(get(path));
        QVERIFY(response);
        QCOMPARE(response->status, 404);
        QCOMPARE(response->errorCode(), QStringLiteral("not_found"));
        verifyErrorShape(*response);
    }
}

void tst_HttpServer::methodNotAllowed()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request("DELETE /public HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 405);
    QCOMPARE(response->header("allow"), QByteArray("GET, HEAD, OPTIONS"));
    verifyErrorShape(*response);
    QVERIFY(!client.isClosed());
}

// Methods are case-sensitive (RFC 9110 9.1); one the server does not implement is 501, not
// 405 (which says the resource exists and lists what it takes). The earlier requests on the
// connection are still answered; the connection then closes.
void tst_HttpServer::unknownMethodNotImplemented()
{
    Harness h;
    QVERIFY(h.start());
    for (const QByteArray &method : {QByteArray("BREW"),
                                     QByteArray("get"),
                                     QByteArray("Get"),
                                     QByteArray("TRACE"),
                                     QByteArray("CONNECT")}) {
        RawClient client(h.port());
        client.send(get("/public") + method + " /public HTTP/1.1\r\nHost: x\r\n\r\n"
                    + get("/public"));
        const auto first = client.next();
        QVERIFY(first);
        QCOMPARE(first->status, 200);
        const auto refused = client.next();
        QVERIFY2(refused, method.constData());
        QCOMPARE(refused->status, 501);
        QCOMPARE(refused->errorCode(), QStringLiteral("not_implemented"));
        QVERIFY(!refused->hasHeader("allow"));
        QCOMPARE(refused->header("connection"), QByteArray("close"));
        verifyErrorShape(*refused);
        QVERIFY(client.waitClosed());
        QVERIFY(client.buffer().isEmpty());
    }
    // With a body: refused before the handler reads it.
    RawClient body(h.port());
    const auto refused
            = body.request("BREW /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    QVERIFY(refused);
    QCOMPARE(refused->status, 501);
    QCOMPARE(h.echoCalls, 0);
}

// RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with two, is 400.
void tst_HttpServer::hostRequired()
{
    Harness h;
    QVERIFY(h.start());
    const QList<QPair<QByteArray, QString>> cases = {
            {"GET /public HTTP/1.1\r\n\r\n", QStringLiteral("missing_host")},
            {"POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", QStringLiteral("missing_host")},
            {"GET /public HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
             QStringLiteral("duplicate_host")},
            {"GET /public HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
             QStringLiteral("duplicate_host")},
    };
    for (const auto &[request, code] : cases) {
        RawClient client(h.port());
        const auto response = client.request(request);
        QVERIFY2(response, request.constData());
        QCOMPARE(response->status, 400);
        QCOMPARE(response->errorCode(), code);
        QCOMPARE(response->header("connection"), QByteArray("close"));
        verifyErrorShape(*response);
        QVERIFY(client.waitClosed());
    }
    QCOMPARE(h.echoCalls, 0);

    // Pipelined behind a good request: that one is answered first.
    RawClient pipelined(h.port());
    pipelined.send(get("/public") + "GET /public HTTP/1.1\r\n\r\n" + get("/public"));
    const auto first = pipelined.next();
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    const auto refused = pipelined.next();
    QVERIFY(refused);
    QCOMPARE(refused->errorCode(), QStringLiteral("missing_host"));
    QVERIFY(pipelined.waitClosed());
    QVERIFY(pipelined.buffer().isEmpty());

    // HTTP/1.0 needs none; an empty Host is allowed (RFC 9110 7.2).
    RawClient old(h.port());
    const auto http10 = old.request("GET /public HTTP/1.0\r\n\r\n");
    QVERIFY(http10);
    QCOMPARE(http10->status, 200);
    RawClient empty(h.port());
    const auto emptyHost = empty.request("GET /public HTTP/1.1\r\nHost:\r\n\r\n");
    QVERIFY(emptyHost);
    QCOMPARE(emptyHost->status, 200);
}

// RFC 8259 8.1: a JSON body must not start with a byte order mark; the HTTP layer refuses one
// on every route that declares a JSON body, before its handler runs.
void tst_HttpServer::byteOrderMarkRefused()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const QByteArray head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
    const auto refused = client.request(head + "\xEF\xBB\xBF{}");
    QVERIFY(refused);
    QCOMPARE(refused->status, 400);
    QCOMPARE(refused->errorCode(), QStringLiteral("invalid_json"));
    verifyErrorShape(*refused);
    QCOMPARE(h.echoCalls, 0);
    // The mark anywhere else is the handler's business, and the connection stays usable.
    const auto inside = client.request(head + "{}\xEF\xBB\xBF");
    QVERIFY(inside);
    QCOMPARE(inside->status, 200);
    QCOMPARE(h.echoCalls, 1);
}

void tst_HttpServer::headAnswersGetHeaders()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto full = client.request(get("/public"));
    QVERIFY(full);
    const auto head = client.request("HEAD /public HTTP/1.1\r\nHost: x\r\n\r\n", 5000, true);
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->header("content-length").toInt(), full->body.size());
    QVERIFY(head->body.isEmpty());
    // No stray body bytes: the next answer parses cleanly on the same connection.
    const auto after = client.request(get("/public"));
    QVERIFY(after);
    QCOMPARE(after->status, 200);
    QCOMPARE(after->body, full->body);
    // HEAD of an admin route still needs credentials.
    const auto denied = client.request("HEAD /admin/thing HTTP/1.1\r\nHost: x\r\n\r\n", 5000, true);
    QVERIFY(denied);
    QCOMPARE(denied->status, 401);
}

void tst_HttpServer::largeBodies()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    client.send(get("/big") + get("/public") + get("/big"));
    auto response = client.next();
    QVERIFY(response);
    QCOMPARE(response->body, QByteArray(100000, 'b'));
    QVERIFY(!response->hasHeader("content-security-policy")); // not JSON
    response = client.next();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.next();
    QVERIFY(response);
    QCOMPARE(response->body.size(), 100000);
    response = client.request("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n", 5000, true);
    QVERIFY(response);
    QCOMPARE(response->header("content-length"), QByteArray("100000"));
    response = client.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void tst_HttpServer::optionsAllow()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request("OPTIONS /admin/thing HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 204);
    const QByteArray allow = response->header("allow");
    for (const char *method : {"GET", "HEAD", "POST", "OPTIONS"})
        QVERIFY2(allow.contains(method), allow.constData());
    QVERIFY(!response->hasHeader("access-control-allow-origin"));
    const auto missing = client.request("OPTIONS /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(missing);
    QCOMPARE(missing->status, 404);
}

void tst_HttpServer::corsOnlyForConfiguredOrigins()
{
    Harness h(with({{"server/cors_origins", "https://app.example"}}));
    QVERIFY(h.start());
    RawClient client(h.port());
    const QByteArray preflight = "OPTIONS /admin/thing HTTP/1.1\r\nHost: x\r\n"
                                 "Access-Control-Request-Method: POST\r\n";
    auto response = client.request(preflight + "Origin: https://app.example\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 204);
    QCOMPARE(response->header("access-control-allow-origin"), QByteArray("https://app.example"));
    QVERIFY(response->header("access-control-allow-methods").contains("POST"));
    QVERIFY(response->header("access-control-allow-headers").contains("Authorization"));
    // A purchase's retry key (docs/payments.md) must pass a browser's preflight.
    QVERIFY(response->header("access-control-allow-headers").contains("Idempotency-Key"));
    QCOMPARE(response->header("vary"), QByteArray("Origin"));
    QVERIFY(!response->hasHeader("access-control-allow-credentials"));

    response = client.request(preflight + "Origin: https://evil.example\r\n\r\n");
    QVERIFY(response);
    QVERIFY(!response->hasHeader("access-control-allow-origin"));
    QVERIFY(!response->hasHeader("access-control-allow-methods"));

    response = client.request(get("/public", "Origin: https://app.example\r\n"));
    QVERIFY(response);
    QCOMPARE(response->header("access-control-allow-origin"), QByteArray("https://app.example"));
    // ... and its script can read the request id and a Retry-After.
    QCOMPARE(response->header("access-control-expose-headers"),
             QByteArray("X-Request-Id, Retry-After"));
    response = client.request(get("/public", "Origin: null\r\n"));
    QVERIFY(response);
    QVERIFY(!response->hasHeader("access-control-allow-origin"));
}

void tst_HttpServer::adminRoute()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    auto response = client.request(get("/admin/thing"));
    QVERIFY(response);
    QCOMPARE(response->status, 401);
    QCOMPARE(response->header("www-authenticate"), QByteArray("Bearer"));
    verifyErrorShape(*response);

    response = client.request(get("/admin/thing", bearer("wrong")));
    QVERIFY(response);
    QCOMPARE(response->status, 401);

    response = client.request(get("/admin/thing", "Authorization: Basic YWRtaW4tc2VjcmV0\r\n"));
    QVERIFY(response);
    QCOMPARE(response->status, 401);

    response = client.request(get("/admin/thing", bearer("key-a")));
    QVERIFY(response);
    QCOMPARE(response->status, 403);
    verifyErrorShape(*response);

    response = client.request(get("/admin/thing", bearer("admin-secret-for-tests")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->json().value(QStringLiteral("admin")).toBool(), true);

    response = client.request(
            "POST /admin/thing HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    QVERIFY(response);
    QCOMPARE(response->status, 401);
    response = client.request("POST /admin/thing HTTP/1.1\r\nHost: x\r\n"
                              + bearer("admin-secret-for-tests") + "Content-Length: 2\r\n\r\nhi");
    QVERIFY(response);
    QCOMPARE(response->status, 201);
    QCOMPARE(h.lastBody, QByteArray("hi"));
}

void tst_HttpServer::customerRoute()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const QByteArray path = "/api/v1/customers/cst_a/things";
    auto response = client.request(get(path));
    QVERIFY(response);
    QCOMPARE(response->status, 401);

    response = client.request(get(path, bearer("key-a")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->json().value(QStringLiteral("principal")).toString(),
             QStringLiteral("cst_a"));

    response = client.request(get(path, bearer("key-b")));
    QVERIFY(response);
    QCOMPARE(response->status, 403);
    verifyErrorShape(*response);

    response = client.request(get(path, bearer("admin-secret-for-tests")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->json().value(QStringLiteral("admin")).toBool(), true);

    response = client.request(
            get("/api/v1/customers/cst_zz/things", bearer("admin-secret-for-tests")));
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    QCOMPARE(response->errorCode(), QStringLiteral("customer_not_found"));

    response = client.request(get("/api/v1/customers/cst_zz/things", bearer("key-a")));
    QVERIFY(response);
    QCOMPARE(response->status, 403);
}

void tst_HttpServer::authFailuresRateLimited()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QIODevice::peek"))); // as below
    Harness h(with({{"server/auth_failures_per_minute", "3"}}));
    QVERIFY(h.start());
    qint64 now = 0;
    h.server->setAuthClock([&now] { return now; });
    RawClient client(h.port());
    for (int i = 0; i < 3; ++i) {
        const auto response = client.request(get("/admin/thing", bearer("guess")));
        QVERIFY(response);
        QCOMPARE(response->status, 401);
    }
    // Guessing from that address is refused...
    auto response = client.request(get("/admin/thing", bearer("guess-4")));
    QVERIFY(response);
    QCOMPARE(response->status, 429);
    QCOMPARE(response->header("retry-after"), QByteArray("60"));
    verifyErrorShape(*response);
    response = client.request(get("/admin/thing"));
    QVERIFY(response);
    QCOMPARE(response->status, 429);
    response = client.request(get("/api/v1/customers/cst_a/things", bearer("key-b")));
    QVERIFY(response);
    QCOMPARE(response->status, 429);
    // ...but a correct credential from the same address is never refused by the limiter.
    now += 1000;
    response = client.request(get("/admin/thing", bearer("admin-secret-for-tests")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.request(get("/api/v1/customers/cst_a/things", bearer("key-a")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.request(get("/admin/thing", bearer("guess-5")));
    QVERIFY(response);
    QCOMPARE(response->status, 429);
    QCOMPARE(response->header("retry-after"), QByteArray("59"));
    // WebSocket upgrades alike: a guess is closed with 4429, a correct key is served.
    for (const auto &[query, expectedClose] : {std::pair{QStringLiteral("?token=key-a"), 0},
                                               std::pair{QStringLiteral("?token=x"), 4429}}) {
        QWebSocket socket;
        QString received;
        QObject::connect(&socket,
                         &QWebSocket::textMessageReceived,
                         &socket,
                         [&received](const QString &message) { received = message; });
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/cst_a%2").arg(h.port()).arg(query)));
        if (expectedClose == 0) {
            QTRY_COMPARE_WITH_TIMEOUT(received, QStringLiteral("hello cst_a"), 5000);
            socket.close();
        } else {
            QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
            QCOMPARE(int(socket.closeCode()), expectedClose);
        }
    }
    // Every refusal is counted, the WebSocket's too (four 429s and one 4429; the 4429 was
    // not counted until session 6).
    QVERIFY2(h.metrics.prometheusText().contains(
                     "mouse_http_limit_hits_total{reason=\"rate_limited\"} 5"),
             h.metrics.prometheusText().constData());
    // Public routes stay reachable.
    response = client.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    // The window ends.
    now += 60000;
    response = client.request(get("/admin/thing", bearer("guess-6")));
    QVERIFY(response);
    QCOMPARE(response->status, 401);
}

void tst_HttpServer::oversizedBodyRefusedBeforeBuffering()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    // Headers announce 100 MB but only a few bytes follow: the answer must come at once,
    // without waiting for (or buffering) the body.
    client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n0123456789");
    const auto response = client.next(3000);
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QCOMPARE(response->errorCode(), QStringLiteral("payload_too_large"));
    QCOMPARE(response->header("connection"), QByteArray("close"));
    verifyErrorShape(*response);
    QVERIFY(client.waitClosed());
    QCOMPARE(h.echoCalls, 0);

    // The default limit (server/max_body_bytes) applies to unknown paths too.
    RawClient other(h.port());
    const auto unknown
            = other.request("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n");
    QVERIFY(unknown);
    QCOMPARE(unknown->status, 413);
}

void tst_HttpServer::routeBodyLimit()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const QByteArray body(101, 'x');
    const auto response = client.request("POST /admin/thing HTTP/1.1\r\nHost: x\r\n"
                                         + bearer("admin-secret-for-tests")
                                         + "Content-Length: 101\r\n\r\n" + body);
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    RawClient ok(h.port());
    const auto accepted = ok.request("POST /admin/thing HTTP/1.1\r\nHost: x\r\n"
                                     + bearer("admin-secret-for-tests")
                                     + "Content-Length: 100\r\n\r\n" + QByteArray(100, 'y'));
    QVERIFY(accepted);
    QCOMPARE(accepted->status, 201);
}

void tst_HttpServer::chunkedBodies()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    auto response
            = client.request("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(h.lastBody, QByteArray("hello world"));
    // Nothing after a chunked request is trusted: the connection closes after the answer.
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());

    RawClient big(h.port());
    big.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i)
        big.send("200\r\n" + QByteArray(512, 'z') + "\r\n");
    response = big.next(3000);
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QVERIFY(big.waitClosed());
    QCOMPARE(h.echoCalls, 1);
}

void tst_HttpServer::expectContinue()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    client.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    const auto interim = client.next(3000);
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    QCOMPARE(h.echoCalls, 0);
    client.send("abcd");
    const auto final = client.next(3000);
    QVERIFY(final);
    QCOMPARE(final->status, 200);
    QCOMPARE(h.lastBody, QByteArray("abcd"));

    // Too large: a 413 instead of 100, and the client never sends its body.
    RawClient large(h.port());
    const auto refused = large.request("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                       "Content-Length: 5000\r\n\r\n");
    QVERIFY(refused);
    QCOMPARE(refused->status, 413);
}

void tst_HttpServer::headerTooLarge()
{
    Harness h(with({{"server/max_header_bytes", "2048"}}));
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response
            = client.request(get("/public", "X-Big: " + QByteArray(3000, 'a') + "\r\n"));
    QVERIFY(response);
    QCOMPARE(response->status, 431);
    verifyErrorShape(*response);
    QVERIFY(client.waitClosed());

    // A head that never ends is cut at the limit, not buffered forever.
    RawClient endless(h.port());
    endless.send("GET /public HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 10; ++i)
        endless.send("X-" + QByteArray::number(i) + ": " + QByteArray(300, 'b') + "\r\n");
    const auto cut = endless.next(3000);
    QVERIFY(cut);
    QCOMPARE(cut->status, 431);
}

void tst_HttpServer::malformedRequest()
{
    Harness h;
    QVERIFY(h.start());
    for (const QByteArray &bad :
         {QByteArray("GARBAGE\r\n\r\n"),
          QByteArray("GET / HTTP/3.0\r\n\r\n"),
          // A bad request line alone, the head unfinished: QHttpServer would close silently.
          QByteArray("GARBAGE\r\n"),
          QByteArray("\x01\x02\n"),
          QByteArray("GET / HTTP/3.0\r\n"),
          QByteArray("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: "
                     "2\r\n\r\n"),
          QByteArray("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
          QByteArray("GET /a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n")}) {
        RawClient client(h.port());
        const auto response = client.request(bad);
        QVERIFY2(response, bad.constData());
        QVERIFY2(response->status >= 400 && response->status < 600, bad.constData());
        verifyErrorShape(*response);
        QVERIFY(client.waitClosed());
    }
}

// One rule for a path: percent-encoded bytes are UTF-8, and bytes that are not UTF-8 are a 400
// (until session 6 they became U+FFFD, so "%E9" and "%EF%BF%BD" named the same resource); raw
// non-ASCII bytes are refused by the framer, so no id has a second, raw spelling.
void tst_HttpServer::pathIsUtf8()
{
    Harness h;
    QVERIFY(h.start());
    {
        RawClient client(h.port());
        const auto response = client.request(get("/inspect/caf%C3%A9"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->json().value(QStringLiteral("path")).toString(),
                 QStringLiteral("/inspect/caf\u00e9"));
    }
    for (const QByteArray &target : {QByteArray("/inspect/caf%E9"),       // Latin-1 é
                                     QByteArray("/inspect/caf%C3"),       // truncated
                                     QByteArray("/inspect/%C0%AF"),       // overlong '/'
                                     QByteArray("/inspect/%ED%A0%80"),    // a surrogate
                                     QByteArray("/inspect/%F4%90%80%80"), // beyond U+10FFFF
                                     QByteArray("/inspect/x%FF")}) {
        RawClient client(h.port());
        const auto response = client.request(get(target));
        QVERIFY2(response, target.constData());
        QCOMPARE(response->status, 400);
        verifyErrorShape(*response);
        QCOMPARE(errorCode(*response), QStringLiteral("invalid_path_encoding"));
        QVERIFY(client.waitClosed());
    }
    for (const QByteArray &raw :
         {QByteArray("/inspect/caf\xC3\xA9"), QByteArray("/inspect/caf\xE9")}) {
        RawClient client(h.port());
        const auto response = client.request(get(raw));
        QVERIFY2(response, raw.constData());
        QCOMPARE(response->status, 400);
        verifyErrorShape(*response);
        QCOMPARE(errorCode(*response), QStringLiteral("malformed_request"));
    }
}

void tst_HttpServer::slowClientCutOff()
{
    Harness h(with({{"server/request_timeout_ms", "300"}, {"server/idle_timeout_ms", "5000"}}));
    QVERIFY(h.start());
    // Slowloris: a head dripped byte by byte never completes in time.
    RawClient client(h.port());
    QVERIFY(client.waitConnected());
    const QByteArray head = "GET /public HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    QElapsedTimer timer;
    timer.start();
    bool closed = false;
    for (int i = 0; i < 100 && !closed; ++i) {
        client.send(QByteArray(1, head.at(i % head.size())));
        QTest::qWait(20);
        closed = client.isClosed();
    }
    QVERIFY(client.waitClosed(3000));
    const auto response = client.next(100);
    QVERIFY(response);
    QCOMPARE(response->status, 408);
    QCOMPARE(response->errorCode(), QStringLiteral("request_timeout"));

    // A body that stalls is cut off too.
    RawClient body(h.port());
    body.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    QVERIFY(body.waitClosed(3000));
    QCOMPARE(h.echoCalls, 0);
}

void tst_HttpServer::halfClosedMidRequest()
{
    Harness h(with({{"server/request_timeout_ms", "60000"}, {"server/idle_timeout_ms", "60000"}}));
    QVERIFY(h.start());
    // The client stops sending (shutdown(SHUT_WR)) with the body, or the head, unfinished: the
    // request can never complete, and the client, still reading, is told so at once.
    const QList<QByteArray> cut{"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
                                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n",
                                "GET /public HTTP/1.1\r\nHost: x\r\n"};
    for (const QByteArray &request : cut) {
        for (const bool pause : {true, false}) {
            RawClient client(h.port());
            client.send(request);
            // With a pause the FIN reaches the server in a read of its own; without, it may
            // come with the bytes.
            if (pause)
                QTest::qWait(100);
            QCOMPARE(::shutdown(int(client.socket()->socketDescriptor()), SHUT_WR), 0);
            const auto response = client.next(3000);
            QVERIFY2(response, request.constData());
            QCOMPARE(response->status, 400);
            QCOMPARE(response->errorCode(), QStringLiteral("incomplete_request"));
            QCOMPARE(response->header("connection"), QByteArray("close"));
            verifyErrorShape(*response);
            QVERIFY(client.waitClosed(3000));
        }
    }
    QCOMPARE(h.echoCalls, 0);

    // A whole request followed by the half-close is still answered normally.
    RawClient whole(h.port());
    whole.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    const auto answered = whole.next(3000);
    QVERIFY(answered);
    QCOMPARE(answered->status, 200);
    QCOMPARE(::shutdown(int(whole.socket()->socketDescriptor()), SHUT_WR), 0);
    QVERIFY(whole.waitClosed(3000));
    QVERIFY(whole.buffer().isEmpty());
}

void tst_HttpServer::idleConnectionClosed()
{
    Harness h(with({{"server/idle_timeout_ms", "300"}}));
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request(get("/public"));
    QVERIFY(response);
    QVERIFY(client.waitClosed(3000));
    QTRY_COMPARE(h.server->openConnections(), 0);

    RawClient silent(h.port());
    QVERIFY(silent.waitConnected());
    QVERIFY(silent.waitClosed(3000));
}

// A deferred answer takes a spare descriptor, kept between keep-alive requests: it must never
// keep a connection open that the server (idle timeout, Connection: close) or the client ended.
void tst_HttpServer::deferredAnswerThenCloseEndsConnection()
{
    Harness h(with({{"server/idle_timeout_ms", "300"}}));
    QVERIFY(h.start());
    RawClient idle(h.port());
    for (int i = 0; i < 2; ++i) {
        const auto response = idle.request(get("/slow"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }
    QVERIFY(idle.waitClosed(3000));

    RawClient closing(h.port());
    QVERIFY(closing.request(get("/slow")));
    const auto last = closing.request(get("/slow", "Connection: close\r\n"));
    QVERIFY(last);
    QCOMPARE(last->status, 200);
    QVERIFY(closing.waitClosed(3000));

    {
        RawClient leaving(h.port());
        QVERIFY(leaving.request(get("/slow")));
    }
    QTRY_COMPARE(h.server->openConnections(), 0);
}

void tst_HttpServer::tooManyConnections()
{
    Harness h(with({{"server/max_connections", "3"}}));
    QVERIFY(h.start());
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<RawClient>(h.port()));
        QVERIFY(clients.back()->request(get("/public")));
    }
    QCOMPARE(h.server->openConnections(), 3);
    RawClient extra(h.port());
    const auto refused = extra.next(3000);
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->errorCode(), QStringLiteral("too_many_connections"));
    QVERIFY(extra.waitClosed());

    clients.front()->socket()->abort();
    clients.erase(clients.begin());
    QTRY_COMPARE(h.server->openConnections(), 2);
    RawClient again(h.port());
    const auto response = again.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void tst_HttpServer::connectionCloseHonoured()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request(get("/public", "Connection: close\r\n"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());

    // Requests after the closing one are not answered.
    RawClient pipelined(h.port());
    pipelined.send(get("/public", "Connection: close\r\n") + get("/public"));
    QVERIFY(pipelined.next());
    QVERIFY(pipelined.waitClosed());
    QVERIFY(!pipelined.next(200));
}

void tst_HttpServer::http10()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    auto response = client.request("GET /public HTTP/1.0\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());

    RawClient keep(h.port());
    response = keep.request("GET /public HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->header("connection"), QByteArray("keep-alive"));
    response = keep.request("GET /public HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void tst_HttpServer::pipelinedAnswersKeepOrder()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    client.send(get("/slow") + get("/public") + get("/nope") + get("/slow"));
    const auto first = client.next();
    QVERIFY(first);
    QCOMPARE(first->json().value(QStringLiteral("slow")).toBool(), true);
    const auto second = client.next();
    QVERIFY(second);
    QCOMPARE(second->json().value(QStringLiteral("ok")).toBool(), true);
    const auto third = client.next();
    QVERIFY(third);
    QCOMPARE(third->status, 404);
    const auto fourth = client.next();
    QVERIFY(fourth);
    QCOMPARE(fourth->json().value(QStringLiteral("slow")).toBool(), true);
}

// One burst of more requests than a connection may have unanswered (32): the first 32 are
// answered in order, the next one gets a 503 that says why, and the connection closes (a
// client retries the rest on a new connection). Nothing accepted is left unanswered. The
// burst asks for deferred answers: an answer given at once frees its place in the queue.
void tst_HttpServer::pipelinedBeyondTheLimit()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    QByteArray burst;
    for (int i = 0; i < 40; ++i)
        burst += get("/slow", "X-Request-Id: burst-" + QByteArray::number(i) + "\r\n");
    client.send(burst);
    for (int i = 0; i < 32; ++i) {
        const auto response = client.next();
        QVERIFY2(response, qPrintable(QString::number(i)));
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("x-request-id"), "burst-" + QByteArray::number(i));
    }
    const auto refused = client.next();
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->errorCode(), QStringLiteral("too_many_pipelined_requests"));
    QCOMPARE(refused->header("connection"), QByteArray("close"));
    verifyErrorShape(*refused);
    QVERIFY(client.waitClosed());
    QVERIFY(!client.next(200));

    // A client that waits for its answers is never refused.
    RawClient polite(h.port());
    for (int round = 0; round < 3; ++round) {
        QByteArray batch;
        for (int i = 0; i < 32; ++i)
            batch += get("/public");
        polite.send(batch);
        for (int i = 0; i < 32; ++i) {
            const auto response = polite.next();
            QVERIFY(response);
            QCOMPARE(response->status, 200);
        }
    }
}

void tst_HttpServer::requestFieldsSameOnBothPaths()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const QByteArray target = "/inspect/a%20b?q=x%20y%26z&r=2";
    const auto bodiless = client.request(get(target, "X-Thing:  yes \r\nX-Other: 1\r\n"));
    QVERIFY(bodiless);
    QCOMPARE(bodiless->status, 200);
    const QByteArray postHead = "POST " + target
                                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Thing:  yes \r\n"
                                  "X-Other: 1\r\nContent-Length: 4\r\n\r\n";
    // Whole in one write: framed and answered by the guard, body included.
    const auto withBody = client.request(postHead + "body");
    QVERIFY(withBody);
    QCOMPARE(withBody->status, 200);
    // The body sent after the head has been read: parsed by QHttpServer, the same request.
    client.send(postHead);
    QTest::qWait(50);
    const auto split = client.request("body");
    QVERIFY(split);
    QCOMPARE(split->status, 200);
    QCOMPARE(split->json(), withBody->json());

    const QJsonObject a = bodiless->json();
    QJsonObject b = withBody->json();
    QCOMPARE(a.value(QStringLiteral("path")).toString(), QStringLiteral("/inspect/a b"));
    QCOMPARE(a.value(QStringLiteral("q")).toString(), QStringLiteral("x y&z"));
    QCOMPARE(a.value(QStringLiteral("r")).toString(), QStringLiteral("2"));
    QCOMPARE(a.value(QStringLiteral("thing")).toString(), QStringLiteral("yes"));
    QCOMPARE(a.value(QStringLiteral("peer")).toString(), QStringLiteral("127.0.0.1"));
    QCOMPARE(b.value(QStringLiteral("body")).toString(), QStringLiteral("body"));
    // Apart from the body and its Content-Length, both parsers hand over the same request.
    QJsonObject headersB = b.value(QStringLiteral("headers")).toObject();
    headersB.remove(QStringLiteral("content-length"));
    b.insert(QStringLiteral("headers"), headersB);
    b.insert(QStringLiteral("body"), QString());
    QCOMPARE(a, b);
}

void tst_HttpServer::pipelinedMixOfBodiesAndBodiless()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const QByteArray echo = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc";
    client.send(get("/public") + echo + get("/slow") + get("/public") + echo + get("/nope"));
    const QList<int> statuses = {200, 200, 200, 200, 200, 404};
    const QList<QString> keys = {QStringLiteral("ok"),
                                 QStringLiteral("size"),
                                 QStringLiteral("slow"),
                                 QStringLiteral("ok"),
                                 QStringLiteral("size"),
                                 QStringLiteral("error")};
    for (int i = 0; i < statuses.size(); ++i) {
        const auto response = client.next();
        QVERIFY2(response, qPrintable(QString::number(i)));
        QCOMPARE(response->status, statuses[i]);
        QVERIFY2(response->json().contains(keys[i]), qPrintable(QString::number(i)));
    }
    QCOMPARE(h.echoCalls, 2);

    // The connection still serves both kinds afterwards.
    const auto again = client.request(echo);
    QVERIFY(again);
    QCOMPARE(again->json().value(QStringLiteral("size")).toInt(), 3);
    QCOMPARE(client.request(get("/public"))->status, 200);
}

void tst_HttpServer::clientGoneDuringDeferredAnswer()
{
    Harness h;
    QVERIFY(h.start());
    for (int i = 0; i < 5; ++i) {
        auto client = std::make_unique<RawClient>(h.port());
        client->send(get("/slow") + get("/slow"));
        QTest::qWait(30);
        client->socket()->abort();
        client.reset();
    }
    // The deferred answers fire after their clients left; nothing breaks.
    QTRY_COMPARE_WITH_TIMEOUT(h.slowAnswered, 10, 3000);
    QTRY_COMPARE(h.server->openConnections(), 0);
    RawClient after(h.port());
    const auto response = after.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

// A client that sends whole requests and then half-closes (nc -N, some proxies) is still
// reading: answers its handlers give later must reach it. Qt closes its descriptor when it
// reads the FIN; before the fix the deferred answers were lost (and a token use was applied
// without its client learning it).
void tst_HttpServer::halfClosedAfterWholeRequestsGetsDeferredAnswers()
{
    Harness h;
    QVERIFY(h.start());
    for (const int count : {1, 3}) {
        RawClient client(h.port());
        QByteArray burst;
        for (int i = 0; i < count; ++i)
            burst += get("/slow", "X-Request-Id: hc-" + QByteArray::number(i) + "\r\n");
        client.send(burst);
        QCOMPARE(::shutdown(int(client.socket()->socketDescriptor()), SHUT_WR), 0);
        for (int i = 0; i < count; ++i) {
            const auto response = client.next(3000);
            QVERIFY2(response, qPrintable(QString::number(i)));
            QCOMPARE(response->status, 200);
            QCOMPARE(response->header("x-request-id"), "hc-" + QByteArray::number(i));
        }
        QVERIFY(client.waitClosed(3000));
    }
    QTRY_COMPARE(h.server->openConnections(), 0);
    RawClient after(h.port());
    const auto response = after.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

// The same for a pipeline of every kind (answered at once, later, with a body), and for
// requests QHttpServer has not parsed yet when the FIN arrives: it parses one request per
// readyRead, so those behind the first were dropped unanswered. All are answered in order,
// then the connection closes.
void tst_HttpServer::halfClosedPipelineAllAnswered()
{
    Harness h;
    QVERIFY(h.start());
    const QByteArray echo = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    const QByteArray echoHead = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n";
    struct Case
    {
        QByteArray first; // sent, then a pause (empty: none)
        QByteArray burst; // sent right before the half-close
        QList<int> statuses;
        int echoes;
    };
    const QList<Case> cases = {
            {{}, get("/public") + get("/public") + get("/public"), {200, 200, 200}, 0},
            {{}, get("/slow") + get("/public") + echo + get("/slow"), {200, 200, 200, 200}, 1},
            // The first body comes in a read of its own: QHttpServer parses it and the rest.
            {echoHead,
             "abc" + get("/public") + echo + get("/slow") + get("/nope"),
             {200, 200, 200, 200, 404},
             2},
            {echoHead, "abc" + echo + echo, {200, 200, 200}, 3},
            // A last request cut short is answered 400 after the others.
            {{}, get("/slow") + get("/public") + echoHead + "a", {200, 200, 400}, 0},
            {echoHead, "abc" + get("/public") + echoHead + "a", {200, 200, 400}, 1},
    };
    for (const Case &c : cases) {
        h.echoCalls = 0;
        RawClient client(h.port());
        if (!c.first.isEmpty()) {
            client.send(c.first);
            QTest::qWait(50);
        }
        client.send(c.burst);
        QCOMPARE(::shutdown(int(client.socket()->socketDescriptor()), SHUT_WR), 0);
        const QByteArray what = c.first + c.burst;
        for (int i = 0; i < c.statuses.size(); ++i) {
            const auto response = client.next(3000);
            QVERIFY2(response, qPrintable(QString::number(i) + u' ' + QString::fromLatin1(what)));
            QCOMPARE(response->status, c.statuses[i]);
            if (c.statuses[i] == 400)
                QCOMPARE(response->errorCode(), QStringLiteral("incomplete_request"));
        }
        QVERIFY(client.waitClosed(3000));
        QVERIFY2(client.buffer().isEmpty(), client.buffer().constData());
        QCOMPARE(h.echoCalls, c.echoes);
    }
    QTRY_COMPARE(h.server->openConnections(), 0);
}

void tst_HttpServer::droppedResponderAnswers500()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request(get("/never"));
    QVERIFY(response);
    QCOMPARE(response->status, 500);
    QCOMPARE(response->errorCode(), QStringLiteral("internal_error"));
    verifyErrorShape(*response);
}

void tst_HttpServer::throwingHandlerLeaksNothing()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request(get("/throw"));
    QVERIFY(response);
    QCOMPARE(response->status, 500);
    verifyErrorShape(*response);
}

void tst_HttpServer::handlerHeaderInjectionDropped()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    const auto response = client.request(get("/inject"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QVERIFY(!response->hasHeader("x-evil"));
    QVERIFY(!response->hasHeader("set-cookie"));
    QCOMPARE(response->header("x-fine"), QByteArray("yes"));
}

void tst_HttpServer::metricsCounted()
{
    Harness h;
    QVERIFY(h.start());
    RawClient client(h.port());
    QVERIFY(client.request(get("/public")));
    QVERIFY(client.request(get("/public")));
    QVERIFY(client.request(get("/admin/thing")));
    QVERIFY(client.request(get("/nope")));
    const QByteArray text = h.metrics.prometheusText();
    // prometheus-cpp writes the labels sorted by name.
    QVERIFY2(text.contains("mouse_http_requests_total{method=\"GET\",route=\"/public\","
                           "status=\"2xx\"} 2"),
             text.constData());
    QVERIFY(text.contains("mouse_http_requests_total{method=\"GET\",route=\"/admin/thing\","
                          "status=\"4xx\"} 1"));
    QVERIFY(text.contains("mouse_http_requests_total{method=\"any\",route=\"unmatched\","
                          "status=\"4xx\"} 1"));
    QVERIFY(text.contains(
            "mouse_http_request_duration_ms_count{method=\"GET\",route=\"/public\"} 2"));
    // Only the status classes that occurred have a series.
    QVERIFY2(!text.contains("status=\"1xx\""), text.constData());
    QVERIFY(!text.contains("route=\"/public\",status=\"4xx\""));
    QVERIFY(!text.contains("route=\"/public\",status=\"5xx\""));
    QVERIFY(text.contains("mouse_http_open_connections 1"));
}

void tst_HttpServer::webSocketAuthentication()
{
    // A refused upgrade was closed inside QtWebSockets' handshake slot, whose stale second
    // call (queued by QHttpServer) then warned "QIODevice::peek (QTcpSocket): device not open".
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QIODevice::peek")));
    Harness h;
    QVERIFY(h.start());
    struct Case
    {
        QString query;
        QByteArray authorization;
        QString expectedMessage;
        int expectedClose;
    };
    const QList<Case> cases = {
            {QStringLiteral("?token=key-a"), {}, QStringLiteral("hello cst_a"), 0},
            {{}, "Bearer admin-secret-for-tests", QStringLiteral("hello admin"), 0},
            {{}, {}, {}, 4401},
            {QStringLiteral("?token=wrong"), {}, {}, 4401},
            {QStringLiteral("?token=key-b"), {}, {}, 4403},
    };
    for (const Case &c : cases) {
        QWebSocket socket;
        QString received;
        QObject::connect(&socket,
                         &QWebSocket::textMessageReceived,
                         &socket,
                         [&received](const QString &message) { received = message; });
        QNetworkRequest request(
                QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/cst_a%2").arg(h.port()).arg(c.query)));
        if (!c.authorization.isEmpty())
            request.setRawHeader("Authorization", c.authorization);
        socket.open(request);
        if (c.expectedClose == 0) {
            QTRY_COMPARE_WITH_TIMEOUT(received, c.expectedMessage, 5000);
            socket.close();
        } else {
            QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
            QCOMPARE(int(socket.closeCode()), c.expectedClose);
            QVERIFY(received.isEmpty());
        }
    }

    // No WebSocket route: refused with 404, not upgraded.
    RawClient raw(h.port());
    const auto response = raw.request("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                                      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 404);
}

// A client's message is not buffered without bound: a 1 MiB one closes the socket with 1009.
void tst_HttpServer::webSocketLargeClientMessageRefused()
{
    Harness h;
    QVERIFY(h.start());
    QWebSocket socket;
    QString received;
    QObject::connect(&socket,
                     &QWebSocket::textMessageReceived,
                     &socket,
                     [&received](const QString &message) { received = message; });
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/cst_a?token=key-a").arg(h.port())));
    QTRY_COMPARE_WITH_TIMEOUT(received, QStringLiteral("hello cst_a"), 5000);
    socket.sendBinaryMessage(QByteArray(1 << 20, 'x'));
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

// QtWebSockets rejected these handshakes by closing without a word, and each left its pending
// upgrade (request and headers) in the server for good: thousands of them grew the RSS.
void tst_HttpServer::webSocketBadHandshakeAnswered()
{
    Harness h;
    QVERIFY(h.start());
    const QByteArray upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const QByteArray v13 = "Sec-WebSocket-Version: 13\r\n";
    const QList<QByteArray> cases = {
            "GET /ws/cst_a?token=key-a HTTP/1.1\r\nHost: x\r\n" + upgrade + v13 + "\r\n",
            "GET /ws/cst_a?token=key-a HTTP/1.1\r\nHost: x\r\n" + upgrade + key
                    + "Sec-WebSocket-Version: 8\r\n\r\n",
            "GET /ws/cst_a?token=key-a HTTP/1.1\r\n" + upgrade + key + v13 + "\r\n",
            "GET /ws/cst_a?token=key-a HTTP/1.0\r\nHost: x\r\n" + upgrade + key + v13 + "\r\n",
            "POST /ws/cst_a?token=key-a HTTP/1.1\r\nHost: x\r\n" + upgrade + key + v13 + "\r\n",
    };
    for (const QByteArray &bad : cases) {
        RawClient client(h.port());
        const auto response = client.request(bad);
        QVERIFY2(response, bad.constData());
        QCOMPARE(response->status, 400);
        verifyErrorShape(*response);
        // Without Host the request is refused before it is looked at as an upgrade.
        const bool noHost = !bad.contains("Host:");
        QVERIFY(response->body.contains(noHost ? "missing_host" : "invalid_websocket_handshake"));
        QVERIFY(client.waitClosed());
    }

    // A good handshake on the same server is still served.
    QWebSocket socket;
    QString received;
    QObject::connect(&socket,
                     &QWebSocket::textMessageReceived,
                     &socket,
                     [&received](const QString &message) { received = message; });
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/cst_a?token=key-a").arg(h.port())));
    QTRY_COMPARE_WITH_TIMEOUT(received, QStringLiteral("hello cst_a"), 5000);
}

void tst_HttpServer::closeStopsServing()
{
    Harness h;
    QVERIFY(h.start());
    const quint16 port = h.port();
    RawClient client(port);
    QVERIFY(client.request(get("/public")));
    h.server->close();
    QVERIFY(client.waitClosed());
    QVERIFY(!h.server->isListening());
    RawClient late(port);
    QVERIFY(!late.waitConnected(500));
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"

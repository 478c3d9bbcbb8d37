// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The whole gateway's route table, as a fully started Gateway (sandbox Orgo, temporary
// database) serves it: no unauthenticated state-changing route, and every route answered with
// and without credentials in the one error shape.
#include "rawclient.h"
#include "support/prometheustext.h"

#include "core/fleet/directory.h"
#include "core/gateway.h"
#include "core/http/httpserver.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Mouse;

namespace {

// Routes that may change state without the router's authentication because they
// authenticate themselves. Each entry needs a reason.
const QList<QPair<QByteArray, QString>> SelfAuthenticated = {
        {"POST", QStringLiteral("/webhooks/stripe")}, // verifies its Stripe-Signature
};

bool changesState(const QByteArray &method)
{
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

QByteArray concretePath(const QString &pattern)
{
    QString path = pattern;
    static const QRegularExpression placeholder(QStringLiteral("\\{([^}/]+)\\}"));
    path.replace(placeholder, QStringLiteral("test-\\1"));
    return path.toUtf8();
}

QByteArray requestFor(const Http::RouteInfo &route,
                      const QByteArray &extraHeaders,
                      const QByteArray &jsonBody = "{}")
{
    QByteArray request = route.method + ' ' + concretePath(route.pattern) + " HTTP/1.1\r\n"
                         + "Host: 127.0.0.1\r\n" + extraHeaders;
    if (route.options.body.isDeclared())
        request += "Content-Type: application/json\r\nContent-Length: "
                   + QByteArray::number(jsonBody.size()) + "\r\n\r\n" + jsonBody;
    else
        request += "\r\n";
    return request;
}

void verifyNoLeak(const RawResponse &response, const QByteArray &what)
{
    if (response.status < 400)
        return;
    const QJsonObject error = response.json().value(QStringLiteral("error")).toObject();
    QVERIFY2(!error.value(QStringLiteral("code")).toString().isEmpty(),
             QByteArray(what + " -> " + response.body.left(300)).constData());
    QVERIFY2(!error.value(QStringLiteral("request_id")).toString().isEmpty(), what.constData());
    for (const char *leak : {"SQL", "sqlite", "QSql", "syntax error", "exception", "Traceback"})
        QVERIFY2(!response.body.contains(leak),
                 QByteArray(what + " -> " + response.body).constData());
}

} // namespace

class tst_GatewayRoutes : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void noUnauthenticatedStateChange();
    void everyRouteWithoutCredentials();
    void everyRouteWithWrongCredentials();
    void everyRouteWithAdminToken();
    void byteOrderMarkIsInvalidJsonEverywhere();
    void webSocketRoutesAuthenticated();
    void openApiDescribesEveryRoute();
    void rootLinksToTheApi();
    void openApiHasEveryRequestBody();
    void healthIsPublicAndFast();
    void metricsNeedAdmin();
    void metricsTextMovesWithRequests();
    void serverUrlIsTheBoundOne();
    void apiKeysIssueAndRevoke();
    void cacheClearValidatesItsBody_data();
    void cacheClearValidatesItsBody();

private:
    quint16 port() const { return m_gateway->http()->port(); }

    QTemporaryDir m_dir;
    std::unique_ptr<Gateway> m_gateway;
};

void tst_GatewayRoutes::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Settings settings
            = Settings::defaults()
                      .withValue(QStringLiteral("server/listen"), QStringLiteral("127.0.0.1:0"))
                      .withValue(QStringLiteral("server/admin_token"),
                                 QStringLiteral("test-admin-token"))
                      .withValue(QStringLiteral("server/auth_failures_per_minute"),
                                 QStringLiteral("100000"))
                      .withValue(QStringLiteral("storage/database"),
                                 m_dir.filePath(QStringLiteral("gateway.sqlite")))
                      .withValue(QStringLiteral("sandbox/latency_ms"), QStringLiteral("0"))
                      .withValue(QStringLiteral("sandbox/jitter_ms"), QStringLiteral("0"));
    m_gateway = std::make_unique<Gateway>(settings);
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    QVERIFY(m_gateway->http());
    QVERIFY(m_gateway->router()->routes().size() >= 5);
}

void tst_GatewayRoutes::cleanupTestCase()
{
    if (m_gateway)
        m_gateway->stop();
    m_gateway.reset();
}

void tst_GatewayRoutes::noUnauthenticatedStateChange()
{
    QStringList offenders;
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        if (!changesState(route.method) || route.access != Http::Access::Public)
            continue;
        if (SelfAuthenticated.contains({route.method, route.pattern}))
            continue;
        offenders.append(QString::fromLatin1(route.method) + u' ' + route.pattern);
    }
    QVERIFY2(offenders.isEmpty(),
             qPrintable(QStringLiteral("state-changing routes without authentication: ")
                        + offenders.join(QStringLiteral(", "))));
}

void tst_GatewayRoutes::everyRouteWithoutCredentials()
{
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        if (route.access == Http::Access::Public)
            continue;
        RawClient client(port());
        const QByteArray what = route.method + ' ' + route.pattern.toUtf8();
        const auto response = client.request(requestFor(route, {}), 10000);
        QVERIFY2(response, what.constData());
        QVERIFY2(response->status == 401,
                 QByteArray(what + " -> " + QByteArray::number(response->status)).constData());
        verifyNoLeak(*response, what);
    }
}

void tst_GatewayRoutes::everyRouteWithWrongCredentials()
{
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        if (route.access == Http::Access::Public)
            continue;
        RawClient client(port());
        const QByteArray what = route.method + ' ' + route.pattern.toUtf8();
        const auto response = client.request(requestFor(route, bearer("not-the-token")), 10000);
        QVERIFY2(response, what.constData());
        QVERIFY2(response->status == 401,
                 QByteArray(what + " -> " + QByteArray::number(response->status)).constData());
    }
}

void tst_GatewayRoutes::everyRouteWithAdminToken()
{
    // The admin passes authentication everywhere; what the handler then says about the
    // made-up ids is its business, but never 401/403, never 500, never internal text.
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        if (route.pattern == u"/webhooks/stripe")
            continue; // its own signature check, tested by the queue module
        RawClient client(port());
        const QByteArray what = route.method + ' ' + route.pattern.toUtf8();
        const auto response = client.request(requestFor(route, bearer("test-admin-token")), 15000);
        QVERIFY2(response, what.constData());
        QVERIFY2(response->status != 401 && response->status != 403 && response->status != 500,
                 QByteArray(what + " -> " + QByteArray::number(response->status) + " "
                            + response->body.left(200))
                         .constData());
        verifyNoLeak(*response, what);
    }
}

// RFC 8259 8.1: a JSON body starting with a UTF-8 byte order mark is refused the same way on
// every route that reads one (Qt's reader skipped the mark and the amount scanner did not, so
// tokens/use answered invalid_amount).
void tst_GatewayRoutes::byteOrderMarkIsInvalidJsonEverywhere()
{
    // A customer that exists, so customer routes reach the body check (the admin asking for
    // one that does not is answered 404 first).
    Directory *directory = m_gateway->directory();
    QVERIFY(directory && !directory->customers().isEmpty());
    const QString customer = directory->customers().at(0).id;
    int jsonRoutes = 0;
    for (Http::RouteInfo route : m_gateway->router()->routes()) {
        if (!route.options.body.isDeclared())
            continue;
        ++jsonRoutes;
        route.pattern.replace(QStringLiteral("{customer}"), customer);
        for (const QByteArray &json : {QByteArray("{}"), QByteArray(R"({"amount":5})")}) {
            RawClient client(port());
            const QByteArray what = route.method + ' ' + route.pattern.toUtf8() + ' ' + json;
            const auto response = client.request(
                    requestFor(route, bearer("test-admin-token"), "\xEF\xBB\xBF" + json), 15000);
            QVERIFY2(response, what.constData());
            QVERIFY2(response->status == 400,
                     QByteArray(what + " -> " + QByteArray::number(response->status) + " "
                                + response->body.left(200))
                             .constData());
            QCOMPARE(response->errorCode(), QStringLiteral("invalid_json"));
            verifyNoLeak(*response, what);
        }
    }
    QVERIFY(jsonRoutes >= 5);
}

void tst_GatewayRoutes::webSocketRoutesAuthenticated()
{
    // Closing a refused upgrade at once made QtWebSockets warn about a closed device.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QIODevice::peek")));
    for (const Http::RouteInfo &route : m_gateway->router()->webSocketRoutes()) {
        if (route.access == Http::Access::Public)
            continue;
        QWebSocket socket;
        bool gotMessage = false;
        QObject::connect(&socket,
                         &QWebSocket::textMessageReceived,
                         &socket,
                         [&gotMessage](const QString &) { gotMessage = true; });
        QObject::connect(&socket,
                         &QWebSocket::binaryMessageReceived,
                         &socket,
                         [&gotMessage](const QByteArray &) { gotMessage = true; });
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1%2")
                                 .arg(port())
                                 .arg(QString::fromUtf8(concretePath(route.pattern)))));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(int(socket.closeCode()), 4401);
        QVERIFY(!gotMessage);
    }
}

void tst_GatewayRoutes::openApiDescribesEveryRoute()
{
    RawClient client(port());
    const auto response = client.request(get("/api/v1/openapi.json"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    const QJsonObject paths = response->json().value(QStringLiteral("paths")).toObject();
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        const QJsonObject operation = paths.value(route.pattern)
                                              .toObject()
                                              .value(QString::fromLatin1(route.method).toLower())
                                              .toObject();
        QVERIFY2(!operation.isEmpty(), qPrintable(route.pattern));
        QVERIFY(!operation.value(QStringLiteral("summary")).toString().isEmpty());
        QVERIFY(operation.contains(QStringLiteral("x-access")));
    }
    const QList<Http::RouteInfo> webSockets = m_gateway->router()->webSocketRoutes();
    QVERIFY(!webSockets.isEmpty());
    for (const Http::RouteInfo &route : webSockets) {
        const QJsonObject operation
                = paths.value(route.pattern).toObject().value(QStringLiteral("get")).toObject();
        QVERIFY2(operation.value(QStringLiteral("x-websocket")).toBool(),
                 qPrintable(route.pattern));
    }
}

// The root answers with where to go, and every link it gives answers without credentials.
void tst_GatewayRoutes::rootLinksToTheApi()
{
    RawClient client(port());
    const auto response = client.request(get("/"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    const QJsonObject links = response->json().value(QStringLiteral("links")).toObject();
    QCOMPARE(links.value(QStringLiteral("api")).toString(), QStringLiteral("/api/v1/openapi.json"));
    for (const QJsonValue &link : links) {
        const auto linked = client.request(get(link.toString().toUtf8()));
        QVERIFY(linked);
        QVERIFY2(linked->status == 200, qPrintable(link.toString()));
    }
}

void tst_GatewayRoutes::openApiHasEveryRequestBody()
{
    RawClient client(port());
    const auto response = client.request(get("/api/v1/openapi.json"));
    QVERIFY(response);
    const QJsonObject paths = response->json().value(QStringLiteral("paths")).toObject();
    int withBody = 0;
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        if (!changesState(route.method))
            continue;
        const QByteArray what = route.method + ' ' + route.pattern.toUtf8();
        const QJsonObject operation = paths.value(route.pattern)
                                              .toObject()
                                              .value(QString::fromLatin1(route.method).toLower())
                                              .toObject();
        const QJsonObject schema = operation.value(QStringLiteral("requestBody"))
                                           .toObject()
                                           .value(QStringLiteral("content"))
                                           .toObject()
                                           .value(QStringLiteral("application/json"))
                                           .toObject()
                                           .value(QStringLiteral("schema"))
                                           .toObject();
        // A state-changing route takes a body only if it declares one, and then describes it.
        const qint64 limit = operation.value(QStringLiteral("x-max-body-bytes")).toInteger(-1);
        if (schema.isEmpty()) {
            QVERIFY2(limit == 0, what.constData());
            continue;
        }
        ++withBody;
        QCOMPARE(schema.value(QStringLiteral("type")).toString(), QStringLiteral("object"));
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        for (const QJsonValue &name : schema.value(QStringLiteral("required")).toArray())
            QVERIFY2(properties.contains(name.toString()), what.constData());
        for (const QJsonValue &property : properties)
            QVERIFY2(!property.toObject().value(QStringLiteral("type")).toString().isEmpty(),
                     what.constData());
    }
    QVERIFY(withBody >= 8);

    // The token amount: required, an integer, with its bounds.
    const QJsonObject use = paths.value(QStringLiteral("/api/v1/customers/{customer}/tokens/use"))
                                    .toObject()
                                    .value(QStringLiteral("post"))
                                    .toObject();
    const QJsonObject useSchema = use[QStringLiteral("requestBody")][QStringLiteral("content")]
                                     [QStringLiteral("application/json")][QStringLiteral("schema")]
                                             .toObject();
    QCOMPARE(useSchema[QStringLiteral("required")].toArray(), QJsonArray{QStringLiteral("amount")});
    const QJsonObject amount
            = useSchema[QStringLiteral("properties")][QStringLiteral("amount")].toObject();
    QCOMPARE(amount[QStringLiteral("type")].toString(), QStringLiteral("integer"));
    QCOMPARE(amount[QStringLiteral("minimum")].toInteger(), 1);
    QVERIFY(amount[QStringLiteral("maximum")].toInteger() > 1);

    // A route that declares no body refuses one, so none can be read undescribed.
    RawClient pause(port());
    const auto refused
            = pause.request("POST /admin/queue/pause HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                            "test-admin-token\r\n"
                            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    QVERIFY(refused);
    QCOMPARE(refused->status, 413);
    QCOMPARE(refused->errorCode(), QStringLiteral("body_not_allowed"));
}

void tst_GatewayRoutes::healthIsPublicAndFast()
{
    RawClient client(port());
    const auto response = client.request(get("/health"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    const QJsonObject body = response->json();
    QVERIFY(body.value(QStringLiteral("status")).toString() == u"ok"
            || body.value(QStringLiteral("status")).toString() == u"degraded");
    QVERIFY(!body.value(QStringLiteral("version")).toString().isEmpty());
    QVERIFY(body.contains(QStringLiteral("uptime_s")));
    QVERIFY(!response->body.contains("test-admin-token"));
}

void tst_GatewayRoutes::metricsNeedAdmin()
{
    RawClient client(port());
    auto response = client.request(get("/metrics"));
    QVERIFY(response);
    QCOMPARE(response->status, 401);
    response = client.request(get("/metrics", bearer("test-admin-token")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QVERIFY(response->header("content-type").startsWith("text/plain"));
    QVERIFY(response->body.contains("# TYPE mouse_http_requests_total counter"));
}

// GET /metrics read by a strict parser, before and after known requests: the request counters
// and the latency histogram of the routes hit move by exactly what was sent, and the histogram's
// count, buckets and sum agree with one another.
void tst_GatewayRoutes::metricsTextMovesWithRequests()
{
    RawClient client(port());
    auto scrape = [&client] {
        const auto response = client.request(get("/metrics", bearer("test-admin-token")));
        if (!response || response->status != 200)
            return PrometheusText::parse("not metrics");
        return PrometheusText::parse(response->body);
    };
    const PrometheusText::Labels health{{QStringLiteral("route"), QStringLiteral("/health")},
                                        {QStringLiteral("method"), QStringLiteral("GET")}};
    const PrometheusText::Labels health2xx
            = health + PrometheusText::Labels{{QStringLiteral("status"), QStringLiteral("2xx")}};
    const PrometheusText::Labels metrics4xx{{QStringLiteral("route"), QStringLiteral("/metrics")},
                                            {QStringLiteral("method"), QStringLiteral("GET")},
                                            {QStringLiteral("status"), QStringLiteral("4xx")}};
    const QString requests = QStringLiteral("mouse_http_requests_total");
    const QString duration = QStringLiteral("mouse_http_request_duration_ms");
    const QString authFailures = QStringLiteral("mouse_http_auth_failures_total");
    // A series appears with its route's first request: absent counts as 0.
    auto count = [](const PrometheusText &text,
                    const QString &name,
                    const PrometheusText::Labels &labels = {}) {
        return text.has(name, labels) ? text.value(name, labels) : 0.0;
    };

    const PrometheusText before = scrape();
    QVERIFY2(before.error().isEmpty(), qPrintable(before.error()));
    constexpr int HealthRequests = 7;
    constexpr int WrongTokenRequests = 3;
    for (int i = 0; i < HealthRequests; ++i) {
        const auto response = client.request(get("/health"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }
    for (int i = 0; i < WrongTokenRequests; ++i) {
        const auto response = client.request(get("/metrics", bearer("wrong-token")));
        QVERIFY(response);
        QCOMPARE(response->status, 401);
    }
    const PrometheusText after = scrape();
    QVERIFY2(after.error().isEmpty(), qPrintable(after.error()));

    QCOMPARE(after.families().value(requests).type, QStringLiteral("counter"));
    QCOMPARE(after.families().value(duration).type, QStringLiteral("histogram"));
    QCOMPARE(count(after, requests, health2xx) - count(before, requests, health2xx),
             double(HealthRequests));
    QCOMPARE(count(after, requests, metrics4xx) - count(before, requests, metrics4xx),
             double(WrongTokenRequests));
    QCOMPARE(count(after, authFailures) - count(before, authFailures), double(WrongTokenRequests));

    const QString histogramCount = duration + QStringLiteral("_count");
    QCOMPARE(count(after, histogramCount, health) - count(before, histogramCount, health),
             double(HealthRequests));
    // Buckets are cumulative, end at +Inf with the count, and the sum is that of the durations.
    double previous = 0;
    int buckets = 0;
    for (const auto &[labels, value] : after.series(duration + QStringLiteral("_bucket"))) {
        if (!labels.contains(health.at(0)) || !labels.contains(health.at(1)))
            continue;
        QVERIFY(value >= previous);
        previous = value;
        ++buckets;
    }
    QVERIFY(buckets > 2);
    QCOMPARE(previous, after.value(histogramCount, health));
    const double sum = after.value(duration + QStringLiteral("_sum"), health);
    QVERIFY(sum > 0);

    // Gauges read at scrape time are there too (queue depth per priority, the Orgo client).
    QCOMPARE(after.families().value(QStringLiteral("mouse_queue_depth")).type,
             QStringLiteral("gauge"));
    QCOMPARE(after.series(QStringLiteral("mouse_queue_depth")).size(), 3);
    QVERIFY(after.has(QStringLiteral("mouse_orgo_in_flight")));
    QVERIFY(after.value(QStringLiteral("mouse_http_open_connections")) >= 1);
}

void tst_GatewayRoutes::serverUrlIsTheBoundOne()
{
    const QUrl url = m_gateway->serverUrl();
    QCOMPARE(url.scheme(), QStringLiteral("http"));
    QCOMPARE(url.port(), int(port()));
    QVERIFY(port() != 0);
}

void tst_GatewayRoutes::cacheClearValidatesItsBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("code");
    QTest::newRow("not a string") << QByteArray("{\"cache\":5}") << 400
                                  << QByteArray("invalid_cache");
    QTest::newRow("unknown") << QByteArray("{\"cache\":\"disk\"}") << 400
                             << QByteArray("unknown_cache");
    QTest::newRow("array") << QByteArray("[]") << 400 << QByteArray("invalid_json");
    QTest::newRow("one cache") << QByteArray("{\"cache\":\"vm_status\"}") << 200 << QByteArray();
}

// A malformed request clears nothing: it must not fall back to "all".
void tst_GatewayRoutes::cacheClearValidatesItsBody()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, code);
    RawClient client(port());
    const auto response = client.request("POST /admin/cache/clear HTTP/1.1\r\nHost: x\r\n"
                                         + bearer("test-admin-token")
                                         + "Content-Type: application/json\r\nContent-Length: "
                                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(response);
    QCOMPARE(response->status, status);
    if (!code.isEmpty()) {
        QCOMPARE(response->json()
                         .value(QStringLiteral("error"))
                         .toObject()
                         .value(QStringLiteral("code"))
                         .toString()
                         .toUtf8(),
                 code);
    } else {
        QCOMPARE(response->json().value(QStringLiteral("cleared")).toArray().size(), 1);
    }
}

void tst_GatewayRoutes::apiKeysIssueAndRevoke()
{
    Directory *directory = m_gateway->directory();
    if (!directory || directory->customers().size() < 2)
        QSKIP("the Directory is not wired or has no seeded customers yet");
    const QString customer = directory->customers().at(0).id;
    const QString other = directory->customers().at(1).id;
    // A customer route to try the key on: the first Customer GET route with only {customer}.
    QString customerPath;
    for (const Http::RouteInfo &route : m_gateway->router()->routes()) {
        if (route.method == "GET" && route.access == Http::Access::Customer
            && route.pattern.count(u'{') == 1 && route.pattern.contains(u"{customer}")) {
            customerPath = route.pattern;
            break;
        }
    }
    QVERIFY(!customerPath.isEmpty());
    const QByteArray own
            = QString(customerPath).replace(QStringLiteral("{customer}"), customer).toUtf8();
    const QByteArray foreign
            = QString(customerPath).replace(QStringLiteral("{customer}"), other).toUtf8();

    RawClient client(port());
    const QByteArray issue
            = "POST /admin/customers/" + customer.toUtf8()
              + "/api-keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    auto response = client.request(issue + "Content-Length: 16\r\n\r\n{\"label\":\"test\"}");
    QVERIFY(response);
    QCOMPARE(response->status, 401);
    response = client.request(issue + bearer("test-admin-token")
                              + "Content-Length: 16\r\n\r\n{\"label\":\"test\"}");
    QVERIFY(response);
    QCOMPARE(response->status, 201);
    const QByteArray key = response->json().value(QStringLiteral("api_key")).toString().toUtf8();
    const QByteArray prefix = response->json().value(QStringLiteral("prefix")).toString().toUtf8();
    QVERIFY(key.startsWith("mk_"));
    // The plaintext key is in no log.
    for (const EventLog::Event &event : m_gateway->eventLog()->events())
        QVERIFY(!event.message.contains(QString::fromLatin1(key)));

    response = client.request(get(own, bearer(key)));
    QVERIFY(response);
    QVERIFY2(response->status != 401 && response->status != 403, response->body.constData());
    response = client.request(get(foreign, bearer(key)));
    QVERIFY(response);
    QCOMPARE(response->status, 403);
    // A customer key is not an admin token.
    response = client.request(get("/admin/events", bearer(key)));
    QVERIFY(response);
    QCOMPARE(response->status, 403);
    // The admin's paging parameters are checked, not quietly replaced by defaults.
    for (const QByteArray query : {"after_id=-5", "limit=1e9", "limit=0", "after_id=x"}) {
        response = client.request(get("/admin/events?" + query, bearer("test-admin-token")));
        QVERIFY(response);
        QCOMPARE(response->status, 400);
        QCOMPARE(response->json()[QStringLiteral("error")][QStringLiteral("code")].toString(),
                 QStringLiteral("invalid_query"));
    }
    response = client.request(get("/admin/events?after_id=0&limit=5", bearer("test-admin-token")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);

    // Paging forward with after_id reads every event once, oldest first.
    EventLog *log = m_gateway->eventLog();
    const qint64 first = log->events(0, 1).value(0).id;
    for (int i = 0; i < 5; ++i)
        log->info(QStringLiteral("test"), QStringLiteral("paging %1").arg(i));
    QList<qint64> seen;
    qint64 after = first;
    for (int page = 0; page < 10; ++page) {
        response = client.request(get("/admin/events?limit=2&after_id=" + QByteArray::number(after),
                                      bearer("test-admin-token")));
        QVERIFY(response);
        const QJsonArray events = response->json().value(QStringLiteral("events")).toArray();
        if (events.isEmpty())
            break;
        for (const QJsonValue &event : events)
            seen.append(event[QStringLiteral("id")].toInteger());
        after = seen.last();
    }
    QList<qint64> expected;
    for (const EventLog::Event &event : log->events(first, 1000))
        expected.append(event.id);
    QVERIFY(seen.size() >= 5);
    QCOMPARE(seen, expected.mid(0, seen.size())); // nothing skipped, nothing twice

    response = client.request("POST /admin/customers/cst_nobody/api-keys HTTP/1.1\r\nHost: x\r\n"
                              + bearer("test-admin-token") + "Content-Length: 0\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 404);

    response = client.request("DELETE /admin/api-keys/" + prefix + " HTTP/1.1\r\nHost: x\r\n"
                              + bearer("test-admin-token") + "\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.request(get(own, bearer(key)));
    QVERIFY(response);
    QCOMPARE(response->status, 401);
    response = client.request("DELETE /admin/api-keys/" + prefix + " HTTP/1.1\r\nHost: x\r\n"
                              + bearer("test-admin-token") + "\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 404);
}

QTEST_GUILESS_MAIN(tst_GatewayRoutes)
#include "tst_gatewayroutes.moc"

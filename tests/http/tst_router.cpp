// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/router.h"

#include <QTest>

using namespace Mouse::Http;
using Result = Router::Match::Result;

namespace {

Handler tagged(QString *hit, const QString &tag)
{
    return [hit, tag](const Request &, const Responder &) {
        *hit = tag;
    };
}

} // namespace

class tst_Router : public QObject
{
    Q_OBJECT

private slots:
    void literalsAndPlaceholders();
    void backtracksFromLiteralToPlaceholder();
    void strictPaths();
    void methodsAndAllow();
    void headUsesGet();
    void webSockets();
    void routeTable();
};

void tst_Router::literalsAndPlaceholders()
{
    Router router;
    QString hit;
    router.get(QStringLiteral("/api/v1/customers/{customer}/vms"),
               Access::Customer,
               tagged(&hit, QStringLiteral("vms")));
    router.get(QStringLiteral("/api/v1/customers/{customer}/vms/{vm}"),
               Access::Customer,
               tagged(&hit, QStringLiteral("vm")));
    const auto match = router.match("GET", QStringLiteral("/api/v1/customers/cst_1/vms/vm-9"));
    QCOMPARE(match.result, Result::Found);
    QCOMPARE(match.params.value(QStringLiteral("customer")), QStringLiteral("cst_1"));
    QCOMPARE(match.params.value(QStringLiteral("vm")), QStringLiteral("vm-9"));
    QCOMPARE(match.route->pattern, QStringLiteral("/api/v1/customers/{customer}/vms/{vm}"));
    QCOMPARE(match.routeIndex, 1);
    (*match.handler)(Request{}, Responder(nullptr));
    QCOMPARE(hit, QStringLiteral("vm"));
}

void tst_Router::backtracksFromLiteralToPlaceholder()
{
    Router router;
    QString hit;
    router.get(QStringLiteral("/a/{x}/b"), Access::Public, tagged(&hit, QStringLiteral("x")));
    router.get(QStringLiteral("/a/lit/c"), Access::Public, tagged(&hit, QStringLiteral("lit")));
    auto match = router.match("GET", QStringLiteral("/a/lit/b"));
    QCOMPARE(match.result, Result::Found);
    QCOMPARE(match.params.value(QStringLiteral("x")), QStringLiteral("lit"));
    match = router.match("GET", QStringLiteral("/a/lit/c"));
    QCOMPARE(match.result, Result::Found);
    QVERIFY(match.params.isEmpty());
    match = router.match("GET", QStringLiteral("/a/zzz/c"));
    QCOMPARE(match.result, Result::NotFound);
    QVERIFY(match.params.isEmpty());
}

void tst_Router::strictPaths()
{
    Router router;
    QString hit;
    router.get(QStringLiteral("/health"), Access::Public, tagged(&hit, QStringLiteral("h")));
    router.get(QStringLiteral("/c/{id}"), Access::Public, tagged(&hit, QStringLiteral("c")));
    QCOMPARE(router.match("GET", QStringLiteral("/health")).result, Result::Found);
    for (const char *path :
         {"/health/", "//health", "health", "", "/", "/c/", "/c//", "/c", "/c/1/", "/HEALTH"})
        QCOMPARE(router.match("GET", QString::fromLatin1(path)).result, Result::NotFound);
}

void tst_Router::methodsAndAllow()
{
    Router router;
    QString hit;
    router.get(QStringLiteral("/x"), Access::Public, tagged(&hit, QStringLiteral("get")));
    router.post(QStringLiteral("/x"), Access::Admin, tagged(&hit, QStringLiteral("post")));
    router.del(QStringLiteral("/x"), Access::Admin, tagged(&hit, QStringLiteral("del")));
    const auto match = router.match("PUT", QStringLiteral("/x"));
    QCOMPARE(match.result, Result::MethodNotAllowed);
    QCOMPARE(match.allowed, (QList<QByteArray>{"DELETE", "GET", "HEAD", "POST", "OPTIONS"}));
    QCOMPARE(router.match("POST", QStringLiteral("/x")).route->access, Access::Admin);
}

void tst_Router::headUsesGet()
{
    Router router;
    QString hit;
    router.get(QStringLiteral("/x"), Access::Public, tagged(&hit, QStringLiteral("get")));
    const auto match = router.match("HEAD", QStringLiteral("/x"));
    QCOMPARE(match.result, Result::Found);
    QCOMPARE(match.route->method, QByteArray("GET"));
}

void tst_Router::webSockets()
{
    Router router;
    router.websocket(QStringLiteral("/ws/{customer}/vms/{vm}"),
                     Access::Customer,
                     [](QWebSocket *, const Request &) {});
    auto match = router.matchWebSocket(QStringLiteral("/ws/c1/vms/v2"));
    QVERIFY(match.handler);
    QCOMPARE(match.access, Access::Customer);
    QCOMPARE(match.params.value(QStringLiteral("vm")), QStringLiteral("v2"));
    QVERIFY(!router.matchWebSocket(QStringLiteral("/ws/c1/vms")).handler);
    // WebSocket and HTTP tables are separate.
    QCOMPARE(router.match("GET", QStringLiteral("/ws/c1/vms/v2")).result, Result::NotFound);
}

void tst_Router::routeTable()
{
    Router router;
    QString hit;
    RouteOptions options;
    options.summary = QStringLiteral("s");
    options.maxBodyBytes = 10;
    options.body.description = QStringLiteral("b");
    router.post(QStringLiteral("/p"), Access::Admin, tagged(&hit, QStringLiteral("p")), options);
    const QList<RouteInfo> routes = router.routes();
    QCOMPARE(routes.size(), 1);
    QCOMPARE(routes.first().method, QByteArray("POST"));
    QCOMPARE(routes.first().options.maxBodyBytes, 10);
    QCOMPARE(routes.first().options.summary, QStringLiteral("s"));

    // A state-changing route that declares no body takes none, whatever limit it asked for;
    // GET keeps the server default.
    RouteOptions undeclared;
    undeclared.maxBodyBytes = 1000;
    router.post(QStringLiteral("/q"), Access::Admin, tagged(&hit, QStringLiteral("q")), undeclared);
    router.del(QStringLiteral("/q"), Access::Admin, tagged(&hit, QStringLiteral("d")));
    router.get(QStringLiteral("/q"), Access::Admin, tagged(&hit, QStringLiteral("g")));
    QCOMPARE(router.match("POST", QStringLiteral("/q")).route->options.maxBodyBytes, 0);
    QCOMPARE(router.match("DELETE", QStringLiteral("/q")).route->options.maxBodyBytes, 0);
    QCOMPARE(router.match("GET", QStringLiteral("/q")).route->options.maxBodyBytes, -1);
}

QTEST_GUILESS_MAIN(tst_Router)
#include "tst_router.moc"

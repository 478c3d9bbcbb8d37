// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "billingtestsupport.h"
#include "core/billing/billing.h"
#include "core/config/settings.h"
#include "core/http/httpserver.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/metrics/metrics.h"
#include "core/storage/database.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Mouse;
using namespace Mouse::Tests;

class tst_TokenRoutes : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void packagesArePublicAndComplete();
    void balanceWithLowFlag();
    void useRejectsBadAmounts();
    void useRefusesControlCharactersAndUnknownFields();
    void useAnswers402WithShortfall();
    void useWithReferenceIsIdempotent();
    void referenceReusedWithOtherAmountConflicts();
    void concurrentUsesNeverOverdraw();
    void creditIsValidatedAndBounded();
    void transactionsPaginateForReal();
    void ordersSummaryCoversAllRows();
    void adminOverviewAndHistory();
    void unknownCustomerIs404();
    void overRealHttpWithAccess();
    void lockedDatabaseAnswers503AndLosesNothing();
    void classifiedByCodeNotByText();

private:
    Captured get(const QString &path, const QString &query = {}, bool admin = false)
    {
        return callRoute(*m_router, "GET", path, {}, admin, query);
    }
    Captured post(const QString &path, const QJsonObject &body, bool admin = false)
    {
        return callRoute(*m_router, "POST", path, QJsonDocument(body).toJson(), admin);
    }
    void credit(qint64 amount);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Billing> m_billing;
    std::unique_ptr<Http::Router> m_router;
};

const QString Tokens = QStringLiteral("/api/v1/customers/cst_a/tokens");

void tst_TokenRoutes::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>(m_dir->filePath(s("routes.sqlite")));
    QString error;
    QVERIFY2(m_db->open(&error), qPrintable(error));
    addCustomer(*m_db, s("cst_a"));
    m_billing = std::make_unique<Billing>(*m_db, Settings::defaults());
    m_router = std::make_unique<Http::Router>();
    m_billing->registerRoutes(*m_router);
}

void tst_TokenRoutes::cleanup()
{
    m_router.reset();
    m_billing.reset();
    m_db.reset();
    m_dir.reset();
}

void tst_TokenRoutes::credit(qint64 amount)
{
    const Captured reply = post(Tokens + s("/credit"),
                                {{s("amount"), amount}, {s("description"), s("test credit")}},
                                true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
}

void tst_TokenRoutes::packagesArePublicAndComplete()
{
    const Http::Router::Match match = m_router->match("GET", s("/api/v1/token-packages"));
    QCOMPARE(match.route->access, Http::Access::Public);
    QCOMPARE(m_router->match("POST", Tokens + s("/credit")).route->access, Http::Access::Admin);
    QCOMPARE(m_router->match("POST", Tokens + s("/use")).route->access, Http::Access::Customer);

    const Captured reply = get(s("/api/v1/token-packages"));
    MOUSE_WAIT_REPLY(reply);
    const QJsonArray packages = reply.json().value(s("packages")).toArray();
    QCOMPARE(packages.size(), 3);
    QMap<QString, QJsonObject> bySlug;
    for (const QJsonValue &p : packages)
        bySlug.insert(p.toObject().value(s("slug")).toString(), p.toObject());
    QCOMPARE(bySlug.value(s("starter")).value(s("price_cents")).toInt(), 1900);
    QCOMPARE(bySlug.value(s("starter")).value(s("token_amount")).toInt(), 4000);
    QCOMPARE(bySlug.value(s("growth")).value(s("price_cents")).toInt(), 4900);
    QCOMPARE(bySlug.value(s("growth")).value(s("token_amount")).toInt(), 12000);
    QCOMPARE(bySlug.value(s("pro")).value(s("price_cents")).toInt(), 9900);
    QCOMPARE(bySlug.value(s("pro")).value(s("token_amount")).toInt(), 30000);
    QVERIFY(bySlug.value(s("growth")).value(s("popular")).toBool());
    QVERIFY(!bySlug.contains(s("enterprise")));
}

void tst_TokenRoutes::balanceWithLowFlag()
{
    Captured reply = get(Tokens);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QCOMPARE(reply.json().value(s("balance")).toInt(), 0);
    QVERIFY(reply.json().value(s("is_low_balance")).toBool());

    credit(1000);
    reply = get(Tokens);
    MOUSE_WAIT_REPLY(reply);
    const QJsonObject json = reply.json();
    QCOMPARE(json.value(s("balance")).toInt(), 1000);
    QCOMPARE(json.value(s("debt")).toInt(), 0);
    QCOMPARE(json.value(s("lifetime_earned")).toInt(), 1000);
    QVERIFY(!json.value(s("is_low_balance")).toBool());
    QCOMPARE(json.value(s("recent_transactions")).toArray().size(), 1);
}

void tst_TokenRoutes::useRejectsBadAmounts()
{
    credit(100);
    // Not written as a JSON integer (or missing): 400. Qt's reader would take 1e3 and 1000.0
    // for 1000, so these are sent as raw text.
    const QList<QByteArray> notIntegers{R"({"amount":"5"})",
                                        R"({"amount":1.5})",
                                        R"({"amount":1e1})",
                                        R"({"amount":1E1})",
                                        R"({"amount":10.0})",
                                        R"({"amount":1e-0})",
                                        R"({"amount":null})",
                                        R"({"amount":[10]})",
                                        R"({"description":"no amount"})",
                                        R"({"amount":10,"amount":10})"};
    for (const QByteArray &body : notIntegers) {
        for (const char *route : {"/use", "/credit"}) {
            const Captured reply = callRoute(*m_router,
                                             "POST",
                                             Tokens + QLatin1String(route),
                                             body.chopped(1) + R"(,"description":"x"})",
                                             true);
            MOUSE_WAIT_REPLY(reply);
            QVERIFY2(reply.status() == 400, body.constData());
            const QJsonObject error = reply.json().value(s("error")).toObject();
            QCOMPARE(error.value(s("code")), s("invalid_amount"));
            QVERIFY(error.value(s("message")).toString().contains(s("1e3")));
        }
    }
    // Integers out of bounds: 422.
    for (const QByteArray &body : {QByteArray(R"({"amount":0})"),
                                   QByteArray(R"({"amount":-3})"),
                                   QByteArray(R"({"amount":2000000})"),
                                   QByteArray(R"({"amount":99999999999999999999999})")}) {
        const Captured reply = callRoute(*m_router, "POST", Tokens + s("/use"), body);
        MOUSE_WAIT_REPLY(reply);
        QVERIFY2(reply.status() == 422, body.constData());
        QCOMPARE(reply.json().value(s("error")).toObject().value(s("code")), s("invalid_amount"));
    }
    const Captured notJson = callRoute(*m_router, "POST", Tokens + s("/use"), "amount=5");
    MOUSE_WAIT_REPLY(notJson);
    QCOMPARE(notJson.status(), 400);
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 100);

    // The same amount written as an integer, with spaces and other text around it, passes.
    const Captured ok = callRoute(*m_router,
                                  "POST",
                                  Tokens + s("/use"),
                                  R"( { "description" : "{\"amount\": 1e3, \"x\": [1.5, \"}\"]}" ,)"
                                  R"( "amount" : 10 } )");
    MOUSE_WAIT_REPLY(ok);
    QCOMPARE(ok.status(), 200);
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 90);
}

void tst_TokenRoutes::useRefusesControlCharactersAndUnknownFields()
{
    credit(100);
    // What the fleet routes refuse: a member the route does not read (a typo such as
    // "ammount" or a field the client believes does something), and control characters.
    const QList<QByteArray> refused{R"({"amount":10,"note":"x"})",
                                    R"({"amount":10,"dry_run":true})",
                                    R"({"amount":10,"description":"a\u0000b"})",
                                    R"({"amount":10,"description":"red\u001b[31m"})",
                                    R"({"amount":10,"description":"two\nlines"})",
                                    R"({"amount":10,"reference_id":"r\u0000"})",
                                    R"({"amount":10,"reference_type":"t\u0007"})"};
    for (const QByteArray &body : refused) {
        const Captured reply = callRoute(*m_router, "POST", Tokens + s("/use"), body);
        MOUSE_WAIT_REPLY(reply);
        QVERIFY2(reply.status() == 422, body.constData());
        const QJsonObject error = reply.json().value(s("error")).toObject();
        QCOMPARE(error.value(s("code")), s("invalid_field"));
        QVERIFY(!error.value(s("details")).toObject().value(s("field")).toString().isEmpty());
    }
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 100);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions WHERE type = 'usage'")), 0);

    // Printable text, non-ASCII letters included, still passes.
    const Captured ok = callRoute(
            *m_router, "POST", Tokens + s("/use"), R"({"amount":10,"description":"Größe é"})");
    MOUSE_WAIT_REPLY(ok);
    QCOMPARE(ok.status(), 200);
    QCOMPARE(text(*m_db, s("SELECT description FROM token_transactions WHERE type = 'usage'")),
             s("Größe é"));
}

void tst_TokenRoutes::useAnswers402WithShortfall()
{
    credit(100);
    const Captured reply = post(Tokens + s("/use"), {{s("amount"), 150}});
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 402);
    const QJsonObject error = reply.json().value(s("error")).toObject();
    QCOMPARE(error.value(s("code")), s("insufficient_tokens"));
    const QJsonObject details = error.value(s("details")).toObject();
    QCOMPARE(details.value(s("required")).toInt(), 150);
    QCOMPARE(details.value(s("current")).toInt(), 100);
    QCOMPARE(details.value(s("shortfall")).toInt(), 50);

    const Captured ok = post(Tokens + s("/use"), {{s("amount"), 100}, {s("description"), s("vm")}});
    MOUSE_WAIT_REPLY(ok);
    QCOMPARE(ok.status(), 200);
    QCOMPARE(ok.json().value(s("new_balance")).toInt(), 0);
    QCOMPARE(ok.json().value(s("amount_used")).toInt(), 100);
}

void tst_TokenRoutes::useWithReferenceIsIdempotent()
{
    credit(100);
    const QJsonObject body{
            {s("amount"), 30}, {s("reference_type"), s("job")}, {s("reference_id"), s("job-1")}};
    const Captured first = post(Tokens + s("/use"), body);
    MOUSE_WAIT_REPLY(first);
    const Captured second = post(Tokens + s("/use"), body);
    MOUSE_WAIT_REPLY(second);
    QCOMPARE(first.status(), 200);
    QCOMPARE(second.status(), 200);
    QVERIFY(!first.json().value(s("duplicate")).toBool());
    QVERIFY(second.json().value(s("duplicate")).toBool());
    QCOMPARE(second.json().value(s("transaction_id")), first.json().value(s("transaction_id")));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 70);
}

// A reference names one operation: the same reference with another amount (or credit type)
// is a client bug, answered 409 idempotency_conflict, never "duplicate" with the old amount.
void tst_TokenRoutes::referenceReusedWithOtherAmountConflicts()
{
    credit(100);
    QJsonObject body{
            {s("amount"), 30}, {s("reference_type"), s("job")}, {s("reference_id"), s("job-2")}};
    const Captured first = post(Tokens + s("/use"), body);
    MOUSE_WAIT_REPLY(first);
    QCOMPARE(first.status(), 200);
    body[s("amount")] = 40;
    const Captured other = post(Tokens + s("/use"), body);
    MOUSE_WAIT_REPLY(other);
    QCOMPARE(other.status(), 409);
    const QJsonObject error = other.json().value(s("error")).toObject();
    QCOMPARE(error.value(s("code")).toString(), s("idempotency_conflict"));
    QVERIFY(error.value(s("message")).toString().contains(s("(30 tokens, usage)")));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 70);
    // One token, in the singular.
    const QJsonObject one{
            {s("amount"), 1}, {s("reference_type"), s("job")}, {s("reference_id"), s("job-one")}};
    const Captured single = post(Tokens + s("/use"), one);
    MOUSE_WAIT_REPLY(single);
    QJsonObject two = one;
    two[s("amount")] = 2;
    const Captured conflict = post(Tokens + s("/use"), two);
    MOUSE_WAIT_REPLY(conflict);
    QCOMPARE(conflict.status(), 409);
    QVERIFY2(conflict.json()[s("error")][s("message")].toString().contains(s("(1 token, usage)")),
             qPrintable(conflict.json()[s("error")][s("message")].toString()));
    credit(1); // back to 70 for what follows
    // The same reference of another type is another operation.
    body[s("reference_type")] = s("report");
    const Captured otherType = post(Tokens + s("/use"), body);
    MOUSE_WAIT_REPLY(otherType);
    QCOMPARE(otherType.status(), 200);
    QVERIFY(!otherType.json().value(s("duplicate")).toBool());

    const QString path = Tokens + s("/credit");
    QJsonObject grant{{s("amount"), 10},
                      {s("description"), s("goodwill")},
                      {s("reference_id"), s("ticket-9")}};
    Captured reply = post(path, grant, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    reply = post(path, grant, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QVERIFY(reply.json().value(s("duplicate")).toBool());
    grant[s("amount")] = 11;
    reply = post(path, grant, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 409);
    QCOMPARE(reply.json().value(s("error")).toObject().value(s("code")).toString(),
             s("idempotency_conflict"));
    grant[s("amount")] = 10;
    grant[s("transaction_type")] = s("bonus");
    reply = post(path, grant, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 409);
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 40);
}

void tst_TokenRoutes::concurrentUsesNeverOverdraw()
{
    credit(200);
    QList<Captured> replies;
    for (int i = 0; i < 30; ++i)
        replies.append(post(Tokens + s("/use"), {{s("amount"), 10}}));
    int ok = 0;
    int refused = 0;
    for (const Captured &reply : replies) {
        MOUSE_WAIT_REPLY(reply);
        if (reply.status() == 200)
            ++ok;
        else if (reply.status() == 402)
            ++refused;
    }
    QCOMPARE(ok, 20);
    QCOMPARE(refused, 10);
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 0);
}

void tst_TokenRoutes::creditIsValidatedAndBounded()
{
    const QString path = Tokens + s("/credit");
    Captured reply = post(path, {{s("amount"), 10}}, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 422); // no description
    reply = post(path, {{s("amount"), 1000001}, {s("description"), s("x")}}, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 422);
    reply = post(path, {{s("amount"), -10}, {s("description"), s("x")}}, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 422);
    reply = post(
            path,
            {{s("amount"), 10}, {s("description"), s("x")}, {s("transaction_type"), s("purchase")}},
            true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 422);

    reply = post(path,
                 {{s("amount"), 1000000},
                  {s("description"), s("goodwill")},
                  {s("transaction_type"), s("bonus")}},
                 true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QCOMPARE(reply.json().value(s("new_balance")).toInt(), 1000000);
    QCOMPARE(text(*m_db, s("SELECT type FROM token_transactions")), s("bonus"));
}

void tst_TokenRoutes::transactionsPaginateForReal()
{
    for (int i = 0; i < 30; ++i)
        credit(i + 1);
    QSet<QString> ids;
    QString cursor;
    int pages = 0;
    do {
        const Captured reply
                = get(Tokens + s("/transactions"),
                      cursor.isEmpty() ? s("limit=12") : s("limit=12&cursor=") + cursor);
        MOUSE_WAIT_REPLY(reply);
        QCOMPARE(reply.status(), 200);
        const QJsonObject json = reply.json();
        for (const QJsonValue &row : json.value(s("transactions")).toArray())
            ids.insert(row.toObject().value(s("id")).toString());
        // Stats are over all 30 rows whatever the page.
        QCOMPARE(json.value(s("stats")).toObject().value(s("count")).toInt(), 30);
        QCOMPARE(json.value(s("stats")).toObject().value(s("total_adjustments")).toInt(), 465);
        QCOMPARE(json.value(s("pagination")).toObject().value(s("total")).toInt(), 30);
        cursor = json.value(s("pagination")).toObject().value(s("next_cursor")).toString();
        ++pages;
    } while (!cursor.isEmpty() && pages < 10);
    QCOMPARE(pages, 3);
    QCOMPARE(ids.size(), 30);

    Captured reply = get(Tokens + s("/transactions"), s("limit=10&offset=25"));
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.json().value(s("transactions")).toArray().size(), 5);
    QCOMPARE(reply.json()
                     .value(s("transactions"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(s("amount"))
                     .toInt(),
             5);
    // A key given twice is refused whichever value comes first (the first was taken silently,
    // so limit=1&limit=500 answered one row and limit=500&limit=1 a 400).
    for (const QString &bad : {s("limit=201"),
                               s("limit=0"),
                               s("offset=-1"),
                               s("cursor=abc"),
                               s("limit=1&limit=500"),
                               s("limit=5&offset=1&offset=2")}) {
        reply = get(Tokens + s("/transactions"), bad);
        MOUSE_WAIT_REPLY(reply);
        QCOMPARE(reply.status(), 400);
    }
}

void tst_TokenRoutes::ordersSummaryCoversAllRows()
{
    QSqlQuery query(m_db->connection());
    for (int i = 0; i < 5; ++i) {
        const QString status = i < 3 ? s("completed") : s("pending");
        QVERIFY(query.exec(s("INSERT INTO token_orders (id, customer_id, package_slug, "
                             "token_amount, price_cents, stripe_checkout_session_id, status, "
                             "tokens_credited, amount_paid_cents, created_at, updated_at) VALUES "
                             "('o%1', 'cst_a', 'starter', 4000, 1900, 'cs_%1', '%2', %3, %4, %1, "
                             "%1)")
                                   .arg(i)
                                   .arg(status)
                                   .arg(i < 3 ? 4000 : 0)
                                   .arg(i < 3 ? s("1900") : s("NULL"))));
    }
    const Captured reply = get(Tokens + s("/orders"), s("limit=2"));
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    const QJsonObject json = reply.json();
    QCOMPARE(json.value(s("orders")).toArray().size(), 2);
    const QJsonObject summary = json.value(s("summary")).toObject();
    QCOMPARE(summary.value(s("total_orders")).toInt(), 5);
    QCOMPARE(summary.value(s("completed_orders")).toInt(), 3);
    QCOMPARE(summary.value(s("total_spent_cents")).toInt(), 3 * 1900);
    QCOMPARE(summary.value(s("total_tokens_purchased")).toInt(), 12000);
}

void tst_TokenRoutes::adminOverviewAndHistory()
{
    addCustomer(*m_db, s("cst_b"));
    credit(700);
    const Captured other = post(s("/api/v1/customers/cst_b/tokens/credit"),
                                {{s("amount"), 300}, {s("description"), s("b")}},
                                true);
    MOUSE_WAIT_REPLY(other);
    const Captured used = post(Tokens + s("/use"), {{s("amount"), 200}});
    MOUSE_WAIT_REPLY(used);

    Captured reply = get(s("/admin/tokens/overview"), {}, true);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QJsonObject json = reply.json();
    QCOMPARE(json.value(s("total_balance")).toInt(), 800);
    QCOMPARE(json.value(s("lifetime_earned")).toInt(), 1000);
    QCOMPARE(json.value(s("lifetime_spent")).toInt(), 200);
    QCOMPARE(json.value(s("customers_with_balance")).toInt(), 2);
    QCOMPARE(json.value(s("transactions")).toObject().value(s("count")).toInt(), 3);

    reply = get(s("/admin/customers/cst_a/token-history"), {}, true);
    MOUSE_WAIT_REPLY(reply);
    json = reply.json();
    QCOMPARE(json.value(s("balance")).toObject().value(s("balance")).toInt(), 500);
    QCOMPARE(json.value(s("transactions")).toArray().size(), 2);

    // The dashboard's snapshot catches up by itself.
    QTRY_COMPARE_WITH_TIMEOUT(m_billing->summary().totalBalance, 800, 10000);
    QCOMPARE(m_billing->summary().recent.size(), 3);
}

void tst_TokenRoutes::unknownCustomerIs404()
{
    const QString base = s("/api/v1/customers/cst_ghost/tokens");
    for (const Captured &reply :
         {get(base),
          get(base + s("/transactions")),
          get(base + s("/orders")),
          post(base + s("/use"), {{s("amount"), 1}}),
          post(base + s("/credit"), {{s("amount"), 1}, {s("description"), s("x")}}, true)}) {
        MOUSE_WAIT_REPLY(reply);
        QCOMPARE(reply.status(), 404);
    }
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_balances")), 0);
}

// The same routes behind the real server: Access is enforced before the handlers run.
void tst_TokenRoutes::overRealHttpWithAccess()
{
    addCustomer(*m_db, s("cst_b"));
    EventLog events;
    Metrics::Registry metrics;
    Http::Credentials credentials;
    credentials.adminToken = s("admin-token-for-tests");
    credentials.customerForKey = [](const QByteArray &key) -> std::optional<QString> {
        if (key == "key-a")
            return s("cst_a");
        if (key == "key-b")
            return s("cst_b");
        return std::nullopt;
    };
    credentials.customerExists = [](const QString &id) {
        return id == s("cst_a") || id == s("cst_b");
    };
    const Settings settings = Settings::defaults().withValue(s("server/listen"), s("127.0.0.1:0"));
    Http::HttpServer server(*m_router, settings, events, metrics, credentials);
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));

    QNetworkAccessManager network;
    struct Answer
    {
        int status = 0;
        QJsonObject json;
    };
    const auto call = [&](const QByteArray &method,
                          const QString &path,
                          const QByteArray &token,
                          const QJsonObject &body = {}) {
        QUrl url = server.url();
        url.setPath(path);
        QNetworkRequest request(url);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        QNetworkReply *reply = method == "GET"
                                       ? network.get(request)
                                       : network.post(request, QJsonDocument(body).toJson());
        return reply;
    };
    const auto wait = [](QNetworkReply *reply) {
        Answer answer;
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 15000))
            return answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return answer;
    };

    QCOMPARE(wait(call("GET", s("/api/v1/token-packages"), {})).status, 200);
    QCOMPARE(wait(call("GET", Tokens, {})).status, 401);
    QCOMPARE(wait(call("GET", Tokens, "key-b")).status, 403); // another customer's key
    QCOMPARE(wait(call("GET", Tokens, "key-a")).status, 200);
    const QJsonObject grant{{s("amount"), 100}, {s("description"), s("http")}};
    QCOMPARE(wait(call("POST", Tokens + s("/credit"), "key-a", grant)).status, 403); // admin only
    QCOMPARE(wait(call("POST", Tokens + s("/credit"), "admin-token-for-tests", grant)).status, 200);
    QCOMPARE(wait(call("GET", s("/admin/tokens/overview"), "key-a")).status, 403);

    // Twenty concurrent uses of 10 against a balance of 100: exactly ten succeed.
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 20; ++i)
        replies.append(call("POST", Tokens + s("/use"), "key-a", {{s("amount"), 10}}));
    int ok = 0;
    int refused = 0;
    for (QNetworkReply *reply : replies) {
        const Answer answer = wait(reply);
        ok += answer.status == 200;
        if (answer.status == 402) {
            ++refused;
            const QJsonObject details
                    = answer.json.value(s("error")).toObject().value(s("details")).toObject();
            QCOMPARE(details.value(s("required")).toInt(), 10);
            QCOMPARE(details.value(s("shortfall")).toInt(),
                     10 - details.value(s("current")).toInt());
        }
    }
    QCOMPARE(ok, 10);
    QCOMPARE(refused, 10);
    const Answer overview = wait(call("GET", s("/admin/tokens/overview"), "admin-token-for-tests"));
    QCOMPARE(overview.status, 200);
    QCOMPARE(overview.json.value(s("total_balance")).toInt(), 0);
    QCOMPARE(overview.json.value(s("lifetime_spent")).toInt(), 100);
    server.close();
}

// Another process holding SQLite's write lock (an operator's sqlite3 shell, a backup tool):
// the ledger routes answered 500 internal_error, as if the gateway were broken, and no
// operator event said why. They answer 503 storage_unavailable with Retry-After, the operator
// is told once, and the same use goes through once the lock is released.
void tst_TokenRoutes::lockedDatabaseAnswers503AndLosesNothing()
{
    credit(100);
    m_db->setBusyTimeoutMs(100); // new connections only: reopen the routes' pool
    m_router.reset();
    m_billing.reset();
    EventLog events;
    m_billing = std::make_unique<Billing>(*m_db, Settings::defaults(), &events);
    m_router = std::make_unique<Http::Router>();
    m_billing->registerRoutes(*m_router);

    QSqlDatabase holder = QSqlDatabase::addDatabase(s("QSQLITE"), s("lock-holder"));
    holder.setDatabaseName(m_dir->filePath(s("routes.sqlite")));
    QVERIFY(holder.open());
    QVERIFY(QSqlQuery(holder).exec(s("BEGIN IMMEDIATE")));

    const QJsonObject use{{s("amount"), 30}, {s("reference_id"), s("job-1")}};
    for (const QString &path : QStringList{Tokens + s("/use"), Tokens + s("/credit")}) {
        const bool admin = path.endsWith(s("credit"));
        const Captured reply
                = post(path,
                       admin ? QJsonObject{{s("amount"), 5}, {s("description"), s("x")}} : use,
                       admin);
        MOUSE_WAIT_REPLY(reply);
        QCOMPARE(reply.status(), 503);
        const QJsonObject error = reply.json().value(s("error")).toObject();
        QCOMPARE(error.value(s("code")).toString(), s("storage_unavailable"));
        QVERIFY2(!error.value(s("message")).toString().contains(s("locked")),
                 "no driver text in answers");
        QByteArray retryAfter;
        for (const auto &[name, value] : std::as_const((*reply.reply)->headers))
            retryAfter = name.compare("Retry-After", Qt::CaseInsensitive) == 0 ? value : retryAfter;
        QCOMPARE(retryAfter, QByteArray("5"));
    }
    int operatorEvents = 0;
    for (const EventLog::Event &event : events.events())
        operatorEvents += event.message.contains(s("storage_unavailable")) ? 1 : 0;
    QCOMPARE(operatorEvents, 1); // told once, not per request

    QVERIFY(QSqlQuery(holder).exec(s("ROLLBACK")));
    holder.close();
    holder = {};
    QSqlDatabase::removeDatabase(s("lock-holder"));

    const Captured retried = post(Tokens + s("/use"), use);
    MOUSE_WAIT_REPLY(retried);
    QCOMPARE(retried.status(), 200);
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 70);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions")), 2);
}

// Whether a failure is "unavailable" was read from the driver's message: a statement that
// fails for good with a message that merely reads like a lock (here a trigger's) answered 503,
// and clients retried a request that could never succeed. It is decided by the driver's code
// now (SQLITE_CONSTRAINT: 500 internal_error), and a store that refuses writes (READONLY) is
// still 503. Neither answer carries the driver's words.
void tst_TokenRoutes::classifiedByCodeNotByText()
{
    credit(100);
    QVERIFY(QSqlQuery(m_db->connection())
                    .exec(s("CREATE TRIGGER refuse_usage BEFORE INSERT ON token_transactions "
                            "WHEN NEW.type = 'usage' BEGIN "
                            "SELECT RAISE(ABORT, 'database is locked'); END")));
    const QJsonObject use{{s("amount"), 30}, {s("reference_id"), s("job-2")}};
    const Captured refused = post(Tokens + s("/use"), use);
    MOUSE_WAIT_REPLY(refused);
    QCOMPARE(refused.status(), 500);
    QCOMPARE(refused.json()[s("error")][s("code")].toString(), s("internal_error"));
    QVERIFY(!QString::fromUtf8((*refused.reply)->body).contains(s("locked")));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 100);

    // The same file opened read-only: every write fails with SQLITE_READONLY.
    m_router.reset();
    m_billing.reset();
    Database readOnly(m_dir->filePath(s("routes.sqlite")));
    readOnly.setReadOnly(true);
    QString error;
    QVERIFY2(readOnly.open(&error), qPrintable(error));
    m_billing = std::make_unique<Billing>(readOnly, Settings::defaults());
    m_router = std::make_unique<Http::Router>();
    m_billing->registerRoutes(*m_router);
    const Captured unavailable
            = post(Tokens + s("/credit"), {{s("amount"), 5}, {s("description"), s("x")}}, true);
    MOUSE_WAIT_REPLY(unavailable);
    QCOMPARE(unavailable.status(), 503);
    QCOMPARE(unavailable.json()[s("error")][s("code")].toString(), s("storage_unavailable"));
    QVERIFY(!QString::fromUtf8((*unavailable.reply)->body).contains(s("readonly")));
    m_router.reset();
    m_billing.reset(); // before readOnly: its pool's connections
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 100);
}

QTEST_GUILESS_MAIN(tst_TokenRoutes)
#include "tst_tokenroutes.moc"

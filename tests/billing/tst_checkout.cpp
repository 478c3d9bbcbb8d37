// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "billingtestsupport.h"
#include "core/billing/billing.h"
#include "core/billing/stripeclient.h"
#include "core/config/settings.h"
#include "core/http/router.h"
#include "core/storage/database.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Mouse;
using namespace Mouse::Tests;

namespace {

struct SeenRequest
{
    QByteArray authorization;
    QByteArray idempotencyKey;
    QByteArray contentType;
    QMap<QString, QString> form;
};

QMap<QString, QString> parseForm(const QByteArray &body)
{
    QMap<QString, QString> form;
    for (const QByteArray &pair : body.split('&')) {
        const int eq = pair.indexOf('=');
        form.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(pair.left(eq))),
                    QString::fromUtf8(QByteArray::fromPercentEncoding(pair.mid(eq + 1))));
    }
    return form;
}

SeenRequest seenFrom(const QHttpServerRequest &request)
{
    return {request.value("Authorization"),
            request.value("Idempotency-Key"),
            request.value("Content-Type"),
            parseForm(request.body())};
}

} // namespace

class tst_Checkout : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void createsSessionThroughStripe();
    void stripeCustomerCreatedOnceAndReused();
    void customerRefusedFallsBackToEmail();
    void clientIdempotencyKeyIsStable();
    void clientIdempotencyKeyReusedForAnotherPurchaseIs409();
    void withoutSecretKeyAnswers503();
    void stripeRefusalIsNotLeaked();
    void checkoutUrlThatIsNotHttpsIsRefused();
    void validatesInput();
    void unknownCustomer();

private:
    Captured purchase(const QJsonObject &body,
                      const QString &customer = s("cst_a"),
                      const Http::HeaderList &headers = {});
    void makeBilling(const QString &secretKey);

    QHttpServer m_mock;
    quint16 m_port = 0;
    QList<SeenRequest> m_seen;
    QList<SeenRequest> m_seenCustomers;
    int m_mockStatus = 200;
    QString m_sessionUrl; // when set, the mock answers this checkout URL
    int m_customerStatus = 200;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Billing> m_billing;
    std::unique_ptr<Http::Router> m_router;
};

void tst_Checkout::initTestCase()
{
    // A Stripe stand-in: one session per Idempotency-Key, like Stripe's idempotent replay.
    m_mock.route(
            s("/v1/checkout/sessions"),
            QHttpServerRequest::Method::Post,
            [this](const QHttpServerRequest &request) {
                const SeenRequest seen = seenFrom(request);
                m_seen.append(seen);
                if (m_mockStatus != 200) {
                    const QJsonObject error{
                            {s("error"),
                             QJsonObject{{s("code"), s("url_invalid")},
                                         {s("message"), s("INTERNAL-UPSTREAM-TEXT")}}}};
                    return QHttpServerResponse(error, QHttpServerResponse::StatusCode::BadRequest);
                }
                const QString id = s("cs_test_")
                                   + QString::fromLatin1(seen.idempotencyKey.toHex().right(12));
                return QHttpServerResponse(
                        QJsonObject{{s("id"), id},
                                    {s("object"), s("checkout.session")},
                                    {s("url"),
                                     m_sessionUrl.isEmpty()
                                             ? QString(s("https://checkout.stripe.com/c/pay/") + id)
                                             : m_sessionUrl}});
            });
    m_mock.route(s("/v1/customers"),
                 QHttpServerRequest::Method::Post,
                 [this](const QHttpServerRequest &request) {
                     const SeenRequest seen = seenFrom(request);
                     m_seenCustomers.append(seen);
                     if (m_customerStatus != 200)
                         return QHttpServerResponse(
                                 QJsonObject{{s("error"), QJsonObject{{s("code"), s("x")}}}},
                                 QHttpServerResponse::StatusCode::BadRequest);
                     const QString id
                             = s("cus_test_")
                               + QString::fromLatin1(seen.idempotencyKey.toHex().right(12));
                     return QHttpServerResponse(
                             QJsonObject{{s("id"), id}, {s("object"), s("customer")}});
                 });
    m_port = m_mock.listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void tst_Checkout::init()
{
    m_seen.clear();
    m_seenCustomers.clear();
    m_mockStatus = 200;
    m_sessionUrl.clear();
    m_customerStatus = 200;
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>(m_dir->filePath(s("checkout.sqlite")));
    QString error;
    QVERIFY2(m_db->open(&error), qPrintable(error));
    addCustomer(*m_db, s("cst_a"));
    makeBilling(s("sk_test_checkout"));
}

void tst_Checkout::cleanup()
{
    m_router.reset();
    m_billing.reset();
    m_db.reset();
    m_dir.reset();
}

void tst_Checkout::makeBilling(const QString &secretKey)
{
    m_router.reset();
    m_billing.reset();
    const Settings settings
            = Settings::defaults()
                      .withValue(s("stripe/secret_key"), secretKey)
                      .withValue(s("stripe/api_url"), s("http://127.0.0.1:%1").arg(m_port));
    m_billing = std::make_unique<Billing>(*m_db, settings);
    m_router = std::make_unique<Http::Router>();
    m_billing->registerRoutes(*m_router);
}

Captured tst_Checkout::purchase(const QJsonObject &body,
                                const QString &customer,
                                const Http::HeaderList &headers)
{
    return callRoute(*m_router,
                     "POST",
                     s("/api/v1/customers/%1/tokens/purchase").arg(customer),
                     QJsonDocument(body).toJson(),
                     false,
                     {},
                     headers);
}

const QJsonObject GrowthBody{
        {QStringLiteral("package_slug"), QStringLiteral("growth")},
        {QStringLiteral("success_url"),
         QStringLiteral("https://app.example.com/ok?s={CHECKOUT_SESSION_ID}")},
        {QStringLiteral("cancel_url"), QStringLiteral("https://app.example.com/cancel")}};

void tst_Checkout::createsSessionThroughStripe()
{
    const Captured reply = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    const QJsonObject json = reply.json();
    const QString sessionId = json.value(s("session_id")).toString();
    QVERIFY(sessionId.startsWith(s("cs_test_")));
    QCOMPARE(json.value(s("checkout_url")).toString(),
             s("https://checkout.stripe.com/c/pay/") + sessionId);

    QCOMPARE(m_seen.size(), 1);
    const SeenRequest &seen = m_seen.first();
    QCOMPARE(seen.authorization, QByteArray("Bearer sk_test_checkout"));
    QVERIFY(seen.idempotencyKey.size() >= 16);
    QVERIFY(seen.contentType.startsWith("application/x-www-form-urlencoded"));
    QCOMPARE(seen.form.value(s("mode")), s("payment"));
    QCOMPARE(seen.form.value(s("line_items[0][price_data][unit_amount]")), s("4900"));
    QCOMPARE(seen.form.value(s("line_items[0][price_data][currency]")), s("usd"));
    QCOMPARE(seen.form.value(s("line_items[0][quantity]")), s("1"));
    QCOMPARE(seen.form.value(s("metadata[customer_id]")), s("cst_a"));
    QCOMPARE(seen.form.value(s("metadata[package_slug]")), s("growth"));
    QCOMPARE(seen.form.value(s("metadata[token_amount]")), s("12000"));
    QCOMPARE(seen.form.value(s("payment_intent_data[metadata][customer_id]")), s("cst_a"));
    QCOMPARE(seen.form.value(s("success_url")), GrowthBody.value(s("success_url")).toString());
    // The customer's new Stripe Customer, not only its e-mail.
    QCOMPARE(m_seenCustomers.size(), 1);
    QVERIFY(seen.form.value(s("customer")).startsWith(s("cus_test_")));
    QVERIFY(!seen.form.contains(s("customer_email")));

    QTRY_COMPARE(text(*m_db,
                      s("SELECT status FROM token_orders WHERE "
                        "stripe_checkout_session_id = ?"),
                      {sessionId}),
                 s("pending"));
    QCOMPARE(scalar(*m_db, s("SELECT token_amount FROM token_orders")), 12000);
    QCOMPARE(scalar(*m_db, s("SELECT price_cents FROM token_orders")), 4900);
}

void tst_Checkout::stripeCustomerCreatedOnceAndReused()
{
    const Captured first = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(first);
    QCOMPARE(first.status(), 200);
    QCOMPARE(m_seenCustomers.size(), 1);
    const SeenRequest &created = m_seenCustomers.first();
    QCOMPARE(created.authorization, QByteArray("Bearer sk_test_checkout"));
    QCOMPARE(created.idempotencyKey, QByteArray("mouse-customer-cst_a"));
    QCOMPARE(created.form.value(s("email")), s("cst_a@example.com"));
    QCOMPARE(created.form.value(s("metadata[customer_id]")), s("cst_a"));
    const QString customer = m_seen.at(0).form.value(s("customer"));
    QVERIFY(customer.startsWith(s("cus_test_")));
    QTRY_COMPARE(text(*m_db, s("SELECT stripe_customer_id FROM customers WHERE id = 'cst_a'")),
                 customer);

    // Later purchases use it; Stripe is not asked again.
    const Captured second = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(second);
    QCOMPARE(second.status(), 200);
    QCOMPARE(m_seenCustomers.size(), 1);
    QCOMPARE(m_seen.size(), 2);
    QCOMPARE(m_seen.at(1).form.value(s("customer")), customer);

    // A customer already linked to Stripe (e.g. by a webhook) keeps its Customer.
    addCustomer(*m_db, s("cst_linked"), s("cus_known"));
    const Captured linked = purchase(GrowthBody, s("cst_linked"));
    MOUSE_WAIT_REPLY(linked);
    QCOMPARE(m_seenCustomers.size(), 1);
    QCOMPARE(m_seen.at(2).form.value(s("customer")), s("cus_known"));
}

void tst_Checkout::customerRefusedFallsBackToEmail()
{
    m_customerStatus = 400;
    const Captured reply = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 200);
    QCOMPARE(m_seenCustomers.size(), 1);
    QCOMPARE(m_seen.size(), 1);
    QCOMPARE(m_seen.at(0).form.value(s("customer_email")), s("cst_a@example.com"));
    QVERIFY(!m_seen.at(0).form.contains(s("customer")));
    QCOMPARE(text(*m_db, s("SELECT COALESCE(stripe_customer_id, '') FROM customers")), QString());
}

void tst_Checkout::clientIdempotencyKeyIsStable()
{
    const Http::HeaderList headers{{"Idempotency-Key", "retry-me-1"}};
    const Captured first = purchase(GrowthBody, s("cst_a"), headers);
    MOUSE_WAIT_REPLY(first);
    const Captured second = purchase(GrowthBody, s("cst_a"), headers);
    MOUSE_WAIT_REPLY(second);
    const Captured other = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(other);
    QCOMPARE(m_seen.size(), 3);
    QCOMPARE(m_seen.at(0).idempotencyKey, m_seen.at(1).idempotencyKey);
    QVERIFY(m_seen.at(2).idempotencyKey != m_seen.at(0).idempotencyKey);
    QCOMPARE(first.json().value(s("session_id")), second.json().value(s("session_id")));
    QCOMPARE(first.json().value(s("order_id")), second.json().value(s("order_id")));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_orders")), 2);
}

void tst_Checkout::clientIdempotencyKeyReusedForAnotherPurchaseIs409()
{
    const Http::HeaderList headers{{"Idempotency-Key", "reused-1"}};
    const Captured first = purchase(GrowthBody, s("cst_a"), headers);
    MOUSE_WAIT_REPLY(first);
    QCOMPARE(first.status(), 200);
    QTRY_COMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_orders")), 1);

    // Another package, or the same package with other URLs, under the same key: refused before
    // Stripe is asked (this stand-in, like a lenient Stripe, would replay the first session).
    QJsonObject starter = GrowthBody;
    starter.insert(s("package_slug"), s("starter"));
    QJsonObject otherUrl = GrowthBody;
    otherUrl.insert(s("success_url"), s("https://app.example.com/elsewhere"));
    for (const QJsonObject &body : {starter, otherUrl}) {
        const Captured reused = purchase(body, s("cst_a"), headers);
        MOUSE_WAIT_REPLY(reused);
        QCOMPARE(reused.status(), 409);
        const QJsonObject error = reused.json().value(s("error")).toObject();
        QCOMPARE(error.value(s("code")), s("idempotency_key_reused"));
        QVERIFY(error.value(s("message")).toString().contains(s("Idempotency-Key")));
    }
    QCOMPARE(m_seen.size(), 1);

    // The same request again still replays the first answer.
    const Captured again = purchase(GrowthBody, s("cst_a"), headers);
    MOUSE_WAIT_REPLY(again);
    QCOMPARE(again.status(), 200);
    QCOMPARE(again.json().value(s("session_id")), first.json().value(s("session_id")));
    QCOMPARE(again.json().value(s("order_id")), first.json().value(s("order_id")));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_orders")), 1);
    QCOMPARE(text(*m_db, s("SELECT package_slug FROM token_orders")), s("growth"));

    // Two different purchases racing under one new key: the first claim wins, the other is 409,
    // and Stripe is asked once.
    const Http::HeaderList raced{{"Idempotency-Key", "raced-1"}};
    const Captured one = purchase(GrowthBody, s("cst_a"), raced);
    const Captured two = purchase(starter, s("cst_a"), raced);
    MOUSE_WAIT_REPLY(one);
    MOUSE_WAIT_REPLY(two);
    QCOMPARE(QList<int>({one.status(), two.status()}).count(200), 1);
    QCOMPARE(QList<int>({one.status(), two.status()}).count(409), 1);
    QCOMPARE(m_seen.size(), 3); // the first purchase, its replay, the race's winner
}

void tst_Checkout::withoutSecretKeyAnswers503()
{
    makeBilling({});
    const Captured reply = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 503);
    const QJsonObject error = reply.json().value(s("error")).toObject();
    QCOMPARE(error.value(s("code")).toString(), s("payments_not_configured"));
    QVERIFY(error.value(s("message")).toString().contains(s("STRIPE_SECRET_KEY")));
    QCOMPARE(m_seen.size(), 0);
}

void tst_Checkout::stripeRefusalIsNotLeaked()
{
    m_mockStatus = 400;
    const Captured reply = purchase(GrowthBody);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 502);
    QVERIFY(!(*reply.reply)->body.contains("INTERNAL-UPSTREAM-TEXT"));
    QCOMPARE(reply.json()
                     .value(s("error"))
                     .toObject()
                     .value(s("details"))
                     .toObject()
                     .value(s("stripe_code")),
             s("url_invalid"));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_orders")), 0);
}

// A Stripe answer (a broken proxy, a wrong stripe/api_url) whose session URL was
// javascript:alert(1) was handed to the client as checkout_url, with a 200.
void tst_Checkout::checkoutUrlThatIsNotHttpsIsRefused()
{
    for (const QString &url : {s("javascript:alert(1)"),
                               s("data:text/html,hi"),
                               s("http://checkout.stripe.com/c/pay/x")}) {
        m_sessionUrl = url;
        const Captured reply = purchase(GrowthBody);
        MOUSE_WAIT_REPLY(reply);
        QCOMPARE(reply.status(), 502);
        QCOMPARE(reply.json().value(s("error")).toObject().value(s("code")).toString(),
                 s("stripe_error"));
        QVERIFY(!(*reply.reply)->body.contains(url.toUtf8()));
    }
}

void tst_Checkout::validatesInput()
{
    QJsonObject body = GrowthBody;
    body.insert(s("package_slug"), s("enterprise"));
    Captured reply = purchase(body);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 422);
    QCOMPARE(reply.json().value(s("error")).toObject().value(s("code")), s("unknown_package"));

    body = GrowthBody;
    body.insert(s("success_url"), s("javascript:alert(1)"));
    reply = purchase(body);
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 422);

    reply = callRoute(*m_router, "POST", s("/api/v1/customers/cst_a/tokens/purchase"), "[1,2");
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 400);
    QCOMPARE(m_seen.size(), 0);
}

void tst_Checkout::unknownCustomer()
{
    const Captured reply = purchase(GrowthBody, s("cst_ghost"));
    MOUSE_WAIT_REPLY(reply);
    QCOMPARE(reply.status(), 404);
    QCOMPARE(m_seen.size(), 0);
}

QTEST_GUILESS_MAIN(tst_Checkout)
#include "tst_checkout.moc"

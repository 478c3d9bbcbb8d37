// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripeclient.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <optional>

using namespace Mouse;
using namespace Qt::Literals::StringLiterals;

namespace {

// A misbehaving Stripe on 127.0.0.1: counts the requests it reads (and the Authorization
// headers among them) and answers each with `answer`, which writes to the socket itself, so
// that it can trickle or flood.
class ScriptedStripe : public QObject
{
public:
    using Answer = std::function<void(QTcpSocket *socket)>;

    explicit ScriptedStripe(Answer answer)
        : m_answer(std::move(answer))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort())); }
    int requests() const { return m_requests; }
    int withKey() const { return m_withKey; }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = buffer.left(end).toLower();
        qsizetype length = 0;
        const qsizetype field = head.indexOf("\r\ncontent-length:");
        if (field >= 0)
            length = head.mid(field + 17, head.indexOf("\r\n", field + 2) - field - 17)
                             .trimmed()
                             .toLongLong();
        if (buffer.size() < end + 4 + length)
            return;
        buffer.clear();
        ++m_requests;
        if (head.contains("\r\nauthorization: bearer sk_test_secret"))
            ++m_withKey;
        m_answer(socket);
    }

    QTcpServer m_server;
    Answer m_answer;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_requests = 0;
    int m_withKey = 0;
};

CheckoutRequest purchase()
{
    CheckoutRequest request;
    request.customerId = u"cst_a"_s;
    request.package = TokenPackage{};
    request.package.slug = u"starter"_s;
    request.package.tokenAmount = 4000;
    request.package.priceCents = 1900;
    request.orderId = u"ord_1"_s;
    request.successUrl = u"https://app.example/ok"_s;
    request.cancelUrl = u"https://app.example/cancel"_s;
    return request;
}

// Writes a 200 head announcing `length` bytes of JSON.
void writeHead(QTcpSocket *socket, qint64 length)
{
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                  + QByteArray::number(length) + "\r\n\r\n");
}

} // namespace

class tst_StripeClient : public QObject
{
    Q_OBJECT

private slots:
    void redirectIsNotFollowed();
    void tricklingAnswerIsCutOffAtTheDeadline();
    void oversizedAnswerIsRefused();
};

// Stripe's API never redirects. Qt's default policy follows a redirect to any https host (or
// http to http), and took the secret key and the form along (session 6).
void tst_StripeClient::redirectIsNotFollowed()
{
    ScriptedStripe elsewhere([](QTcpSocket *socket) {
        writeHead(socket, 2);
        socket->write("{}");
    });
    QVERIFY(elsewhere.listen());
    const QByteArray target = elsewhere.url().toEncoded();
    ScriptedStripe stripe([target](QTcpSocket *socket) {
        socket->write("HTTP/1.1 307 Temporary Redirect\r\nLocation: " + target
                      + "/v1/checkout/sessions\r\nContent-Length: 0\r\n\r\n");
    });
    QVERIFY(stripe.listen());
    StripeClient client(stripe.url(), u"sk_test_secret"_s);

    std::optional<CheckoutResult> checkout;
    client.createCheckoutSession(purchase(), [&](const CheckoutResult &r) { checkout = r; });
    QTRY_VERIFY_WITH_TIMEOUT(checkout.has_value(), 15000);
    QVERIFY(checkout->status != CheckoutResult::Status::Ok);

    std::optional<bool> listed;
    client.listCheckoutSessions(0, 10, [&](bool ok, const auto &...) { listed = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 15000);
    QVERIFY(!*listed);

    std::optional<StripeCustomerResult> customer;
    client.createCustomer(
            u"cst_a"_s, u"a@example.com"_s, [&](const StripeCustomerResult &r) { customer = r; });
    QTRY_VERIFY_WITH_TIMEOUT(customer.has_value(), 15000);
    QVERIFY(!customer->ok);

    QCOMPARE(stripe.withKey(), 3);
    QCOMPARE(elsewhere.requests(), 0);
}

// The transfer timeout restarts with every byte: a peer that sends one now and then held a
// purchase (and a reconciliation run) for as long as it kept trickling.
void tst_StripeClient::tricklingAnswerIsCutOffAtTheDeadline()
{
    QTimer drip;
    QList<QPointer<QTcpSocket>> sockets;
    connect(&drip, &QTimer::timeout, this, [&sockets] {
        for (const QPointer<QTcpSocket> &socket : std::as_const(sockets)) {
            if (socket)
                socket->write(" ");
        }
    });
    drip.start(20);
    ScriptedStripe stripe([&sockets](QTcpSocket *socket) {
        writeHead(socket, 1000000);
        sockets.append(socket);
    });
    QVERIFY(stripe.listen());
    StripeClient client(stripe.url(), u"sk_test_secret"_s);
    client.setTimeoutMs(300);

    std::optional<CheckoutResult> checkout;
    client.createCheckoutSession(purchase(), [&](const CheckoutResult &r) { checkout = r; });
    QTRY_VERIFY_WITH_TIMEOUT(checkout.has_value(), 15000);
    QCOMPARE(checkout->status, CheckoutResult::Status::Unavailable);

    std::optional<bool> listed;
    client.listCheckoutSessions(0, 10, [&](bool ok, const auto &...) { listed = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 15000);
    QVERIFY(!*listed);
}

// An answer past MaxResponseBytes is not read to its end (and kept in memory whole): here a
// valid listing padded beyond the limit, which the client used to accept.
void tst_StripeClient::oversizedAnswerIsRefused()
{
    const QByteArray padding(9 * 1024 * 1024, ' '); // StripeClient::MaxResponseBytes is 8 MiB
    const QByteArray body = R"({"object":"list","data":[],"has_more":false})" + padding;
    ScriptedStripe stripe([&body](QTcpSocket *socket) {
        writeHead(socket, body.size());
        socket->write(body);
    });
    QVERIFY(stripe.listen());
    StripeClient client(stripe.url(), u"sk_test_secret"_s);

    std::optional<bool> listed;
    client.listCheckoutSessions(0, 10, [&](bool ok, const auto &...) { listed = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 30000);
    QVERIFY(!*listed);
}

QTEST_GUILESS_MAIN(tst_StripeClient)
#include "tst_stripeclient.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// A whole gateway stopped while screenshots are in flight (its sandbox fleet hangs every
// call): what the clients of the batch route, the screenshot route and the live viewers get.
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/sandbox/sandboxserver.h"
#include "core/screens/screenshotservice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse;

namespace {

const QByteArray AdminToken = "admin-token-for-shutdown-tests";

} // namespace

class tst_GatewayShutdown : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void batchInFlightIsAnswered503();
    void screenshotInFlightIsAnswered503();
    void viewersAreToldGoingAway();
    void requestOnTheWireAtStopIsAnswered();

private:
    QUrl url(const QString &path) const;
    void waitForScreenshotRequests(quint64 count);
    static void verifyShuttingDown(QNetworkReply *reply);

    std::unique_ptr<Gateway> m_gateway;
    QNetworkAccessManager m_nam;
    QString m_customer;
    QByteArray m_key;
    QString m_vm; // one of m_customer's
};

void tst_GatewayShutdown::init()
{
    const Settings settings
            = Settings::defaults()
                      .withValue(u"storage/database"_s, u"sqlite::memory:"_s)
                      .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                      .withValue(u"server/admin_token"_s, QString::fromLatin1(AdminToken))
                      .withValue(u"sandbox/latency_ms"_s, u"0"_s)
                      .withValue(u"sandbox/jitter_ms"_s, u"0"_s)
                      .withValue(u"sandbox/drift_ms"_s, u"0"_s);
    m_gateway = std::make_unique<Gateway>(settings);
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    QSignalSpy seeded(m_gateway->fleet(), &FleetService::demoSeeded);
    QTRY_COMPARE_WITH_TIMEOUT(seeded.size(), 1, 10000);
    const auto credentials = seeded.first().first().value<QList<FleetService::DemoCredential>>();
    QVERIFY(!credentials.isEmpty());
    m_customer = credentials.first().customerId;
    m_key = credentials.first().apiKey;
    const QList<Employee> employees = m_gateway->directory()->employeesOf(m_customer);
    QVERIFY(!employees.isEmpty());
    m_vm = employees.first().vmId;

    // From now on the fleet takes every call and never answers: screenshots stay in flight.
    SandboxServer::Config config = m_gateway->sandbox()->config();
    config.faultHang = 1;
    m_gateway->sandbox()->setConfig(config);
}

void tst_GatewayShutdown::cleanup()
{
    m_gateway.reset();
}

QUrl tst_GatewayShutdown::url(const QString &path) const
{
    return QUrl(m_gateway->serverUrl().toString() + path);
}

void tst_GatewayShutdown::waitForScreenshotRequests(quint64 count)
{
    QTRY_VERIFY_WITH_TIMEOUT(m_gateway->screens()->stats().requests >= count, 10000);
    QCOMPARE(m_gateway->screens()->stats().upstreamFetches, count);
}

// 503, Retry-After, and the JSON error shape with code shutting_down.
void tst_GatewayShutdown::verifyShuttingDown(QNetworkReply *reply)
{
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QCOMPARE(reply->rawHeader("Retry-After"), QByteArray("5"));
    QVERIFY2(reply->header(QNetworkRequest::ContentTypeHeader)
                     .toString()
                     .startsWith(u"application/json"_s),
             qPrintable(reply->header(QNetworkRequest::ContentTypeHeader).toString()));
    const QJsonObject error
            = QJsonDocument::fromJson(reply->readAll()).object().value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), u"shutting_down"_s);
    QVERIFY(!error.value(u"request_id").toString().isEmpty());
}

// A batch in flight used to be cut off with no answer: the connections were closed before the
// screenshot service let its waiters go.
void tst_GatewayShutdown::batchInFlightIsAnswered503()
{
    QNetworkRequest request(url(u"/admin/screenshots/batch"_s));
    request.setRawHeader("Authorization", "Bearer " + AdminToken);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    const QByteArray body = QJsonDocument(QJsonObject{{u"vms"_s, QJsonArray{m_vm, u"vm-b"_s}},
                                                      {u"quality"_s, u"low"_s}})
                                    .toJson(QJsonDocument::Compact);
    std::unique_ptr<QNetworkReply> reply(m_nam.post(request, body));
    waitForScreenshotRequests(2);
    QVERIFY(!reply->isFinished());

    m_gateway->stop();
    verifyShuttingDown(reply.get());
}

void tst_GatewayShutdown::screenshotInFlightIsAnswered503()
{
    QNetworkRequest request(url(u"/api/v1/customers/%1/vms/%2/screenshot"_s.arg(m_customer, m_vm)));
    request.setRawHeader("Authorization", "Bearer " + m_key);
    std::unique_ptr<QNetworkReply> reply(m_nam.get(request));
    waitForScreenshotRequests(1);
    QVERIFY(!reply->isFinished());

    m_gateway->stop();
    verifyShuttingDown(reply.get());
}

// Viewers got no close frame: their connections were aborted. Now 1001 (going away) with a
// reason, and the refresh loops stop.
void tst_GatewayShutdown::viewersAreToldGoingAway()
{
    QUrl wsUrl = url(u"/ws/vms/%1/%2"_s.arg(m_customer, m_vm));
    wsUrl.setScheme(u"ws"_s);
    QNetworkRequest request(wsUrl);
    request.setRawHeader("Authorization", "Bearer " + m_key);
    QList<std::shared_ptr<QWebSocket>> viewers;
    for (int i = 0; i < 2; ++i) {
        auto viewer = std::make_shared<QWebSocket>();
        QSignalSpy connected(viewer.get(), &QWebSocket::connected);
        viewer->open(request);
        QVERIFY(connected.wait(10000));
        viewers.append(viewer);
    }
    waitForScreenshotRequests(1); // the first viewer's frame, which the second one shares

    QList<std::shared_ptr<QSignalSpy>> disconnected;
    for (const auto &viewer : viewers)
        disconnected.append(std::make_shared<QSignalSpy>(viewer.get(), &QWebSocket::disconnected));
    m_gateway->stop();
    for (int i = 0; i < viewers.size(); ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.at(i)->size(), 1, 10000);
        QCOMPARE(viewers.at(i)->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QVERIFY2(viewers.at(i)->closeReason().contains(u"shutting down"_s),
                 qPrintable(viewers.at(i)->closeReason()));
    }
}

// A keep-alive client whose next request has reached the server's socket, but not yet been
// read by the event loop, when the stop begins: it is answered (and told to close) instead of
// finding its connection reset by the drain's end.
void tst_GatewayShutdown::requestOnTheWireAtStopIsAnswered()
{
    const QByteArray request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_gateway->serverUrl().port());
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, 5000);
    QByteArray received;
    client.write(request);
    QTRY_VERIFY_WITH_TIMEOUT((received += client.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY(received.startsWith("HTTP/1.1 200"));

    // Written through to the kernel without running the gateway's loop: on loopback the bytes
    // are in the server socket's receive queue when write() returns.
    received.clear();
    client.write(request);
    QVERIFY(client.waitForBytesWritten(5000));
    m_gateway->stop();

    QTRY_VERIFY_WITH_TIMEOUT((received += client.readAll()).contains("\r\n\r\n")
                                     || client.state() == QAbstractSocket::UnconnectedState,
                             5000);
    received += client.readAll();
    QVERIFY2(received.startsWith("HTTP/1.1 200"), received.constData());
    QVERIFY(received.toLower().contains("\r\nconnection: close\r\n"));
}

QTEST_GUILESS_MAIN(tst_GatewayShutdown)
#include "tst_gatewayshutdown.moc"

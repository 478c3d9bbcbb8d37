// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Regressions found by attacking the gateway through its real interfaces.
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/gateway.h"
#include "core/http/httpserver.h"
#include "core/http/httptypes.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/metrics/metrics.h"
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace {

// A server with one route whose answer is large, so unread answers pile up quickly.
struct BigAnswerServer
{
    BigAnswerServer(qint64 idleTimeoutMs, int answerBytes)
        : settings(Mouse::Settings::defaults()
                           .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                           .withValue(u"server/idle_timeout_ms"_s, QString::number(idleTimeoutMs)))
    {
        router.get(u"/big"_s,
                   Mouse::Http::Access::Public,
                   [answerBytes](const Mouse::Http::Request &,
                                 const Mouse::Http::Responder &responder) {
                       responder.send(Mouse::Http::Reply::bytes(QByteArray(answerBytes, 'x'),
                                                                "text/plain"));
                   });
        server = std::make_unique<Mouse::Http::HttpServer>(
                router, settings, events, metrics, Mouse::Http::Credentials{});
    }

    Mouse::Settings settings;
    Mouse::Http::Router router;
    Mouse::EventLog events;
    Mouse::Metrics::Registry metrics;
    std::unique_ptr<Mouse::Http::HttpServer> server;
};

// A client that keeps sending requests and never reads an answer.
struct NonReadingClient
{
    explicit NonReadingClient(quint16 port)
    {
        socket.setReadBufferSize(1); // stop reading: the kernel buffers fill, then the server's
        socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        socket.connectToHost(u"127.0.0.1"_s, port);
        QObject::connect(&timer, &QTimer::timeout, &socket, [this] {
            if (socket.state() == QAbstractSocket::ConnectedState)
                socket.write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        });
        timer.start(20);
    }

    QTcpSocket socket;
    QTimer timer;
};

} // namespace

class tst_Hardening : public QObject
{
    Q_OBJECT

private slots:
    void clientThatNeverReadsIsCutOffByTheWriteTimeout();
    void unsentAnswersAreBounded();
    void customerSeesScreenshotsOfItsOwnVmsOnly();
    void streamViewerThatNeverReadsSkipsFrames();
};

// Every queued answer used to count as write progress, so a client that kept sending requests
// without reading was never cut off by server/idle_timeout_ms, and its answers grew in memory.
void tst_Hardening::clientThatNeverReadsIsCutOffByTheWriteTimeout()
{
    // Answers small enough that the cap on unsent bytes is not what cuts the client here.
    BigAnswerServer fixture(300, 32 * 1024);
    QString error;
    QVERIFY2(fixture.server->listen(&error), qPrintable(error));

    NonReadingClient client(fixture.server->port());
    QTRY_COMPARE_WITH_TIMEOUT(fixture.server->openConnections(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(fixture.server->openConnections(), 0, 10000);
}

// With a long write timeout, answers the client does not read must still not pile up without
// bound: past a cap of unsent bytes the connection is closed.
void tst_Hardening::unsentAnswersAreBounded()
{
    BigAnswerServer fixture(3600000, 1 << 20);
    QString error;
    QVERIFY2(fixture.server->listen(&error), qPrintable(error));

    NonReadingClient client(fixture.server->port());
    QTRY_COMPARE_WITH_TIMEOUT(fixture.server->openConnections(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(fixture.server->openConnections(), 0, 15000);
}

// The screenshot routes used to own no VM at all (a placeholder ownership check): every
// customer got 404 for its own VMs. Own VM: an image; another customer's VM: 404.
void tst_Hardening::customerSeesScreenshotsOfItsOwnVmsOnly()
{
    const Mouse::Settings settings
            = Mouse::Settings::defaults()
                      .withValue(u"storage/database"_s, u"sqlite::memory:"_s)
                      .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                      .withValue(u"server/admin_token"_s, u"admin-secret-for-tests"_s)
                      .withValue(u"sandbox/latency_ms"_s, u"0"_s)
                      .withValue(u"sandbox/jitter_ms"_s, u"0"_s);
    Mouse::Gateway gateway(settings);
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(gateway.directory()->customers().size(), 3, 10000);
    const QList<Mouse::Customer> customers = gateway.directory()->customers();
    const QList<Mouse::Employee> own = gateway.directory()->employeesOf(customers[0].id);
    const QList<Mouse::Employee> other = gateway.directory()->employeesOf(customers[1].id);
    QVERIFY(!own.isEmpty() && !other.isEmpty());

    QNetworkAccessManager nam;
    auto get = [&](const QString &vm, QByteArray *contentType) {
        QNetworkRequest request(QUrl(gateway.serverUrl().toString()
                                     + u"/api/v1/customers/%1/vms/%2/screenshot?quality=low"_s.arg(
                                             customers[0].id, vm)));
        request.setRawHeader("Authorization", "Bearer admin-secret-for-tests");
        QNetworkReply *reply = nam.get(request);
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 15000))
            return 0;
        *contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        reply->deleteLater();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    };
    QByteArray contentType;
    QCOMPARE(get(own[0].vmId, &contentType), 200);
    QCOMPARE(contentType, QByteArray("image/jpeg"));
    QCOMPARE(get(other[0].vmId, &contentType), 404);
}

// A live-stream viewer that stopped reading used to get every frame queued in the gateway's
// memory (about 1 MiB/s per viewer at 100 ms); it must skip frames instead.
void tst_Hardening::streamViewerThatNeverReadsSkipsFrames()
{
    const Mouse::Settings settings
            = Mouse::Settings::defaults()
                      .withValue(u"storage/database"_s, u"sqlite::memory:"_s)
                      .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                      .withValue(u"server/admin_token"_s, u"admin-secret-for-tests"_s)
                      .withValue(u"screens/stream_interval_ms"_s, u"100"_s)
                      .withValue(u"sandbox/latency_ms"_s, u"0"_s)
                      .withValue(u"sandbox/jitter_ms"_s, u"0"_s);
    Mouse::Gateway gateway(settings);
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(gateway.directory()->customers().size(), 3, 10000);
    const Mouse::Customer customer = gateway.directory()->customers().first();
    const Mouse::Employee employee = gateway.directory()->employeesOf(customer.id).first();
    auto *hub = gateway.screens()->findChild<Mouse::StreamHub *>();
    QVERIFY(hub);

    // A plain socket with a small receive buffer set before connecting (no kernel autotuning),
    // the upgrade by hand, then never a read.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(gateway.serverUrl().port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    const QByteArray upgrade
            = "GET /ws/vms/" + customer.id.toLatin1() + '/' + employee.vmId.toLatin1()
              + "?quality=high HTTP/1.1\r\nHost: x\r\n"
                "Authorization: Bearer admin-secret-for-tests\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n";
    QCOMPARE(::send(fd, upgrade.constData(), size_t(upgrade.size()), 0), ssize_t(upgrade.size()));

    // Past what the kernel buffers hold (about 30 frames here), frames are skipped; unbounded,
    // about 90 of the 120 ticks made a frame queued for this viewer.
    QTRY_VERIFY_WITH_TIMEOUT(hub->ticks() >= 120, 30000);
    const quint64 sent = hub->framesSent();
    qInfo() << sent << "frames queued for" << hub->ticks() << "ticks";
    ::close(fd);
    QVERIFY2(sent < 60, qPrintable(u"%1 frames queued for %2 ticks"_s.arg(sent).arg(hub->ticks())));
}

QTEST_GUILESS_MAIN(tst_Hardening)
#include "tst_hardening.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"
#include "screens/screentestdata.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <memory>

using namespace Mouse;

namespace {

struct Client
{
    std::unique_ptr<QWebSocket> socket = std::make_unique<QWebSocket>();
    QList<QJsonObject> frames;
    QList<QByteArray> binaries;
};

} // namespace

class TestStreamHub : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void fanOutOneUpstreamFetchPerTick();
    void binaryFrames();
    void viewerLeavingMidFrameHarmsNoOne();
    void hubGoneBeforeServiceWithFrameInFlight();
    void endStreamTellsViewersAndStopsFetching();
    void viewerThatNeverReadsCostsNoFetches();
    void goAwayClosesViewersWith1001();
    void viewerThatStopsReadingIsClosedWith4408();
    void viewerThatNeverReadsIsLetGo();
    void peerThatAnswersNoPingIsDropped();

private:
    Client *connectClient(const QString &query = {});
    void useNoisyFrames();
    std::unique_ptr<QTcpSocket> connectRawViewer();

    ScreensTest::CountingUpstream m_upstream;
    std::unique_ptr<ScreenshotService> m_service;
    std::unique_ptr<StreamHub> m_hub;
    std::unique_ptr<QWebSocketServer> m_server;
    QList<std::shared_ptr<Client>> m_clients;
    QPointer<QWebSocket> m_lastViewer; // the hub's side of the newest viewer
};

void TestStreamHub::init()
{
    m_upstream.body
            = ScreensTest::orgoBody(ScreensTest::encoded(ScreensTest::desktop(800, 450), "png"));
    m_upstream.calls = 0;
    m_upstream.delayMs = 30;
    ScreenshotServiceOptions options;
    options.ttlMs = 0; // every tick needs a fresh image: fetches count ticks exactly
    m_service = std::make_unique<ScreenshotService>(options, m_upstream.upstream());
    m_hub = std::make_unique<StreamHub>(*m_service, 150);
    m_server = std::make_unique<QWebSocketServer>(QStringLiteral("test"),
                                                  QWebSocketServer::NonSecureMode);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_server->nextPendingConnection()) {
            const QUrlQuery query(socket->requestUrl());
            const bool binary
                    = query.queryItemValue(QStringLiteral("binary")) == QLatin1String("1");
            m_lastViewer = socket;
            m_hub->addViewer(
                    socket, QStringLiteral("vm-1"), ScreenQuality::Low, ImageFormat::Jpeg, binary);
        }
    });
}

void TestStreamHub::cleanup()
{
    m_clients.clear();
    m_hub.reset();
    m_server.reset();
    m_service.reset();
}

Client *TestStreamHub::connectClient(const QString &query)
{
    auto client = std::make_shared<Client>();
    Client *raw = client.get();
    connect(raw->socket.get(), &QWebSocket::textMessageReceived, this, [raw](const QString &text) {
        raw->frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    connect(raw->socket.get(),
            &QWebSocket::binaryMessageReceived,
            this,
            [raw](const QByteArray &bytes) { raw->binaries.append(bytes); });
    QUrl url(QStringLiteral("ws://127.0.0.1:%1/ws/vms/c/vm-1").arg(m_server->serverPort()));
    url.setQuery(query);
    raw->socket->open(url);
    m_clients.append(client);
    return raw;
}

void TestStreamHub::fanOutOneUpstreamFetchPerTick()
{
    const int viewers = 5;
    for (int i = 0; i < viewers; ++i)
        connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), viewers, 5000);
    QCOMPARE(m_hub->streamCount(), 1);
    for (const auto &client : std::as_const(m_clients))
        QTRY_VERIFY_WITH_TIMEOUT(client->frames.size() >= 4, 10000);

    // k viewers, yet at most one upstream fetch per tick (not k).
    QVERIFY(m_upstream.calls <= int(m_hub->ticks()));
    qsizetype frames = 0;
    for (const auto &client : std::as_const(m_clients))
        frames += client->frames.size();
    QVERIFY(frames >= 4 * viewers);
    QVERIFY(m_upstream.calls * 2 < frames);

    const QJsonObject frame = m_clients.first()->frames.last();
    QCOMPARE(frame.value(QStringLiteral("type")).toString(), QStringLiteral("screenshot"));
    QCOMPARE(frame.value(QStringLiteral("mime")).toString(), QStringLiteral("image/jpeg"));
    QCOMPARE(frame.value(QStringLiteral("width")).toInt(), 640);
    QCOMPARE(frame.value(QStringLiteral("height")).toInt(), 360);
    const QByteArray data
            = QByteArray::fromBase64(frame.value(QStringLiteral("data")).toString().toLatin1());
    QCOMPARE(qint64(data.size()), frame.value(QStringLiteral("bytes")).toInteger());
    QCOMPARE(QImage::fromData(data).size(), QSize(640, 360));
    QVERIFY(frame.contains(QStringLiteral("cached")));
    QVERIFY(frame.contains(QStringLiteral("timestamp")));

    // The loop stops with its last viewer, and no fetch happens after.
    for (const auto &client : std::as_const(m_clients))
        client->socket->close();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->streamCount(), 0, 5000);
    QTest::qWait(100);
    const int calls = m_upstream.calls;
    QTest::qWait(500);
    QCOMPARE(m_upstream.calls, calls);
}

void TestStreamHub::binaryFrames()
{
    Client *client = connectClient(QStringLiteral("binary=1"));
    QTRY_VERIFY_WITH_TIMEOUT(!client->binaries.isEmpty(), 10000);
    QVERIFY(!client->frames.isEmpty());
    const QJsonObject header = client->frames.first();
    QCOMPARE(header.value(QStringLiteral("type")).toString(), QStringLiteral("frame"));
    QVERIFY(!header.contains(QStringLiteral("data")));
    QCOMPARE(qint64(client->binaries.first().size()),
             header.value(QStringLiteral("bytes")).toInteger());
}

void TestStreamHub::viewerLeavingMidFrameHarmsNoOne()
{
    m_upstream.delayMs = 200; // frames take a while: leave while one is being made
    Client *stays = connectClient();
    Client *leaves = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 2, 5000);
    QTest::qWait(50); // the first frame is in flight now
    leaves->socket->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(stays->frames.size() >= 2, 10000);
    for (const QJsonObject &frame : std::as_const(stays->frames))
        QCOMPARE(frame.value(QStringLiteral("type")).toString(), QStringLiteral("screenshot"));

    // The last viewer leaves mid-frame too: the frame arrives to nobody, nothing breaks.
    QTest::qWait(50);
    stays->socket->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->streamCount(), 0, 5000);
    QTest::qWait(400);
    QCOMPARE(m_hub->streamCount(), 0);
    // A new viewer starts a new loop.
    Client *again = connectClient();
    QTRY_VERIFY_WITH_TIMEOUT(!again->frames.isEmpty(), 10000);
}

// Gateway::stopScreens() deletes the hub, then the service, whose destructor cancels the
// frame in flight. Qt 6.4 ran the hub's continuation with its context gone into
// Q_ASSERT(context): an abort at every busy shutdown of a debug or ASan build.
void TestStreamHub::hubGoneBeforeServiceWithFrameInFlight()
{
    m_upstream.delayMs = 500;
    Client *viewer = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    QTest::qWait(50); // the first frame waits for the upstream now
    QVERIFY(viewer->frames.isEmpty());
    m_hub.reset();
    m_service.reset();
    QTest::qWait(600); // the upstream answers late, to nobody
    QVERIFY(viewer->frames.isEmpty());
}

// A deleted VM: its viewers get one vm_deleted frame and a close, and the loop stops asking
// upstream for a screenshot of a VM that no longer exists.
void TestStreamHub::endStreamTellsViewersAndStopsFetching()
{
    Client *first = connectClient();
    Client *second = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!first->frames.isEmpty() && !second->frames.isEmpty(), 10000);

    m_hub->endStream(QStringLiteral("vm-1"), QStringLiteral("vm_deleted"), QStringLiteral("gone"));
    QCOMPARE(m_hub->streamCount(), 0);
    QCOMPARE(m_hub->viewerCount(QStringLiteral("vm-1")), 0);
    for (Client *client : {first, second}) {
        QTRY_COMPARE_WITH_TIMEOUT(client->socket->state(), QAbstractSocket::UnconnectedState, 5000);
        const QJsonObject last = client->frames.last();
        QCOMPARE(last.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
        QCOMPARE(last.value(QStringLiteral("code")).toString(), QStringLiteral("vm_deleted"));
        QCOMPARE(client->socket->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    }
    // Frames still in flight land nowhere; no tick asks upstream again.
    QTest::qWait(100);
    const int calls = m_upstream.calls;
    QTest::qWait(500);
    QCOMPARE(m_upstream.calls, calls);
}

// Frames that do not compress: a backlog builds up in a few ticks.
void TestStreamHub::useNoisyFrames()
{
    QImage noise(640, 480, QImage::Format_RGB32);
    quint32 state = 12345;
    for (int y = 0; y < noise.height(); ++y) {
        auto *row = reinterpret_cast<quint32 *>(noise.scanLine(y));
        for (int x = 0; x < noise.width(); ++x) {
            state = state * 1664525u + 1013904223u;
            row[x] = 0xff000000u | (state >> 8);
        }
    }
    m_upstream.body = ScreensTest::orgoBody(ScreensTest::encoded(noise, "png"));
}

// A plain TCP client that completes the upgrade and then does only what the test makes it do:
// it reads nothing (a 1-byte read buffer, a small receive window) and answers no ping.
std::unique_ptr<QTcpSocket> TestStreamHub::connectRawViewer()
{
    auto reader = std::make_unique<QTcpSocket>();
    reader->setReadBufferSize(1);
    reader->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    reader->connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    if (!reader->waitForConnected(5000))
        return nullptr;
    reader->write("GET /ws/vms/c/vm-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n");
    return reader;
}

// A viewer that stops reading stayed connected for ever: a socket and 1 MiB of frames held
// while it lasted. Past screens/viewer_stall_ms with the backlog full it is closed with 4408
// and a reason, which a viewer that reads again finds after its backlog.
void TestStreamHub::viewerThatStopsReadingIsClosedWith4408()
{
    useNoisyFrames();
    m_hub->setViewerLimits({/*stallMs*/ 300, /*pingMs*/ 0, /*pongTimeoutMs*/ 60000});
    const std::unique_ptr<QTcpSocket> reader = connectRawViewer();
    QVERIFY(reader);
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_lastViewer && m_lastViewer->bytesToWrite() > (1 << 20), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->stalledViewersClosed(), quint64(1), 10000);
    QCOMPARE(m_hub->unansweredViewersDropped(), quint64(0));

    // The viewer reads again: every byte, the close frame last.
    QByteArray received;
    connect(reader.get(), &QIODevice::readyRead, this, [&] { received += reader->readAll(); });
    reader->setReadBufferSize(0);
    received += reader->readAll();
    QTRY_COMPARE_WITH_TIMEOUT(reader->state(), QAbstractSocket::UnconnectedState, 30000);
    received += reader->readAll();
    const QByteArray reason = "The viewer read no frames for 0.3 s.";
    QByteArray closeFrame("\x88");
    closeFrame += char(2 + reason.size());
    closeFrame += "\x11\x38"; // 4408
    closeFrame += reason;
    QVERIFY2(received.endsWith(closeFrame), received.right(64).toHex(' ').constData());
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 0, 5000);
    QCOMPARE(m_hub->streamCount(), 0);
}

// One that never reads again is aborted once the grace after the close has passed: the hub's
// socket goes, with the frames it held.
void TestStreamHub::viewerThatNeverReadsIsLetGo()
{
    useNoisyFrames();
    m_hub->setViewerLimits({/*stallMs*/ 200, /*pingMs*/ 0, /*pongTimeoutMs*/ 200});
    const std::unique_ptr<QTcpSocket> reader = connectRawViewer();
    QVERIFY(reader);
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    const QPointer<QWebSocket> viewer = m_lastViewer;
    QTRY_VERIFY_WITH_TIMEOUT(viewer && viewer->bytesToWrite() > (1 << 20), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(viewer.isNull(), 10000); // deleted after its disconnect
    QCOMPARE(m_hub->viewerCount(QStringLiteral("vm-1")), 0);
    QCOMPARE(m_hub->stalledViewersClosed(), quint64(1));
    QCOMPARE(m_hub->openSockets(), 0);
}

// A peer that vanished without a FIN (or a client that answers no ping) is dropped once a
// ping stays unanswered for screens/viewer_pong_timeout_ms; a QWebSocket client, which
// answers pings, stays through many of them.
void TestStreamHub::peerThatAnswersNoPingIsDropped()
{
    m_hub->setViewerLimits({/*stallMs*/ 0, /*pingMs*/ 40, /*pongTimeoutMs*/ 150});
    Client *answers = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    const std::unique_ptr<QTcpSocket> silent = connectRawViewer();
    QVERIFY(silent);
    silent->setReadBufferSize(0); // reads its frames, but never pongs
    connect(silent.get(), &QIODevice::readyRead, this, [&silent] { silent->readAll(); });
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 2, 5000);

    QTRY_COMPARE_WITH_TIMEOUT(m_hub->unansweredViewersDropped(), quint64(1), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(silent->state(), QAbstractSocket::UnconnectedState, 5000);

    // The answering client has been pinged many times since, and stays.
    const quint64 pings = m_hub->pingsSent();
    QTRY_VERIFY_WITH_TIMEOUT(m_hub->pingsSent() >= pings + 10, 10000);
    QCOMPARE(m_hub->unansweredViewersDropped(), quint64(1));
    QCOMPARE(answers->socket->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_hub->viewerCount(QStringLiteral("vm-1")), 1);
    QCOMPARE(m_hub->stalledViewersClosed(), quint64(0));
}

// A viewer that stops reading (a closed laptop, a stuck tab) is skipped once 1 MiB waits for
// it; the refresh loop used to go on asking Orgo and encoding for it every tick, for as long as
// it stayed connected, with every frame thrown away (seen over HTTP: 31 fetches and encodes in
// 30 s for one such viewer, none delivered).
void TestStreamHub::viewerThatNeverReadsCostsNoFetches()
{
    QImage noise(640, 480, QImage::Format_RGB32);
    quint32 state = 12345;
    for (int y = 0; y < noise.height(); ++y) {
        auto *row = reinterpret_cast<quint32 *>(noise.scanLine(y));
        for (int x = 0; x < noise.width(); ++x) {
            state = state * 1664525u + 1013904223u;
            row[x] = 0xff000000u | (state >> 8);
        }
    }
    m_upstream.body = ScreensTest::orgoBody(ScreensTest::encoded(noise, "png"));

    QTcpSocket reader; // completes the upgrade, then never reads a byte
    reader.setReadBufferSize(1);
    reader.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    reader.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    QVERIFY(reader.waitForConnected(5000));
    reader.write("GET /ws/vms/c/vm-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_lastViewer && m_lastViewer->bytesToWrite() > (1 << 20), 30000);

    const int fetches = m_upstream.calls;
    const quint64 ticks = m_hub->ticks();
    QTRY_VERIFY_WITH_TIMEOUT(m_hub->ticks() >= ticks + 5, 10000);
    QVERIFY2(m_upstream.calls <= fetches + 1,
             qPrintable(QStringLiteral("%1 fetches for a viewer that reads nothing")
                                .arg(m_upstream.calls - fetches)));
    QCOMPARE(m_hub->viewerCount(QStringLiteral("vm-1")), 1); // still connected, just skipped
}

// Shutdown: every viewer gets close 1001 with the reason, the loops stop, and a latecomer is
// closed the same way. openSockets() (what the gateway's drain waits for) ends at 0.
void TestStreamHub::goAwayClosesViewersWith1001()
{
    Client *first = connectClient();
    Client *second = connectClient();
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->viewerCount(QStringLiteral("vm-1")), 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!first->frames.isEmpty() && !second->frames.isEmpty(), 10000);

    m_hub->goAway(QStringLiteral("going down"));
    QVERIFY(m_hub->isGoingAway());
    QCOMPARE(m_hub->streamCount(), 0);
    Client *late = connectClient();
    for (Client *client : {first, second, late}) {
        QTRY_COMPARE_WITH_TIMEOUT(client->socket->state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(client->socket->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QCOMPARE(client->socket->closeReason(), QStringLiteral("going down"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->openSockets(), 0, 5000);
    QCOMPARE(m_hub->streamCount(), 0); // the latecomer started no loop
    QTest::qWait(100);
    const int calls = m_upstream.calls;
    QTest::qWait(500);
    QCOMPARE(m_upstream.calls, calls);
}

QTEST_GUILESS_MAIN(TestStreamHub)
#include "tst_streamhub.moc"

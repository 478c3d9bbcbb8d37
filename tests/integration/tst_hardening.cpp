// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Regressions found by attacking the gateway through its real interfaces.
#include "core/config/settings.h"
#include "core/http/httpserver.h"
#include "core/http/httptypes.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/metrics/metrics.h"

#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

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

QTEST_GUILESS_MAIN(tst_Hardening)
#include "tst_hardening.moc"

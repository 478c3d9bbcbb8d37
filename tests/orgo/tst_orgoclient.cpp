// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/orgoclient.h"

#include "orgo/mockorgoserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using Mouse::OrgoClient;
using namespace Mouse::Orgo;
using Response = MockOrgoServer::Response;

class tst_OrgoClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void getComputerWithBearer();
    void workspaceListing();
    void wrongTypesOrAnotherIdAreInvalid();
    void createSendsBody();
    void retries503WithBackoff();
    void honoursRetryAfter();
    void retryAfterBeyondCapIsNotWaited();
    void givesUpAfterMaxRetries();
    void timeoutIsRetried();
    void createIsNotRetriedAfterTimeout();
    void clientErrorsAreNotRetried();
    void breakerOpensAndHalfOpens();
    void concurrencyLimitReachedNotExceeded();
    void keyNotSentToOtherHosts();
    void redirectIsNotFollowedWithTheKey();
    void screenshotRawBody();

private:
    OrgoClient::Options options() const
    {
        OrgoClient::Options o;
        // The same tests run on both transports (ctest: orgoclient and orgoclient_qnam).
        o.transport = qgetenv("MOUSE_TEST_ORGO_TRANSPORT") == "qnam"
                              ? OrgoClient::Transport::Qnam
                              : OrgoClient::Transport::Native;
        o.baseUrl = m_server->url();
        o.apiKey = u"sk_test"_s;
        o.workspaceId = u"ws1"_s;
        o.retryBaseMs = 10;
        o.retryCapMs = 2000;
        o.statusTimeoutMs = 2000;
        o.actionTimeoutMs = 2000;
        o.clock = [this] {
            return m_now;
        };
        o.jitter = [] {
            return 0.5;
        };
        return o;
    }
    template<class T>
    static T wait(QFuture<T> future)
    {
        if (!QTest::qWaitFor([&] { return future.isFinished(); }, 15000))
            qFatal("future did not finish");
        return future.result();
    }

    std::unique_ptr<MockOrgoServer> m_server;
    qint64 m_now = 0;
};

void tst_OrgoClient::init()
{
    m_server = std::make_unique<MockOrgoServer>();
    QVERIFY(m_server->listen());
    m_now = 0;
}

void tst_OrgoClient::getComputerWithBearer()
{
    m_server->setHandler([](const MockOrgoServer::Request &r) {
        Response response;
        response.body = R"({"id":")" + r.path.mid(r.path.lastIndexOf('/') + 1)
                        + R"(","status":"running"})";
        return response;
    });
    OrgoClient client(options());
    const ComputerResult result = wait(client.computer(u"vm-1"_s));
    QVERIFY(result.ok());
    QCOMPARE(result.computer.id, u"vm-1"_s);
    QCOMPARE(result.computer.status, u"running"_s);
    QCOMPARE(result.attempts, 1);
    QCOMPARE(m_server->received().at(0).path, QByteArray("/api/computers/vm-1"));
    QCOMPARE(m_server->received().at(0).headers.value("authorization"),
             QByteArray("Bearer sk_test"));
    QCOMPARE(client.upstreamCalls(), 1u);
}

void tst_OrgoClient::workspaceListing()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.body = R"({"id":"ws1","desktops":[{"id":"a","status":"running"},
            {"id":"b","status":"stopped"}]})";
        return response;
    });
    OrgoClient client(options());
    const ComputerListResult result = wait(client.workspaceComputers(u"ws1"_s));
    QVERIFY(result.ok());
    QCOMPARE(result.computers.size(), 2);
    QCOMPARE(result.computers[1].workspaceId, u"ws1"_s);
    QCOMPARE(m_server->received().at(0).path, QByteArray("/api/workspaces/ws1"));
}

// A 200 whose body is the wrong shape, or is another computer's, is an invalid answer like a
// non-JSON one (not retried, counted as Orgo having answered). Until session 6 both were ok.
void tst_OrgoClient::wrongTypesOrAnotherIdAreInvalid()
{
    QByteArray body;
    m_server->setHandler([&body](const MockOrgoServer::Request &) {
        Response response;
        response.body = body;
        return response;
    });
    OrgoClient client(options());
    for (const QByteArray &wrong : {QByteArray(R"({"id":12,"status":["running"]})"),
                                    QByteArray(R"({"id":"vm-1","status":["running"]})"),
                                    QByteArray(R"({"id":"vm-2","status":"running"})"),
                                    QByteArray("not json")}) {
        body = wrong;
        const ComputerResult result = wait(client.computer(u"vm-1"_s));
        QVERIFY2(!result.ok(), wrong.constData());
        QCOMPARE(result.error.kind, ErrorKind::InvalidResponse);
        QCOMPARE(result.error.kindName(), u"invalid_response"_s);
        QCOMPARE(result.attempts, 1);
        QVERIFY(result.computer.id.isEmpty());
    }
    body = R"({"id":"ws1","desktops":[{"id":"a","status":"running"},{"id":"b","status":3}]})";
    const ComputerListResult list = wait(client.workspaceComputers(u"ws1"_s));
    QCOMPARE(list.error.kind, ErrorKind::InvalidResponse);
    QVERIFY(list.computers.isEmpty());

    body = R"({"id":"vm-1","status":"running"})";
    QVERIFY(wait(client.computer(u"vm-1"_s)).ok());
}

void tst_OrgoClient::createSendsBody()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.status = 201;
        response.body = R"({"id":"new","name":"knight","status":"creating"})";
        return response;
    });
    OrgoClient client(options());
    CreateSpec spec;
    spec.name = u"knight"_s;
    const ComputerResult result = wait(client.createComputer(spec));
    QVERIFY(result.ok());
    QCOMPARE(result.computer.status, u"creating"_s);
    const auto &request = m_server->received().at(0);
    QCOMPARE(request.method, QByteArray("POST"));
    QVERIFY(request.body.contains(R"("workspace_id":"ws1")"));
    QVERIFY(request.body.contains(R"("name":"knight")"));
}

void tst_OrgoClient::retries503WithBackoff()
{
    int calls = 0;
    m_server->setHandler([&calls](const MockOrgoServer::Request &) {
        Response response;
        if (++calls <= 3) {
            response.status = 503;
            response.body = R"({"error":"Could not reach the desktop."})";
        } else {
            response.body = R"({"id":"x","status":"running"})";
        }
        return response;
    });
    OrgoClient client(options());
    QSignalSpy spy(&client, &OrgoClient::retryScheduled);
    const ComputerResult result = wait(client.computer(u"x"_s));
    QVERIFY(result.ok());
    QCOMPARE(result.attempts, 4);
    QCOMPARE(m_server->requests(), 4);
    QCOMPARE(spy.size(), 3);
    // base 10 ms, jitter fixed at 0.5: exp/2 + 0.5 * exp/2 for exp = 10, 20, 40.
    QCOMPARE(spy.at(0).at(2).toInt(), 7);
    QCOMPARE(spy.at(1).at(2).toInt(), 15);
    QCOMPARE(spy.at(2).at(2).toInt(), 30);
    QCOMPARE(spy.at(0).at(1).toInt(), 1);
    QCOMPARE(spy.at(0).at(3).toString(), u"503"_s);
}

void tst_OrgoClient::honoursRetryAfter()
{
    int calls = 0;
    m_server->setHandler([&calls](const MockOrgoServer::Request &) {
        Response response;
        if (++calls == 1) {
            response.status = 429;
            response.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
        } else {
            response.body = R"({"id":"x","status":"running"})";
        }
        return response;
    });
    OrgoClient client(options());
    QSignalSpy spy(&client, &OrgoClient::retryScheduled);
    const ComputerResult result = wait(client.computer(u"x"_s));
    QVERIFY(result.ok());
    QCOMPARE(result.attempts, 2);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(2).toInt(), 1000); // Retry-After beats the 7 ms backoff
    QCOMPARE(spy.at(0).at(3).toString(), u"429"_s);
    QCOMPARE(client.breakerState(), OrgoClient::BreakerState::Closed);
}

void tst_OrgoClient::retryAfterBeyondCapIsNotWaited()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.status = 429;
        response.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("3600")));
        response.body = R"({"error":"slow down","request_id":"rq-9"})";
        return response;
    });
    OrgoClient client(options());
    const ComputerResult result = wait(client.computer(u"x"_s));
    QCOMPARE(result.error.kind, ErrorKind::RateLimited);
    QVERIFY(result.error.retryable);
    QCOMPARE(result.error.retryAfterMs, 3600000);
    QCOMPARE(result.error.requestId, u"rq-9"_s);
    QCOMPARE(result.attempts, 1);
}

void tst_OrgoClient::givesUpAfterMaxRetries()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.status = 503;
        response.body = R"({"error":"down","request_id":"req-42"})";
        return response;
    });
    auto o = options();
    o.maxRetries = 2;
    OrgoClient client(o);
    const ComputerResult result = wait(client.computer(u"x"_s));
    QCOMPARE(result.error.kind, ErrorKind::Unavailable);
    QCOMPARE(result.error.httpStatus, 503);
    QCOMPARE(result.error.requestId, u"req-42"_s);
    QCOMPARE(result.error.message, u"down"_s);
    QCOMPARE(result.attempts, 3);
    QCOMPARE(m_server->requests(), 3);
}

void tst_OrgoClient::timeoutIsRetried()
{
    int calls = 0;
    m_server->setHandler([&calls](const MockOrgoServer::Request &) {
        Response response;
        response.hang = ++calls == 1;
        response.body = R"({"id":"x","status":"stopped"})";
        return response;
    });
    auto o = options();
    o.statusTimeoutMs = 150;
    OrgoClient client(o);
    QSignalSpy spy(&client, &OrgoClient::retryScheduled);
    const ComputerResult result = wait(client.computer(u"x"_s));
    QVERIFY2(result.ok(), qPrintable(result.error.message));
    QCOMPARE(result.attempts, 2);
    QCOMPARE(spy.at(0).at(3).toString(), u"timeout"_s);
}

void tst_OrgoClient::createIsNotRetriedAfterTimeout()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.hang = true;
        return response;
    });
    auto o = options();
    o.actionTimeoutMs = 150;
    OrgoClient client(o);
    CreateSpec spec;
    spec.name = u"once"_s;
    const ComputerResult result = wait(client.createComputer(spec));
    QCOMPARE(result.error.kind, ErrorKind::Timeout);
    QCOMPARE(result.attempts, 1);
    QCOMPARE(m_server->requests(), 1);
}

void tst_OrgoClient::clientErrorsAreNotRetried()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.status = 404;
        response.body = R"({"error":"Computer not found","request_id":"nf-1"})";
        return response;
    });
    OrgoClient client(options());
    const ActionResult result = wait(client.startComputer(u"gone"_s));
    QCOMPARE(result.error.kind, ErrorKind::Http);
    QCOMPARE(result.error.httpStatus, 404);
    QCOMPARE(result.error.requestId, u"nf-1"_s);
    QCOMPARE(m_server->requests(), 1);
    QCOMPARE(m_server->received().at(0).path, QByteArray("/api/computers/gone/start"));
}

void tst_OrgoClient::breakerOpensAndHalfOpens()
{
    bool healthy = false;
    m_server->setHandler([&healthy](const MockOrgoServer::Request &) {
        Response response;
        response.status = healthy ? 200 : 503;
        response.body = R"({"id":"x","status":"running"})";
        return response;
    });
    auto o = options();
    o.maxRetries = 0;
    o.breakerFailures = 3;
    o.breakerCooldownMs = 1000;
    OrgoClient client(o);
    QSignalSpy spy(&client, &OrgoClient::breakerStateChanged);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(wait(client.computer(u"x"_s)).error.kind, ErrorKind::Unavailable);
    QCOMPARE(client.breakerState(), OrgoClient::BreakerState::Open);
    QCOMPARE(spy.size(), 1);
    QVERIFY(client.healthSnapshot(u"real"_s).value(u"degraded").toBool());

    // Open: fails fast, nothing reaches the server.
    const ComputerResult fast = wait(client.computer(u"x"_s));
    QCOMPARE(fast.error.kind, ErrorKind::CircuitOpen);
    QVERIFY(fast.error.retryable);
    QCOMPARE(m_server->requests(), 3);

    // After the cool-down one probe goes through; a call beside it still fails fast.
    m_now += 1000;
    healthy = true;
    QFuture<ComputerResult> probe = client.computer(u"x"_s);
    QFuture<ComputerResult> beside = client.computer(u"x"_s);
    QCOMPARE(client.breakerState(), OrgoClient::BreakerState::HalfOpen);
    QCOMPARE(wait(beside).error.kind, ErrorKind::CircuitOpen);
    QVERIFY(wait(probe).ok());
    QCOMPARE(client.breakerState(), OrgoClient::BreakerState::Closed);
    QCOMPARE(m_server->requests(), 4);
    QVERIFY(wait(client.computer(u"x"_s)).ok());
}

void tst_OrgoClient::concurrencyLimitReachedNotExceeded()
{
    m_server->setHandler([](const MockOrgoServer::Request &r) {
        Response response;
        response.delayMs = 60;
        response.body = R"({"id":")" + r.path.mid(r.path.lastIndexOf('/') + 1)
                        + R"(","status":"running"})";
        return response;
    });
    OrgoClient client(options());
    const bool qnam = client.transport() == OrgoClient::Transport::Qnam;
    QCOMPARE(client.poolSize(), qnam ? 2 : 0); // ceil(10 / 6) managers, or no connection yet
    QList<QFuture<ComputerResult>> futures;
    for (int i = 0; i < 35; ++i)
        futures.append(client.computer(QString::number(i)));
    for (int i = 0; i < futures.size(); ++i)
        QCOMPARE(wait(futures[i]).computer.id, QString::number(i));
    QCOMPARE(client.maxInFlight(), 10);
    QCOMPARE(m_server->maxOpen(), 10);
    QCOMPARE(client.upstreamCalls(), 35u);
    QVERIFY(m_server->connections() <= 12); // kept alive, not one per request
    if (!qnam) {
        QCOMPARE(m_server->connections(), 10); // one per slot of the limit, all reused
        QCOMPARE(client.poolSize(), 10);
    }
}

void tst_OrgoClient::keyNotSentToOtherHosts()
{
    OrgoClient client(options());
    QUrl other = m_server->url();
    other.setHost(u"localhost"_s);
    other.setPath(u"/img.png"_s);
    QVERIFY(wait(client.fetchBytes(other)).ok());
    QUrl same = m_server->url();
    same.setPath(u"/img.png"_s);
    QVERIFY(wait(client.fetchBytes(same)).ok());
    QVERIFY(!m_server->received().at(0).headers.contains("authorization"));
    QVERIFY(m_server->received().at(1).headers.contains("authorization"));
}

// A redirect to another origin (here another port) must not carry the API key there: the
// QNAM transport followed it with the Authorization header until session 6.
void tst_OrgoClient::redirectIsNotFollowedWithTheKey()
{
    MockOrgoServer elsewhere;
    QVERIFY(elsewhere.listen());
    const QByteArray target = elsewhere.url().toEncoded();
    m_server->setHandler([target](const MockOrgoServer::Request &r) {
        Response response;
        response.status = 307;
        response.body = {};
        response.headers = {{"Location", target + r.path.mid(4)}};
        return response;
    });
    OrgoClient client(options());
    const ComputerResult result = wait(client.computer(u"vm-1"_s));
    QVERIFY(!result.ok());
    QCOMPARE(m_server->requests(), 1);
    QCOMPARE(elsewhere.requests(), 0);
}

void tst_OrgoClient::screenshotRawBody()
{
    m_server->setHandler([](const MockOrgoServer::Request &) {
        Response response;
        response.body = R"({"image":"data:image/png;base64,iVBORw0KGgo="})";
        return response;
    });
    OrgoClient client(options());
    const BytesResult result = wait(client.screenshot(u"vm"_s));
    QVERIFY(result.ok());
    QCOMPARE(result.body, QByteArray(R"({"image":"data:image/png;base64,iVBORw0KGgo="})"));
    QCOMPARE(m_server->received().at(0).path, QByteArray("/api/computers/vm/screenshot"));
}

QTEST_GUILESS_MAIN(tst_OrgoClient)
#include "tst_orgoclient.moc"

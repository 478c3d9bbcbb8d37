// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/requestframer.h"

#include <QTest>

using Mouse::Http::RequestFramer;
using Mouse::Http::RequestHead;

namespace {

struct Outcome
{
    QList<RequestHead> heads;
    int completed = 0;
    int errorStatus = 0;
    QByteArray errorCode;
};

// Feeds data in pieces of `piece` bytes (0: all at once), as the guard does.
Outcome run(const QByteArray &data,
            qsizetype piece = 0,
            qint64 bodyLimit = 1 << 20,
            RequestFramer::Limits limits = {})
{
    RequestFramer framer(limits);
    Outcome outcome;
    const qsizetype step = piece > 0 ? piece : qMax<qsizetype>(1, data.size());
    for (qsizetype offset = 0; offset < data.size(); offset += step) {
        QByteArrayView chunk
                = QByteArrayView(data).sliced(offset, qMin(step, data.size() - offset));
        while (!chunk.isEmpty()) {
            const RequestFramer::Step result = framer.feed(chunk);
            if (result.error) {
                outcome.errorStatus = framer.errorStatus();
                outcome.errorCode = framer.errorCode();
                return outcome;
            }
            if (result.consumed == 0 && !result.headComplete && !result.requestComplete) {
                qWarning("framer made no progress");
                return outcome;
            }
            chunk = chunk.sliced(result.consumed);
            if (result.headComplete) {
                outcome.heads.append(framer.head());
                framer.setBodyLimit(bodyLimit);
            }
            if (result.requestComplete)
                ++outcome.completed;
        }
    }
    return outcome;
}

} // namespace

class tst_RequestFramer : public QObject
{
    Q_OBJECT

private slots:
    void simpleGet();
    void hostFieldsCounted();
    void splitAtEveryByte();
    void contentLengthBody();
    void endOfInputMidRequest();
    void pipelined();
    void lfOnlyAndLeadingBlankLines();
    void connectionSemantics();
    void upgrade();
    void expectContinue();
    void chunked();
    void chunkedOverLimit();
    void chunkedTrailersRefused();
    void headTooLarge();
    void tooManyFields();
    void fieldTooLarge();
    void malformed_data();
    void malformed();
    void badRequestLineBeforeHeadEnds();
};

void tst_RequestFramer::simpleGet()
{
    const Outcome outcome = run("GET /health?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
    QCOMPARE(outcome.errorStatus, 0);
    QCOMPARE(outcome.heads.size(), 1);
    QCOMPARE(outcome.completed, 1);
    const RequestHead &head = outcome.heads.first();
    QCOMPARE(head.method, QByteArray("GET"));
    QCOMPARE(head.target, QByteArray("/health?x=1"));
    QCOMPARE(head.path(), QByteArrayView("/health"));
    QCOMPARE(head.minorVersion, 1);
    QCOMPARE(head.contentLength, -1);
    QVERIFY(!head.close);
    QVERIFY(!head.chunked);
    QCOMPARE(head.hostFields, 1);
}

// The framer counts Host lines (any case); the guard refuses none on HTTP/1.1 and two on any.
void tst_RequestFramer::hostFieldsCounted()
{
    QCOMPARE(run("GET / HTTP/1.1\r\n\r\n").heads.first().hostFields, 0);
    QCOMPARE(run("GET / HTTP/1.1\r\nhOST: a\r\nX-Host: b\r\n\r\n").heads.first().hostFields, 1);
    QCOMPARE(run("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n").heads.first().hostFields, 2);
    QCOMPARE(run("GET / HTTP/1.1\r\nHost:\r\n\r\n").heads.first().hostFields, 1);
}

void tst_RequestFramer::splitAtEveryByte()
{
    const QByteArray data
            = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n";
    for (qsizetype piece : {1, 2, 3, 7, 64}) {
        const Outcome outcome = run(data, piece);
        QCOMPARE(outcome.errorStatus, 0);
        QCOMPARE(outcome.heads.size(), 2);
        QCOMPARE(outcome.completed, 2);
        QCOMPARE(outcome.heads.at(0).contentLength, 5);
        QCOMPARE(outcome.heads.at(1).target, QByteArray("/b"));
    }
}

void tst_RequestFramer::contentLengthBody()
{
    RequestFramer framer;
    const QByteArray head = "PUT /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
    const QByteArray first = head + "12345";
    RequestFramer::Step step = framer.feed(first);
    QVERIFY(step.headComplete);
    QVERIFY(!step.requestComplete);
    QCOMPARE(step.consumed, head.size());
    QVERIFY(framer.inRequest());
    step = framer.feed("12345");
    QCOMPARE(step.consumed, 5);
    QVERIFY(!step.requestComplete);
    step = framer.feed("67890GET");
    QCOMPARE(step.consumed, 5);
    QVERIFY(step.requestComplete);
    QVERIFY(!framer.inRequest());
}

void tst_RequestFramer::endOfInputMidRequest()
{
    // Between requests (nothing, or only the blank lines QHttpServer skips): nothing to answer.
    RequestFramer idle;
    QVERIFY(!idle.endOfInput());
    idle.feed("GET /a HTTP/1.1\r\n\r\n\r\n");
    QVERIFY(!idle.endOfInput());
    QVERIFY(!idle.failed());

    // A body cut short, a chunked body without its last chunk, a head cut short: 400.
    const QList<QByteArray> cut{"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345",
                                "POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n",
                                "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc",
                                "GET /a HTTP/1.1\r\nHost: x\r\n"};
    for (const QByteArray &data : cut) {
        RequestFramer framer;
        QByteArrayView rest(data);
        while (!rest.isEmpty())
            rest = rest.sliced(framer.feed(rest).consumed);
        QVERIFY2(framer.endOfInput(), data.constData());
        QVERIFY(framer.failed());
        QCOMPARE(framer.errorStatus(), 400);
        QCOMPARE(QByteArray(framer.errorCode()), QByteArray("incomplete_request"));
    }
}

void tst_RequestFramer::pipelined()
{
    QByteArray data;
    for (int i = 0; i < 20; ++i)
        data += "GET /r" + QByteArray::number(i) + " HTTP/1.1\r\n\r\n";
    const Outcome outcome = run(data);
    QCOMPARE(outcome.heads.size(), 20);
    QCOMPARE(outcome.completed, 20);
    QCOMPARE(outcome.heads.last().target, QByteArray("/r19"));
}

void tst_RequestFramer::lfOnlyAndLeadingBlankLines()
{
    const Outcome outcome = run("\r\n\r\n  GET / HTTP/1.1\nHost: a\n\nGET /2 HTTP/1.0\n\n");
    QCOMPARE(outcome.errorStatus, 0);
    QCOMPARE(outcome.heads.size(), 2);
    QCOMPARE(outcome.heads.at(1).minorVersion, 0);
}

void tst_RequestFramer::connectionSemantics()
{
    QVERIFY(run("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").heads.first().close);
    QVERIFY(run("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n").heads.first().close);
    QVERIFY(run("GET / HTTP/1.0\r\n\r\n").heads.first().close);
    QVERIFY(!run("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").heads.first().close);
    QVERIFY(!run("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n").heads.first().close);
}

void tst_RequestFramer::upgrade()
{
    const Outcome outcome = run("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n");
    QVERIFY(outcome.heads.first().upgrade);
    QVERIFY(!run("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n").heads.first().upgrade);
    QCOMPARE(run("GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"
                 "Content-Length: 3\r\n\r\nabc")
                     .errorStatus,
             400);
}

void tst_RequestFramer::expectContinue()
{
    QVERIFY(run("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")
                    .heads.first()
                    .expectContinue);
    QCOMPARE(run("POST / HTTP/1.1\r\nExpect: something\r\n\r\n").errorStatus, 417);
    // HTTP/1.0 clients do not understand 100 Continue.
    QVERIFY(!run("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
                     .heads.first()
                     .expectContinue);
}

void tst_RequestFramer::chunked()
{
    const QByteArray data = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"
                            "GET /next HTTP/1.1\r\n\r\n";
    for (qsizetype piece : {0, 1, 4}) {
        const Outcome outcome = run(data, piece);
        QCOMPARE(outcome.errorStatus, 0);
        QCOMPARE(outcome.heads.size(), 2);
        QVERIFY(outcome.heads.first().chunked);
        QCOMPARE(outcome.completed, 2);
    }
}

void tst_RequestFramer::chunkedOverLimit()
{
    const QByteArray data = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "8\r\n12345678\r\n8\r\n12345678\r\n";
    const Outcome outcome = run(data, 0, 10);
    QCOMPARE(outcome.errorStatus, 413);
    QCOMPARE(outcome.errorCode, QByteArray("payload_too_large"));
    // The size line alone is enough to refuse: the data never has to arrive.
    QCOMPARE(run("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n", 0, 10)
                     .errorStatus,
             413);
}

void tst_RequestFramer::chunkedTrailersRefused()
{
    QCOMPARE(run("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n")
                     .errorStatus,
             400);
    QCOMPARE(run("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY").errorStatus,
             400);
    QCOMPARE(run("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n").errorStatus,
             400);
}

void tst_RequestFramer::headTooLarge()
{
    RequestFramer::Limits limits;
    limits.maxHeadBytes = 1024;
    const QByteArray big = "GET / HTTP/1.1\r\nX-Big: " + QByteArray(1100, 'a') + "\r\n\r\n";
    for (qsizetype piece : {0, 1, 100}) {
        const Outcome outcome = run(big, piece, 1 << 20, limits);
        QCOMPARE(outcome.errorStatus, 431);
    }
    // Never-ending head without a line end.
    QCOMPARE(run(QByteArray(5000, 'G'), 7, 1 << 20, limits).errorStatus, 431);
    // Endless blank lines count too.
    QCOMPARE(run(QByteArray(5000, '\n'), 0, 1 << 20, limits).errorStatus, 431);
    // Exactly at the limit is fine.
    const QByteArray head = "GET / HTTP/1.1\r\nX: ";
    const QByteArray exact = head + QByteArray(1024 - head.size() - 4, 'b') + "\r\n\r\n";
    QCOMPARE(exact.size(), 1024);
    QCOMPARE(run(exact, 0, 1 << 20, limits).errorStatus, 0);
    QCOMPARE(run(exact, 3, 1 << 20, limits).errorStatus, 0);
}

void tst_RequestFramer::tooManyFields()
{
    QByteArray data = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 101; ++i)
        data += "X-" + QByteArray::number(i) + ": 1\r\n";
    data += "\r\n";
    QCOMPARE(run(data).errorStatus, 431);
}

void tst_RequestFramer::fieldTooLarge()
{
    const QByteArray data = "GET / HTTP/1.1\r\nX: " + QByteArray(9000, 'a') + "\r\n\r\n";
    QCOMPARE(run(data).errorStatus, 431);
}

void tst_RequestFramer::malformed_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400;
    QTest::newRow("http2") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505;
    QTest::newRow("garbage version") << QByteArray("GET / FTP/1.1\r\n\r\n") << 400;
    QTest::newRow("absolute form") << QByteArray("GET http://x/ HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("control in target") << QByteArray("GET /\x01 HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n") << 400;
    QTest::newRow("space in name") << QByteArray("GET / HTTP/1.1\r\nHo st: a\r\n\r\n") << 400;
    QTest::newRow("obs fold") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n") << 400;
    QTest::newRow("bare cr") << QByteArray("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n") << 400;
    QTest::newRow("nul in value") << QByteArray("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26) << 400;
    QTest::newRow("cl and te") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
                                             "Transfer-Encoding: chunked\r\n\r\n")
                               << 400;
    QTest::newRow("two cl differ") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
                                                 "Content-Length: 4\r\n\r\n")
                                   << 400;
    QTest::newRow("cl list") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n")
                             << 400;
    QTest::newRow("cl sign") << QByteArray("POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n") << 400;
    QTest::newRow("cl huge") << QByteArray("POST / HTTP/1.1\r\nContent-Length: "
                                           "99999999999999999999\r\n\r\n")
                             << 400;
    QTest::newRow("te gzip") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
                             << 501;
    QTest::newRow("te twice") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                                            "Transfer-Encoding: chunked\r\n\r\n")
                              << 501;
    QTest::newRow("chunk size junk") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: "
                                                   "chunked\r\n\r\nzz\r\n")
                                     << 400;
}

void tst_RequestFramer::malformed()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    QCOMPARE(run(data).errorStatus, status);
    QCOMPARE(run(data, 1).errorStatus, status);
}

// QHttpServer closes the connection without an answer once a bad request line ends, before
// the head is complete: the framer must refuse it at that point too.
void tst_RequestFramer::badRequestLineBeforeHeadEnds()
{
    for (qsizetype piece : {0, 1, 3}) {
        QCOMPARE(run("GARBAGE\r\n", piece).errorStatus, 400);
        QCOMPARE(run("GET / HTTP/2.0\r\nHost: x\r\n", piece).errorStatus, 505);
        QCOMPARE(run("\r\nGET /\x01 HTTP/1.1\r\n", piece).errorStatus, 400);
        QCOMPARE(run("GET / HTTP/1.1\rX\n", piece).errorStatus, 400);
        // A good request line with its head still coming is no error.
        const Outcome waiting = run("GET / HTTP/1.1\r\nHost: x\r\n", piece);
        QCOMPARE(waiting.errorStatus, 0);
        QVERIFY(waiting.heads.isEmpty());
        const Outcome whole = run("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", piece);
        QCOMPARE(whole.heads.size(), 1);
        QCOMPARE(whole.heads.first().target, QByteArray("/a"));
    }
}

QTEST_GUILESS_MAIN(tst_RequestFramer)
#include "tst_requestframer.moc"

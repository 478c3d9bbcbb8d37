// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/orgoparsers.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse::Orgo;

class tst_OrgoParsers : public QObject
{
    Q_OBJECT

private slots:
    void normalize_data();
    void normalize();
    void computer();
    void computerRejectsGarbage_data();
    void computerRejectsGarbage();
    void workspaceDesktopsOrComputers();
    void workspaceWithoutList();
    void workspaceWithWrongTypesFails();
    void errorBodies();
    void retryAfter();
    void actionStatus();
};

void tst_OrgoParsers::normalize_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("running") << u"running"_s << u"running"_s;
    QTest::newRow("case and blanks") << u"  Stopped "_s << u"stopped"_s;
    QTest::newRow("restarting") << u"restarting"_s << u"restarting"_s;
    QTest::newRow("suspended") << u"suspended"_s << u"suspended"_s;
    QTest::newRow("legacy") << u"initializing"_s << u"creating"_s;
    QTest::newRow("new word") << u"hibernating"_s << u"unknown"_s;
    QTest::newRow("empty") << QString() << u"unknown"_s;
}

void tst_OrgoParsers::normalize()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(normalizeStatus(input), expected);
}

void tst_OrgoParsers::computer()
{
    Computer c;
    QString why;
    QVERIFY(parseComputer(R"({"id":"a3bb","name":"agent-1","status":"RUNNING","os":"linux",
        "ram":4,"cpu":1,"workspace_id":"ws1","url":"https://x","created_at":"2023-11-07"})",
                          &c,
                          &why));
    QCOMPARE(c.id, u"a3bb"_s);
    QCOMPARE(c.name, u"agent-1"_s);
    QCOMPARE(c.status, u"running"_s);
    QCOMPARE(c.workspaceId, u"ws1"_s);
    QCOMPARE(c.ram, 4);
    QVERIFY(parseComputer(R"({"id":"b","status":"warp"})", &c, &why));
    QCOMPARE(c.status, u"unknown"_s);
    // Null or absent fields are empty, not wrong.
    QVERIFY(parseComputer(R"({"id":"c","status":null,"name":null,"ram":null})", &c, &why));
    QCOMPARE(c.status, u"unknown"_s);
    QCOMPARE(c.ram, 0);
}

void tst_OrgoParsers::computerRejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("no id") << QByteArray(R"({"status":"running"})");
    QTest::newRow("id object") << QByteArray(R"({"id":{}})");
    QTest::newRow("truncated") << QByteArray(R"({"id":"x)");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe", 3);
    // Wrong types: until session 6 these parsed, the status as "unknown" (cached as fresh).
    QTest::newRow("numeric id, status array") << QByteArray(R"({"id":12,"status":["running"]})");
    QTest::newRow("numeric id") << QByteArray(R"({"id":12,"status":"running"})");
    QTest::newRow("status array") << QByteArray(R"({"id":"a","status":["running"]})");
    QTest::newRow("status object") << QByteArray(R"({"id":"a","status":{"s":"running"}})");
    QTest::newRow("status number") << QByteArray(R"({"id":"a","status":1})");
    QTest::newRow("status bool") << QByteArray(R"({"id":"a","status":true})");
    QTest::newRow("name array") << QByteArray(R"({"id":"a","status":"running","name":["n"]})");
    QTest::newRow("ram string") << QByteArray(R"({"id":"a","status":"running","ram":"4"})");
    QTest::newRow("workspace bool")
            << QByteArray(R"({"id":"a","status":"running","workspace_id":false})");
}

void tst_OrgoParsers::computerRejectsGarbage()
{
    QFETCH(QByteArray, body);
    Computer c;
    QString why;
    QVERIFY(!parseComputer(body, &c, &why));
    QVERIFY(!why.isEmpty());
}

void tst_OrgoParsers::workspaceDesktopsOrComputers()
{
    QList<Computer> list;
    QString why;
    QVERIFY(parseWorkspaceComputers(R"({"id":"ws9","desktops":[{"id":"a","status":"running"},
        {"name":"no id"},7,{"id":"b","status":"stopped","workspace_id":"other"}]})",
                                    &list,
                                    &why));
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].workspaceId, u"ws9"_s);
    QCOMPARE(list[1].workspaceId, u"other"_s);
    QCOMPARE(list[1].status, u"stopped"_s);

    QVERIFY(parseWorkspaceComputers(R"({"id":"ws","computer_count":1,
        "computers":[{"id":"c","status":"starting"}]})",
                                    &list,
                                    &why));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list[0].status, u"starting"_s);
}

void tst_OrgoParsers::workspaceWithoutList()
{
    QList<Computer> list;
    QString why;
    QVERIFY(!parseWorkspaceComputers(R"({"id":"ws"})", &list, &why));
    QVERIFY(!parseWorkspaceComputers(R"({"desktops":{}})", &list, &why));
    QVERIFY(!parseWorkspaceComputers("nope", &list, &why));
}

// One computer of the wrong shape makes the whole listing an invalid answer (the caller then
// asks for each VM): until session 6 it was read as status "unknown", cached as fresh.
void tst_OrgoParsers::workspaceWithWrongTypesFails()
{
    QList<Computer> list;
    QString why;
    for (const char *body : {R"({"id":"ws","desktops":[{"id":"a","status":"running"},
              {"id":"b","status":["running"]}]})",
                             R"({"id":"ws","computers":[{"id":7,"status":"running"}]})",
                             R"({"id":"ws","desktops":[{"id":"a","status":"running","cpu":"2"}]})",
                             R"({"id":["ws"],"desktops":[{"id":"a","status":"running"}]})"}) {
        why.clear();
        QVERIFY2(!parseWorkspaceComputers(body, &list, &why), body);
        QVERIFY(!why.isEmpty());
        QVERIFY(list.isEmpty());
    }
}

void tst_OrgoParsers::errorBodies()
{
    Error e = parseError(401, R"({"error":"Invalid API key.","request_id":"f0c2"})");
    QCOMPARE(e.kind, ErrorKind::Http);
    QCOMPARE(e.message, u"Invalid API key."_s);
    QCOMPARE(e.requestId, u"f0c2"_s);
    QVERIFY(!e.retryable);

    e = parseError(503,
                   R"({"error":"screen is unavailable","request_id":"r2","upstream_status":409})");
    QCOMPARE(e.kind, ErrorKind::Unavailable);
    QVERIFY(e.retryable);
    QCOMPARE(e.upstreamStatus, 409);

    e = parseError(429, "<html>slow down</html>");
    QCOMPARE(e.kind, ErrorKind::RateLimited);
    QVERIFY(e.retryable);
    QCOMPARE(e.message, u"Orgo answered HTTP 429"_s);

    e = parseError(400, R"({"error":{"message":"bad","request_id":"r3"}})");
    QCOMPARE(e.message, u"bad"_s);
    QCOMPARE(e.requestId, u"r3"_s);

    e = parseError(500, QByteArray(2000, 'x'));
    QCOMPARE(e.kind, ErrorKind::Http);
    QVERIFY(e.message.size() <= 500);
}

void tst_OrgoParsers::retryAfter()
{
    const QDateTime now(QDate(2015, 10, 21), QTime(7, 28, 0), Qt::UTC);
    QCOMPARE(parseRetryAfter("120", now), 120000);
    QCOMPARE(parseRetryAfter(" 0 ", now), 0);
    QCOMPARE(parseRetryAfter("1.5", now), 1500);
    QCOMPARE(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000);
    QCOMPARE(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0); // past
    QCOMPARE(parseRetryAfter("", now), -1);
    QCOMPARE(parseRetryAfter("-5", now), -1);
    QCOMPARE(parseRetryAfter("soon", now), -1);
    QCOMPARE(parseRetryAfter("Wed, 32 Oct 2015 07:28:30 GMT", now), -1);
    QCOMPARE(parseRetryAfter("Wed, 21 Foo 2015 07:28:30 GMT", now), -1);
    QCOMPARE(parseRetryAfter("Wed, 21 Oct 2015 07:28 GMT", now), -1);
    QCOMPARE(parseRetryAfter("1e400", now), -1);
}

void tst_OrgoParsers::actionStatus()
{
    QCOMPARE(parseActionStatus(R"({"success":true,"status":"starting"})"), u"starting"_s);
    QCOMPARE(parseActionStatus(R"({"success":true})"), QString());
    QCOMPARE(parseActionStatus(""), QString());
}

QTEST_GUILESS_MAIN(tst_OrgoParsers)
#include "tst_orgoparsers.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The fleet routes over real HTTP on a whole gateway with its in-process sandbox fleet.
#include "core/cache/vmstatuscache.h"
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "core/storage/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse;

class tst_FleetRoutes : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void credentialsRequired();
    void customerSeesOnlyItsOwn();
    void adminRoutes();
    void listMarksCachedOnlyWhenCached();
    void bodiesValidated_data();
    void bodiesValidated();
    void deployAndDeleteThroughRoutes();
    void otherCustomersVmIsNotFound();

private:
    struct Answer
    {
        int status = 0;
        QJsonObject json;
    };
    Answer call(const QByteArray &method,
                const QString &path,
                const QByteArray &token,
                const QByteArray &body = {});

    std::unique_ptr<Gateway> m_gateway;
    QNetworkAccessManager m_nam;
    QList<Customer> m_customers;
    QHash<QString, QByteArray> m_keys; // customer id -> key
};

void tst_FleetRoutes::initTestCase()
{
    const Settings settings
            = Settings::defaults()
                      .withValue(u"storage/database"_s, u"sqlite::memory:"_s)
                      .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                      .withValue(u"server/admin_token"_s, u"admin-secret-for-tests"_s)
                      .withValue(u"sandbox/latency_ms"_s, u"0"_s)
                      .withValue(u"sandbox/jitter_ms"_s, u"0"_s)
                      .withValue(u"server/auth_failures_per_minute"_s, u"10000"_s);
    m_gateway = std::make_unique<Gateway>(settings);
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    // Seeding finishes on the event loop, after start() returned.
    QSignalSpy seeded(m_gateway->fleet(), &FleetService::demoSeeded);
    QTRY_COMPARE_WITH_TIMEOUT(seeded.size(), 1, 10000);
    m_customers = m_gateway->directory()->customers();
    QCOMPARE(m_customers.size(), 3);
    const auto credentials = seeded.first().first().value<QList<FleetService::DemoCredential>>();
    for (const FleetService::DemoCredential &credential : credentials)
        m_keys.insert(credential.customerId, credential.apiKey);
    QCOMPARE(m_keys.size(), 3);
}

void tst_FleetRoutes::cleanupTestCase()
{
    m_gateway.reset();
}

tst_FleetRoutes::Answer tst_FleetRoutes::call(const QByteArray &method,
                                              const QString &path,
                                              const QByteArray &token,
                                              const QByteArray &body)
{
    QNetworkRequest request(QUrl(m_gateway->serverUrl().toString() + path));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
        qFatal("no answer");
    Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.json = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return answer;
}

void tst_FleetRoutes::credentialsRequired()
{
    const QString path = u"/api/v1/customers/%1/vms"_s.arg(m_customers[0].id);
    QCOMPARE(call("GET", path, {}).status, 401);
    QCOMPARE(call("GET", path, "mk_not_a_key").status, 401);
    const Answer answer = call("GET", path, "mk_not_a_key");
    QCOMPARE(answer.json.value(u"error").toObject().value(u"code").toString(), u"unauthorized"_s);
    QCOMPARE(call("POST", path, {}, R"({"name":"x","role":"y"})").status, 401);
    QCOMPARE(call("GET", u"/admin/vms/status"_s, {}).status, 401);
}

void tst_FleetRoutes::customerSeesOnlyItsOwn()
{
    const Customer &a = m_customers[0];
    const Customer &b = m_customers[1];
    const Answer own = call("GET", u"/api/v1/customers/%1/vms"_s.arg(a.id), m_keys[a.id]);
    QCOMPARE(own.status, 200);
    QCOMPARE(own.json.value(u"count").toInt(), 20);
    for (const QJsonValue &vm : own.json.value(u"vms").toArray()) {
        const QString id = vm.toObject().value(u"id").toString();
        QCOMPARE(m_gateway->directory()->employeeByVm(id)->customerId, a.id);
        QVERIFY(!vm.toObject().value(u"vm_status").toString().isEmpty());
    }
    QCOMPARE(call("GET", u"/api/v1/customers/%1/vms"_s.arg(b.id), m_keys[a.id]).status, 403);
    QCOMPARE(call("GET", u"/api/v1/customers/%1"_s.arg(b.id), m_keys[a.id]).status, 403);
    QCOMPARE(call("GET", u"/api/v1/customers/%1"_s.arg(a.id), m_keys[a.id]).status, 200);
    QCOMPARE(call("GET", u"/admin/vms/status"_s, m_keys[a.id]).status, 403);
    QCOMPARE(call("POST",
                  u"/api/v1/customers"_s,
                  m_keys[a.id],
                  R"({"company_name":"X","email":"x@x.example"})")
                     .status,
             403);
}

void tst_FleetRoutes::adminRoutes()
{
    const Answer all = call("GET", u"/admin/vms/status"_s, "admin-secret-for-tests");
    QCOMPARE(all.status, 200);
    QCOMPARE(all.json.value(u"count").toInt(), 60);
    const Answer customers = call("GET", u"/admin/customers"_s, "admin-secret-for-tests");
    QCOMPARE(customers.json.value(u"count").toInt(), 3);
    const Answer missing
            = call("GET", u"/api/v1/customers/cst_nope/vms"_s, "admin-secret-for-tests");
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.json.value(u"error").toObject().value(u"code").toString(),
             u"customer_not_found"_s);

    const Answer created = call("POST",
                                u"/api/v1/customers"_s,
                                "admin-secret-for-tests",
                                R"({"company_name":"Zed Corp","email":"Ops@Zed.example"})");
    QCOMPARE(created.status, 201);
    const QByteArray key = created.json.value(u"api_key").toString().toLatin1();
    const QString id = created.json.value(u"customer").toObject().value(u"id").toString();
    QCOMPARE(call("GET", u"/api/v1/customers/%1/vms"_s.arg(id), key).json.value(u"count").toInt(),
             0);
    QCOMPARE(call("POST",
                  u"/api/v1/customers"_s,
                  "admin-secret-for-tests",
                  R"({"company_name":"Zed again","email":"ops@zed.example"})")
                     .status,
             409);
}

void tst_FleetRoutes::listMarksCachedOnlyWhenCached()
{
    const Customer &c = m_customers[2];
    m_gateway->vmCache()->clear();
    const QString path = u"/api/v1/customers/%1/vms"_s.arg(c.id);
    const Answer cold = call("GET", path, m_keys[c.id]);
    QCOMPARE(cold.status, 200);
    QVERIFY(!cold.json.value(u"cached").toBool());
    for (const QJsonValue &vm : cold.json.value(u"vms").toArray())
        QVERIFY(!vm.toObject().value(u"cached").toBool());
    const Answer warm = call("GET", path, m_keys[c.id]);
    int cached = 0;
    for (const QJsonValue &vm : warm.json.value(u"vms").toArray())
        cached += vm.toObject().value(u"cached").toBool();
    QVERIFY(cached >= 15); // short-TTL states may have expired in between
}

void tst_FleetRoutes::bodiesValidated_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("not json") << QByteArray("{name") << 400 << u"invalid_json"_s;
    QTest::newRow("array") << QByteArray("[]") << 400 << u"invalid_body"_s;
    QTest::newRow("missing role") << QByteArray(R"({"name":"A"})") << 422 << u"invalid_field"_s;
    QTest::newRow("number name") << QByteArray(R"({"name":1,"role":"r"})") << 422
                                 << u"invalid_field"_s;
    QTest::newRow("empty name") << QByteArray(R"({"name":"  ","role":"r"})") << 422
                                << u"invalid_field"_s;
    QTest::newRow("long role") << QByteArray(R"({"name":"A","role":")" + QByteArray(51, 'r')
                                             + "\"}")
                               << 422 << u"invalid_field"_s;
    QTest::newRow("unknown field")
            << QByteArray(R"({"name":"A","role":"r","vm":"x"})") << 422 << u"invalid_field"_s;
}

void tst_FleetRoutes::bodiesValidated()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    const Customer &c = m_customers[0];
    const Answer answer = call("POST", u"/api/v1/customers/%1/vms"_s.arg(c.id), m_keys[c.id], body);
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.json.value(u"error").toObject().value(u"code").toString(), code);
}

void tst_FleetRoutes::deployAndDeleteThroughRoutes()
{
    const Customer &c = m_customers[1];
    const QString base = u"/api/v1/customers/%1/vms"_s.arg(c.id);
    const Answer deployed = call("POST",
                                 base,
                                 m_keys[c.id],
                                 R"({"name":"Maria","role":"sales","task_description":"x"})");
    QCOMPARE(deployed.status, 201);
    const QString vm = deployed.json.value(u"vm").toObject().value(u"id").toString();
    QVERIFY(!vm.isEmpty());
    QCOMPARE(call("GET", base, m_keys[c.id]).json.value(u"count").toInt(), 21);
    const QString employeeId = deployed.json.value(u"employee").toObject().value(u"id").toString();
    QVERIFY(!deployed.json.value(u"employee").toObject().value(u"vm_url").toString().isEmpty());

    const Answer deleted = call("DELETE", base + u'/' + vm, m_keys[c.id]);
    QCOMPARE(deleted.status, 200);
    QCOMPARE(call("GET", base, m_keys[c.id]).json.value(u"count").toInt(), 20);

    // The employee stays, with nothing left that points at the deleted VM: in the answer,
    // in memory and in storage.
    const QJsonObject employee = deleted.json.value(u"employee").toObject();
    QCOMPARE(employee.value(u"id").toString(), employeeId);
    QCOMPARE(employee.value(u"status").toString(), u"deleted"_s);
    QVERIFY(employee.value(u"vm_id").isNull());
    QVERIFY(employee.value(u"vm_url").isNull());
    const auto kept = m_gateway->directory()->employee(employeeId);
    QVERIFY(kept.has_value());
    QVERIFY(kept->vmId.isEmpty());
    QVERIFY(kept->vmUrl.isEmpty());
    QVERIFY(!m_gateway->directory()->employeeByVm(vm).has_value());
    QSqlQuery row(m_gateway->database()->connection());
    QVERIFY(row.exec(
            u"SELECT status, vm_id IS NULL, vm_url IS NULL FROM employees WHERE id = '%1'"_s.arg(
                    employeeId)));
    QVERIFY(row.next());
    QCOMPARE(row.value(0).toString(), u"deleted"_s);
    QCOMPARE(row.value(1).toInt(), 1);
    QCOMPARE(row.value(2).toInt(), 1);
    // A reload from storage (a restart) gives the same employee.
    Directory reloaded(m_gateway->database());
    QString error;
    QVERIFY2(reloaded.load(&error), qPrintable(error));
    QVERIFY(reloaded.employee(employeeId)->vmUrl.isEmpty());
}

void tst_FleetRoutes::otherCustomersVmIsNotFound()
{
    const Customer &a = m_customers[0];
    const Customer &b = m_customers[1];
    const QString bVm = m_gateway->directory()->employeesOf(b.id).first().vmId;
    const QString path = u"/api/v1/customers/%1/vms/%2"_s.arg(a.id, bVm);
    const Answer stop = call("POST", path + u"/stop"_s, m_keys[a.id]);
    QCOMPARE(stop.status, 404);
    QCOMPARE(stop.json.value(u"error").toObject().value(u"code").toString(), u"vm_not_found"_s);
    QCOMPARE(call("DELETE", path, m_keys[a.id]).status, 404);
    QVERIFY(m_gateway->directory()->employeeByVm(bVm).has_value());
}

QTEST_GUILESS_MAIN(tst_FleetRoutes)
#include "tst_fleetroutes.moc"

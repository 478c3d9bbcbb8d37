// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The fleet routes over real HTTP on a whole gateway with its in-process sandbox fleet.
#include "billing/billingtestsupport.h"
#include "core/cache/vmstatuscache.h"
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetroutes.h"
#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "core/orgo/orgoclient.h"
#include "core/storage/database.h"
#include "orgo/mockorgoserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse;
using Mouse::Tests::callRoute;
using Mouse::Tests::Captured;

namespace {

// The fleet routes on a store of their own (a SQLite file), dispatched the way the HTTP server
// does, with Orgo mocked on 127.0.0.1: for a store that is locked or read-only.
struct StorageStack
{
    QTemporaryDir dir;
    QString path = dir.filePath(u"fleet.sqlite"_s);
    MockOrgoServer orgoServer;
    std::unique_ptr<Database> db;
    std::unique_ptr<Directory> directory;
    std::unique_ptr<VmStatusCache> cache;
    std::unique_ptr<OrgoClient> orgo;
    EventLog events;
    std::unique_ptr<FleetService> fleet;
    Http::Router router;
    QString customerId;
    int deletes = 0;

    // Creates the file with one customer, then opens it as the routes will use it.
    // inMemory: a shared-cache in-memory store instead, whose tables another connection of
    // the same cache can lock one by one (SQLITE_LOCKED_SHAREDCACHE).
    bool build(bool readOnly, QString *error, bool inMemory = false)
    {
        if (inMemory)
            path = u"sqlite::memory:"_s;
        else {
            Database seed(path);
            Directory seeded(&seed);
            StorageError why;
            if (!seed.open(error) || !seeded.load(error))
                return false;
            const auto customer = seeded.createCustomer(u"Acme"_s, u"a@acme.example"_s, &why);
            if (!customer) {
                *error = why.text;
                return false;
            }
            customerId = customer->id;
        }
        orgoServer.setHandler([this](const MockOrgoServer::Request &r) {
            MockOrgoServer::Response response;
            if (r.method == "POST" && r.path == "/api/computers") {
                response.status = 201;
                response.body = R"({"id":"vm-new","status":"creating","workspace_id":"ws1"})";
            } else if (r.method == "DELETE") {
                ++deletes;
                response.body = R"({"success":true})";
            }
            return response;
        });
        if (!orgoServer.listen()) {
            *error = u"the mock Orgo server cannot listen"_s;
            return false;
        }
        db = std::make_unique<Database>(path);
        db->setBusyTimeoutMs(100);
        db->setReadOnly(readOnly);
        if (!db->open(error))
            return false;
        directory = std::make_unique<Directory>(db.get());
        if (!directory->load(error))
            return false;
        if (inMemory) {
            StorageError why;
            const auto customer = directory->createCustomer(u"Acme"_s, u"a@acme.example"_s, &why);
            if (!customer) {
                *error = why.text;
                return false;
            }
            customerId = customer->id;
        }
        const Settings settings = Settings::defaults().withValue(u"orgo/workspace_id"_s, u"ws1"_s);
        cache = std::make_unique<VmStatusCache>(settings);
        auto options = OrgoClient::Options::fromSettings(settings);
        options.baseUrl = orgoServer.url();
        options.apiKey = u"k"_s;
        orgo = std::make_unique<OrgoClient>(options);
        fleet = std::make_unique<FleetService>(
                settings, directory.get(), cache.get(), orgo.get(), &events);
        registerFleetRoutes(router, *fleet, *directory);
        return true;
    }

    Captured createCustomer(const QByteArray &email)
    {
        return callRoute(router,
                         "POST",
                         u"/api/v1/customers"_s,
                         R"({"company_name":"Beta","email":")" + email + R"("})",
                         true);
    }
    Captured deploy()
    {
        return callRoute(router,
                         "POST",
                         u"/api/v1/customers/%1/vms"_s.arg(customerId),
                         R"({"name":"Maria","role":"sales"})");
    }
};

QByteArray retryAfter(const Captured &reply)
{
    for (const auto &[name, value] : std::as_const((*reply.reply)->headers))
        if (name.compare("Retry-After", Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

// 503 storage_unavailable, Retry-After 5, and no driver text in the answer.
void verifyStorageUnavailable(const Captured &reply)
{
    QCOMPARE(reply.status(), 503);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toString(), u"storage_unavailable"_s);
    QCOMPARE(retryAfter(reply), QByteArray("5"));
    const QString body = QString::fromUtf8((*reply.reply)->body).toLower();
    for (const char *driverWord : {"locked", "readonly", "read-only", "sqlite", "database"})
        QVERIFY2(!body.contains(QLatin1String(driverWord)), qPrintable(body));
}

} // namespace

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
    void lockedDatabaseAnswers503();
    void readOnlyDatabaseAnswers503();
    void otherStorageErrorsStay500();
    void keyWriteFailureCreatesNoCustomer();
    void lockedKeyTableCreatesNoCustomer();

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

// Another process holds SQLite's write lock (a backup, an operator's sqlite3 shell): creating
// a customer answered 500 internal_error, as if the gateway were broken. It answers 503
// storage_unavailable with Retry-After, and goes through once the lock is gone.
void tst_FleetRoutes::lockedDatabaseAnswers503()
{
    StorageStack stack;
    QString error;
    QVERIFY2(stack.build(false, &error), qPrintable(error));
    {
        QSqlDatabase holder = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"lock-holder"_s);
        holder.setDatabaseName(stack.path);
        QVERIFY(holder.open());
        QVERIFY(QSqlQuery(holder).exec(u"BEGIN EXCLUSIVE"_s));

        const Captured refused = stack.createCustomer("b@beta.example");
        MOUSE_WAIT_REPLY(refused);
        verifyStorageUnavailable(refused);
        QCOMPARE(stack.directory->customers().size(), 1);

        QVERIFY(QSqlQuery(holder).exec(u"ROLLBACK"_s));
        holder.close();
    }
    QSqlDatabase::removeDatabase(u"lock-holder"_s);
    const Captured created = stack.createCustomer("b@beta.example");
    MOUSE_WAIT_REPLY(created);
    QCOMPARE(created.status(), 201);
    QCOMPARE(stack.directory->customers().size(), 2);
}

// A store that refuses writes (a read-only mount, a file the gateway may not write): creating
// a customer, and saving a deployed employee, answered 500. They answer 503, and the VM made
// for an employee that could not be saved is deleted again.
void tst_FleetRoutes::readOnlyDatabaseAnswers503()
{
    StorageStack stack;
    QString error;
    QVERIFY2(stack.build(true, &error), qPrintable(error));

    const Captured customer = stack.createCustomer("b@beta.example");
    MOUSE_WAIT_REPLY(customer);
    verifyStorageUnavailable(customer);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(stack.directory->customers().size(), 1);

    const Captured deployed = stack.deploy();
    MOUSE_WAIT_REPLY(deployed);
    verifyStorageUnavailable(deployed);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(stack.directory->employeesOf(stack.customerId).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(stack.deletes, 1, 10000); // the unsaved employee's VM is removed
}

// A failure of the statement itself (here a unique email the directory did not know of: another
// gateway on the same PostgreSQL, say) is the gateway's problem: still 500 internal_error.
void tst_FleetRoutes::otherStorageErrorsStay500()
{
    StorageStack stack;
    QString error;
    QVERIFY2(stack.build(false, &error), qPrintable(error));
    QSqlQuery insert(stack.db->connection());
    QVERIFY(insert.exec(u"INSERT INTO customers (id, company_name, email, created_at) "
                        "VALUES ('cst_other', 'Other', 'c@other.example', 1)"_s));
    const Captured refused = stack.createCustomer("c@other.example");
    MOUSE_WAIT_REPLY(refused);
    QCOMPARE(refused.status(), 500);
    QCOMPARE(refused.json().value(u"error"_s).toObject().value(u"code"_s).toString(),
             u"internal_error"_s);
    QVERIFY(retryAfter(refused).isEmpty());
}

namespace {

// Rows of a table as stored (not as the directory remembers them).
int rowCount(Database &db, const QString &table)
{
    QSqlQuery count(db.connection());
    if (!count.exec(u"SELECT COUNT(*) FROM "_s + table) || !count.next())
        return -1;
    return count.value(0).toInt();
}

} // namespace

// The customer was written, then its first key was refused: the answer was 201 with an empty
// api_key, and the customer stayed, without a key, its email taken, so a retry answered 409.
// Now both are written in one transaction: a refused key write (here by a trigger, a failure
// of the statement itself) answers 500 with nothing made, and the retry creates both.
void tst_FleetRoutes::keyWriteFailureCreatesNoCustomer()
{
    StorageStack stack;
    QString error;
    QVERIFY2(stack.build(false, &error), qPrintable(error));
    QSqlQuery trigger(stack.db->connection());
    QVERIFY(trigger.exec(u"CREATE TRIGGER refuse_key BEFORE INSERT ON api_keys "
                         "BEGIN SELECT RAISE(ABORT, 'refused'); END"_s));

    const Captured refused = stack.createCustomer("b@beta.example");
    MOUSE_WAIT_REPLY(refused);
    QCOMPARE(refused.status(), 500);
    QCOMPARE(refused.json().value(u"error"_s).toObject().value(u"code"_s).toString(),
             u"internal_error"_s);
    QVERIFY(!QString::fromUtf8((*refused.reply)->body).contains(u"refused"_s));
    QCOMPARE(stack.directory->customers().size(), 1);
    QCOMPARE(rowCount(*stack.db, u"customers"_s), 1);
    QCOMPARE(rowCount(*stack.db, u"api_keys"_s), 0);

    QVERIFY(trigger.exec(u"DROP TRIGGER refuse_key"_s));
    const Captured created = stack.createCustomer("b@beta.example");
    MOUSE_WAIT_REPLY(created);
    QCOMPARE(created.status(), 201);
    const QByteArray key = created.json().value(u"api_key"_s).toString().toLatin1();
    QVERIFY(key.startsWith("mk_"));
    const QString id = created.json()[u"customer"_s][u"id"_s].toString();
    QCOMPARE(stack.directory->customerForApiKey(key), std::optional<QString>(id));
    QCOMPARE(rowCount(*stack.db, u"customers"_s), 2);
    QCOMPARE(rowCount(*stack.db, u"api_keys"_s), 1);
}

// The same with a store that cannot take the key *now*: another connection of the shared
// cache reads api_keys (a table lock, SQLITE_LOCKED_SHAREDCACHE) while customers stays
// writable. 503 storage_unavailable, nothing made; the retry after the lock creates both.
void tst_FleetRoutes::lockedKeyTableCreatesNoCustomer()
{
    StorageStack stack;
    QString error;
    QVERIFY2(stack.build(false, &error, true), qPrintable(error));
    const QString uri = stack.db->connection().databaseName();
    StorageError why;
    QVERIFY(stack.directory->issueApiKey(stack.customerId, u"seed"_s, &why)); // a row to read
    {
        QSqlDatabase holder = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"key-reader"_s);
        holder.setDatabaseName(uri);
        holder.setConnectOptions(u"QSQLITE_OPEN_URI"_s);
        QVERIFY(holder.open());
        QSqlQuery reader(holder);
        reader.setForwardOnly(true);
        QVERIFY(reader.exec(u"SELECT key_hash FROM api_keys"_s));
        QVERIFY(reader.next()); // the statement stays active: api_keys is read-locked

        const Captured refused = stack.createCustomer("b@beta.example");
        MOUSE_WAIT_REPLY(refused);
        verifyStorageUnavailable(refused);
        QCOMPARE(stack.directory->customers().size(), 1);
        reader.finish();
        QCOMPARE(rowCount(*stack.db, u"customers"_s), 1);
        QCOMPARE(rowCount(*stack.db, u"api_keys"_s), 1);
        holder.close();
    }
    QSqlDatabase::removeDatabase(u"key-reader"_s);

    const Captured created = stack.createCustomer("b@beta.example");
    MOUSE_WAIT_REPLY(created);
    QCOMPARE(created.status(), 201);
    QVERIFY(created.json().value(u"api_key"_s).toString().startsWith(u"mk_"_s));
    QCOMPARE(rowCount(*stack.db, u"customers"_s), 2);
    QCOMPARE(rowCount(*stack.db, u"api_keys"_s), 2);
}

QTEST_GUILESS_MAIN(tst_FleetRoutes)
#include "tst_fleetroutes.moc"

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fleet/fleetservice.h"

#include "core/cache/vmstatuscache.h"
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/log/eventlog.h"
#include "core/orgo/orgoclient.h"
#include "core/storage/database.h"
#include "orgo/mockorgoserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse;
using Response = MockOrgoServer::Response;

// A fake Orgo fleet behind the mock server: computers by id in workspace ws1.
struct FakeFleet
{
    QHash<QByteArray, QByteArray> status; // id -> status
    QSet<QByteArray> failing;             // answer 503
    QHash<QByteArray, QByteArray> names;  // id -> name, for computers created here
    QByteArray createId = "new-vm";
    int createStatus = 201;
    int delayMs = 0;
    int createDelayMs = -1;   // answer creates this late (-1: delayMs); the VM exists at once
    bool hideCreated = false; // the listing leaves out computers created here (Orgo is slow)
    QHash<QByteArray, QByteArray> oddBody; // id -> the 200 body GET /computers/{id} answers

    Response handle(const MockOrgoServer::Request &r)
    {
        Response response;
        response.delayMs = delayMs;
        const QByteArray path = r.path.mid(4); // strip "/api"
        const QByteArray id = path.mid(path.lastIndexOf('/') + 1);
        if (r.method == "GET" && path.startsWith("/workspaces/")) {
            QByteArray list;
            for (auto it = status.cbegin(); it != status.cend(); ++it)
                if (!hideCreated || !names.contains(it.key()))
                    list += QByteArray(list.isEmpty() ? "" : ",") + R"({"id":")" + it.key()
                            + R"(","name":")" + names.value(it.key()) + R"(","status":")"
                            + it.value() + R"("})";
            response.body = R"({"id":"ws1","desktops":[)" + list + "]}";
        } else if (r.method == "GET" && path.startsWith("/computers/")) {
            if (failing.contains(id)) {
                response.status = 503;
                response.body = R"({"error":"down","request_id":"rq-)" + id + R"("})";
            } else if (oddBody.contains(id)) {
                response.body = oddBody.value(id);
            } else if (!status.contains(id)) {
                response.status = 404;
                response.body = R"({"error":"Computer not found"})";
            } else {
                response.body = R"({"id":")" + id + R"(","name":"n-)" + id + R"(","status":")"
                                + status.value(id) + R"(","workspace_id":"ws1"})";
            }
        } else if (r.method == "POST" && path == "/computers") {
            if (createDelayMs >= 0)
                response.delayMs = createDelayMs;
            response.status = createStatus;
            response.body = createStatus == 201
                                    ? R"({"id":")" + createId
                                              + R"(","status":"creating","workspace_id":"ws1"})"
                                    : QByteArray(R"({"error":"capacity"})");
            if (createStatus == 201) {
                status.insert(createId, "creating");
                const QJsonObject body = QJsonDocument::fromJson(r.body).object();
                names.insert(createId, body.value(QLatin1String("name")).toString().toUtf8());
            }
        } else if (r.method == "DELETE") {
            status.remove(id);
            response.body = R"({"success":true})";
        } else if (r.method == "POST") {
            response.body = R"({"success":true,"status":"stopping"})";
        }
        return response;
    }
};

class tst_FleetService : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void batchLimitReachedNeverExceededOrderKept();
    void coalescesConcurrentRequests();
    void partialFailures();
    void wrongAnswerKeepsLastGoodStatus();
    void cacheFirstWriteThrough();
    void staleWhileRevalidate();
    void refreshAheadKeepsPollerFresh();
    void refreshAheadOffServesStale();
    void firstListAfterSeedIsFresh();
    void longExpiredEntryIsFetchedNotServed();
    void listingReplacesPerVmCalls();
    void listingLargerThanCacheKeepsAskedVms();
    void breakerOpenServesLastKnownStale();
    void customerListKeptSerialized();
    void deployCreatesVmThenEmployee();
    void deployCreateFailsLeavesNothing();
    void deployCreateTimedOutLeavesNoOrphan();
    void orphanSearchKeepsLookingWithBackoff();
    void orphanSearchGivesUpVisibly();
    void deployInsertFailsDeletesVm();
    void lifecycleInvalidatesAndChecksOwner();
    void seedsDemo();

private:
    void build(const QList<QPair<QString, QString>> &overrides = {});
    QStringList ids(int n, const char *prefix = "vm") const
    {
        QStringList list;
        for (int i = 0; i < n; ++i)
            list.append(QStringLiteral("%1%2")
                                .arg(QLatin1String(prefix))
                                .arg(i, 3, 10, QLatin1Char('0')));
        return list;
    }
    void addVms(const QStringList &list, const QByteArray &status = "running")
    {
        for (const QString &id : list)
            m_fleet.status.insert(id.toLatin1(), status);
    }
    template<class T>
    static T wait(QFuture<T> future)
    {
        if (!QTest::qWaitFor([&] { return future.isFinished(); }, 15000))
            qFatal("future did not finish");
        return future.result();
    }
    int requestsTo(const QByteArray &method, const QByteArray &prefix) const
    {
        int n = 0;
        for (const auto &r : m_server->received())
            n += r.method == method && r.path.startsWith(QByteArray(QByteArray("/api") + prefix));
        return n;
    }

    FakeFleet m_fleet;
    qint64 m_now = 0;
    std::unique_ptr<MockOrgoServer> m_server;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Directory> m_directory;
    std::unique_ptr<VmStatusCache> m_cache;
    std::unique_ptr<OrgoClient> m_orgo;
    std::unique_ptr<EventLog> m_log;
    std::unique_ptr<FleetService> m_service;
    Customer m_customer;
};

void tst_FleetService::init()
{
    m_fleet = FakeFleet{};
    m_now = 0;
    build();
}

void tst_FleetService::cleanup()
{
    m_service.reset();
    m_orgo.reset();
    m_cache.reset();
    m_directory.reset();
    m_db.reset();
    m_server.reset();
}

void tst_FleetService::build(const QList<QPair<QString, QString>> &overrides)
{
    cleanup();
    m_server = std::make_unique<MockOrgoServer>();
    QVERIFY(m_server->listen());
    m_server->setHandler([this](const MockOrgoServer::Request &r) { return m_fleet.handle(r); });

    Settings settings = Settings::defaults()
                                .withValue(u"orgo/workspace_id"_s, u"ws1"_s)
                                .withValue(u"orgo/listing_threshold"_s, u"1000"_s)
                                .withValue(u"orgo/retry_base_ms"_s, u"5"_s);
    for (const auto &[key, value] : overrides)
        settings = settings.withValue(key, value);

    m_db = std::make_unique<Database>(u"sqlite::memory:"_s);
    QString error;
    StorageError why;
    QVERIFY2(m_db->open(&error), qPrintable(error));
    m_directory = std::make_unique<Directory>(m_db.get());
    QVERIFY(m_directory->load(&error));
    m_customer = *m_directory->createCustomer(u"Acme"_s, u"a@acme.example"_s, &why);
    m_cache = std::make_unique<VmStatusCache>(settings, [this] { return m_now; });
    auto options = OrgoClient::Options::fromSettings(settings);
    options.baseUrl = m_server->url();
    options.apiKey = u"k"_s;
    options.clock = [this] {
        return m_now;
    };
    m_orgo = std::make_unique<OrgoClient>(options);
    m_log = std::make_unique<EventLog>();
    m_service = std::make_unique<FleetService>(
            settings, m_directory.get(), m_cache.get(), m_orgo.get(), m_log.get());
}

void tst_FleetService::batchLimitReachedNeverExceededOrderKept()
{
    const QStringList list = ids(40);
    addVms(list);
    m_fleet.delayMs = 40;
    const QList<VmItem> items = wait(m_service->fetchStatuses(list));
    QCOMPARE(items.size(), 40);
    for (int i = 0; i < 40; ++i) {
        QCOMPARE(items[i].vmId, list[i]);
        QVERIFY(items[i].ok());
        QCOMPARE(items[i].status.status, u"running"_s);
        QVERIFY(!items[i].cached);
    }
    QCOMPARE(m_server->maxOpen(), 10);
    QCOMPARE(m_orgo->maxInFlight(), 10);
    QCOMPARE(m_orgo->upstreamCalls(), 40u);
    QCOMPARE(m_service->stats().perVmCalls, 40u);
}

void tst_FleetService::coalescesConcurrentRequests()
{
    const QStringList list = ids(5);
    addVms(list);
    m_fleet.delayMs = 30;
    QStringList withDuplicates = list;
    withDuplicates.append(list[0]);
    auto first = m_service->fetchStatuses(withDuplicates);
    auto second = m_service->fetchStatuses(list);
    const QList<VmItem> a = wait(first);
    const QList<VmItem> b = wait(second);
    QCOMPARE(a.size(), 6);
    QCOMPARE(a[5].vmId, list[0]);
    QVERIFY(a[5].ok());
    QCOMPARE(b.size(), 5);
    QVERIFY(b[4].ok());
    QCOMPARE(m_server->requests(), 5);
    QCOMPARE(m_service->stats().coalesced, 6u);
}

void tst_FleetService::partialFailures()
{
    build({{u"orgo/max_retries"_s, u"1"_s}});
    addVms({u"ok1"_s, u"ok2"_s, u"flaky"_s});
    m_fleet.failing.insert("flaky");
    const QList<VmItem> items
            = wait(m_service->fetchStatuses({u"ok1"_s, u"gone"_s, u"flaky"_s, u"ok2"_s}));
    QCOMPARE(items.size(), 4);
    QVERIFY(items[0].ok());
    QCOMPARE(items[1].vmId, u"gone"_s);
    QCOMPARE(items[1].error.httpStatus, 404);
    QVERIFY(!items[1].hasStatus);
    QCOMPARE(items[2].error.kind, Orgo::ErrorKind::Unavailable);
    QCOMPARE(items[2].error.requestId, u"rq-flaky"_s);
    QVERIFY(items[3].ok());
    QCOMPARE(requestsTo("GET", "/computers/flaky"), 2); // retried once

    // A VM that just failed is not asked again at once: one broken VM must not slow lists.
    const QList<VmItem> soon = wait(m_service->fetchStatuses({u"gone"_s}));
    QCOMPARE(soon[0].error.httpStatus, 404);
    QVERIFY(soon[0].cached);
    QCOMPARE(requestsTo("GET", "/computers/gone"), 1);

    // A later failure carries the last known status, marked stale.
    m_fleet.failing.insert("ok1");
    m_cache->clear();
    const QList<VmItem> again = wait(m_service->fetchStatuses({u"ok1"_s}));
    QVERIFY(!again[0].error.ok());
    QVERIFY(again[0].hasStatus);
    QVERIFY(again[0].stale);
    QCOMPARE(again[0].status.status, u"running"_s);
}

// A 200 of the wrong shape, or about another VM, is an upstream error like a non-JSON one:
// the last good status stays, marked stale. Until session 6 the first replaced it with a
// fresh "unknown", and the second with the other VM's status.
void tst_FleetService::wrongAnswerKeepsLastGoodStatus()
{
    // One VM per body: a VM that just failed is answered its failure again without a call.
    const QList<QByteArray> odd = {R"({"id":12,"status":["stopped"]})",
                                   R"({"id":"odd1","status":["stopped"]})",
                                   R"({"id":"other","status":"stopped"})",
                                   "<html>"};
    for (qsizetype i = 0; i < odd.size(); ++i) {
        const QString id = u"odd%1"_s.arg(i);
        addVms({id});
        QCOMPARE(wait(m_service->fetchStatuses({id}))[0].status.status, u"running"_s);
        m_fleet.oddBody.insert(id.toLatin1(), odd[i]);
        m_cache->clear();
        const QList<VmItem> items = wait(m_service->fetchStatuses({id}));
        QVERIFY2(items[0].error.kind == Orgo::ErrorKind::InvalidResponse, odd[i].constData());
        QVERIFY(items[0].hasStatus);
        QVERIFY(items[0].stale);
        QCOMPARE(items[0].status.status, u"running"_s);
    }
}

void tst_FleetService::cacheFirstWriteThrough()
{
    addVms(ids(3), "stopped");
    wait(m_service->fetchStatuses(ids(3)));
    QCOMPARE(m_cache->stats().size, 3);
    const QList<VmItem> items = wait(m_service->fetchStatuses(ids(3)));
    QCOMPARE(m_server->requests(), 3);
    for (const VmItem &item : items) {
        QVERIFY(item.cached);
        QVERIFY(!item.stale);
        QCOMPARE(item.status.status, u"stopped"_s);
    }
    QVERIFY(m_cache->stats().meanLoadMs >= 0);
}

void tst_FleetService::staleWhileRevalidate()
{
    addVms({u"a"_s});
    m_fleet.delayMs = 50;
    wait(m_service->fetchStatuses({u"a"_s}));
    m_fleet.status["a"] = "stopped";
    m_now += 15000; // running TTL
    const QList<VmItem> stale = wait(m_service->fetchStatuses({u"a"_s}));
    QVERIFY(stale[0].cached);
    QVERIFY(stale[0].stale);
    QCOMPARE(stale[0].status.status, u"running"_s);
    wait(m_service->fetchStatuses({u"a"_s})); // refresh already running: no second call
    QTRY_COMPARE(m_cache->peek(u"a"_s)->value.status, u"stopped"_s);
    QCOMPARE(m_server->requests(), 2);
    const QList<VmItem> fresh = wait(m_service->fetchStatuses({u"a"_s}));
    QVERIFY(!fresh[0].stale);
    QCOMPARE(fresh[0].status.status, u"stopped"_s);
    QCOMPARE(m_service->stats().backgroundRefreshes, 1u);
}

// The dashboard's case: a 15 s TTL read every 5 s. A read in the last part of the TTL
// (cache/vm_refresh_ahead, 0.4 by default) refreshes the entry in the background, once however
// many read meanwhile, so the poller never meets an expired entry. Those reads are hits.
void tst_FleetService::refreshAheadKeepsPollerFresh()
{
    const QStringList list = ids(3);
    addVms(list);
    m_fleet.delayMs = 30;
    wait(m_service->fetchStatuses(list));
    QCOMPARE(m_server->requests(), 3);
    m_cache->resetStats();

    int expected = 3;
    for (int poll = 1; poll <= 6; ++poll) {
        m_now += 5000;
        const QList<VmItem> items = wait(m_service->fetchStatuses(list));
        for (const VmItem &item : items) {
            QVERIFY2(!item.stale, qPrintable(u"poll %1, %2"_s.arg(poll).arg(item.vmId)));
            QVERIFY(item.cached);
        }
        if (poll % 2 == 0) { // 10 s after the last write: 5 s left of 15, inside the last 6 s
            wait(m_service->fetchStatuses(list)); // a second reader joins the same refresh
            expected += 3;
        }
        QTRY_COMPARE(m_server->requests(), expected);
        QTRY_VERIFY(m_cache->peek(list[0])->ageMs < 10000); // the refresh has landed
    }
    QCOMPARE(m_service->stats().refreshAheads, 9u);
    QCOMPARE(m_service->stats().backgroundRefreshes, 0u);
    const CacheStats stats = m_cache->stats();
    QCOMPARE(stats.hits, 27u); // 6 polls and 3 second readers, 3 VMs each
    QCOMPARE(stats.misses, 0u);
    QCOMPARE(stats.staleHits, 0u);
    QCOMPARE(m_service->healthSnapshot().value(u"refresh_aheads"_s).toInteger(), 9);
}

void tst_FleetService::refreshAheadOffServesStale()
{
    build({{u"cache/vm_refresh_ahead"_s, u"0"_s}});
    addVms({u"a"_s});
    wait(m_service->fetchStatuses({u"a"_s}));
    m_now += 10000;
    QVERIFY(!wait(m_service->fetchStatuses({u"a"_s}))[0].stale);
    m_now += 5000;
    QVERIFY(wait(m_service->fetchStatuses({u"a"_s}))[0].stale);
    QCOMPARE(m_service->stats().refreshAheads, 0u);
}

// The demo seed (like a listing) writes statuses nobody has asked for yet. The first list
// after they expire must ask Orgo, not answer the seed's statuses marked stale.
void tst_FleetService::firstListAfterSeedIsFresh()
{
    QString error;
    StorageError why;
    Database db(u"sqlite::memory:"_s);
    QVERIFY(db.open(&error));
    Directory directory(&db);
    QVERIFY(directory.load(&error));
    FleetService service(
            Settings::defaults(), &directory, m_cache.get(), m_orgo.get(), m_log.get());
    for (int i = 0; i < 12; ++i)
        m_fleet.status.insert(QByteArray("sales-ann-") + QByteArray::number(i), "running");
    QVERIFY(wait(service.seedDemo(u"ws1"_s)));
    QStringList vms;
    for (const Employee &e : directory.employees())
        vms.append(e.vmId);
    QCOMPARE(vms.size(), 12);

    m_now += 20000; // past the running TTL, before any sweep
    m_fleet.status["sales-ann-3"] = "stopped";
    const QList<VmItem> first = wait(service.fetchStatuses(vms));
    for (const VmItem &item : first) {
        QVERIFY2(item.ok(), qPrintable(item.vmId));
        QVERIFY2(!item.stale, qPrintable(item.vmId));
        QCOMPARE(item.status.status,
                 QString::fromLatin1(m_fleet.status.value(item.vmId.toLatin1())));
    }
}

// Stale-while-revalidate is for a list that is read all the time: an entry more than one TTL
// past its expiry is too old to answer with, so the list waits for Orgo.
void tst_FleetService::longExpiredEntryIsFetchedNotServed()
{
    addVms({u"a"_s});
    wait(m_service->fetchStatuses({u"a"_s}));
    m_fleet.status["a"] = "stopped";
    m_now += 31000; // running TTL 15 s: more than one TTL past expiry
    const QList<VmItem> items = wait(m_service->fetchStatuses({u"a"_s}));
    QVERIFY(!items[0].stale);
    QCOMPARE(items[0].status.status, u"stopped"_s);
    QCOMPARE(m_server->requests(), 2);
}

void tst_FleetService::listingReplacesPerVmCalls()
{
    build({{u"orgo/listing_threshold"_s, u"8"_s}});
    addVms(ids(20));
    const QList<VmItem> items = wait(m_service->fetchStatuses(ids(20)));
    QCOMPARE(m_server->requests(), 1);
    QCOMPARE(requestsTo("GET", "/workspaces/ws1"), 1);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(items[i].vmId, ids(20)[i]);
        QVERIFY(items[i].ok());
    }
    // Below the threshold: per-VM calls. A VM missing from the listing is asked directly.
    m_cache->clear();
    m_server->resetCounters();
    wait(m_service->fetchStatuses(ids(5)));
    QCOMPARE(requestsTo("GET", "/computers/"), 5);
    m_cache->clear();
    m_server->resetCounters();
    QStringList list = ids(10);
    list.append(u"elsewhere"_s);
    const QList<VmItem> mixed = wait(m_service->fetchStatuses(list));
    QCOMPARE(requestsTo("GET", "/workspaces/ws1"), 1);
    QCOMPARE(requestsTo("GET", "/computers/elsewhere"), 1);
    QCOMPARE(mixed.last().error.httpStatus, 404);
}

// A workspace with more of our VMs than the cache holds: its listing must not evict the VMs
// it was fetched for (the rest is written first).
void tst_FleetService::listingLargerThanCacheKeepsAskedVms()
{
    build({{u"orgo/listing_threshold"_s, u"2"_s}, {u"cache/vm_capacity"_s, u"10"_s}});
    const QStringList all = ids(30);
    addVms(all);
    QList<Employee> employees;
    for (const QString &vm : all) {
        Employee e;
        e.id = u"emp_"_s + vm;
        e.customerId = m_customer.id;
        e.name = vm;
        e.role = u"data"_s;
        e.vmId = vm;
        e.workspaceId = u"ws1"_s;
        employees.append(e);
    }
    QString error;
    StorageError why;
    QVERIFY2(m_directory->addCustomersAndEmployees({}, employees, &why), qPrintable(why.text));

    const QStringList asked = all.mid(20, 5);
    wait(m_service->fetchStatuses(asked));
    QCOMPARE(requestsTo("GET", "/workspaces/ws1"), 1);
    for (const QString &vm : asked)
        QVERIFY2(m_cache->lookup(vm, false).has_value(), qPrintable(vm));

    m_server->resetCounters();
    const QList<VmItem> warm = wait(m_service->fetchStatuses(asked));
    QCOMPARE(m_server->requests(), 0);
    for (const VmItem &item : warm)
        QVERIFY(item.cached);
}

void tst_FleetService::breakerOpenServesLastKnownStale()
{
    build({{u"orgo/max_retries"_s, u"0"_s}, {u"orgo/breaker_failures"_s, u"2"_s}});
    addVms({u"a"_s, u"b"_s});
    wait(m_service->fetchStatuses({u"a"_s, u"b"_s}));
    m_fleet.failing = {"a", "b"};
    wait(m_service->fetchStatuses({u"a"_s, u"b"_s}, FetchOptions{false, false}));
    QCOMPARE(m_orgo->breakerState(), OrgoClient::BreakerState::Open);
    const int before = m_server->requests();
    m_cache->clear();
    const QList<VmItem> items = wait(m_service->fetchStatuses({u"a"_s, u"b"_s, u"never"_s}));
    QCOMPARE(m_server->requests(), before); // failed fast, nothing upstream
    QCOMPARE(items[0].error.kind, Orgo::ErrorKind::CircuitOpen);
    QVERIFY(items[0].hasStatus);
    QVERIFY(items[0].stale);
    QCOMPARE(items[0].status.status, u"running"_s);
    QVERIFY(!items[2].hasStatus);
}

void tst_FleetService::customerListKeptSerialized()
{
    QString error;
    StorageError why;
    for (int i = 0; i < 3; ++i) {
        Employee e;
        e.customerId = m_customer.id;
        e.name = u"E%1"_s.arg(i);
        e.role = u"sales"_s;
        e.vmId = u"c%1"_s.arg(i);
        QVERIFY(m_directory->addEmployee(e, &why));
        m_fleet.status.insert(e.vmId.toLatin1(), "running");
    }
    auto list = [this] {
        QByteArray body;
        bool called = false;
        m_service->customerVmsJson(m_customer.id, [&](const QByteArray &b) {
            body = b;
            called = true;
        });
        if (!QTest::qWaitFor([&] { return called; }, 5000))
            qFatal("no answer");
        return QJsonDocument::fromJson(body).object();
    };
    QJsonObject cold = list();
    QCOMPARE(cold.value(u"count").toInt(), 3);
    QVERIFY(!cold.value(u"vms").toArray().at(0).toObject().value(u"cached").toBool());
    QCOMPARE(cold.value(u"vms").toArray().at(0).toObject().value(u"vm_status").toString(),
             u"running"_s);
    QJsonObject warm = list();
    QVERIFY(warm.value(u"vms").toArray().at(2).toObject().value(u"cached").toBool());
    QCOMPARE(m_service->stats().viewHits, 0u);
    list();
    QCOMPARE(m_service->stats().viewHits, 1u);
    QCOMPARE(m_server->requests(), 3);

    // A VM that changes drops the kept answer.
    auto stopped = wait(m_service->stopVm(m_customer.id, u"c1"_s));
    QVERIFY(stopped.ok());
    const QJsonObject after = list();
    QCOMPARE(after.value(u"vms").toArray().at(1).toObject().value(u"vm_status").toString(),
             u"stopping"_s);
    QCOMPARE(m_service->stats().viewHits, 1u);
}

void tst_FleetService::deployCreatesVmThenEmployee()
{
    const FleetOutcome result = wait(
            m_service->deploy(m_customer.id, DeploySpec{u"Maria"_s, u"sales"_s, u"leads"_s}));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.employee.vmId, u"new-vm"_s);
    QCOMPARE(result.vm.status, u"creating"_s);
    const auto employee = m_directory->employeeByVm(u"new-vm"_s);
    QVERIFY(employee.has_value());
    QCOMPARE(employee->customerId, m_customer.id);
    QCOMPARE(employee->status, u"active"_s);
    QVERIFY(m_cache->peek(u"new-vm"_s).has_value());
    QVERIFY(m_server->received().at(0).body.contains("\"name\":\"knight-maria-"));
}

void tst_FleetService::deployCreateFailsLeavesNothing()
{
    m_fleet.createStatus = 500;
    const FleetOutcome result
            = wait(m_service->deploy(m_customer.id, DeploySpec{u"Maria"_s, u"sales"_s, {}}));
    QCOMPARE(result.kind, FleetOutcome::Kind::Upstream);
    QCOMPARE(m_directory->employeesOf(m_customer.id).size(), 0);
    QCOMPARE(requestsTo("DELETE", "/computers/"), 0);
    QCOMPARE(requestsTo("POST", "/computers"), 1); // a create is not retried on 500
}

// Orgo may create the VM although its answer comes after the client gave up: the deploy
// failed for the caller, so nobody owns that VM. The fleet finds it by its name and deletes it.
void tst_FleetService::deployCreateTimedOutLeavesNoOrphan()
{
    build({{u"orgo/action_timeout_ms"_s, u"300"_s}});
    m_fleet.createDelayMs = 2000;
    const FleetOutcome result
            = wait(m_service->deploy(m_customer.id, DeploySpec{u"Maria"_s, u"sales"_s, {}}));
    QCOMPARE(result.kind, FleetOutcome::Kind::Unavailable);
    QCOMPARE(result.upstream.kind, Orgo::ErrorKind::Timeout);
    QCOMPARE(m_directory->employeesOf(m_customer.id).size(), 0);
    QVERIFY(m_fleet.status.contains("new-vm")); // created at Orgo all the same
    QVERIFY(m_fleet.names.value("new-vm").startsWith("knight-maria-"));

    QTRY_VERIFY_WITH_TIMEOUT(!m_fleet.status.contains("new-vm"), 5000);
    QCOMPARE(requestsTo("DELETE", "/computers/new-vm"), 1);
    QCOMPARE(requestsTo("POST", "/computers"), 1); // never created twice
    bool logged = false;
    for (const EventLog::Event &event : m_log->events())
        logged = logged || event.message.contains(u"new-vm"_s);
    QVERIFY(logged);
}

// Orgo may list a VM made by a timed-out create late (or be down for a while): the fleet keeps
// looking, with growing pauses, beyond the two looks it once made.
void tst_FleetService::orphanSearchKeepsLookingWithBackoff()
{
    build({{u"orgo/action_timeout_ms"_s, u"200"_s}, {u"orgo/orphan_horizon_ms"_s, u"60000"_s}});
    m_fleet.createDelayMs = 1000;
    m_fleet.hideCreated = true;
    const FleetOutcome result
            = wait(m_service->deploy(m_customer.id, DeploySpec{u"Maria"_s, u"sales"_s, {}}));
    QCOMPARE(result.upstream.kind, Orgo::ErrorKind::Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(requestsTo("GET", "/workspaces/") >= 3, 10000);
    QVERIFY(m_fleet.status.contains("new-vm"));
    m_fleet.hideCreated = false;
    QTRY_VERIFY_WITH_TIMEOUT(!m_fleet.status.contains("new-vm"), 10000);
    QCOMPARE(requestsTo("DELETE", "/computers/new-vm"), 1);
    for (const EventLog::Event &event : m_log->events())
        QVERIFY2(!event.message.startsWith(u"Stopped looking"_s), qPrintable(event.message));
}

// When the horizon passes with nothing found, operators read it in the event log.
void tst_FleetService::orphanSearchGivesUpVisibly()
{
    build({{u"orgo/action_timeout_ms"_s, u"100"_s}, {u"orgo/orphan_horizon_ms"_s, u"1000"_s}});
    m_fleet.createDelayMs = 500;
    m_fleet.hideCreated = true;
    wait(m_service->deploy(m_customer.id, DeploySpec{u"Maria"_s, u"sales"_s, {}}));
    const QByteArray name = m_fleet.names.value("new-vm");
    QVERIFY(name.startsWith("knight-maria-"));
    const auto gaveUp = [this]() -> std::optional<EventLog::Event> {
        for (const EventLog::Event &event : m_log->events()) {
            if (event.message.startsWith(u"Stopped looking"_s))
                return event;
        }
        return std::nullopt;
    };
    QTRY_VERIFY_WITH_TIMEOUT(gaveUp().has_value(), 10000);
    const EventLog::Event event = *gaveUp();
    QCOMPARE(event.severity, EventLog::Severity::Error);
    QCOMPARE(event.source, u"fleet"_s);
    QVERIFY2(event.message.contains(QString::fromLatin1(name)), qPrintable(event.message));
    const int looks = requestsTo("GET", "/workspaces/");
    QVERIFY2(looks >= 3, qPrintable(QString::number(looks)));
    QTest::qWait(300); // nothing more after giving up
    QCOMPARE(requestsTo("GET", "/workspaces/"), looks);
    QCOMPARE(requestsTo("DELETE", "/computers/"), 0);
}

void tst_FleetService::deployInsertFailsDeletesVm()
{
    // The VM Orgo hands out is already bound to an employee: the database refuses the insert.
    QString error;
    StorageError why;
    Employee existing;
    existing.customerId = m_customer.id;
    existing.name = u"Old"_s;
    existing.role = u"ops"_s;
    existing.vmId = u"dup"_s;
    QVERIFY(m_directory->addEmployee(existing, &why));
    m_fleet.createId = "dup";
    const FleetOutcome result
            = wait(m_service->deploy(m_customer.id, DeploySpec{u"New"_s, u"sales"_s, {}}));
    QCOMPARE(result.kind, FleetOutcome::Kind::Internal);
    QCOMPARE(result.code, u"deploy_failed"_s);
    QTRY_COMPARE(requestsTo("DELETE", "/computers/dup"), 1);
    const QList<Employee> employees = m_directory->employeesOf(m_customer.id);
    QCOMPARE(employees.size(), 1);
    QCOMPARE(employees[0].name, u"Old"_s);
    for (const Employee &e : employees)
        QVERIFY(e.status != u"deploying");
}

void tst_FleetService::lifecycleInvalidatesAndChecksOwner()
{
    QString error;
    StorageError why;
    Employee e;
    e.customerId = m_customer.id;
    e.name = u"Ann"_s;
    e.role = u"ops"_s;
    e.vmId = u"vm-a"_s;
    QVERIFY(m_directory->addEmployee(e, &why));
    m_fleet.status.insert("vm-a", "running");
    const auto other = *m_directory->createCustomer(u"Other"_s, u"o@x.example"_s, &why);

    QCOMPARE(wait(m_service->stopVm(other.id, u"vm-a"_s)).kind, FleetOutcome::Kind::NotFound);
    QCOMPARE(wait(m_service->deleteVm(other.id, u"vm-a"_s)).kind, FleetOutcome::Kind::NotFound);
    QCOMPARE(m_server->requests(), 0);

    wait(m_service->fetchStatuses({u"vm-a"_s}));
    const FleetOutcome stopped = wait(m_service->stopVm(m_customer.id, u"vm-a"_s));
    QVERIFY(stopped.ok());
    QCOMPARE(m_cache->peek(u"vm-a"_s)->value.status, u"stopping"_s);
    QCOMPARE(m_directory->employeeByVm(u"vm-a"_s)->status, u"stopped"_s);

    const FleetOutcome deleted = wait(m_service->deleteVm(m_customer.id, u"vm-a"_s));
    QVERIFY(deleted.ok());
    QVERIFY(!m_cache->peek(u"vm-a"_s).has_value());
    QVERIFY(!m_directory->employeeByVm(u"vm-a"_s).has_value());
    QCOMPARE(m_directory->employee(deleted.employee.id)->status, u"deleted"_s);
}

void tst_FleetService::seedsDemo()
{
    // A fresh directory: seeding expects no customers.
    QString error;
    StorageError why;
    Database db(u"sqlite::memory:"_s);
    QVERIFY(db.open(&error));
    Directory directory(&db);
    QVERIFY(directory.load(&error));
    FleetService service(
            Settings::defaults(), &directory, m_cache.get(), m_orgo.get(), m_log.get());
    for (int i = 0; i < 65; ++i)
        m_fleet.status.insert(QByteArray("sales-ann-") + QByteArray::number(i), "running");
    QSignalSpy seeded(&service, &FleetService::demoSeeded);
    QVERIFY(wait(service.seedDemo(u"ws1"_s)));
    QCOMPARE(directory.customers().size(), 3);
    QCOMPARE(directory.employees().size(), 60);
    QCOMPARE(directory.employeesOf(directory.customers()[0].id).size(), 20);

    // Whole keys reach the face that prints them once; the event log names them by prefix.
    QCOMPARE(seeded.size(), 1);
    const auto credentials = seeded.first().first().value<QList<FleetService::DemoCredential>>();
    QCOMPARE(credentials.size(), 3);
    for (const FleetService::DemoCredential &credential : credentials) {
        QCOMPARE(directory.customerForApiKey(credential.apiKey), credential.customerId);
        for (const EventLog::Event &event : m_log->events())
            QVERIFY(!event.message.contains(QString::fromLatin1(credential.apiKey)));
    }
    QVERIFY(!directory.customerForApiKey("mk_wrong").has_value());
}

QTEST_GUILESS_MAIN(tst_FleetService)
#include "tst_fleetservice.moc"

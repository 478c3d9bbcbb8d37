// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/cache/vmstatuscache.h"
#include "core/fleet/directory.h"
#include "core/orgo/orgotypes.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace Mouse {

class EventLog;
class OrgoClient;
class Settings;

// One VM in a batch answer, in the order asked.
struct VmItem
{
    QString vmId;
    bool hasStatus = false; // status holds something (fresh, or last known when stale/failed)
    VmStatus status;
    bool cached = false; // answered from the cache, without an upstream call for this request
    bool stale = false;  // past its TTL (stale-while-revalidate, or the breaker is open)
    qint64 expiresInMs = 0;
    Orgo::Error error; // the upstream failure for this VM, if any
    bool ok() const { return error.ok() && hasStatus; }
};

struct FetchOptions
{
    bool useCache = true;   // false: always ask Orgo (still coalesced)
    bool allowStale = true; // serve expired entries marked stale while one refresh runs
};

// What a lifecycle call ended with, independent of HTTP.
struct FleetOutcome
{
    enum class Kind { Ok, NotFound, Conflict, Unavailable, Upstream, Internal };
    Kind kind = Kind::Ok;
    QString code;    // stable, e.g. "vm_not_found"
    QString message; // for clients: never internal text
    Orgo::Error upstream;
    Employee employee;
    VmStatus vm;
    bool ok() const { return kind == Kind::Ok; }
};

struct DeploySpec
{
    QString name;
    QString role;
    QString task;
};

// A row of the dashboard's Fleet page.
struct VmRow
{
    QString vmId;
    QString vmName;
    QString employeeId;
    QString employeeName;
    QString role;
    QString customerId;
    QString customerName;
    QString vmStatus; // "unknown" when nothing is known
    bool stale = false;
    qint64 fetchedAtMs = 0; // wall clock; 0 when never fetched
    QString error;          // the last failure's message, empty when the last fetch worked
};

// The fleet: batch status fetch and the VM lifecycle over the Orgo client, the VM status cache
// and the directory. Lives on the main thread; every answer comes back on it.
//
// Batch fetch (see docs/fleet.md): cache first; fresh entries answer at once; expired entries
// answer stale while one background refresh runs; misses go upstream, concurrent requests for
// one VM coalesced into one call; when at least orgo/listing_threshold missing VMs share a
// workspace, one workspace listing replaces their per-VM calls. Results are written through
// into the cache; failures are per VM (with the last known status) and never fail the batch.
// While the breaker is open, last known statuses are served marked stale.
class FleetService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetService)

public:
    FleetService(const Settings &settings,
                 Directory *directory,
                 VmStatusCache *cache,
                 OrgoClient *orgo,
                 EventLog *eventLog,
                 QObject *parent = nullptr);
    ~FleetService() override;

    void setWorkspaceId(const QString &workspaceId) { m_workspaceId = workspaceId; }
    QString workspaceId() const { return m_workspaceId; }
    void setListingThreshold(int threshold) { m_listingThreshold = qMax(1, threshold); }

    // ---- Batch status
    QFuture<QList<VmItem>> fetchStatuses(const QStringList &vmIds, FetchOptions options = {});
    void fetchStatuses(const QStringList &vmIds,
                       FetchOptions options,
                       std::function<void(QList<VmItem> &&)> done,
                       std::function<void(int done, int total)> progress = {});

    // ---- Answers of the VM routes, serialized JSON. The customer list is kept serialized
    // until one of its VMs changes or its first entry expires, so a warm request costs a
    // lookup. Must be called on the main thread; done runs on it.
    void customerVmsJson(const QString &customerId, std::function<void(const QByteArray &)> done);
    void allVmsJson(std::function<void(const QByteArray &)> done);

    // ---- Lifecycle; each checks that the VM belongs to the customer (else NotFound).
    QFuture<FleetOutcome> deploy(const QString &customerId, const DeploySpec &spec);
    QFuture<FleetOutcome> startVm(const QString &customerId, const QString &vmId);
    QFuture<FleetOutcome> stopVm(const QString &customerId, const QString &vmId);
    QFuture<FleetOutcome> restartVm(const QString &customerId, const QString &vmId);
    QFuture<FleetOutcome> deleteVm(const QString &customerId, const QString &vmId);

    // Customer creation with its first API key (plaintext, shown once), on the database pool:
    // both written in one transaction, or neither (error "storage_unavailable" or "internal").
    struct NewCustomer
    {
        std::optional<Customer> customer;
        QByteArray apiKey;
        QString error;
    };
    QFuture<NewCustomer> createCustomer(const QString &companyName, const QString &email);

    // ---- Demo dataset: 3 customers and up to 60 employees on the workspace's computers
    // (listed through the Orgo client), with one API key each, printed once to the event log.
    QFuture<bool> seedDemo(const QString &workspaceId);

    // ---- Dashboard
    void refreshAll();
    QList<VmRow> snapshot() const;

    // Counters for /health and the benchmark.
    struct Stats
    {
        quint64 batches = 0;
        quint64 requested = 0;    // VM ids asked for, over all batches
        quint64 cacheAnswers = 0; // answered fresh from the cache
        quint64 staleAnswers = 0; // answered stale (SWR or breaker open)
        quint64 perVmCalls = 0;   // GET /computers/{id} started
        quint64 listings = 0;     // GET /workspaces/{id} started
        quint64 coalesced = 0;    // requests that joined a call already in flight
        quint64 backgroundRefreshes = 0;
        // Refreshes of fresh entries read near their expiry (those reads count as cache hits).
        quint64 refreshAheads = 0;
        quint64 errors = 0;   // per-VM failures answered
        quint64 viewHits = 0; // customer lists answered from the serialized copy
    };
    Stats stats() const { return m_stats; }
    void resetStats() { m_stats = Stats{}; }
    QJsonObject healthSnapshot() const;

    struct DemoCredential
    {
        QString customerId;
        QString companyName;
        QByteArray apiKey; // plaintext, shown once
    };

signals:
    // The demo customers' keys, right after seeding (sandbox mode, empty database).
    void demoSeeded(const QList<Mouse::FleetService::DemoCredential> &credentials);
    void refreshStarted(int total);
    void refreshProgress(int done, int total);
    void refreshFinished(int ok, int failed);
    void vmStatusChanged(const QString &vmId, const QString &status);
    void vmError(const QString &vmId, const QString &message);
    void employeesChanged();
    // The VM is gone at Orgo (deleted through the API): whatever still watches it can stop.
    void vmDeleted(const QString &vmId);

private:
    using Waiter = std::function<void(const VmItem &)>;
    struct CustomerView
    {
        QByteArray body;
        qint64 validUntilMs = 0; // monotonic
        quint64 generation = 0;
    };

    static bool servesStale(bool askedBefore, const VmStatusCache::Hit &hit);
    void need(const QString &vmId, Waiter waiter, QHash<QString, QStringList> &starts);
    void startPerVm(const QString &vmId);
    void startListing(const QString &workspaceId, const QStringList &vmIds);
    void resolve(const QString &vmId, const Orgo::ComputerResult &result);
    void refreshInBackground(const QString &vmId);
    bool dueForRefreshAhead(const QString &vmId, const VmStatusCache::Hit &hit) const;
    void refreshAhead(const QString &vmId, QHash<QString, QStringList> &starts);
    qint64 untilRefreshAheadMs(const VmItem &item) const;
    VmStatus writeThrough(const Orgo::Computer &computer);
    VmItem failedItem(const QString &vmId, const Orgo::Error &error) const;
    QString workspaceOf(const QString &vmId) const;
    void dropViewOf(const QString &vmId);
    QByteArray buildList(const QList<Employee> &employees,
                         const QList<VmItem> &items,
                         bool withCustomer) const;
    QFuture<FleetOutcome>
    action(const QString &customerId, const QString &vmId, const QString &name);
    FleetOutcome upstreamFailure(const Orgo::Error &error) const;
    void compensate(const QString &vmId);
    struct OrphanSearch
    {
        QString workspaceId;
        QString name;
        int attempt = 0;
        qint64 startedAtMs = 0; // m_clock, when the create timed out
        bool last = false;      // this look falls on the horizon
    };
    void reconcileCreate(OrphanSearch search);
    void orphanLookDone(const OrphanSearch &search, const Orgo::ComputerListResult &list);

    Directory *m_directory = nullptr;
    VmStatusCache *m_cache = nullptr;
    OrgoClient *m_orgo = nullptr;
    EventLog *m_eventLog = nullptr;
    QString m_workspaceId;
    int m_listingThreshold = 8;
    qint64 m_reconcileDelayMs = 30000;  // orgo/action_timeout_ms: when a late create is looked for
    qint64 m_orphanHorizonMs = 1800000; // orgo/orphan_horizon_ms
    double m_refreshAhead = 0.4;        // cache/vm_refresh_ahead: share of a TTL, 0: off

    QHash<QString, QList<Waiter>> m_inflight; // vm id -> who waits for its one upstream call
    QHash<QString, VmStatus> m_lastKnown;     // survives cache expiry: served when Orgo fails
    QHash<QString, Orgo::Error> m_lastErrors;
    // VMs whose status some list has asked for: only their expired entries are served stale
    // (a seed's or a listing's write-through, never asked for, is not news worth serving late).
    QSet<QString> m_asked;
    struct RecentFailure
    {
        Orgo::Error error;
        qint64 untilMs = 0; // monotonic (m_clock)
    };
    // A VM whose fetch just failed is not asked again for a short while (the "unknown" TTL):
    // one broken VM must not make every list wait on Orgo.
    QHash<QString, RecentFailure> m_recentFailures;
    QHash<QString, CustomerView> m_views;
    QElapsedTimer m_clock;
    QThreadPool m_dbPool; // directory writes: never on the main thread
    Stats m_stats;
};

} // namespace Mouse

Q_DECLARE_METATYPE(Mouse::FleetOutcome)

Q_DECLARE_METATYPE(Mouse::FleetService::DemoCredential)

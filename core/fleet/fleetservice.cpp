// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fleet/fleetservice.h"

#include "core/config/settings.h"
#include "core/http/apierror.h"
#include "core/log/eventlog.h"
#include "core/log/plural.h"
#include "core/logging.h"
#include "core/orgo/orgoclient.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>
#include <QtConcurrent>

#include <limits>

namespace Mouse {

using namespace Orgo;
using namespace Qt::Literals::StringLiterals;

namespace {

// How long a customer list holding stale entries is reused while their refresh runs.
constexpr qint64 StaleViewMs = 500;

constexpr int MaxLastKnown = 100000;

struct Batch
{
    QList<VmItem> items;
    int pending = 1; // upstream answers awaited, plus one held until every call has started
    int answered = 0;
    std::function<void(QList<VmItem> &&)> done;
    std::function<void(int, int)> progress;

    void settle(int index, const VmItem &item)
    {
        const QString id = items[index].vmId;
        items[index] = item;
        items[index].vmId = id;
        ++answered;
        if (progress)
            progress(answered, int(items.size()));
        release();
    }
    void release()
    {
        if (--pending == 0 && done)
            done(std::move(items));
    }
};

template<class T>
QFuture<T> finished(const T &value)
{
    QPromise<T> promise;
    promise.start();
    promise.addResult(value);
    promise.finish();
    return promise.future();
}

FleetOutcome outcome(FleetOutcome::Kind kind, const QString &code, const QString &message)
{
    FleetOutcome result;
    result.kind = kind;
    result.code = code;
    result.message = message;
    return result;
}

// A directory write that failed: 503 storage_unavailable (retry later) when the store could
// not take it now, else 500 with the caller's code. Never the driver's text.
FleetOutcome storageFailure(const StorageError &error, const QString &code, const QString &message)
{
    if (!error.unavailable)
        return outcome(FleetOutcome::Kind::Internal, code, message);
    FleetOutcome result = outcome(FleetOutcome::Kind::Unavailable,
                                  QStringLiteral("storage_unavailable"),
                                  message + QStringLiteral(" Retry later."));
    result.upstream.retryAfterMs = 1000 * Http::ApiError::StorageRetryAfterSeconds;
    return result;
}

// A directory write's outcome on the database pool: the employee as stored, or why not.
struct SavedEmployee
{
    std::optional<Employee> employee;
    StorageError error;
};

QString isoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs)
                  : QString();
}

QString slug(const QString &text)
{
    QString out;
    for (const QChar c : text.toLower()) {
        if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))
            out += c;
        else if (!out.isEmpty() && !out.endsWith(u'-'))
            out += u'-';
        if (out.size() >= 30)
            break;
    }
    while (out.endsWith(u'-'))
        out.chop(1);
    return out.isEmpty() ? QStringLiteral("employee") : out;
}

} // namespace

FleetService::FleetService(const Settings &settings,
                           Directory *directory,
                           VmStatusCache *cache,
                           OrgoClient *orgo,
                           EventLog *eventLog,
                           QObject *parent)
    : QObject(parent)
    , m_directory(directory)
    , m_cache(cache)
    , m_orgo(orgo)
    , m_eventLog(eventLog)
    , m_workspaceId(settings.string(QStringLiteral("orgo/workspace_id")))
    , m_listingThreshold(int(settings.integer(QStringLiteral("orgo/listing_threshold"))))
    , m_reconcileDelayMs(settings.integer(QStringLiteral("orgo/action_timeout_ms")))
    , m_orphanHorizonMs(settings.integer(QStringLiteral("orgo/orphan_horizon_ms")))
    , m_refreshAhead(settings.real(QStringLiteral("cache/vm_refresh_ahead")))
{
    qRegisterMetaType<Mouse::FleetOutcome>();
    m_clock.start();
    m_dbPool.setMaxThreadCount(1); // writes are serialized; SQLite has one writer anyway
    m_dbPool.setExpiryTimeout(-1);
    connect(m_cache, &VmStatusCache::invalidated, this, [this](const QString &vmId) {
        dropViewOf(vmId);
    });
}

FleetService::~FleetService()
{
    m_dbPool.waitForDone();
}

// ---- Batch fetch ---------------------------------------------------------------------------

QFuture<QList<VmItem>> FleetService::fetchStatuses(const QStringList &vmIds, FetchOptions options)
{
    auto promise = std::make_shared<QPromise<QList<VmItem>>>();
    promise->start();
    QFuture<QList<VmItem>> future = promise->future();
    fetchStatuses(vmIds, options, [promise](QList<VmItem> &&items) {
        promise->addResult(std::move(items));
        promise->finish();
    });
    return future;
}

void FleetService::fetchStatuses(const QStringList &vmIds,
                                 FetchOptions options,
                                 std::function<void(QList<VmItem> &&)> done,
                                 std::function<void(int, int)> progress)
{
    ++m_stats.batches;
    m_stats.requested += vmIds.size();
    auto batch = std::make_shared<Batch>();
    batch->items.resize(vmIds.size());
    batch->done = std::move(done);
    batch->progress = std::move(progress);

    const bool breakerOpen = m_orgo->breakerState() == OrgoClient::BreakerState::Open
                             && m_orgo->breakerRetryInMs() > 0;
    QHash<QString, QStringList> starts; // workspace -> VMs whose upstream call starts now
    for (int i = 0; i < vmIds.size(); ++i) {
        const QString &id = vmIds[i];
        VmItem &item = batch->items[i];
        item.vmId = id;
        const bool askedBefore = m_asked.contains(id);
        if (!askedBefore && m_asked.size() < MaxLastKnown)
            m_asked.insert(id);
        if (options.useCache) {
            auto hit = m_cache->lookup(id, options.allowStale);
            if (hit && hit->stale && !servesStale(askedBefore, *hit))
                hit.reset(); // too old to answer with: ask Orgo (failedItem keeps it as a fallback)
            if (hit) {
                item.hasStatus = true;
                item.status = hit->value;
                item.cached = true;
                item.stale = hit->stale;
                item.expiresInMs = hit->expiresInMs;
                if (hit->stale) {
                    ++m_stats.staleAnswers;
                    if (!breakerOpen)
                        refreshInBackground(id);
                } else {
                    ++m_stats.cacheAnswers;
                    if (!breakerOpen && dueForRefreshAhead(id, *hit))
                        refreshAhead(id, starts);
                }
                ++batch->answered;
                continue;
            }
        }
        if (options.useCache && !breakerOpen) {
            const auto failure = m_recentFailures.constFind(id);
            if (failure != m_recentFailures.constEnd()) {
                const qint64 left = failure->untilMs - m_clock.elapsed();
                if (left > 0) {
                    item = failedItem(id, failure->error);
                    item.cached = true;
                    item.expiresInMs = left;
                    ++m_stats.errors;
                    ++batch->answered;
                    continue;
                }
                m_recentFailures.erase(failure);
            }
        }
        if (breakerOpen) {
            Error error;
            error.kind = ErrorKind::CircuitOpen;
            error.message = QStringLiteral("Orgo is unavailable (circuit open)");
            error.retryable = true;
            error.retryAfterMs = int(m_orgo->breakerRetryInMs());
            item = failedItem(id, error);
            ++m_stats.errors;
            if (item.hasStatus)
                ++m_stats.staleAnswers;
            ++batch->answered;
            continue;
        }
        ++batch->pending;
        need(
                id, [batch, i](const VmItem &result) { batch->settle(i, result); }, starts);
    }

    for (auto it = starts.cbegin(); it != starts.cend(); ++it) {
        if (!it.key().isEmpty() && it.value().size() >= m_listingThreshold) {
            startListing(it.key(), it.value());
        } else {
            for (const QString &id : it.value())
                startPerVm(id);
        }
    }
    if (batch->progress && batch->answered > 0)
        batch->progress(batch->answered, int(batch->items.size()));
    batch->release();
}

// Stale-while-revalidate keeps a list that is read all the time quick while its refresh runs.
// It is not for the first read of a status nobody asked for (the demo seed's, a listing's
// extras), nor for one more than a TTL past its expiry: those wait for Orgo instead.
bool FleetService::servesStale(bool askedBefore, const VmStatusCache::Hit &hit)
{
    const qint64 ttlMs = hit.ageMs + hit.expiresInMs;
    return askedBefore && -hit.expiresInMs < ttlMs;
}

void FleetService::need(const QString &vmId, Waiter waiter, QHash<QString, QStringList> &starts)
{
    auto it = m_inflight.find(vmId);
    if (it != m_inflight.end()) {
        ++m_stats.coalesced;
        it->append(std::move(waiter));
        return;
    }
    m_inflight.insert(vmId, QList<Waiter>{std::move(waiter)});
    starts[workspaceOf(vmId)].append(vmId);
}

QString FleetService::workspaceOf(const QString &vmId) const
{
    const auto known = m_lastKnown.constFind(vmId);
    if (known != m_lastKnown.constEnd() && !known->workspaceId.isEmpty())
        return known->workspaceId;
    const auto employee = m_directory->employeeByVm(vmId);
    if (employee && !employee->workspaceId.isEmpty())
        return employee->workspaceId;
    return m_workspaceId;
}

void FleetService::startPerVm(const QString &vmId)
{
    ++m_stats.perVmCalls;
    const qint64 started = m_clock.elapsed();
    QPointer<FleetService> guard(this);
    m_orgo->fetchComputer(vmId, [guard, vmId, started](ComputerResult &&result) {
        if (!guard)
            return;
        guard->m_cache->recordLoadTime(double(guard->m_clock.elapsed() - started));
        guard->resolve(vmId, result);
    });
}

void FleetService::startListing(const QString &workspaceId, const QStringList &vmIds)
{
    ++m_stats.listings;
    const qint64 started = m_clock.elapsed();
    QPointer<FleetService> guard(this);
    m_orgo->fetchWorkspace(workspaceId, [guard, vmIds, started](ComputerListResult &&result) {
        if (!guard)
            return;
        FleetService *self = guard;
        if (!result.ok()) {
            // A listing that failed for a reason of its own (e.g. an odd answer) falls back to
            // per-VM calls; one that failed because Orgo is down fails its VMs the same way.
            const bool fallBack = result.error.kind == ErrorKind::InvalidResponse
                                  || result.error.kind == ErrorKind::Http;
            for (const QString &id : vmIds) {
                if (fallBack) {
                    self->startPerVm(id);
                } else {
                    ComputerResult failed;
                    failed.error = result.error;
                    self->resolve(id, failed);
                }
            }
            return;
        }
        self->m_cache->recordLoadTime(double(self->m_clock.elapsed() - started)
                                      / qMax<qsizetype>(1, vmIds.size()));
        // The rest of the listing is fresh news too. It is written first, so that when the
        // workspace holds more VMs than the cache, the ones asked for stay cached.
        const QSet<QString> asked(vmIds.cbegin(), vmIds.cend());
        for (const Computer &computer : std::as_const(result.computers)) {
            if (!asked.contains(computer.id) && self->m_directory->employeeByVm(computer.id))
                self->writeThrough(computer);
        }

        QHash<QString, const Computer *> byId;
        byId.reserve(result.computers.size());
        for (const Computer &computer : std::as_const(result.computers))
            byId.insert(computer.id, &computer);
        for (const QString &id : vmIds) {
            const auto found = byId.constFind(id);
            if (found == byId.constEnd()) {
                self->startPerVm(id); // not in that workspace (moved?): ask for it directly
                continue;
            }
            ComputerResult one;
            one.computer = **found;
            self->resolve(id, one);
        }
    });
}

void FleetService::resolve(const QString &vmId, const ComputerResult &result)
{
    VmItem item;
    item.vmId = vmId;
    if (result.ok()) {
        item.status = writeThrough(result.computer);
        item.hasStatus = true;
        item.expiresInMs = m_cache->ttlMsFor(item.status.status);
        m_lastErrors.remove(vmId);
        m_recentFailures.remove(vmId);
    } else {
        item = failedItem(vmId, result.error);
        m_lastErrors.insert(vmId, result.error);
        if (result.error.kind != ErrorKind::CircuitOpen && m_recentFailures.size() < MaxLastKnown)
            m_recentFailures.insert(
                    vmId,
                    RecentFailure{result.error,
                                  m_clock.elapsed() + m_cache->ttlMsFor(u"unknown"_s)});
        ++m_stats.errors;
        qCDebug(lcFleet) << "status of" << vmId << "failed:" << result.error.kindName();
    }
    const QList<Waiter> waiters = m_inflight.take(vmId);
    for (const Waiter &waiter : waiters)
        waiter(item);
}

void FleetService::refreshInBackground(const QString &vmId)
{
    if (m_inflight.contains(vmId))
        return; // one refresh at a time
    ++m_stats.backgroundRefreshes;
    m_inflight.insert(vmId, {});
    startPerVm(vmId);
}

// Refresh ahead: a fresh entry read in the last part of its TTL (cache/vm_refresh_ahead) is
// fetched again in the background, so a list read every few seconds finds the new status in
// the cache before the old one expires and never shows it stale. Entries nobody reads are
// left to expire. A VM whose fetch just failed is not asked again on every read.
bool FleetService::dueForRefreshAhead(const QString &vmId, const VmStatusCache::Hit &hit) const
{
    if (m_refreshAhead <= 0 || m_inflight.contains(vmId))
        return false;
    const qint64 ttlMs = hit.ageMs + hit.expiresInMs;
    if (hit.expiresInMs > qint64(double(ttlMs) * m_refreshAhead))
        return false;
    const auto failure = m_recentFailures.constFind(vmId);
    return failure == m_recentFailures.constEnd() || failure->untilMs <= m_clock.elapsed();
}

// Joins the batch's upstream starts, so many VMs due at once share one workspace listing.
void FleetService::refreshAhead(const QString &vmId, QHash<QString, QStringList> &starts)
{
    ++m_stats.refreshAheads;
    m_inflight.insert(vmId, {});
    starts[workspaceOf(vmId)].append(vmId);
}

// How long a fresh answer holds before a read of it would start its refresh ahead; 0 when due.
qint64 FleetService::untilRefreshAheadMs(const VmItem &item) const
{
    if (m_refreshAhead <= 0)
        return item.expiresInMs;
    const qint64 windowMs = qint64(double(m_cache->ttlMsFor(item.status.status)) * m_refreshAhead);
    return qMax<qint64>(0, item.expiresInMs - windowMs);
}

VmStatus FleetService::writeThrough(const Computer &computer)
{
    VmStatus status;
    status.vmId = computer.id;
    status.status = computer.status;
    status.name = computer.name;
    status.workspaceId = computer.workspaceId;
    status.url = computer.url;
    status.fetchedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_cache->put(status);
    m_recentFailures.remove(computer.id);

    auto known = m_lastKnown.find(computer.id);
    const bool changed = known == m_lastKnown.end() || known->status != status.status;
    if (known != m_lastKnown.end())
        *known = status;
    else if (m_lastKnown.size() < MaxLastKnown)
        m_lastKnown.insert(computer.id, status);
    dropViewOf(computer.id);
    if (changed)
        emit vmStatusChanged(computer.id, status.status);
    return status;
}

VmItem FleetService::failedItem(const QString &vmId, const Error &error) const
{
    VmItem item;
    item.vmId = vmId;
    item.error = error;
    const auto known = m_lastKnown.constFind(vmId);
    if (known != m_lastKnown.constEnd()) {
        item.hasStatus = true;
        item.status = *known;
        item.stale = true;
    }
    return item;
}

void FleetService::dropViewOf(const QString &vmId)
{
    if (m_views.isEmpty())
        return;
    const auto employee = m_directory->employeeByVm(vmId);
    if (employee)
        m_views.remove(employee->customerId);
}

// ---- Route answers -------------------------------------------------------------------------

QByteArray FleetService::buildList(const QList<Employee> &employees,
                                   const QList<VmItem> &items,
                                   bool withCustomer) const
{
    QJsonArray vms;
    bool allCached = true;
    for (int i = 0; i < employees.size(); ++i) {
        const Employee &e = employees[i];
        const VmItem &item = items[i];
        QJsonObject row{{QStringLiteral("id"), e.vmId},
                        {QStringLiteral("employee_id"), e.id},
                        {QStringLiteral("employee_name"), e.name},
                        {QStringLiteral("role"), e.role},
                        {QStringLiteral("status"), e.status},
                        {QStringLiteral("url"),
                         item.hasStatus && !item.status.url.isEmpty() ? item.status.url : e.vmUrl},
                        {QStringLiteral("vm_status"),
                         item.hasStatus ? item.status.status : QStringLiteral("unknown")},
                        {QStringLiteral("current_task"), e.currentTask},
                        {QStringLiteral("cached"), item.cached},
                        {QStringLiteral("stale"), item.stale}};
        row.insert(QStringLiteral("fetched_at"),
                   item.hasStatus ? QJsonValue(isoTime(item.status.fetchedAtMs)) : QJsonValue());
        if (withCustomer)
            row.insert(QStringLiteral("customer_id"), e.customerId);
        if (!item.error.ok()) {
            // The kind and Orgo's request id help support; Orgo's text stays in our logs.
            QJsonObject error{{QStringLiteral("code"), item.error.kindName()},
                              {QStringLiteral("retryable"), item.error.retryable}};
            if (item.error.httpStatus > 0)
                error.insert(QStringLiteral("upstream_status"), item.error.httpStatus);
            if (!item.error.requestId.isEmpty())
                error.insert(QStringLiteral("upstream_request_id"), item.error.requestId);
            row.insert(QStringLiteral("error"), error);
        }
        allCached = allCached && item.cached;
        vms.append(row);
    }
    QJsonObject answer{{QStringLiteral("vms"), vms},
                       {QStringLiteral("count"), vms.size()},
                       {QStringLiteral("cached"), allCached}};
    return QJsonDocument(answer).toJson(QJsonDocument::Compact);
}

void FleetService::customerVmsJson(const QString &customerId,
                                   std::function<void(const QByteArray &)> done)
{
    const quint64 generation = m_directory->generation();
    const auto view = m_views.constFind(customerId);
    if (view != m_views.constEnd() && view->generation == generation
        && m_clock.elapsed() < view->validUntilMs) {
        ++m_stats.viewHits;
        done(view->body);
        return;
    }
    QList<Employee> employees = m_directory->employeesOf(customerId);
    employees.removeIf([](const Employee &e) { return e.vmId.isEmpty(); });
    QStringList ids;
    ids.reserve(employees.size());
    for (const Employee &e : std::as_const(employees))
        ids.append(e.vmId);

    QPointer<FleetService> guard(this);
    fetchStatuses(ids, {}, [guard, customerId, employees, generation, done](QList<VmItem> &&items) {
        if (!guard)
            return;
        const QByteArray body = guard->buildList(employees, items, false);
        bool allCached = true;
        bool anyStale = false;
        qint64 validFor = std::numeric_limits<qint64>::max();
        for (const VmItem &item : std::as_const(items)) {
            // A recent failure answered without asking Orgo counts as cached until it expires.
            allCached = allCached && item.cached;
            if (item.stale) {
                anyStale = true;
                continue;
            }
            // Kept only until its first entry is due for a refresh ahead: a read after that
            // must reach fetchStatuses() to start it.
            const qint64 holds = item.hasStatus && item.error.ok()
                                         ? guard->untilRefreshAheadMs(item)
                                         : item.expiresInMs;
            anyStale = anyStale || (holds <= 0 && item.expiresInMs > 0);
            validFor = qMin(validFor, holds > 0 ? holds : item.expiresInMs);
        }
        // Only an answer made wholly of cache entries is kept: it says cached:true everywhere.
        // A fresh one stays until its first entry is due for a refresh ahead; one with stale
        // or due entries (their refresh is already running) stays until that refresh lands and
        // drops the view, or StaleViewMs at most, so a busy list is not rebuilt for every
        // request meanwhile.
        if (anyStale)
            validFor = qMin(validFor, StaleViewMs);
        if (allCached && !items.isEmpty() && validFor > 0)
            guard->m_views.insert(
                    customerId,
                    CustomerView{body, guard->m_clock.elapsed() + validFor, generation});
        done(body);
    });
}

void FleetService::allVmsJson(std::function<void(const QByteArray &)> done)
{
    QList<Employee> employees = m_directory->employees();
    employees.removeIf([](const Employee &e) { return e.vmId.isEmpty(); });
    QStringList ids;
    for (const Employee &e : std::as_const(employees))
        ids.append(e.vmId);
    QPointer<FleetService> guard(this);
    fetchStatuses(ids, {}, [guard, employees, done](QList<VmItem> &&items) {
        if (guard)
            done(guard->buildList(employees, items, true));
    });
}

// ---- Lifecycle -----------------------------------------------------------------------------

FleetOutcome FleetService::upstreamFailure(const Error &error) const
{
    if (error.kind == ErrorKind::Http && error.httpStatus == 404)
        return outcome(FleetOutcome::Kind::NotFound,
                       QStringLiteral("vm_not_found"),
                       QStringLiteral("The VM does not exist at Orgo."));
    if (error.kind == ErrorKind::Http && (error.httpStatus == 409 || error.httpStatus == 405)) {
        FleetOutcome result = outcome(FleetOutcome::Kind::Conflict,
                                      QStringLiteral("vm_state_conflict"),
                                      QStringLiteral("The VM's current state does not allow this "
                                                     "action."));
        result.upstream = error;
        return result;
    }
    FleetOutcome result;
    switch (error.kind) {
    case ErrorKind::RateLimited:
    case ErrorKind::Unavailable:
    case ErrorKind::Timeout:
    case ErrorKind::Network:
    case ErrorKind::CircuitOpen:
    case ErrorKind::NotConfigured:
        result = outcome(FleetOutcome::Kind::Unavailable,
                         QStringLiteral("orgo_unavailable"),
                         QStringLiteral("Orgo cannot be reached right now; try again shortly."));
        break;
    default:
        result = outcome(FleetOutcome::Kind::Upstream,
                         QStringLiteral("orgo_error"),
                         QStringLiteral("Orgo refused the request."));
        break;
    }
    result.upstream = error;
    return result;
}

QFuture<FleetOutcome>
FleetService::action(const QString &customerId, const QString &vmId, const QString &name)
{
    const auto employee = m_directory->employeeByVm(vmId);
    if (!employee || employee->customerId != customerId)
        return finished(outcome(FleetOutcome::Kind::NotFound,
                                QStringLiteral("vm_not_found"),
                                QStringLiteral("This customer has no VM with that id.")));

    QFuture<ActionResult> call = name == u"start"  ? m_orgo->startComputer(vmId)
                                 : name == u"stop" ? m_orgo->stopComputer(vmId)
                                                   : m_orgo->restartComputer(vmId);
    auto promise = std::make_shared<QPromise<FleetOutcome>>();
    promise->start();
    QFuture<FleetOutcome> future = promise->future();
    const Employee before = *employee;
    call.then(this, [this, promise, before, name, vmId](const ActionResult &result) {
        if (!result.ok()) {
            promise->addResult(upstreamFailure(result.error));
            promise->finish();
            return;
        }
        // What the VM does now is known: show the transition, not a stale "running".
        Computer now;
        now.id = vmId;
        now.workspaceId = before.workspaceId;
        now.url = before.vmUrl;
        const auto known = m_lastKnown.constFind(vmId);
        if (known != m_lastKnown.constEnd()) {
            now.name = known->name;
            now.workspaceId = known->workspaceId;
            now.url = known->url;
        }
        now.status = !result.status.isEmpty() ? result.status
                     : name == u"start"       ? QStringLiteral("starting")
                     : name == u"stop"        ? QStringLiteral("stopping")
                                              : QStringLiteral("restarting");
        m_cache->invalidate(vmId);
        const VmStatus vm = writeThrough(now);

        Employee updated = before;
        updated.status = name == u"stop" ? QStringLiteral("stopped") : QStringLiteral("active");
        Directory *directory = m_directory;
        QtConcurrent::run(&m_dbPool, [directory, updated] {
            StorageError error;
            return directory->updateEmployee(updated, &error);
        }).then(this, [this, promise, updated, vm](bool saved) {
            if (!saved)
                qCWarning(lcFleet) << "employee status not saved for" << updated.id;
            FleetOutcome result;
            result.employee = updated;
            result.vm = vm;
            emit employeesChanged();
            promise->addResult(result);
            promise->finish();
        });
    });
    return future;
}

QFuture<FleetOutcome> FleetService::startVm(const QString &customerId, const QString &vmId)
{
    return action(customerId, vmId, QStringLiteral("start"));
}

QFuture<FleetOutcome> FleetService::stopVm(const QString &customerId, const QString &vmId)
{
    return action(customerId, vmId, QStringLiteral("stop"));
}

QFuture<FleetOutcome> FleetService::restartVm(const QString &customerId, const QString &vmId)
{
    return action(customerId, vmId, QStringLiteral("restart"));
}

QFuture<FleetOutcome> FleetService::deleteVm(const QString &customerId, const QString &vmId)
{
    const auto employee = m_directory->employeeByVm(vmId);
    if (!employee || employee->customerId != customerId)
        return finished(outcome(FleetOutcome::Kind::NotFound,
                                QStringLiteral("vm_not_found"),
                                QStringLiteral("This customer has no VM with that id.")));
    auto promise = std::make_shared<QPromise<FleetOutcome>>();
    promise->start();
    QFuture<FleetOutcome> future = promise->future();
    const Employee before = *employee;
    m_orgo->deleteComputer(vmId).then(this, [this, promise, before, vmId](const ActionResult &r) {
        const bool gone = r.ok() || (r.error.kind == ErrorKind::Http && r.error.httpStatus == 404);
        if (!gone) {
            promise->addResult(upstreamFailure(r.error));
            promise->finish();
            return;
        }
        dropViewOf(vmId); // before the employee loses its VM id
        m_cache->invalidate(vmId);
        m_lastKnown.remove(vmId);
        m_asked.remove(vmId);
        m_lastErrors.remove(vmId);
        m_recentFailures.remove(vmId);
        // Nothing of the employee may point at the gone VM: not its id, not its address.
        Employee updated = before;
        updated.status = QStringLiteral("deleted");
        updated.vmId.clear();
        updated.vmUrl.clear();
        Directory *directory = m_directory;
        QtConcurrent::run(&m_dbPool, [directory, updated] {
            StorageError error;
            return directory->updateEmployee(updated, &error) ? StorageError() : error;
        }).then(this, [this, promise, updated, vmId](const StorageError &error) {
            FleetOutcome result;
            if (!error.isEmpty()) {
                m_eventLog->error(QStringLiteral("fleet"),
                                  QStringLiteral("VM %1 was deleted but employee %2 could not be "
                                                 "updated%3")
                                          .arg(vmId,
                                               updated.id,
                                               error.unavailable
                                                       ? QStringLiteral(" (storage unavailable)")
                                                       : QString()));
                result = storageFailure(error,
                                        QStringLiteral("internal_error"),
                                        QStringLiteral("The VM was deleted, but the gateway could "
                                                       "not record it."));
            }
            result.employee = updated;
            emit vmDeleted(vmId);
            emit employeesChanged();
            promise->addResult(result);
            promise->finish();
        });
    });
    return future;
}

QFuture<FleetOutcome> FleetService::deploy(const QString &customerId, const DeploySpec &spec)
{
    if (!m_directory->hasCustomer(customerId))
        return finished(outcome(FleetOutcome::Kind::NotFound,
                                QStringLiteral("customer_not_found"),
                                QStringLiteral("No such customer.")));
    CreateSpec create;
    create.workspaceId = m_workspaceId;
    create.name
            = QStringLiteral("knight-%1-%2")
                      .arg(slug(spec.name))
                      .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));

    auto promise = std::make_shared<QPromise<FleetOutcome>>();
    promise->start();
    QFuture<FleetOutcome> future = promise->future();
    m_orgo->createComputer(create).then(
            this, [this, promise, customerId, spec, create](const ComputerResult &created) {
                if (!created.ok()) {
                    // No employee is written. After a timeout or a broken connection the VM
                    // may exist all the same (Orgo got the request): look for it later.
                    m_eventLog->warning(
                            QStringLiteral("fleet"),
                            QStringLiteral("Deploy for customer %1 failed: Orgo could not "
                                           "create the VM (%2)")
                                    .arg(customerId, created.error.kindName()));
                    FleetOutcome failure = upstreamFailure(created.error);
                    if (created.error.kind == ErrorKind::Timeout
                        || created.error.kind == ErrorKind::Network) {
                        reconcileCreate(OrphanSearch{
                                create.workspaceId, create.name, 0, m_clock.elapsed()});
                        failure.message = QStringLiteral(
                                "Orgo did not confirm the new VM in time; if it made one, the "
                                "gateway removes it. Try again shortly.");
                    }
                    promise->addResult(failure);
                    promise->finish();
                    return;
                }
                Employee employee;
                employee.customerId = customerId;
                employee.name = spec.name;
                employee.role = spec.role;
                employee.currentTask = spec.task;
                employee.status = QStringLiteral("active");
                employee.vmId = created.computer.id;
                employee.vmUrl = created.computer.url;
                employee.workspaceId = created.computer.workspaceId.isEmpty()
                                               ? m_workspaceId
                                               : created.computer.workspaceId;
                Directory *directory = m_directory;
                QtConcurrent::run(&m_dbPool, [directory, employee] {
                    SavedEmployee saved;
                    saved.employee = directory->addEmployee(employee, &saved.error);
                    return saved;
                }).then(this, [this, promise, created](const SavedEmployee &saved) {
                    if (!saved.employee) {
                        compensate(created.computer.id);
                        promise->addResult(storageFailure(
                                saved.error,
                                QStringLiteral("deploy_failed"),
                                QStringLiteral("The employee could not be saved; the new VM is "
                                               "being removed.")));
                        promise->finish();
                        return;
                    }
                    FleetOutcome result;
                    result.employee = *saved.employee;
                    result.vm = writeThrough(created.computer);
                    emit employeesChanged();
                    promise->addResult(result);
                    promise->finish();
                });
            });
    return future;
}

// A create that failed without an answer may still have made the VM; the caller was told the
// deploy failed, so that VM belongs to nobody. Its name is unique (a random suffix): look for it
// in the workspace once the create could have finished, then again with growing pauses (Orgo
// may be slow to list a new VM, or down for a while) until orgo/orphan_horizon_ms after the
// timeout, and delete it. An operator is told in the event log when the looking stops empty.
void FleetService::reconcileCreate(OrphanSearch search)
{
    // Pauses: the action timeout, then doubling up to OrphanBackoffCapMs; the last look falls
    // on the horizon itself (the first look is always made).
    constexpr qint64 OrphanBackoffCapMs = 5 * 60 * 1000;
    const qint64 elapsed = m_clock.elapsed() - search.startedAtMs;
    qint64 delayMs = qMin(OrphanBackoffCapMs, m_reconcileDelayMs << qMin(search.attempt, 20));
    if (search.attempt > 0 && elapsed + delayMs >= m_orphanHorizonMs)
        delayMs = qMax<qint64>(0, m_orphanHorizonMs - elapsed);
    search.last = elapsed + delayMs >= m_orphanHorizonMs;
    QTimer::singleShot(delayMs, this, [this, search] {
        m_orgo->workspaceComputers(search.workspaceId)
                .then(this, [this, search](const ComputerListResult &list) {
                    orphanLookDone(search, list);
                });
    });
}

void FleetService::orphanLookDone(const OrphanSearch &search, const ComputerListResult &list)
{
    for (const Computer &computer : list.computers) {
        if (computer.name != search.name || m_directory->employeeByVm(computer.id))
            continue;
        m_eventLog->warning(QStringLiteral("fleet"),
                            QStringLiteral("A timed-out deploy created VM %1 (%2) after all")
                                    .arg(computer.id, search.name));
        compensate(computer.id);
        return;
    }
    if (!search.last) {
        reconcileCreate(OrphanSearch{
                search.workspaceId, search.name, search.attempt + 1, search.startedAtMs});
        return;
    }
    const qint64 elapsed = m_clock.elapsed() - search.startedAtMs;
    const QString last
            = list.ok() ? QStringLiteral("it was not listed")
                        : QStringLiteral("the last listing failed: %1").arg(list.error.kindName());
    m_eventLog->error(QStringLiteral("fleet"),
                      QStringLiteral("Stopped looking for VM %1 of a timed-out deploy after %2 "
                                     "looks over %3 s (%4); if Orgo lists it later, delete it "
                                     "there by hand")
                              .arg(search.name)
                              .arg(search.attempt + 1)
                              .arg(double(elapsed) / 1000.0, 0, 'f', 1)
                              .arg(last));
}

void FleetService::compensate(const QString &vmId)
{
    m_eventLog->warning(
            QStringLiteral("fleet"),
            QStringLiteral("Deploy failed after VM %1 was created; deleting it").arg(vmId));
    m_orgo->deleteComputer(vmId).then(this, [this, vmId](const ActionResult &result) {
        if (result.ok() || result.error.httpStatus == 404)
            return;
        m_eventLog->error(QStringLiteral("fleet"),
                          QStringLiteral("VM %1 is orphaned: deleting it failed (%2); delete it "
                                         "in Orgo by hand")
                                  .arg(vmId, result.error.kindName()));
    });
}

QFuture<FleetService::NewCustomer> FleetService::createCustomer(const QString &companyName,
                                                                const QString &email)
{
    Directory *directory = m_directory;
    return QtConcurrent::run(&m_dbPool, [directory, companyName, email] {
        NewCustomer result;
        for (const Customer &c : directory->customers()) {
            if (c.email.compare(email, Qt::CaseInsensitive) == 0) {
                result.error = QStringLiteral("email_taken");
                return result;
            }
        }
        StorageError error;
        const auto created = directory->createCustomerWithKey(
                companyName, email, QStringLiteral("first"), &error);
        if (!created) {
            result.error = error.unavailable ? QStringLiteral("storage_unavailable")
                                             : QStringLiteral("internal");
            return result;
        }
        result.customer = created->customer;
        result.apiKey = created->apiKey;
        return result;
    });
}

// ---- Demo dataset --------------------------------------------------------------------------

QFuture<bool> FleetService::seedDemo(const QString &workspaceId)
{
    auto promise = std::make_shared<QPromise<bool>>();
    promise->start();
    QFuture<bool> future = promise->future();
    m_orgo->workspaceComputers(workspaceId)
            .then(this, [this, promise, workspaceId](const ComputerListResult &listing) {
                if (!listing.ok()) {
                    m_eventLog->warning(QStringLiteral("fleet"),
                                        QStringLiteral("Demo data not seeded: the sandbox "
                                                       "workspace could not be listed (%1)")
                                                .arg(listing.error.kindName()));
                    promise->addResult(false);
                    promise->finish();
                    return;
                }
                static const char *const Companies[3][2]
                        = {{"Acme Robotics", "ops@acme-robotics.example"},
                           {"Clean Eats", "demo@cleaneats.example"},
                           {"Northwind Legal", "it@northwind-legal.example"}};
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                QList<Customer> customers;
                for (int i = 0; i < 3; ++i) {
                    Customer c;
                    c.id = Directory::newId(QStringLiteral("cst_"));
                    c.companyName = QString::fromUtf8(Companies[i][0]);
                    c.email = QString::fromUtf8(Companies[i][1]);
                    c.createdAt = now + i;
                    customers.append(c);
                }
                QList<Employee> employees;
                const int count = int(qMin<qsizetype>(60, listing.computers.size()));
                for (int i = 0; i < count; ++i) {
                    const Computer &computer = listing.computers[i];
                    writeThrough(computer);
                    // Sandbox names read "role-name-NN"; anything else gets a plain name.
                    const QStringList parts = computer.name.split(u'-');
                    Employee e;
                    e.id = Directory::newId(QStringLiteral("emp_"));
                    e.customerId = customers[i % 3].id;
                    e.role = parts.size() >= 2 ? parts[0] : QStringLiteral("assistant");
                    QString name
                            = parts.size() >= 2 ? parts[1] : QStringLiteral("knight %1").arg(i + 1);
                    if (!name.isEmpty())
                        name[0] = name[0].toUpper();
                    e.name = name;
                    e.status = QStringLiteral("active");
                    e.vmId = computer.id;
                    e.vmUrl = computer.url;
                    e.workspaceId
                            = computer.workspaceId.isEmpty() ? workspaceId : computer.workspaceId;
                    e.createdAt = now + i;
                    e.updatedAt = now + i;
                    employees.append(e);
                }
                Directory *directory = m_directory;
                QtConcurrent::run(&m_dbPool, [directory, customers, employees] {
                    StorageError error;
                    QList<QByteArray> keys;
                    if (!directory->addCustomersAndEmployees(customers, employees, &error))
                        return keys;
                    for (const Customer &c : customers)
                        keys.append(directory->issueApiKey(c.id, QStringLiteral("demo"), &error)
                                            .value_or(QByteArray()));
                    return keys;
                }).then(this, [this, promise, customers, count](const QList<QByteArray> &keys) {
                    if (keys.size() != customers.size()) {
                        m_eventLog->error(QStringLiteral("fleet"),
                                          QStringLiteral("Demo data could not be written"));
                        promise->addResult(false);
                        promise->finish();
                        return;
                    }
                    m_eventLog->info(
                            QStringLiteral("fleet"),
                            QStringLiteral("Demo data seeded: %1, %2")
                                    .arg(counted(customers.size(), u"customer", u"customers"),
                                         counted(count, u"employee", u"employees")));
                    // The event log is a record that operators copy around: it names each
                    // key by its prefix only. The whole keys go to the face that started the
                    // gateway (the headless server prints them once, like its admin token).
                    QList<DemoCredential> credentials;
                    for (int i = 0; i < customers.size(); ++i) {
                        credentials.append({customers[i].id, customers[i].companyName, keys[i]});
                        m_eventLog->info(QStringLiteral("fleet"),
                                         QStringLiteral("Demo customer %1 (%2): API key %3…")
                                                 .arg(customers[i].companyName,
                                                      customers[i].id,
                                                      QString::fromLatin1(keys[i].left(8))));
                    }
                    emit demoSeeded(credentials);
                    emit employeesChanged();
                    promise->addResult(true);
                    promise->finish();
                });
            });
    return future;
}

// ---- Dashboard ------------------------------------------------------------------------------

void FleetService::refreshAll()
{
    QStringList ids;
    for (const Employee &e : m_directory->employees()) {
        if (!e.vmId.isEmpty())
            ids.append(e.vmId);
    }
    const int total = int(ids.size());
    emit refreshStarted(total);
    QPointer<FleetService> guard(this);
    fetchStatuses(
            ids,
            {},
            [guard](QList<VmItem> &&items) {
                if (!guard)
                    return;
                int ok = 0;
                int failed = 0;
                for (const VmItem &item : std::as_const(items)) {
                    if (item.error.ok()) {
                        ++ok;
                    } else {
                        ++failed;
                        emit guard->vmError(item.vmId, item.error.message);
                    }
                }
                emit guard->refreshFinished(ok, failed);
            },
            [guard](int done, int all) {
                if (guard)
                    emit guard->refreshProgress(done, all);
            });
}

QList<VmRow> FleetService::snapshot() const
{
    QHash<QString, QString> customerNames;
    for (const Customer &c : m_directory->customers())
        customerNames.insert(c.id, c.companyName);
    QList<VmRow> rows;
    for (const Employee &e : m_directory->employees()) {
        if (e.vmId.isEmpty())
            continue;
        VmRow row;
        row.vmId = e.vmId;
        row.employeeId = e.id;
        row.employeeName = e.name;
        row.role = e.role;
        row.customerId = e.customerId;
        row.customerName = customerNames.value(e.customerId);
        row.vmStatus = QStringLiteral("unknown");
        const auto hit = m_cache->peek(e.vmId);
        const auto known = m_lastKnown.constFind(e.vmId);
        if (hit) {
            row.vmStatus = hit->value.status;
            row.vmName = hit->value.name;
            row.stale = hit->stale;
            row.fetchedAtMs = hit->value.fetchedAtMs;
        } else if (known != m_lastKnown.constEnd()) {
            row.vmStatus = known->status;
            row.vmName = known->name;
            row.stale = true;
            row.fetchedAtMs = known->fetchedAtMs;
        }
        const auto error = m_lastErrors.constFind(e.vmId);
        if (error != m_lastErrors.constEnd())
            row.error = error->message;
        rows.append(row);
    }
    return rows;
}

QJsonObject FleetService::healthSnapshot() const
{
    return {{QStringLiteral("batches"), qint64(m_stats.batches)},
            {QStringLiteral("requested"), qint64(m_stats.requested)},
            {QStringLiteral("cache_answers"), qint64(m_stats.cacheAnswers)},
            {QStringLiteral("stale_answers"), qint64(m_stats.staleAnswers)},
            {QStringLiteral("per_vm_calls"), qint64(m_stats.perVmCalls)},
            {QStringLiteral("listings"), qint64(m_stats.listings)},
            {QStringLiteral("coalesced"), qint64(m_stats.coalesced)},
            {QStringLiteral("background_refreshes"), qint64(m_stats.backgroundRefreshes)},
            {QStringLiteral("refresh_aheads"), qint64(m_stats.refreshAheads)},
            {QStringLiteral("refresh_ahead_share"), m_refreshAhead},
            {QStringLiteral("errors"), qint64(m_stats.errors)},
            {QStringLiteral("view_hits"), qint64(m_stats.viewHits)},
            {QStringLiteral("listing_threshold"), m_listingThreshold},
            {QStringLiteral("workspace_id"), m_workspaceId}};
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/cache/vmstatuscache.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetroutes.h"
#include "core/fleet/fleetservice.h"
#include "core/http/auth.h"
#include "core/http/httpserver.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/metrics/metrics.h"
#include "core/orgo/orgoclient.h"
#include "core/sandbox/sandboxserver.h"

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

// storage/seed_demo: "auto" seeds in sandbox mode only; "true" seeds an empty database always.
bool shouldSeed(const Settings &settings, bool sandbox, const Directory &directory)
{
    const QString mode = settings.string(u"storage/seed_demo"_s);
    if (!directory.isEmpty() || mode == u"false")
        return false;
    return mode == u"true" || sandbox;
}

} // namespace

bool Gateway::startFleet(QString *error)
{
    OrgoClient::Options options = OrgoClient::Options::fromSettings(m_settings);
    const bool sandbox = isSandbox();
    if (sandbox) {
        m_sandbox = std::make_unique<SandboxServer>(m_settings);
        if (!m_sandbox->start(error))
            return false;
        options.baseUrl = m_sandbox->baseUrl();
        options.apiKey = m_sandbox->apiKey();
        options.workspaceId = m_sandbox->workspaceId();
        m_eventLog->info(u"orgo"_s,
                         u"No Orgo API key set: using the built-in sandbox fleet at %1"_s.arg(
                                 options.baseUrl.toString()));
    } else if (options.workspaceId.isEmpty()) {
        m_eventLog->warning(u"orgo"_s,
                            u"No Orgo workspace set (ORGO_WORKSPACE_ID): deploys and "
                            "workspace listings are unavailable"_s);
    }

    m_directory = std::make_unique<Directory>(m_database.get());
    if (!m_directory->load(error))
        return false;
    m_vmCache = std::make_unique<VmStatusCache>(m_settings);
    m_orgo = std::make_unique<OrgoClient>(options);
    m_fleet = std::make_unique<FleetService>(
            m_settings, m_directory.get(), m_vmCache.get(), m_orgo.get(), m_eventLog.get());
    m_fleet->setWorkspaceId(options.workspaceId);

    connect(m_orgo.get(),
            &OrgoClient::breakerStateChanged,
            this,
            [this](OrgoClient::BreakerState state) {
                if (state == OrgoClient::BreakerState::Open)
                    m_eventLog->warning(u"orgo"_s,
                                        u"Orgo is failing: the circuit breaker opened; "
                                        "last known statuses are served as stale"_s);
                else if (state == OrgoClient::BreakerState::Closed)
                    m_eventLog->info(u"orgo"_s,
                                     u"Orgo answers again: the circuit breaker closed"_s);
            });

    // Once the gateway has started: a start that fails later (the port taken) stops the
    // sandbox, and the seeding it had begun then failed with a misleading "network" warning.
    if (shouldSeed(m_settings, sandbox, *m_directory)) {
        connect(this, &Gateway::started, this, [this, workspace = options.workspaceId] {
            if (m_fleet)
                m_fleet->seedDemo(workspace);
        });
    }

    registerFleetRoutes(*m_router, *m_fleet, *m_directory);

    // Customer API keys live in the directory; the HTTP server exists only once every module
    // has started, so hand it the lookups then (before the event loop serves any request).
    connect(this, &Gateway::started, this, [this] {
        if (!m_http || !m_directory)
            return;
        Http::Credentials credentials;
        Directory *directory = m_directory.get();
        credentials.customerForKey = [directory](const QByteArray &key) {
            return directory->customerForApiKey(key);
        };
        credentials.customerExists = [directory](const QString &id) {
            return directory->hasCustomer(id);
        };
        credentials.adminToken = m_adminToken;
        m_http->setCredentials(std::move(credentials));
    });

    VmStatusCache *cache = m_vmCache.get();
    OrgoClient *orgo = m_orgo.get();
    FleetService *fleet = m_fleet.get();
    const QString mode = sandbox ? u"sandbox"_s : u"real"_s;
    m_health->add(u"caches"_s, u"vm_status"_s, [cache] { return cache->stats().toJson(); });
    m_health->add(u"orgo"_s, u"client"_s, [orgo, mode] { return orgo->healthSnapshot(mode); });
    m_health->add(u"fleet"_s, u"batch"_s, [fleet] { return fleet->healthSnapshot(); });
    if (m_sandbox) {
        SandboxServer *server = m_sandbox.get();
        m_health->add(u"orgo"_s, u"sandbox"_s, [server] { return server->healthSnapshot(); });
    }
    // Read through the gateway: the registry outlives the fleet objects.
    // A counter: the client's total only grows (nothing calls OrgoClient::resetCounters).
    m_metrics->callbackCounter(u"mouse_orgo_upstream_calls_total"_s,
                               u"Orgo requests sent"_s,
                               [this] { return m_orgo ? double(m_orgo->upstreamCalls()) : 0.0; });
    m_metrics->callbackGauge(u"mouse_orgo_in_flight"_s, u"Orgo requests in flight"_s, [this] {
        return m_orgo ? double(m_orgo->inFlight()) : 0.0;
    });
    m_metrics->callbackGauge(u"mouse_orgo_max_in_flight"_s,
                             u"Most Orgo requests in flight"_s,
                             [this] { return m_orgo ? double(m_orgo->maxInFlight()) : 0.0; });
    m_metrics->callbackGauge(
            u"mouse_orgo_breaker_open"_s, u"1 while the Orgo breaker is open"_s, [this] {
                return m_orgo && m_orgo->breakerState() == OrgoClient::BreakerState::Open ? 1.0
                                                                                          : 0.0;
            });
    m_metrics->callbackGauge(u"mouse_cache_hit_rate"_s,
                             u"Cache hit rate"_s,
                             [this] { return m_vmCache ? m_vmCache->stats().hitRate : 0.0; },
                             {{u"cache"_s, u"vm_status"_s}});
    return true;
}

void Gateway::stopFleet()
{
    m_health->remove(u"caches"_s, u"vm_status"_s);
    m_health->remove(u"orgo"_s, u"client"_s);
    m_health->remove(u"orgo"_s, u"sandbox"_s);
    m_health->remove(u"fleet"_s, u"batch"_s);
    // The Orgo client first: destroying it aborts its calls, whose continuations run on the
    // fleet service (QFuture::then with it as context), so the service must still exist then.
    m_orgo.reset();
    m_fleet.reset();
    m_vmCache.reset();
    m_directory.reset();
    if (m_sandbox)
        m_sandbox->stop();
    m_sandbox.reset();
}

} // namespace Mouse

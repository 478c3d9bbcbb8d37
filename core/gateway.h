// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/settings.h"

#include <QDateTime>
#include <QObject>
#include <QUrl>

#include <memory>

namespace Mouse {

class Database;
class InstanceLock;
class EventLog;
class Directory;
class OrgoClient;
class VmStatusCache;
class FleetService;
class SandboxServer;
class TaskQueue;
class Billing;
class ScreenshotService;

namespace Metrics {
class HealthBoard;
class Registry;
} // namespace Metrics
namespace Http {
class Router;
class HttpServer;
} // namespace Http

// The whole gateway as one object graph: what the dashboard, the headless server and the
// tests start. Owns every service; the faces only talk to its public accessors and signals.
// Lives on the main thread, whose event loop must run.
class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)

public:
    explicit Gateway(Settings settings, QObject *parent = nullptr);
    ~Gateway() override;

    // Opens storage, starts the sandbox fleet when no Orgo key is set, the services and the
    // HTTP server. On failure *error says what to fix, and nothing keeps running.
    bool start(QString *error);
    // Stops taking connections, answers what is in flight that cannot finish (screenshots:
    // 503 shutting_down; live viewers: close 1001), lets those answers reach the clients for
    // at most server/drain_ms while the event loop runs, then closes everything.
    void stop();

    const Settings &settings() const { return m_settings; }
    bool isSandbox() const;
    QUrl serverUrl() const;     // e.g. http://127.0.0.1:8000
    QString adminToken() const; // configured, or generated for this run
    bool adminTokenGenerated() const { return m_adminTokenGenerated; }
    QDateTime startedAt() const { return m_startedAt; }

    EventLog *eventLog() const { return m_eventLog.get(); }
    Metrics::Registry *metrics() const { return m_metrics.get(); }
    Metrics::HealthBoard *health() const { return m_health.get(); }
    Database *database() const { return m_database.get(); }
    Directory *directory() const { return m_directory.get(); }
    OrgoClient *orgo() const { return m_orgo.get(); }
    VmStatusCache *vmCache() const { return m_vmCache.get(); }
    FleetService *fleet() const { return m_fleet.get(); }
    SandboxServer *sandbox() const { return m_sandbox.get(); } // nullptr against real Orgo
    TaskQueue *queue() const { return m_queue.get(); }
    Billing *billing() const { return m_billing.get(); }
    ScreenshotService *screens() const { return m_screens.get(); }
    Http::Router *router() const { return m_router.get(); }
    Http::HttpServer *http() const { return m_http.get(); }

signals:
    void started();
    void stopping();

private:
    // One function per module, each in its own gateway_<module>.cpp, called in this order.
    bool startStorage(QString *error);  // gateway.cpp
    bool startFleet(QString *error);    // gateway_fleet.cpp: sandbox, Orgo, cache, fleet routes
    bool startPayments(QString *error); // gateway_payments.cpp: queue, billing, webhook routes
    bool startScreens(QString *error);  // gateway_screens.cpp: screenshots, WebSocket routes
    bool startHttp(QString *error);     // gateway_http.cpp: system/admin routes, then listen
    void goAwayScreens();               // gateway_screens.cpp: the first step of stop()
    bool drainConnections();
    void stopFleet();
    void stopPayments();
    void stopScreens();
    void stopHttp();

    Settings m_settings;
    QString m_adminToken;
    bool m_adminTokenGenerated = false;
    QDateTime m_startedAt;
    bool m_running = false;

    std::unique_ptr<EventLog> m_eventLog;
    std::unique_ptr<Metrics::Registry> m_metrics;
    std::unique_ptr<Metrics::HealthBoard> m_health;
    std::unique_ptr<Http::Router> m_router;
    std::unique_ptr<InstanceLock> m_instanceLock; // SQLite: one gateway per database file
    std::unique_ptr<Database> m_database;
    std::unique_ptr<Directory> m_directory;
    std::unique_ptr<SandboxServer> m_sandbox;
    std::unique_ptr<OrgoClient> m_orgo;
    std::unique_ptr<VmStatusCache> m_vmCache;
    std::unique_ptr<FleetService> m_fleet;
    std::unique_ptr<TaskQueue> m_queue;
    std::unique_ptr<Billing> m_billing;
    std::unique_ptr<ScreenshotService> m_screens;
    std::unique_ptr<Http::HttpServer> m_http;
};

} // namespace Mouse

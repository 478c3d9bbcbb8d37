// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/settings.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>

namespace Mouse {

// An Orgo-compatible REST server (see orgo-and-stripe.md, part A) on QHttpServer, bound to
// 127.0.0.1 only, that the gateway's real Orgo client reaches over real HTTP.
//
// Base URL: http://127.0.0.1:PORT/api. Orgo routes, relative to it, all with
// `Authorization: Bearer <apiKey()>` (401 {"error","request_id"} otherwise):
//   GET  /workspaces, GET /workspaces/{id} (with "desktops"; /projects is an alias)
//   POST /computers, GET|DELETE /computers/{id}
//   POST /computers/{id}/start|stop|restart (409 when the state forbids it)
//   GET  /computers/{id}/screenshot -> {"image": data URL | bare base64 | http URL}; a
//        computer without a screen: 400 "Desktop instance not available" while creating,
//        else 409 {"error":"screen is unavailable ...","request_id","upstream_status":409}
// The URL form points at GET /storage/screenshots/{id}/{unix-second}.png on the same server
// (no key needed, like a signed storage URL). Storage serves only captures taken in the last
// hour; any other URL gets the computer's refusal above, or 404 when it is running.
//
// Control routes for tests and benchmarks (same key; never delayed, never faulted), served at
// both /_sandbox/... and /api/_sandbox/...:
//   GET  /_sandbox/stats, POST /_sandbox/stats/reset,
//   POST /_sandbox/config {"latency_ms","jitter_ms","fault_429","fault_503","fault_hang",
//                          "screenshot_form","transition_ms","drift_ms"} (any subset)
//
// Every Orgo request waits latency_ms + random(0..jitter_ms) on a timer (never a sleep), so
// hundreds can be in flight at once. Faults are drawn per request, in arrival order, from a
// generator seeded with sandbox/seed and stratified by blocks of 100 requests: a share of 5%
// injects exactly 5 faults in every 100 requests (resetting the stats starts a new block).
// A hanging request is never answered; it is dropped when its client goes.
// Lives on the thread that creates it (normally the main thread); its event loop must run.
class SandboxServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxServer)

public:
    // What can change at run time (POST /_sandbox/config or setConfig()).
    struct Config
    {
        int latencyMs = 40;
        int jitterMs = 20;
        double fault429 = 0;
        double fault503 = 0;
        double faultHang = 0;
        QString screenshotForm = QStringLiteral("dataurl"); // dataurl | base64 | url
        int transitionMs = 3000; // creating/starting/stopping/restarting -> next state
        int driftMs = 15000;     // one computer changes state by itself this often; 0: never
    };

    // One computer as the sandbox knows it (for the demo seeding of the fleet wiring).
    struct Computer
    {
        QString id;         // UUID
        QString instanceId; // 8 hex characters
        QString name;       // e.g. "sales-maria-07"
        QString status;     // as of now
    };

    explicit SandboxServer(const Settings &settings, QObject *parent = nullptr);
    ~SandboxServer() override;

    // Listens on sandbox/listen (port 0: an ephemeral port). False with *error on failure.
    bool start(QString *error);
    void stop();
    bool isRunning() const;

    QUrl baseUrl() const; // http://127.0.0.1:PORT/api
    QString apiKey() const;
    QString workspaceId() const;

    Config config() const;
    void setConfig(const Config &config);

    // The current fleet, in creation order.
    QList<Computer> computers() const;

    // Same JSON as GET /_sandbox/stats; resetStats() as POST /_sandbox/stats/reset.
    QJsonObject stats() const;
    void resetStats();

    // For HealthBoard ("orgo", "sandbox"): answers from memory, callable from any thread.
    QJsonObject healthSnapshot() const;

    // Milliseconds since the epoch; tests inject a clock to drive state transitions.
    void setClock(std::function<qint64()> nowMs);

    // One spontaneous state change now (what the drift timer does), for tests.
    void driftOnce();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Mouse

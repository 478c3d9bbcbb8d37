// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/orgo/circuitbreaker.h"
#include "core/orgo/orgotypes.h"

#include <QFuture>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QObject>
#include <QUrl>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace Mouse {

class Settings;

// The Orgo REST client (https://docs.orgo.ai, base URL orgo/api_url, Bearer orgo/api_key).
//
// Lives on the main thread and never blocks it: every call returns at once and completes on
// this object's thread, as a QFuture or through a callback. At most `concurrency` requests
// are in flight (orgo/batch_limit); more wait in a FIFO queue. QNetworkAccessManager opens
// only 6 HTTP/1.1 connections per host, so the client keeps ceil(concurrency / 6) managers and
// gives each request to the least busy one: the limit is really reached, over kept-alive
// connections. 429, 502-504, timeouts and network errors are retried (timers, never sleeps)
// with capped exponential backoff and jitter, at least Retry-After; creates are not retried
// after a timeout (the VM may exist). A circuit breaker fails calls fast while Orgo is down.
class OrgoClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OrgoClient)

public:
    struct Options
    {
        QUrl baseUrl;
        QString apiKey;
        QString workspaceId;
        int concurrency = 10;
        int statusTimeoutMs = 5000;
        int actionTimeoutMs = 30000;
        int screenshotTimeoutMs = 10000;
        int maxRetries = 3;
        int retryBaseMs = 250;
        int retryCapMs = 8000;
        int breakerFailures = 8;
        int breakerCooldownMs = 10000;
        std::function<qint64()> clock;  // monotonic ms; default steady clock
        std::function<double()> jitter; // [0, 1); default QRandomGenerator

        static Options fromSettings(const Settings &settings);
    };

    using BreakerState = Orgo::CircuitBreaker::State;

    explicit OrgoClient(Options options, QObject *parent = nullptr);
    ~OrgoClient() override;

    // Points the client elsewhere (the in-process sandbox); affects calls started later.
    void setEndpoint(const QUrl &baseUrl, const QString &apiKey);
    void setWorkspaceId(const QString &workspaceId) { m_options.workspaceId = workspaceId; }
    QUrl baseUrl() const { return m_options.baseUrl; }
    QString workspaceId() const { return m_options.workspaceId; }
    const Options &options() const { return m_options; }

    // GET /computers/{id}
    QFuture<Orgo::ComputerResult> computer(const QString &id);
    // GET /workspaces/{id} (computers from "desktops" or "computers")
    QFuture<Orgo::ComputerListResult> workspaceComputers(const QString &workspaceId);
    // POST /computers
    QFuture<Orgo::ComputerResult> createComputer(const Orgo::CreateSpec &spec);
    // POST /computers/{id}/start|stop|restart, DELETE /computers/{id}
    QFuture<Orgo::ActionResult> startComputer(const QString &id);
    QFuture<Orgo::ActionResult> stopComputer(const QString &id);
    QFuture<Orgo::ActionResult> restartComputer(const QString &id);
    QFuture<Orgo::ActionResult> deleteComputer(const QString &id);
    // GET /computers/{id}/screenshot: the raw JSON body (image URL, data URL or base64).
    QFuture<Orgo::BytesResult> screenshot(const QString &id);
    // GET an absolute URL (e.g. the screenshot's image URL) through the same pool; the API key
    // is sent only when the URL is on the API's own host.
    QFuture<Orgo::BytesResult> fetchBytes(const QUrl &url);

    // Callback forms, for hot paths that need no QFuture (the batch fetcher).
    void fetchComputer(const QString &id, std::function<void(Orgo::ComputerResult &&)> done);
    void fetchWorkspace(const QString &workspaceId,
                        std::function<void(Orgo::ComputerListResult &&)> done);

    BreakerState breakerState() const { return m_breaker.state(); }
    QString breakerStateName() const { return Orgo::CircuitBreaker::stateName(breakerState()); }
    qint64 breakerRetryInMs() const { return m_breaker.remainingCooldownMs(); }
    int concurrency() const { return m_options.concurrency; }
    int poolSize() const { return int(m_pool.size()); }
    quint64 upstreamCalls() const { return m_upstreamCalls.load(std::memory_order_relaxed); }
    int inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }
    int maxInFlight() const { return m_maxInFlight.load(std::memory_order_relaxed); }
    int queued() const { return int(m_pending.size()); }
    quint64 retries() const { return m_retries.load(std::memory_order_relaxed); }
    void resetCounters(); // upstream calls, retries and max in flight

    // The ("orgo", "client") section of /health: mode, breaker, counters; degraded when open.
    QJsonObject healthSnapshot(const QString &mode) const;

    // The retry delay for attempt n (0-based) without Retry-After: min(cap, base * 2^n) with
    // "equal jitter" (half fixed, half random).
    int backoffMs(int attempt) const;

signals:
    void breakerStateChanged(Mouse::OrgoClient::BreakerState state);
    // A retry was scheduled: the request (method and path), the attempt that failed (1-based),
    // the delay chosen and why.
    void retryScheduled(const QString &request, int attempt, int delayMs, const QString &reason);

private:
    struct Raw
    {
        int status = 0;
        QByteArray body;
        QByteArray contentType;
        Orgo::Error error;
        int attempts = 0;
    };
    enum class Verb { Get, Post, Delete };
    struct Call
    {
        Verb verb = Verb::Get;
        QUrl url;
        QByteArray body;
        int timeoutMs = 0;
        bool retryOnTimeout = true;
        bool sendKey = true;
        int attempt = 0;
        std::function<void(Raw &&)> done;
    };
    struct Slot
    {
        QNetworkAccessManager *manager = nullptr;
        int inFlight = 0;
    };

    QUrl apiUrl(const QString &path) const;
    void submit(std::unique_ptr<Call> call);
    void pump();
    void dispatch(std::unique_ptr<Call> call);
    void onFinished(QNetworkReply *reply, Call *call, int slot);
    void complete(std::unique_ptr<Call> call, Raw &&raw);
    bool scheduleRetry(std::unique_ptr<Call> &call, const Orgo::Error &error);
    void rebuildTemplate();
    QString describe(const Call &call) const;

    template<class T>
    QFuture<T> promised(std::unique_ptr<Call> call, T (*convert)(Raw &&));
    QFuture<Orgo::ActionResult> action(const QString &id, QStringView action);

    Options m_options;
    Orgo::CircuitBreaker m_breaker;
    QNetworkRequest m_template;
    QNetworkRequest m_plainTemplate; // without the API key, for foreign hosts
    std::vector<Slot> m_pool;
    std::deque<std::unique_ptr<Call>> m_pending;
    std::atomic<quint64> m_upstreamCalls{0};
    std::atomic<quint64> m_retries{0};
    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_maxInFlight{0};
    bool m_shuttingDown = false;
};

} // namespace Mouse

Q_DECLARE_METATYPE(Mouse::OrgoClient::BreakerState)

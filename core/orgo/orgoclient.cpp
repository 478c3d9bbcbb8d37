// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/orgoclient.h"

#include "core/cache/ttlcache.h"
#include "core/config/settings.h"
#include "core/logging.h"
#include "core/orgo/httpclient.h"
#include "core/orgo/orgoparsers.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>

namespace Mouse {

using namespace Orgo;

namespace {

// QNetworkAccessManager's fixed number of HTTP/1.1 connections per host.
constexpr int ConnectionsPerManager = 6;

Error makeError(ErrorKind kind, int status, const QString &message)
{
    Error error;
    error.kind = kind;
    error.httpStatus = status;
    error.message = message;
    return error;
}

bool isTransient(const Error &error)
{
    switch (error.kind) {
    case ErrorKind::Network:
    case ErrorKind::Timeout:
    case ErrorKind::Unavailable:
        return true;
    case ErrorKind::Http:
        return error.httpStatus >= 500;
    default:
        return false;
    }
}

} // namespace

OrgoClient::Options OrgoClient::Options::fromSettings(const Settings &settings)
{
    Options options;
    const QString transport = settings.string(QStringLiteral("orgo/transport")).trimmed();
    options.transport = transport.compare(u"qnam", Qt::CaseInsensitive) == 0 ? Transport::Qnam
                                                                             : Transport::Native;
    if (!transport.isEmpty() && options.transport == Transport::Native
        && transport.compare(u"native", Qt::CaseInsensitive) != 0)
        qCWarning(lcOrgo) << "orgo/transport: unknown value" << transport << "- using native";
    options.baseUrl = QUrl(settings.string(QStringLiteral("orgo/api_url")));
    options.apiKey = settings.string(QStringLiteral("orgo/api_key"));
    options.workspaceId = settings.string(QStringLiteral("orgo/workspace_id"));
    options.concurrency = int(settings.integer(QStringLiteral("orgo/batch_limit")));
    options.statusTimeoutMs = int(settings.integer(QStringLiteral("orgo/status_timeout_ms")));
    options.actionTimeoutMs = int(settings.integer(QStringLiteral("orgo/action_timeout_ms")));
    options.screenshotTimeoutMs
            = int(settings.integer(QStringLiteral("orgo/screenshot_timeout_ms")));
    options.maxRetries = int(settings.integer(QStringLiteral("orgo/max_retries")));
    options.retryBaseMs = int(settings.integer(QStringLiteral("orgo/retry_base_ms")));
    options.retryCapMs = int(settings.integer(QStringLiteral("orgo/retry_cap_ms")));
    options.breakerFailures = int(settings.integer(QStringLiteral("orgo/breaker_failures")));
    options.breakerCooldownMs = int(settings.integer(QStringLiteral("orgo/breaker_cooldown_ms")));
    return options;
}

OrgoClient::OrgoClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_breaker(m_options.breakerFailures,
                m_options.breakerCooldownMs,
                m_options.clock ? m_options.clock
                                : std::function<qint64()>(&TtlLruCache<int, int>::steadyMs))
{
    qRegisterMetaType<Mouse::OrgoClient::BreakerState>();
    m_options.concurrency = qMax(1, m_options.concurrency);
    if (!m_options.clock)
        m_options.clock = &TtlLruCache<int, int>::steadyMs;
    if (!m_options.jitter)
        m_options.jitter = [] {
            return QRandomGenerator::global()->generateDouble();
        };

    if (m_options.transport == Transport::Native) {
        m_http = new Orgo::HttpClient(m_options.concurrency, this);
    } else {
        const int managers
                = (m_options.concurrency + ConnectionsPerManager - 1) / ConnectionsPerManager;
        for (int i = 0; i < managers; ++i) {
            auto *manager = new QNetworkAccessManager(this);
            manager->setAutoDeleteReplies(false);
            m_pool.push_back(Slot{manager, 0});
        }
    }
    m_breaker.onStateChanged = [this](BreakerState state) {
        qCInfo(lcOrgo) << "circuit breaker" << Orgo::CircuitBreaker::stateName(state);
        emit breakerStateChanged(state);
    };
    rebuildTemplate();
}

OrgoClient::~OrgoClient()
{
    // Abort what is in flight so that every promise finishes (with an error) and no call leaks.
    m_shuttingDown = true;
    m_pending.clear();
    if (m_http)
        m_http->abortAll();
    const auto managers = findChildren<QNetworkAccessManager *>();
    for (QNetworkAccessManager *manager : managers) {
        const auto replies = manager->findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies)
            reply->abort();
    }
}

void OrgoClient::setEndpoint(const QUrl &baseUrl, const QString &apiKey)
{
    m_options.baseUrl = baseUrl;
    m_options.apiKey = apiKey;
    rebuildTemplate();
}

void OrgoClient::rebuildTemplate()
{
    // Headers are set once here; each request copies the template (implicitly shared).
    QNetworkRequest plain;
    plain.setRawHeader("Accept", "application/json");
    plain.setRawHeader("User-Agent", "mouse-gateway");
    m_plainTemplate = plain;
    m_template = plain;
    m_template.setRawHeader("Authorization", "Bearer " + m_options.apiKey.toUtf8());
    // A redirect would carry the key to the host its Location names (Qt's default policy
    // follows https to any host); the native transport follows none either.
    m_template.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                            QNetworkRequest::ManualRedirectPolicy);
    m_plainHeaders = QByteArrayLiteral("Accept: application/json\r\nUser-Agent: mouse-gateway\r\n");
    m_keyHeaders = m_plainHeaders;
    // A key with CR or LF would split the header: it is not sent at all then.
    const QByteArray key = m_options.apiKey.toUtf8();
    if (!key.contains('\r') && !key.contains('\n'))
        m_keyHeaders += "Authorization: Bearer " + key + "\r\n";
}

int OrgoClient::poolSize() const
{
    return m_http ? m_http->openConnections() : int(m_pool.size());
}

QUrl OrgoClient::apiUrl(const QString &path) const
{
    QUrl url = m_options.baseUrl;
    QString base = url.path();
    if (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path, QUrl::DecodedMode);
    return url;
}

QString OrgoClient::describe(const Call &call) const
{
    const char *verb = call.verb == Verb::Get ? "GET" : call.verb == Verb::Post ? "POST" : "DELETE";
    return QLatin1String(verb) + u' ' + call.url.path();
}

int OrgoClient::backoffMs(int attempt) const
{
    const qint64 exp = qMin<qint64>(m_options.retryCapMs,
                                    qint64(m_options.retryBaseMs) << qMin(attempt, 30));
    const double random = qBound(0.0, m_options.jitter(), 1.0);
    return int(exp / 2 + qint64(random * double(exp - exp / 2)));
}

void OrgoClient::resetCounters()
{
    m_upstreamCalls.store(0);
    m_retries.store(0);
    m_maxInFlight.store(m_inFlight.load());
}

QJsonObject OrgoClient::healthSnapshot(const QString &mode) const
{
    const BreakerState state = breakerState();
    QJsonObject object{{QStringLiteral("mode"), mode},
                       {QStringLiteral("base_url"), m_options.baseUrl.toString()},
                       {QStringLiteral("breaker"), Orgo::CircuitBreaker::stateName(state)},
                       {QStringLiteral("consecutive_failures"), m_breaker.consecutiveFailures()},
                       {QStringLiteral("concurrency"), m_options.concurrency},
                       {QStringLiteral("transport"),
                        m_http ? QStringLiteral("native") : QStringLiteral("qnam")},
                       {QStringLiteral("pool_managers"), poolSize()},
                       {QStringLiteral("upstream_calls"), qint64(upstreamCalls())},
                       {QStringLiteral("retries"), qint64(retries())},
                       {QStringLiteral("in_flight"), inFlight()},
                       {QStringLiteral("max_in_flight"), maxInFlight()},
                       {QStringLiteral("queued"), queued()}};
    if (state == BreakerState::Open) {
        object.insert(QStringLiteral("degraded"), true);
        object.insert(QStringLiteral("retry_in_ms"), m_breaker.remainingCooldownMs());
    }
    return object;
}

// ---- Queue and dispatch ------------------------------------------------------------------

void OrgoClient::submit(std::unique_ptr<Call> call)
{
    if (!m_options.baseUrl.isValid() || m_options.baseUrl.isEmpty()) {
        Raw raw;
        raw.error
                = makeError(ErrorKind::NotConfigured, 0, QStringLiteral("no Orgo URL configured"));
        complete(std::move(call), std::move(raw));
        return;
    }
    m_pending.push_back(std::move(call));
    pump();
}

void OrgoClient::pump()
{
    while (!m_pending.empty()
           && m_inFlight.load(std::memory_order_relaxed) < m_options.concurrency) {
        std::unique_ptr<Call> call = std::move(m_pending.front());
        m_pending.pop_front();
        if (!m_breaker.allow()) {
            // Fail fast, but never inside the caller's stack: callers may hold state.
            Call *raw = call.release();
            QMetaObject::invokeMethod(
                    this,
                    [this, raw] {
                        Raw result;
                        result.error
                                = makeError(ErrorKind::CircuitOpen,
                                            0,
                                            QStringLiteral("Orgo is unavailable (circuit open)"));
                        result.error.retryable = true;
                        result.error.retryAfterMs = int(m_breaker.remainingCooldownMs());
                        result.attempts = raw->attempt;
                        complete(std::unique_ptr<Call>(raw), std::move(result));
                    },
                    Qt::QueuedConnection);
            continue;
        }
        dispatch(std::move(call));
    }
}

void OrgoClient::dispatch(std::unique_ptr<Call> call)
{
    ++call->attempt;
    m_upstreamCalls.fetch_add(1, std::memory_order_relaxed);
    const int now = m_inFlight.fetch_add(1, std::memory_order_relaxed) + 1;
    if (now > m_maxInFlight.load(std::memory_order_relaxed))
        m_maxInFlight.store(now, std::memory_order_relaxed);
    if (m_http)
        dispatchNative(std::move(call));
    else
        dispatchQnam(std::move(call));
}

void OrgoClient::dispatchNative(std::unique_ptr<Call> call)
{
    Orgo::HttpClient::Request request;
    request.method = call->verb == Verb::Get    ? QByteArrayLiteral("GET")
                     : call->verb == Verb::Post ? QByteArrayLiteral("POST")
                                                : QByteArrayLiteral("DELETE");
    request.url = call->url;
    request.headers = call->sendKey ? m_keyHeaders : m_plainHeaders;
    if (call->verb == Verb::Post)
        request.headers += "Content-Type: application/json\r\n";
    request.body = call->body;
    request.timeoutMs = call->timeoutMs;

    Call *owned = call.release();
    m_http->send(std::move(request), [this, owned](Orgo::HttpClient::Response &&response) {
        using F = Orgo::HttpClient::Failure;
        Outcome outcome;
        outcome.status = response.status;
        outcome.body = std::move(response.body);
        outcome.contentType = std::move(response.contentType);
        outcome.retryAfter = std::move(response.retryAfter);
        outcome.requestId = std::move(response.requestId);
        outcome.errorString = std::move(response.errorString);
        switch (response.failure) {
        case F::None:
            break;
        case F::Timeout:
            outcome.failure = Outcome::Failure::Timeout;
            break;
        case F::Aborted:
            outcome.failure = Outcome::Failure::Aborted;
            break;
        case F::Network:
        case F::Protocol:
            outcome.failure = Outcome::Failure::Network;
            break;
        case F::TooLarge:
            outcome.failure = Outcome::Failure::TooLarge;
            break;
        }
        m_inFlight.fetch_sub(1, std::memory_order_relaxed);
        settle(std::unique_ptr<Call>(owned), std::move(outcome));
    });
}

void OrgoClient::dispatchQnam(std::unique_ptr<Call> call)
{
    int slot = 0;
    for (int i = 1; i < int(m_pool.size()); ++i) {
        if (m_pool[i].inFlight < m_pool[slot].inFlight)
            slot = i;
    }
    QNetworkRequest request(call->sendKey ? m_template : m_plainTemplate);
    request.setUrl(call->url);
    request.setTransferTimeout(call->timeoutMs);

    QNetworkAccessManager *manager = m_pool[slot].manager;
    QNetworkReply *reply = nullptr;
    switch (call->verb) {
    case Verb::Get:
        reply = manager->get(request);
        break;
    case Verb::Post:
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        reply = manager->post(request, call->body);
        break;
    case Verb::Delete:
        reply = manager->deleteResource(request);
        break;
    }
    ++m_pool[slot].inFlight;

    Call *owned = call.release();
    connect(reply, &QNetworkReply::finished, this, [this, reply, owned, slot] {
        onFinished(reply, owned, slot);
    });
}

void OrgoClient::onFinished(QNetworkReply *reply, Call *rawCall, int slot)
{
    std::unique_ptr<Call> call(rawCall);
    reply->deleteLater();
    --m_pool[slot].inFlight;
    m_inFlight.fetch_sub(1, std::memory_order_relaxed);

    Outcome outcome;
    outcome.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (outcome.status > 0) {
        outcome.body = reply->readAll();
        outcome.contentType = reply->rawHeader("Content-Type");
        outcome.retryAfter = reply->rawHeader("Retry-After");
        outcome.requestId = reply->rawHeader("X-Request-Id").left(200);
    } else if (reply->error() == QNetworkReply::TimeoutError
               || (reply->error() == QNetworkReply::OperationCanceledError && !m_shuttingDown)) {
        // A transfer timeout aborts the reply: the only aborts besides ours at shutdown.
        outcome.failure = Outcome::Failure::Timeout;
    } else if (m_shuttingDown) {
        outcome.failure = Outcome::Failure::Aborted;
    } else {
        outcome.failure = Outcome::Failure::Network;
        outcome.errorString = reply->errorString();
    }
    settle(std::move(call), std::move(outcome));
}

void OrgoClient::settle(std::unique_ptr<Call> call, Outcome &&outcome)
{
    Raw raw;
    raw.attempts = call->attempt;
    const int status = outcome.failure == Outcome::Failure::None ? outcome.status : 0;
    if (status >= 200 && status < 300) {
        raw.status = status;
        raw.body = std::move(outcome.body);
        raw.contentType = std::move(outcome.contentType);
        m_breaker.recordSuccess();
    } else {
        Error error;
        if (status > 0) {
            error = parseError(status, outcome.body);
            if (error.requestId.isEmpty())
                error.requestId = QString::fromLatin1(outcome.requestId.left(200));
            if (!outcome.retryAfter.isEmpty()) {
                const qint64 ms
                        = parseRetryAfter(outcome.retryAfter, QDateTime::currentDateTimeUtc());
                error.retryAfterMs = ms < 0 ? -1 : int(qMin<qint64>(ms, 86400000));
            }
        } else if (outcome.failure == Outcome::Failure::Timeout) {
            error = makeError(
                    ErrorKind::Timeout,
                    0,
                    QStringLiteral("Orgo did not answer within %1 ms").arg(call->timeoutMs));
            error.retryable = call->retryOnTimeout;
        } else if (outcome.failure == Outcome::Failure::TooLarge) {
            // Asking again would fetch the same oversized answer: not retried.
            error = makeError(ErrorKind::InvalidResponse, 0, outcome.errorString);
        } else {
            error = makeError(ErrorKind::Network,
                              0,
                              outcome.errorString.isEmpty() ? QStringLiteral("aborted")
                                                            : outcome.errorString);
            error.retryable = !m_shuttingDown && outcome.failure != Outcome::Failure::Aborted;
        }

        // Our own abort at shutdown says nothing about Orgo's health.
        if (!m_shuttingDown) {
            if (error.kind == ErrorKind::RateLimited)
                m_breaker.recordNeutral();
            else if (isTransient(error))
                m_breaker.recordFailure();
            else
                m_breaker.recordSuccess(); // it answered: a 4xx is the caller's problem
        }

        if (!m_shuttingDown && scheduleRetry(call, error)) {
            pump();
            return;
        }
        raw.status = status;
        raw.error = std::move(error);
    }
    complete(std::move(call), std::move(raw));
    pump();
}

bool OrgoClient::scheduleRetry(std::unique_ptr<Call> &call, const Error &error)
{
    if (!error.retryable || call->attempt > m_options.maxRetries)
        return false;
    const int backoff = backoffMs(call->attempt - 1);
    // Honour Retry-After, but a server asking for longer than our cap gets an error back now:
    // the caller (or the next refresh) is better placed to wait that long.
    if (error.retryAfterMs > m_options.retryCapMs)
        return false;
    const int delay = qMax(backoff, error.retryAfterMs);
    const QString reason
            = error.httpStatus > 0 ? QString::number(error.httpStatus) : error.kindName();
    qCDebug(lcOrgo) << "retrying" << describe(*call) << "attempt" << call->attempt << "in" << delay
                    << "ms after" << reason;
    emit retryScheduled(describe(*call), call->attempt, delay, reason);
    m_retries.fetch_add(1, std::memory_order_relaxed);

    Call *owned = call.release();
    QTimer::singleShot(delay, this, [this, owned] {
        // A retry goes to the front: it is older than anything that queued meanwhile.
        m_pending.push_front(std::unique_ptr<Call>(owned));
        pump();
    });
    return true;
}

void OrgoClient::complete(std::unique_ptr<Call> call, Raw &&raw)
{
    if (!raw.error.ok() && !m_shuttingDown)
        qCDebug(lcOrgo) << describe(*call) << "failed:" << raw.error.kindName()
                        << raw.error.httpStatus << raw.error.requestId;
    if (call->done)
        call->done(std::move(raw));
}

// ---- Calls -------------------------------------------------------------------------------

template<class T>
QFuture<T> OrgoClient::promised(std::unique_ptr<Call> call, T (*convert)(Raw &&))
{
    auto promise = std::make_shared<QPromise<T>>();
    promise->start();
    QFuture<T> future = promise->future();
    call->done = [promise, convert](Raw &&raw) {
        promise->addResult(convert(std::move(raw)));
        promise->finish();
    };
    submit(std::move(call));
    return future;
}

namespace {

ComputerResult computerOf(QByteArray &&body, Error &&error, int attempts)
{
    ComputerResult result;
    result.attempts = attempts;
    if (error.ok()) {
        QString why;
        if (!parseComputer(body, &result.computer, &why))
            error = makeError(ErrorKind::InvalidResponse, 200, why);
    }
    result.error = std::move(error);
    return result;
}

ComputerListResult listOf(QByteArray &&body, Error &&error, int attempts)
{
    ComputerListResult result;
    result.attempts = attempts;
    if (error.ok()) {
        QString why;
        if (!parseWorkspaceComputers(body, &result.computers, &why))
            error = makeError(ErrorKind::InvalidResponse, 200, why);
    }
    result.error = std::move(error);
    return result;
}

} // namespace

void OrgoClient::fetchComputer(const QString &id, std::function<void(ComputerResult &&)> done)
{
    auto call = std::make_unique<Call>();
    call->url = apiUrl(QStringLiteral("/computers/") + id);
    call->timeoutMs = m_options.statusTimeoutMs;
    call->done = [done = std::move(done), id](Raw &&raw) {
        ComputerResult result = computerOf(std::move(raw.body), std::move(raw.error), raw.attempts);
        // Another VM's answer would be cached as this one's status.
        if (result.ok() && result.computer.id != id) {
            result.error = makeError(ErrorKind::InvalidResponse,
                                     200,
                                     QStringLiteral("the computer answer is for another id"));
            result.computer = Computer();
        }
        done(std::move(result));
    };
    submit(std::move(call));
}

void OrgoClient::fetchWorkspace(const QString &workspaceId,
                                std::function<void(ComputerListResult &&)> done)
{
    auto call = std::make_unique<Call>();
    call->url = apiUrl(QStringLiteral("/workspaces/") + workspaceId);
    call->timeoutMs = m_options.statusTimeoutMs;
    call->done = [done = std::move(done), workspaceId](Raw &&raw) {
        ComputerListResult result = listOf(std::move(raw.body), std::move(raw.error), raw.attempts);
        result.workspaceId = workspaceId;
        for (Computer &computer : result.computers) {
            if (computer.workspaceId.isEmpty())
                computer.workspaceId = workspaceId;
        }
        done(std::move(result));
    };
    submit(std::move(call));
}

QFuture<ComputerResult> OrgoClient::computer(const QString &id)
{
    auto promise = std::make_shared<QPromise<ComputerResult>>();
    promise->start();
    QFuture<ComputerResult> future = promise->future();
    fetchComputer(id, [promise](ComputerResult &&result) {
        promise->addResult(std::move(result));
        promise->finish();
    });
    return future;
}

QFuture<ComputerListResult> OrgoClient::workspaceComputers(const QString &workspaceId)
{
    auto promise = std::make_shared<QPromise<ComputerListResult>>();
    promise->start();
    QFuture<ComputerListResult> future = promise->future();
    fetchWorkspace(workspaceId, [promise](ComputerListResult &&result) {
        promise->addResult(std::move(result));
        promise->finish();
    });
    return future;
}

QFuture<ComputerResult> OrgoClient::createComputer(const CreateSpec &spec)
{
    auto call = std::make_unique<Call>();
    call->verb = Verb::Post;
    call->url = apiUrl(QStringLiteral("/computers"));
    call->timeoutMs = m_options.actionTimeoutMs;
    call->retryOnTimeout = false; // the VM may have been created: never create twice
    const QString workspace = spec.workspaceId.isEmpty() ? m_options.workspaceId : spec.workspaceId;
    call->body = QJsonDocument(QJsonObject{{QStringLiteral("workspace_id"), workspace},
                                           {QStringLiteral("name"), spec.name},
                                           {QStringLiteral("os"), spec.os},
                                           {QStringLiteral("ram"), spec.ram},
                                           {QStringLiteral("cpu"), spec.cpu}})
                         .toJson(QJsonDocument::Compact);
    return promised<ComputerResult>(std::move(call), [](Raw &&raw) {
        ComputerResult result = computerOf(std::move(raw.body), std::move(raw.error), raw.attempts);
        return result;
    });
}

QFuture<ActionResult> OrgoClient::action(const QString &id, QStringView name)
{
    auto call = std::make_unique<Call>();
    call->verb = name.isEmpty() ? Verb::Delete : Verb::Post;
    QString path = QStringLiteral("/computers/") + id;
    if (!name.isEmpty())
        path += u'/' + name.toString();
    call->url = apiUrl(path);
    call->timeoutMs = m_options.actionTimeoutMs;
    return promised<ActionResult>(std::move(call), [](Raw &&raw) {
        ActionResult result;
        result.attempts = raw.attempts;
        if (raw.error.ok())
            result.status = parseActionStatus(raw.body);
        result.error = std::move(raw.error);
        return result;
    });
}

QFuture<ActionResult> OrgoClient::startComputer(const QString &id)
{
    return action(id, u"start");
}

QFuture<ActionResult> OrgoClient::stopComputer(const QString &id)
{
    return action(id, u"stop");
}

QFuture<ActionResult> OrgoClient::restartComputer(const QString &id)
{
    return action(id, u"restart");
}

QFuture<ActionResult> OrgoClient::deleteComputer(const QString &id)
{
    return action(id, QStringView());
}

namespace {

BytesResult bytesOf(QByteArray &&body, QByteArray &&contentType, Error &&error, int attempts)
{
    BytesResult result;
    result.attempts = attempts;
    result.body = std::move(body);
    result.contentType = std::move(contentType);
    result.error = std::move(error);
    return result;
}

} // namespace

QFuture<BytesResult> OrgoClient::screenshot(const QString &id)
{
    auto call = std::make_unique<Call>();
    call->url = apiUrl(QStringLiteral("/computers/") + id + QStringLiteral("/screenshot"));
    call->timeoutMs = m_options.screenshotTimeoutMs;
    return promised<BytesResult>(std::move(call), [](Raw &&raw) {
        return bytesOf(std::move(raw.body),
                       std::move(raw.contentType),
                       std::move(raw.error),
                       raw.attempts);
    });
}

QFuture<BytesResult> OrgoClient::fetchBytes(const QUrl &url)
{
    auto call = std::make_unique<Call>();
    call->url = url;
    call->timeoutMs = m_options.screenshotTimeoutMs;
    // Never hand the API key to another host (e.g. the storage bucket of a screenshot URL).
    call->sendKey = url.host() == m_options.baseUrl.host() && url.port() == m_options.baseUrl.port()
                    && url.scheme() == m_options.baseUrl.scheme();
    return promised<BytesResult>(std::move(call), [](Raw &&raw) {
        return bytesOf(std::move(raw.body),
                       std::move(raw.contentType),
                       std::move(raw.error),
                       raw.attempts);
    });
}

} // namespace Mouse

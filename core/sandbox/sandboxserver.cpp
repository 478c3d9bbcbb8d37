// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sandbox/sandboxserver.h"

#include "core/logging.h"
#include "core/sandbox/desktoprenderer.h"
#include "core/sandbox/sandboxfleet.h"

#include <QDateTime>
#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QPointer>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThreadPool>
#include <QTimer>
#include <QUuid>
#include <QtConcurrent>

#include <array>
#include <map>
#include <numeric>
#include <random>

namespace Mouse {

namespace {

// What a request asks for; `kind` is also the name it is counted under in the stats.
struct Route
{
    enum class Kind {
        Workspaces,
        Workspace,
        Create,
        Computer,
        Delete,
        Start,
        Stop,
        Restart,
        Screenshot,
        Storage,
        Control,
        Unknown
    };
    Kind kind = Kind::Unknown;
    QString id;
    qint64 second = 0;         // Storage: the capture's second
    QString control;           // Control: "stats", "stats/reset", "config"
    bool methodAllowed = true; // false: the path exists, not for this method
};

constexpr int KindCount = int(Route::Kind::Unknown) + 1;

const char *kindName(Route::Kind kind)
{
    static const char *const Names[KindCount] = {"workspaces",
                                                 "workspace",
                                                 "create",
                                                 "computer",
                                                 "delete",
                                                 "start",
                                                 "stop",
                                                 "restart",
                                                 "screenshot",
                                                 "storage",
                                                 "control",
                                                 "other"};
    return Names[int(kind)];
}

using Method = QHttpServerRequest::Method;

Route classify(const QString &path, Method method)
{
    Route route;
    QStringList parts = path.split(u'/', Qt::SkipEmptyParts);

    // Storage URLs of the "url" screenshot form: /storage/screenshots/{id}/{second}.png
    if (parts.size() == 4 && parts[0] == u"storage" && parts[1] == u"screenshots"
        && parts[3].endsWith(u".png")) {
        bool ok = false;
        route.second = parts[3].chopped(4).toLongLong(&ok);
        if (ok) {
            route.kind = Route::Kind::Storage;
            route.id = parts[2];
            route.methodAllowed = method == Method::Get;
        }
        return route;
    }

    if (parts.value(0) == u"api")
        parts.removeFirst();
    else if (parts.value(0) != u"_sandbox")
        return route;

    if (parts.value(0) == u"_sandbox") {
        route.kind = Route::Kind::Control;
        route.control = parts.mid(1).join(u'/');
        const bool post = route.control == u"stats/reset" || route.control == u"config";
        route.methodAllowed
                = post ? method == Method::Post
                                  || (route.control == u"config" && method == Method::Get)
                       : method == Method::Get;
        if (route.control != u"stats" && !post)
            route.kind = Route::Kind::Unknown;
        return route;
    }

    const QString collection = parts.value(0);
    if (collection == u"workspaces" || collection == u"projects") {
        if (parts.size() == 1)
            route.kind = Route::Kind::Workspaces;
        else if (parts.size() == 2)
            route.kind = Route::Kind::Workspace;
        route.id = parts.value(1);
        route.methodAllowed = method == Method::Get;
        return route;
    }
    if (collection != u"computers")
        return route;

    route.id = parts.value(1);
    if (parts.size() == 1) {
        route.kind = Route::Kind::Create;
        route.methodAllowed = method == Method::Post;
    } else if (parts.size() == 2) {
        route.kind = method == Method::Delete ? Route::Kind::Delete : Route::Kind::Computer;
        route.methodAllowed = method == Method::Get || method == Method::Delete;
    } else if (parts.size() == 3) {
        const QString action = parts[2];
        if (action == u"start")
            route.kind = Route::Kind::Start;
        else if (action == u"stop")
            route.kind = Route::Kind::Stop;
        else if (action == u"restart")
            route.kind = Route::Kind::Restart;
        else if (action == u"screenshot")
            route.kind = Route::Kind::Screenshot;
        route.methodAllowed = route.kind == Route::Kind::Screenshot ? method == Method::Get
                                                                    : method == Method::Post;
    }
    return route;
}

// One answer, in Orgo's shapes.
struct Answer
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray retryAfter;
};

QByteArray requestId()
{
    return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
}

Answer json(int status, const QJsonObject &object)
{
    Answer answer;
    answer.status = status;
    answer.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return answer;
}

// Orgo's error body: {"error": "...", "request_id": "..."}.
Answer orgoError(int status, const QString &message)
{
    return json(status,
                QJsonObject{{QStringLiteral("error"), message},
                            {QStringLiteral("request_id"), QString::fromLatin1(requestId())}});
}

// Orgo's refusal of a screenshot of a computer without a screen: "Desktop instance not
// available" (400) while it has no backing VM yet (creating), else the desktop side's
// "screen is unavailable" with its upstream_status 409 (reference A.1).
Answer noScreen(const QString &status)
{
    if (status == u"creating")
        return orgoError(
                400,
                QStringLiteral("Desktop instance not available (the computer is %1)").arg(status));
    return json(
            409,
            QJsonObject{{QStringLiteral("error"),
                         QStringLiteral("screen is unavailable (the computer is %1)").arg(status)},
                        {QStringLiteral("request_id"), QString::fromLatin1(requestId())},
                        {QStringLiteral("upstream_status"), 409}});
}

bool sameKey(const QByteArray &a, const QByteArray &b)
{
    // Constant time in the length of the expected key.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (qsizetype i = 0; i < b.size(); ++i)
        diff |= static_cast<unsigned char>(b.at(i) ^ (i < a.size() ? a.at(i) : 0));
    return diff == 0;
}

bool validForm(const QString &form)
{
    return form == u"dataurl" || form == u"base64" || form == u"url";
}

} // namespace

// A request between its arrival and its answer (or its client's departure).
struct SandboxPending
{
    quint64 serial = 0;
    std::shared_ptr<QHttpServerResponder> responder;
    QPointer<QTcpSocket> socket;
    Route route;
    QByteArray body;
    bool authorized = false;
    bool finished = false;
};

struct SandboxServer::Private
{
    explicit Private(SandboxServer *owner)
        : q(owner)
    {}

    SandboxServer *const q;
    Settings settings;
    Config config;
    std::function<qint64()> clock = [] {
        return QDateTime::currentMSecsSinceEpoch();
    };

    std::unique_ptr<SandboxFleet> fleet;
    std::unique_ptr<QHttpServer> http;
    QTimer drift;
    quint16 port = 0;
    QByteArray apiKey;
    std::mt19937_64 faultRandom;
    // Stratified fault draws: each block of 100 requests takes every hundredth of [0, 1) once,
    // in a shuffled order, so "5% 503s" means 5 in every 100 requests, not 5% on average.
    std::array<int, 100> strata = {};
    int strataUsed = 100;
    std::mt19937_64 jitterRandom;
    quint64 nextSerial = 1;
    QHash<quint64, std::shared_ptr<SandboxPending>> hanging;

    // Screenshots: PNGs by (second, computer), renders in flight with their waiters.
    QThreadPool renderPool;
    std::map<std::pair<qint64, QString>, QByteArray> pngs;
    // The seconds each computer was captured in the last hour: storage holds those only.
    QHash<QString, QSet<qint64>> captures;
    QHash<QString, QList<std::function<void(const QByteArray &)>>> rendering;

    // Read from other threads by healthSnapshot(): guarded by statsMutex.
    mutable QMutex statsMutex;
    qint64 counts[KindCount] = {};
    QMap<int, qint64> statuses;
    qint64 inFlight = 0;
    qint64 maxInFlight = 0;
    qint64 faults429 = 0;
    qint64 faults503 = 0;
    qint64 faultsHang = 0;
    qint64 hangsDropped = 0;
    qint64 unauthorized = 0;
    qint64 rendered = 0;
    qint64 pngHits = 0;
    qint64 statsSinceMs = 0;
    int computerCount = 0;
    bool running = false;

    qint64 now() const { return clock(); }
    double nextRoll();
    QString origin() const { return QStringLiteral("http://127.0.0.1:%1").arg(port); }

    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void hang(const std::shared_ptr<SandboxPending> &pending);
    void respond(const std::shared_ptr<SandboxPending> &pending);
    Answer orgo(const SandboxPending &pending);
    Answer control(const SandboxPending &pending);
    bool applyConfig(const QJsonObject &object, QString *why);
    void screenshot(const std::shared_ptr<SandboxPending> &pending);
    QJsonObject screenshotBody(const QString &id,
                               qint64 second,
                               const QByteArray &png,
                               const QString &form) const;
    void png(const QString &id,
             const DesktopScene &scene,
             qint64 second,
             std::function<void(const QByteArray &)> done);
    void storePng(const std::pair<qint64, QString> &key, const QByteArray &bytes);
    void write(SandboxPending &pending, const Answer &answer);
    void finish(SandboxPending &pending, int status);
};

SandboxServer::SandboxServer(const Settings &settings, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{
    d->settings = settings;
    d->config.latencyMs = int(settings.integer(QStringLiteral("sandbox/latency_ms")));
    d->config.jitterMs = int(settings.integer(QStringLiteral("sandbox/jitter_ms")));
    d->config.fault429 = settings.real(QStringLiteral("sandbox/fault_429"));
    d->config.fault503 = settings.real(QStringLiteral("sandbox/fault_503"));
    d->config.faultHang = settings.real(QStringLiteral("sandbox/fault_hang"));
    d->config.screenshotForm = settings.string(QStringLiteral("sandbox/screenshot_form")).trimmed();
    d->config.transitionMs = int(settings.integer(QStringLiteral("sandbox/transition_ms")));
    d->config.driftMs = int(settings.integer(QStringLiteral("sandbox/drift_ms")));
    d->apiKey = settings.string(QStringLiteral("sandbox/api_key")).toUtf8();

    const quint64 seed = quint64(settings.integer(QStringLiteral("sandbox/seed")));
    d->faultRandom.seed(seed ^ 0x9E3779B97F4A7C15ULL);
    d->jitterRandom.seed(seed ^ 0xC2B2AE3D27D4EB4FULL);
    d->renderPool.setMaxThreadCount(2);

    d->drift.setParent(this);
    connect(&d->drift, &QTimer::timeout, this, &SandboxServer::driftOnce);
}

SandboxServer::~SandboxServer()
{
    stop();
}

bool SandboxServer::start(QString *error)
{
    if (d->running)
        return true;
    if (!validForm(d->config.screenshotForm)) {
        *error = QStringLiteral("sandbox/screenshot_form must be dataurl, base64 or url");
        return false;
    }

    const QString listen = d->settings.string(QStringLiteral("sandbox/listen"));
    const int colon = int(listen.lastIndexOf(u':'));
    QString host = listen.left(colon);
    const quint16 wantedPort = quint16(listen.mid(colon + 1).toUInt());
    if (host == u"localhost")
        host = QStringLiteral("127.0.0.1");
    const QHostAddress address(host);
    if (address != QHostAddress(QHostAddress::LocalHost)) {
        *error = QStringLiteral("sandbox/listen must be on 127.0.0.1 (got %1)").arg(listen);
        return false;
    }

    if (!d->fleet) {
        d->fleet = std::make_unique<SandboxFleet>(
                d->settings.string(QStringLiteral("sandbox/workspace_id")),
                quint64(d->settings.integer(QStringLiteral("sandbox/seed"))),
                int(d->settings.integer(QStringLiteral("sandbox/vms"))),
                d->now());
    }
    d->fleet->setTransitionMs(d->config.transitionMs);

    d->http = std::make_unique<QHttpServer>();
    d->http->setMissingHandler(
            [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                d->handle(request, std::move(responder));
            });
    d->port = d->http->listen(QHostAddress::LocalHost, wantedPort);
    if (d->port == 0) {
        d->http.reset();
        *error = QStringLiteral("the sandbox cannot listen on %1").arg(listen);
        return false;
    }

    {
        QMutexLocker lock(&d->statsMutex);
        d->running = true;
        d->computerCount = d->fleet->size();
        d->statsSinceMs = d->now();
    }
    if (d->config.driftMs > 0)
        d->drift.start(d->config.driftMs);
    qCDebug(lcSandbox) << "Sandbox fleet of" << d->fleet->size() << "computers on"
                       << baseUrl().toString();
    return true;
}

void SandboxServer::stop()
{
    if (!d->running)
        return;
    d->drift.stop();
    d->hanging.clear();
    // Deleting the server closes its listening sockets and every client connection; pending
    // timers then find their QPointer<QTcpSocket> null and write nothing.
    d->http.reset();
    QMutexLocker lock(&d->statsMutex);
    d->running = false;
    d->inFlight = 0;
}

bool SandboxServer::isRunning() const
{
    QMutexLocker lock(&d->statsMutex);
    return d->running;
}

QUrl SandboxServer::baseUrl() const
{
    if (!d->port)
        return {};
    return QUrl(d->origin() + QStringLiteral("/api"));
}

QString SandboxServer::apiKey() const
{
    return QString::fromUtf8(d->apiKey);
}

QString SandboxServer::workspaceId() const
{
    return d->settings.string(QStringLiteral("sandbox/workspace_id"));
}

SandboxServer::Config SandboxServer::config() const
{
    QMutexLocker lock(&d->statsMutex);
    return d->config;
}

void SandboxServer::setConfig(const Config &config)
{
    {
        QMutexLocker lock(&d->statsMutex);
        d->config = config;
    }
    if (d->fleet)
        d->fleet->setTransitionMs(config.transitionMs);
    if (!d->running)
        return;
    if (config.driftMs > 0)
        d->drift.start(config.driftMs);
    else
        d->drift.stop();
}

QList<SandboxServer::Computer> SandboxServer::computers() const
{
    QList<Computer> result;
    if (!d->fleet)
        d->fleet = std::make_unique<SandboxFleet>(
                d->settings.string(QStringLiteral("sandbox/workspace_id")),
                quint64(d->settings.integer(QStringLiteral("sandbox/seed"))),
                int(d->settings.integer(QStringLiteral("sandbox/vms"))),
                d->now());
    for (const SandboxComputer *computer : d->fleet->all(d->now()))
        result.append(
                Computer{computer->id, computer->instanceId, computer->name, computer->status});
    return result;
}

QJsonObject SandboxServer::stats() const
{
    QMutexLocker lock(&d->statsMutex);
    QJsonObject requests;
    qint64 total = 0;
    for (int i = 0; i < KindCount; ++i) {
        requests.insert(QLatin1String(kindName(Route::Kind(i))), d->counts[i]);
        if (Route::Kind(i) != Route::Kind::Control)
            total += d->counts[i];
    }
    requests.insert(QStringLiteral("total"), total);
    QJsonObject statuses;
    for (auto it = d->statuses.cbegin(); it != d->statuses.cend(); ++it)
        statuses.insert(QString::number(it.key()), it.value());
    const Config &c = d->config;
    return QJsonObject{
            {QStringLiteral("requests"), requests},
            {QStringLiteral("statuses"), statuses},
            {QStringLiteral("in_flight"), d->inFlight},
            {QStringLiteral("max_in_flight"), d->maxInFlight},
            {QStringLiteral("faults"),
             QJsonObject{{QStringLiteral("429"), d->faults429},
                         {QStringLiteral("503"), d->faults503},
                         {QStringLiteral("hang"), d->faultsHang},
                         {QStringLiteral("hang_dropped"), d->hangsDropped}}},
            {QStringLiteral("unauthorized"), d->unauthorized},
            {QStringLiteral("screenshots"),
             QJsonObject{{QStringLiteral("rendered"), d->rendered},
                         {QStringLiteral("cache_hits"), d->pngHits}}},
            {QStringLiteral("computers"), d->computerCount},
            {QStringLiteral("since_ms"), d->statsSinceMs},
            {QStringLiteral("config"),
             QJsonObject{{QStringLiteral("latency_ms"), c.latencyMs},
                         {QStringLiteral("jitter_ms"), c.jitterMs},
                         {QStringLiteral("fault_429"), c.fault429},
                         {QStringLiteral("fault_503"), c.fault503},
                         {QStringLiteral("fault_hang"), c.faultHang},
                         {QStringLiteral("screenshot_form"), c.screenshotForm},
                         {QStringLiteral("transition_ms"), c.transitionMs},
                         {QStringLiteral("drift_ms"), c.driftMs}}},
    };
}

void SandboxServer::resetStats()
{
    QMutexLocker lock(&d->statsMutex);
    std::fill(std::begin(d->counts), std::end(d->counts), 0);
    d->statuses.clear();
    d->maxInFlight = d->inFlight;
    d->faults429 = d->faults503 = d->faultsHang = d->hangsDropped = 0;
    d->unauthorized = d->rendered = d->pngHits = 0;
    d->strataUsed = int(d->strata.size()); // the next request starts a fresh block of 100
    d->statsSinceMs = d->now();
}

QJsonObject SandboxServer::healthSnapshot() const
{
    QMutexLocker lock(&d->statsMutex);
    qint64 total = 0;
    for (int i = 0; i < KindCount; ++i)
        total += Route::Kind(i) == Route::Kind::Control ? 0 : d->counts[i];
    return QJsonObject{
            {QStringLiteral("mode"), QStringLiteral("sandbox")},
            {QStringLiteral("running"), d->running},
            {QStringLiteral("url"), d->port ? d->origin() + QStringLiteral("/api") : QString()},
            {QStringLiteral("computers"), d->computerCount},
            {QStringLiteral("requests"), total},
            {QStringLiteral("in_flight"), d->inFlight},
            {QStringLiteral("max_in_flight"), d->maxInFlight},
            {QStringLiteral("latency_ms"), d->config.latencyMs},
            {QStringLiteral("jitter_ms"), d->config.jitterMs},
            {QStringLiteral("faults_injected"), d->faults429 + d->faults503 + d->faultsHang},
    };
}

void SandboxServer::setClock(std::function<qint64()> nowMs)
{
    d->clock = std::move(nowMs);
}

void SandboxServer::driftOnce()
{
    if (!d->fleet)
        return;
    const QString id = d->fleet->drift(d->now());
    if (!id.isEmpty())
        qCDebug(lcSandbox) << "Computer" << id << "changes state by itself";
}

// ---- requests ---------------------------------------------------------------------------

double SandboxServer::Private::nextRoll()
{
    if (strataUsed == int(strata.size())) {
        std::iota(strata.begin(), strata.end(), 0);
        std::shuffle(strata.begin(), strata.end(), faultRandom);
        strataUsed = 0;
    }
    const double within = std::uniform_real_distribution<double>(0, 1)(faultRandom);
    return (strata[strataUsed++] + within) / double(strata.size());
}

void SandboxServer::Private::handle(const QHttpServerRequest &request,
                                    QHttpServerResponder &&responder)
{
    auto pending = std::make_shared<SandboxPending>();
    pending->socket = responder.socket();
    pending->responder = std::make_shared<QHttpServerResponder>(std::move(responder));
    pending->route = classify(request.url().path(), request.method());
    pending->body = request.body();

    const QByteArray authorization = request.value(QByteArrayLiteral("Authorization"));
    const QByteArray prefix = QByteArrayLiteral("Bearer ");
    pending->authorized = authorization.startsWith(prefix)
                          && sameKey(authorization.mid(prefix.size()).trimmed(), apiKey);

    // Control routes answer at once: tests and benchmarks read them between cases.
    if (pending->route.kind == Route::Kind::Control) {
        {
            QMutexLocker lock(&statsMutex);
            ++counts[int(Route::Kind::Control)];
        }
        pending->serial = 0;
        write(*pending, control(*pending));
        return;
    }

    const Config config = q->config();
    pending->serial = nextSerial++;
    {
        QMutexLocker lock(&statsMutex);
        ++counts[int(pending->route.kind)];
        maxInFlight = std::max(maxInFlight, ++inFlight);
    }

    // Faults are drawn for every request in arrival order, so a fixed seed repeats a run.
    const double roll = nextRoll();
    const int delay = config.latencyMs
                      + (config.jitterMs > 0 ? int(jitterRandom() % (config.jitterMs + 1)) : 0);
    const bool storage = pending->route.kind == Route::Kind::Storage;
    if (!pending->authorized && !storage) {
        QMutexLocker lock(&statsMutex);
        ++unauthorized;
    } else if (roll < config.faultHang) {
        hang(pending);
        return;
    } else if (roll < config.faultHang + config.fault503) {
        QMutexLocker lock(&statsMutex);
        ++faults503;
        pending->route.kind = Route::Kind::Unknown;
        pending->route.control = QStringLiteral("503");
    } else if (roll < config.faultHang + config.fault503 + config.fault429) {
        QMutexLocker lock(&statsMutex);
        ++faults429;
        pending->route.kind = Route::Kind::Unknown;
        pending->route.control = QStringLiteral("429");
    }

    if (delay <= 0) {
        respond(pending);
        return;
    }
    // A precise timer: the benchmark's limits are multiples of the latency.
    QTimer::singleShot(delay, Qt::PreciseTimer, q, [this, pending] { respond(pending); });
}

void SandboxServer::Private::hang(const std::shared_ptr<SandboxPending> &pending)
{
    {
        QMutexLocker lock(&statsMutex);
        ++faultsHang;
    }
    if (!pending->socket) {
        finish(*pending, 0);
        return;
    }
    // Never answered; forgotten (and no longer in flight) when the client goes away.
    hanging.insert(pending->serial, pending);
    const quint64 serial = pending->serial;
    const auto drop = [this, serial] {
        const auto it = hanging.constFind(serial);
        if (it == hanging.cend())
            return;
        const std::shared_ptr<SandboxPending> gone = it.value();
        hanging.erase(it);
        {
            QMutexLocker lock(&statsMutex);
            ++hangsDropped;
        }
        finish(*gone, 0);
    };
    QObject::connect(pending->socket, &QAbstractSocket::disconnected, q, drop);
    QObject::connect(pending->socket, &QObject::destroyed, q, drop);
}

void SandboxServer::Private::respond(const std::shared_ptr<SandboxPending> &pending)
{
    if (!pending->socket || pending->socket->state() != QAbstractSocket::ConnectedState) {
        finish(*pending, 0); // the client left while we were "busy"
        return;
    }
    const Route &route = pending->route;
    if (route.kind == Route::Kind::Unknown && route.control == u"503") {
        write(*pending,
              orgoError(503,
                        QStringLiteral("Could not reach the desktop. Try again "
                                       "in a moment.")));
        return;
    }
    if (route.kind == Route::Kind::Unknown && route.control == u"429") {
        Answer answer = orgoError(429,
                                  QStringLiteral("Too many requests: the per-key rate "
                                                 "limit was exceeded."));
        answer.retryAfter = QByteArrayLiteral("1");
        write(*pending, answer);
        return;
    }
    if (route.kind != Route::Kind::Storage && !pending->authorized) {
        write(*pending,
              orgoError(401,
                        QStringLiteral("Invalid API key. Check the "
                                       "Authorization: Bearer header.")));
        return;
    }
    if (!route.methodAllowed) {
        write(*pending, orgoError(405, QStringLiteral("Method not allowed")));
        return;
    }
    if (route.kind == Route::Kind::Screenshot || route.kind == Route::Kind::Storage) {
        screenshot(pending);
        return;
    }
    write(*pending, orgo(*pending));
}

// Runs at answer time, so the state returned is the state after the latency.
Answer SandboxServer::Private::orgo(const SandboxPending &pending)
{
    const Route &route = pending.route;
    const qint64 now = this->now();
    SandboxFleet &fleet = *this->fleet;
    switch (route.kind) {
    case Route::Kind::Workspaces: {
        QJsonObject workspace = fleet.workspaceJson(now);
        return json(200, QJsonObject{{QStringLiteral("workspaces"), QJsonArray{workspace}}});
    }
    case Route::Kind::Workspace:
        if (route.id != fleet.workspaceId())
            return orgoError(404, QStringLiteral("Workspace not found"));
        return json(200, fleet.workspaceJson(now));
    case Route::Kind::Computer: {
        const SandboxComputer *computer = fleet.find(route.id, now);
        if (!computer)
            return orgoError(404, QStringLiteral("Computer not found"));
        return json(200, fleet.toJson(*computer, origin()));
    }
    case Route::Kind::Create: {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(pending.body, &parseError);
        if (!document.isObject())
            return orgoError(400, QStringLiteral("The body must be a JSON object"));
        const SandboxComputer *created = nullptr;
        QString why;
        switch (fleet.create(document.object(), now, &created, &why)) {
        case SandboxFleet::Outcome::Ok:
            break;
        case SandboxFleet::Outcome::NotFound:
            return orgoError(404, why);
        case SandboxFleet::Outcome::Conflict:
            return orgoError(409, why);
        case SandboxFleet::Outcome::Invalid:
            return orgoError(400, why);
        }
        {
            QMutexLocker lock(&statsMutex);
            computerCount = fleet.size();
        }
        return json(201, fleet.toJson(*created, origin()));
    }
    case Route::Kind::Delete:
        if (!fleet.remove(route.id))
            return orgoError(404, QStringLiteral("Computer not found"));
        captures.remove(route.id);
        {
            QMutexLocker lock(&statsMutex);
            computerCount = fleet.size();
        }
        return json(200, QJsonObject{{QStringLiteral("success"), true}});
    case Route::Kind::Start:
    case Route::Kind::Stop:
    case Route::Kind::Restart: {
        const SandboxFleet::Action action
                = route.kind == Route::Kind::Start  ? SandboxFleet::Action::Start
                  : route.kind == Route::Kind::Stop ? SandboxFleet::Action::Stop
                                                    : SandboxFleet::Action::Restart;
        QString status;
        switch (fleet.act(route.id, action, now, &status)) {
        case SandboxFleet::Outcome::Ok:
            return json(200,
                        QJsonObject{{QStringLiteral("success"), true},
                                    {QStringLiteral("status"), status}});
        case SandboxFleet::Outcome::Conflict:
            return orgoError(409,
                             QStringLiteral("The computer is %1; it cannot %2 now")
                                     .arg(status, QLatin1String(kindName(route.kind))));
        default:
            return orgoError(404, QStringLiteral("Computer not found"));
        }
    }
    default:
        return orgoError(404, QStringLiteral("Not found"));
    }
}

Answer SandboxServer::Private::control(const SandboxPending &pending)
{
    if (!pending.authorized)
        return orgoError(401,
                         QStringLiteral("Invalid API key. Check the Authorization: Bearer "
                                        "header."));
    if (!pending.route.methodAllowed)
        return orgoError(405, QStringLiteral("Method not allowed"));
    const QString what = pending.route.control;
    if (what == u"stats/reset") {
        q->resetStats();
        return json(200, q->stats());
    }
    if (what == u"config" && !pending.body.trimmed().isEmpty()) {
        const QJsonDocument document = QJsonDocument::fromJson(pending.body);
        if (!document.isObject())
            return orgoError(400, QStringLiteral("The body must be a JSON object"));
        QString why;
        if (!applyConfig(document.object(), &why))
            return orgoError(400, why);
    }
    return json(200, q->stats());
}

bool SandboxServer::Private::applyConfig(const QJsonObject &object, QString *why)
{
    Config next = q->config();
    const auto integer = [&](const char *key, int *target, int max) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined())
            return true;
        if (!value.isDouble() || value.toDouble() < 0 || value.toDouble() > max) {
            *why = QStringLiteral("%1 must be a number from 0 to %2")
                           .arg(QLatin1String(key))
                           .arg(max);
            return false;
        }
        *target = value.toInt();
        return true;
    };
    const auto share = [&](const char *key, double *target) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isUndefined())
            return true;
        if (!value.isDouble() || value.toDouble() < 0 || value.toDouble() > 1) {
            *why = QStringLiteral("%1 must be a number from 0 to 1").arg(QLatin1String(key));
            return false;
        }
        *target = value.toDouble();
        return true;
    };
    if (!integer("latency_ms", &next.latencyMs, 600000)
        || !integer("jitter_ms", &next.jitterMs, 600000)
        || !integer("transition_ms", &next.transitionMs, 600000)
        || !integer("drift_ms", &next.driftMs, 3600000) || !share("fault_429", &next.fault429)
        || !share("fault_503", &next.fault503) || !share("fault_hang", &next.faultHang))
        return false;
    const QJsonValue form = object.value(QStringLiteral("screenshot_form"));
    if (!form.isUndefined()) {
        if (!validForm(form.toString())) {
            *why = QStringLiteral("screenshot_form must be dataurl, base64 or url");
            return false;
        }
        next.screenshotForm = form.toString();
    }
    q->setConfig(next);
    return true;
}

void SandboxServer::Private::screenshot(const std::shared_ptr<SandboxPending> &pending)
{
    const Route &route = pending->route;
    const qint64 nowMs = now();
    const qint64 nowSecond = nowMs / 1000;
    const SandboxComputer *computer = fleet->find(route.id, nowMs);
    if (!computer) {
        write(*pending, orgoError(404, QStringLiteral("Computer not found")));
        return;
    }

    qint64 second = nowSecond;
    if (route.kind == Route::Kind::Storage) {
        // Storage keeps captures for an hour, like a signed URL that expires, and only those
        // that were taken: a made-up URL of a computer without a screen (still creating, say)
        // is refused as its screenshot would be, never drawn.
        const bool kept = route.second <= nowSecond && route.second >= nowSecond - 3600
                          && captures.value(computer->id).contains(route.second);
        if (!kept) {
            write(*pending,
                  computer->status != u"running"
                          ? noScreen(computer->status)
                          : orgoError(404, QStringLiteral("Screenshot not found")));
            return;
        }
        second = route.second;
    } else if (computer->status != u"running") {
        write(*pending, noScreen(computer->status));
        return;
    } else {
        QSet<qint64> &seconds = captures[computer->id];
        seconds.removeIf([nowSecond](qint64 s) { return s < nowSecond - 3600; });
        seconds.insert(nowSecond);
    }

    const DesktopScene scene{computer->name, computer->instanceId, computer->look};
    const QString id = computer->id;
    const QString form = q->config().screenshotForm;
    const bool storage = route.kind == Route::Kind::Storage;
    png(id, scene, second, [this, pending, id, second, form, storage](const QByteArray &bytes) {
        if (storage) {
            write(*pending, Answer{200, bytes, QByteArrayLiteral("image/png"), {}});
            return;
        }
        write(*pending, json(200, screenshotBody(id, second, bytes, form)));
    });
}

QJsonObject SandboxServer::Private::screenshotBody(const QString &id,
                                                   qint64 second,
                                                   const QByteArray &png,
                                                   const QString &form) const
{
    if (form == u"base64")
        return {{QStringLiteral("image"), QString::fromLatin1(png.toBase64())}};
    if (form == u"dataurl")
        return {{QStringLiteral("image"),
                 QString(QStringLiteral("data:image/png;base64,")
                         + QString::fromLatin1(png.toBase64()))}};
    const QString path = QStringLiteral("storage/screenshots/%1/%2.png").arg(id).arg(second);
    return {
            {QStringLiteral("success"), true},
            {QStringLiteral("image"), QString(origin() + u'/' + path)},
            {QStringLiteral("metadata"),
             QJsonObject{{QStringLiteral("id"), QStringLiteral("%1-%2").arg(id).arg(second)},
                         {QStringLiteral("timestamp"),
                          QDateTime::fromSecsSinceEpoch(second, Qt::UTC).toString(Qt::ISODate)},
                         {QStringLiteral("size"), qint64(png.size())},
                         {QStringLiteral("storage_path"), path}}},
    };
}

void SandboxServer::Private::png(const QString &id,
                                 const DesktopScene &scene,
                                 qint64 second,
                                 std::function<void(const QByteArray &)> done)
{
    const auto key = std::make_pair(second, id);
    const auto cached = pngs.find(key);
    if (cached != pngs.end()) {
        {
            QMutexLocker lock(&statsMutex);
            ++pngHits;
        }
        done(cached->second);
        return;
    }

    // One render per (computer, second), however many requests wait for it.
    const QString flight = QStringLiteral("%1@%2").arg(id).arg(second);
    auto &waiters = rendering[flight];
    waiters.append(std::move(done));
    if (waiters.size() > 1)
        return;

    QtConcurrent::run(&renderPool, [scene, second] {
        return DesktopRenderer::renderPng(scene, second);
    }).then(q, [this, key, flight](const QByteArray &bytes) {
        {
            QMutexLocker lock(&statsMutex);
            ++rendered;
        }
        storePng(key, bytes);
        const auto callbacks = rendering.take(flight);
        for (const auto &callback : callbacks)
            callback(bytes);
    });
}

void SandboxServer::Private::storePng(const std::pair<qint64, QString> &key,
                                      const QByteArray &bytes)
{
    pngs[key] = bytes;
    // Keep the last few seconds, and never more than a bounded number of pictures.
    const qint64 oldest = now() / 1000 - 5;
    while (!pngs.empty() && (pngs.begin()->first.first < oldest || pngs.size() > 256))
        pngs.erase(pngs.begin());
}

void SandboxServer::Private::write(SandboxPending &pending, const Answer &answer)
{
    if (pending.finished)
        return;
    finish(pending, answer.status);
    if (!pending.socket || pending.socket->state() != QAbstractSocket::ConnectedState)
        return;
    const auto status = QHttpServerResponder::StatusCode(answer.status);
    if (!answer.retryAfter.isEmpty()) {
        pending.responder->write(answer.body,
                                 {{QByteArrayLiteral("Content-Type"), answer.contentType},
                                  {QByteArrayLiteral("Retry-After"), answer.retryAfter}},
                                 status);
    } else {
        pending.responder->write(
                answer.body, {{QByteArrayLiteral("Content-Type"), answer.contentType}}, status);
    }
}

void SandboxServer::Private::finish(SandboxPending &pending, int status)
{
    if (pending.finished && status == 0)
        return;
    const bool wasFinished = pending.finished;
    pending.finished = true;
    QMutexLocker lock(&statsMutex);
    if (status)
        ++statuses[status];
    if (!wasFinished && pending.serial && inFlight > 0)
        --inFlight;
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/cache/vmstatuscache.h"
#include "core/fleet/directory.h"
#include "core/http/httpserver.h"
#include "core/http/openapi.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/metrics/metrics.h"
#include "core/screens/screenshotservice.h"
#include "core/storage/database.h"
#include "core/version.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThreadPool>
#include <QtConcurrent>

#include <limits>

namespace Mouse {

using namespace Qt::Literals::StringLiterals;
using Http::Access;
using Http::ApiError;
using Http::Reply;
using Http::Request;
using Http::Responder;
using Http::RouteOptions;

namespace {

RouteOptions describe(const QString &summary,
                      const QString &tag,
                      qint64 maxBody = -1,
                      Http::BodySchema body = {})
{
    RouteOptions options;
    options.summary = summary;
    options.tags = {tag};
    options.maxBodyBytes = maxBody;
    options.body = std::move(body);
    return options;
}

// An optional JSON object body with these members.
Http::BodySchema optionalBody(QList<Http::BodyField> fields)
{
    Http::BodySchema body{std::move(fields)};
    body.optional = true;
    return body;
}

QJsonObject eventJson(const EventLog::Event &event)
{
    return {{u"id"_s, double(event.id)},
            {u"time"_s, event.time.toString(Qt::ISODateWithMs)},
            {u"severity"_s, EventLog::severityName(event.severity)},
            {u"source"_s, event.source},
            {u"message"_s, event.message}};
}

// The caches an operator can clear by name; each entry clears one and says whether it exists.
QStringList clearCaches(Gateway *gateway, const QString &which, bool *known)
{
    QStringList cleared;
    *known = which == u"all";
    if (which == u"all" || which == u"vm_status") {
        *known = true;
        if (gateway->vmCache()) {
            gateway->vmCache()->clear();
            cleared.append(u"vm_status"_s);
        }
    }
    if (which == u"all" || which == u"screenshots") {
        *known = true;
        if (gateway->screens()) {
            gateway->screens()->clearCache();
            cleared.append(u"screenshots"_s);
        }
    }
    return cleared;
}

ApiError unavailable()
{
    return {Http::ErrorKind::Unavailable,
            u"unavailable"_s,
            u"The customer directory is not available."_s,
            {},
            -1};
}

// The label of a new key: optional, short, printable.
bool readLabel(const Request &request, QString *label, ApiError *error)
{
    if (request.body.trimmed().isEmpty())
        return true;
    QJsonParseError parseError;
    const QJsonDocument json = QJsonDocument::fromJson(request.body, &parseError);
    if (!json.isObject()) {
        *error = ApiError::badRequest(u"invalid_json"_s, u"The body must be a JSON object."_s);
        return false;
    }
    const QJsonValue value = json.object().value(u"label"_s);
    if (!value.isUndefined() && !value.isNull() && !value.isString()) {
        *error = {Http::ErrorKind::Unprocessable,
                  u"invalid_label"_s,
                  u"label must be a string."_s,
                  {},
                  -1};
        return false;
    }
    *label = value.toString().trimmed();
    if (label->size() > 100) {
        *error = {Http::ErrorKind::Unprocessable,
                  u"invalid_label"_s,
                  u"label must be at most 100 characters."_s,
                  {},
                  -1};
        return false;
    }
    return true;
}

// Customer API keys: issued (plaintext shown once) and revoked through the Directory, whose
// writes use the calling thread's database connection, so they run on the HTTP worker pool
// and answer back on the server thread.
void registerApiKeyRoutes(Gateway *gateway)
{
    gateway->router()->post(
            u"/admin/customers/{customer}/api-keys"_s,
            Access::Admin,
            [gateway](const Request &request, const Responder &responder) {
                Directory *directory = gateway->directory();
                if (!directory || !gateway->http()) {
                    responder.fail(unavailable());
                    return;
                }
                const QString customer = request.param(u"customer"_s);
                if (!directory->hasCustomer(customer)) {
                    responder.fail(
                            ApiError::notFound(u"customer_not_found"_s, u"No such customer."_s));
                    return;
                }
                QString label;
                ApiError error;
                if (!readLabel(request, &label, &error)) {
                    responder.fail(error);
                    return;
                }
                QtConcurrent::run(gateway->http()->workerPool(),
                                  [directory, customer, label] {
                                      StorageError why;
                                      auto key = directory->issueApiKey(customer, label, &why);
                                      if (!key)
                                          qCWarning(lcHttp)
                                                  << "issuing an API key failed:" << why.text;
                                      return std::make_pair(key, why.unavailable);
                                  })
                        .then(gateway->http(),
                              [gateway, responder, customer, label](
                                      const std::pair<std::optional<QByteArray>, bool> &issued) {
                                  const std::optional<QByteArray> &key = issued.first;
                                  if (!key) {
                                      responder.fail(ApiError::storageFailure(
                                              issued.second,
                                              u"The key could not be stored now; retry later."_s));
                                      return;
                                  }
                                  const QString prefix = QString::fromLatin1(key->left(10));
                                  gateway->eventLog()->info(
                                          u"http"_s,
                                          u"API key %1 issued for customer %2"_s.arg(prefix,
                                                                                     customer));
                                  responder.sendJson({{u"customer_id"_s, customer},
                                                      {u"api_key"_s, QString::fromLatin1(*key)},
                                                      {u"prefix"_s, prefix},
                                                      {u"label"_s, label}},
                                                     201);
                              });
            },
            describe(u"Issue an API key for a customer (the key is shown once)"_s,
                     u"admin"_s,
                     4096,
                     optionalBody({Http::BodyField::text(u"label"_s, 0, 100)})));

    gateway->router()->del(
            u"/admin/api-keys/{key}"_s,
            Access::Admin,
            [gateway](const Request &request, const Responder &responder) {
                Directory *directory = gateway->directory();
                if (!directory || !gateway->http()) {
                    responder.fail(unavailable());
                    return;
                }
                QString key = request.param(u"key"_s);
                // A whole key (not just its prefix) is revoked by its hash; it is never logged.
                // The event names its prefix, as the line that issued it did, so that operators
                // can match the two (it named the first characters of the hash).
                const bool wholeKey = key.startsWith(u"mk_") && key.size() > 10;
                const QString shown = key.left(10);
                if (wholeKey)
                    key = QString::fromLatin1(Directory::hashKey(key.toUtf8()));
                QtConcurrent::run(gateway->http()->workerPool(),
                                  [directory, key] {
                                      StorageError why;
                                      const bool revoked = directory->revokeApiKey(key, &why);
                                      if (!revoked && !why.isEmpty())
                                          qCWarning(lcHttp)
                                                  << "revoking an API key failed:" << why.text;
                                      return std::make_pair(revoked, why);
                                  })
                        .then(gateway->http(),
                              [gateway, responder, shown](
                                      const std::pair<bool, StorageError> &outcome) {
                                  const StorageError &why = outcome.second;
                                  if (outcome.first) {
                                      gateway->eventLog()->info(u"http"_s,
                                                                u"API key %1 revoked"_s.arg(shown));
                                      responder.sendJson({{u"revoked"_s, true}});
                                  } else if (why.isEmpty()) {
                                      responder.fail(ApiError::notFound(
                                              u"api_key_not_found"_s,
                                              u"No active API key with that prefix."_s));
                                  } else {
                                      responder.fail(ApiError::storageFailure(
                                              why.unavailable,
                                              u"The key could not be revoked now; retry "
                                              "later."_s));
                                  }
                              });
            },
            describe(u"Revoke a customer API key by its prefix (or the whole key)"_s, u"admin"_s));
}

} // namespace

bool Gateway::startHttp(QString *error)
{
    Http::Router &router = *m_router;

    // The health answer is rendered at most every HealthRenderMs: load balancers and
    // monitors poll it hard, and rendering every module's section costs ~100 us.
    struct HealthCache
    {
        QByteArray body;
        qint64 renderedAtMs = -1;
        QElapsedTimer clock;
    };
    auto healthCache = std::make_shared<HealthCache>();
    healthCache->clock.start();
    router.get(
            u"/health"_s,
            Access::Public,
            [this, healthCache](const Request &, const Responder &responder) {
                constexpr qint64 HealthRenderMs = 50;
                const qint64 now = healthCache->clock.elapsed();
                if (healthCache->renderedAtMs < 0
                    || now - healthCache->renderedAtMs >= HealthRenderMs) {
                    bool degraded = false;
                    QJsonObject body = m_health->snapshot(&degraded);
                    body.insert(u"status"_s, degraded ? u"degraded"_s : u"ok"_s);
                    body.insert(u"version"_s, QLatin1String(Version));
                    body.insert(u"uptime_s"_s,
                                double(m_startedAt.secsTo(QDateTime::currentDateTimeUtc())));
                    healthCache->body = QJsonDocument(body).toJson(QJsonDocument::Compact);
                    healthCache->renderedAtMs = now;
                }
                responder.send(
                        Reply::bytes(healthCache->body, QByteArrayLiteral("application/json")));
            },
            describe(u"Liveness, version, uptime and the modules' health sections"_s, u"system"_s));

    router.get(
            u"/metrics"_s,
            Access::Admin,
            [this](const Request &, const Responder &responder) {
                responder.send(Reply::bytes(m_metrics->prometheusText(),
                                            "text/plain; version=0.0.4; charset=utf-8"));
            },
            describe(u"Prometheus metrics (text format 0.0.4)"_s, u"system"_s));

    // The address the dashboard's status bar links to: what a browser opening it should find.
    router.get(
            u"/"_s,
            Access::Public,
            [](const Request &, const Responder &responder) {
                responder.sendJson(
                        QJsonObject{{u"name"_s, u"Mouse Gateway"_s},
                                    {u"version"_s, QLatin1String(Version)},
                                    {u"links"_s,
                                     QJsonObject{{u"health"_s, u"/health"_s},
                                                 {u"api"_s, u"/api/v1/openapi.json"_s}}}});
            },
            describe(u"Where to start: the version, and links to health and this API's "
                     u"description"_s,
                     u"system"_s));

    router.get(
            u"/api/v1/openapi.json"_s,
            Access::Public,
            [this](const Request &, const Responder &responder) {
                responder.sendJson(Http::openApiDocument(
                        m_router->routes(), QLatin1String(Version), m_router->webSocketRoutes()));
            },
            describe(u"This API, described from the route table"_s, u"system"_s));

    router.get(
            u"/admin/performance/metrics"_s,
            Access::Admin,
            [this](const Request &, const Responder &responder) {
                bool degraded = false;
                QJsonObject body = m_health->snapshot(&degraded);
                body.insert(u"degraded"_s, degraded);
                body.insert(u"timestamp"_s,
                            QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
                responder.sendJson(body);
            },
            describe(u"Cache, queue, upstream and HTTP statistics"_s, u"admin"_s));

    router.post(
            u"/admin/cache/clear"_s,
            Access::Admin,
            [this](const Request &request, const Responder &responder) {
                QString which = request.query.queryItemValue(u"cache"_s);
                if (which.isEmpty() && !request.body.trimmed().isEmpty()) {
                    const QJsonDocument json = QJsonDocument::fromJson(request.body);
                    if (!json.isObject()) {
                        responder.fail(ApiError::badRequest(u"invalid_json"_s,
                                                            u"The body must be a JSON object."_s));
                        return;
                    }
                    const QJsonValue cache = json.object().value(u"cache"_s);
                    if (!cache.isUndefined() && !cache.isString()) {
                        responder.fail(ApiError::badRequest(
                                u"invalid_cache"_s,
                                u"\"cache\" must be a string: vm_status, screenshots or all."_s));
                        return;
                    }
                    which = cache.toString();
                }
                if (which.isEmpty())
                    which = u"all"_s;
                bool known = false;
                const QStringList cleared = clearCaches(this, which, &known);
                if (!known) {
                    responder.fail(ApiError::badRequest(
                            u"unknown_cache"_s,
                            u"Unknown cache; use vm_status, screenshots or all."_s));
                    return;
                }
                m_eventLog->info(u"http"_s,
                                 u"Caches cleared by an administrator: %1"_s.arg(
                                         cleared.isEmpty() ? u"none"_s : cleared.join(u", ")));
                responder.sendJson({{u"cleared"_s, QJsonArray::fromStringList(cleared)}});
            },
            describe(u"Clear one cache (?cache=vm_status|screenshots) or all"_s,
                     u"admin"_s,
                     4096,
                     optionalBody({Http::BodyField::text(u"cache"_s, 1, 32)
                                           .oneOf({u"vm_status"_s, u"screenshots"_s, u"all"_s})})));

    router.get(
            u"/admin/events"_s,
            Access::Admin,
            [this](const Request &request, const Responder &responder) {
                QString bad;
                const qint64 after = request.integerQuery(
                        u"after_id"_s, 0, 0, std::numeric_limits<qint64>::max(), &bad);
                const int limit = int(request.integerQuery(u"limit"_s, 200, 1, 1000, &bad));
                if (!bad.isEmpty())
                    return responder.fail(ApiError::badRequest(u"invalid_query"_s, bad));
                QJsonArray events;
                for (const EventLog::Event &event : m_eventLog->events(after, limit))
                    events.append(eventJson(event));
                responder.sendJson({{u"events"_s, events}});
            },
            describe(u"The operators' event log (?after_id=&limit=)"_s, u"admin"_s));

    registerApiKeyRoutes(this);

    Http::Credentials credentials;
    credentials.adminToken = m_adminToken;
    if (Directory *directory = m_directory.get()) {
        credentials.customerForKey = [directory](const QByteArray &key) {
            return directory->customerForApiKey(key);
        };
        credentials.customerExists = [directory](const QString &id) {
            return directory->hasCustomer(id);
        };
    }

    m_http = std::make_unique<Http::HttpServer>(
            *m_router, m_settings, *m_eventLog, *m_metrics, std::move(credentials));
    if (!m_http->listen(error))
        return false;

    Http::HttpServer *http = m_http.get();
    m_health->add(u"http"_s, u"server"_s, [http] {
        return QJsonObject{{u"open_connections"_s, http->openConnections()},
                           {u"tls"_s, http->isTls()}};
    });
    return true;
}

void Gateway::stopHttp()
{
    if (!m_http)
        return;
    m_health->remove(u"http"_s, u"server"_s);
    m_http->close();
    m_http.reset();
}

QUrl Gateway::serverUrl() const
{
    if (m_http && m_http->isListening())
        return m_http->url();
    return QUrl(u"http://"_s + m_settings.string(u"server/listen"_s));
}

} // namespace Mouse

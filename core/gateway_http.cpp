// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/cache/vmstatuscache.h"
#include "core/http/httpserver.h"
#include "core/http/openapi.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/metrics/metrics.h"
#include "core/version.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Mouse {

using namespace Qt::Literals::StringLiterals;
using Http::Access;
using Http::ApiError;
using Http::Reply;
using Http::Request;
using Http::Responder;
using Http::RouteOptions;

namespace {

RouteOptions describe(const QString &summary, const QString &tag, qint64 maxBody = -1)
{
    RouteOptions options;
    options.summary = summary;
    options.tags = {tag};
    options.maxBodyBytes = maxBody;
    return options;
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
    // TODO(#5): add "screenshots" once ScreenshotService::clearCache() is in main.
    return cleared;
}

} // namespace

bool Gateway::startHttp(QString *error)
{
    Http::Router &router = *m_router;

    router.get(
            u"/health"_s,
            Access::Public,
            [this](const Request &, const Responder &responder) {
                bool degraded = false;
                QJsonObject body = m_health->snapshot(&degraded);
                body.insert(u"status"_s, degraded ? u"degraded"_s : u"ok"_s);
                body.insert(u"version"_s, QLatin1String(Version));
                body.insert(u"uptime_s"_s,
                            double(m_startedAt.secsTo(QDateTime::currentDateTimeUtc())));
                responder.sendJson(body);
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

    router.get(
            u"/api/v1/openapi.json"_s,
            Access::Public,
            [this](const Request &, const Responder &responder) {
                responder.sendJson(
                        Http::openApiDocument(m_router->routes(), QLatin1String(Version)));
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
                    which = json.object().value(u"cache"_s).toString();
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
            describe(u"Clear one cache (?cache=vm_status|screenshots) or all"_s, u"admin"_s, 4096));

    router.get(
            u"/admin/events"_s,
            Access::Admin,
            [this](const Request &request, const Responder &responder) {
                const qint64 after = request.query.queryItemValue(u"after_id"_s).toLongLong();
                bool limitOk = false;
                int limit = request.query.queryItemValue(u"limit"_s).toInt(&limitOk);
                if (!limitOk || limit <= 0 || limit > 1000)
                    limit = 200;
                QJsonArray events;
                for (const EventLog::Event &event : m_eventLog->events(after, limit))
                    events.append(eventJson(event));
                responder.sendJson({{u"events"_s, events}});
            },
            describe(u"The operators' event log (?after_id=&limit=)"_s, u"admin"_s));

    // TODO(#5): customer API key issue/revoke routes once Directory is in main.
    Http::Credentials credentials;
    credentials.adminToken = m_adminToken;

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

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/screenshotroutes.h"

#include "core/http/apierror.h"
#include "core/http/router.h"
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"

#include <QJsonArray>
#include <QWebSocket>

#include <algorithm>

namespace Mouse {

using namespace Http;

namespace {

ApiError badRequest(const QString &code, const QString &message)
{
    return ApiError::badRequest(code, message);
}

ApiError vmNotFound()
{
    return ApiError::notFound(QStringLiteral("vm_not_found"),
                              QStringLiteral("No such VM, or not one the caller may see."));
}

struct Variant
{
    ScreenQuality quality = ScreenQuality::Medium;
    ImageFormat format = ImageFormat::Jpeg;
};

// quality and format from the query; format also from Accept (image/webp) when not given.
std::optional<Variant>
parseVariant(const QUrlQuery &query, const QByteArray &accept, ApiError *error)
{
    // A parameter given twice is refused: which of its values was meant is unknown.
    const auto givenTwice = [&query](const QString &key) {
        return query.allQueryItemValues(key).size() > 1;
    };
    Variant v;
    if (query.hasQueryItem(QStringLiteral("quality"))) {
        const auto quality = parseQuality(query.queryItemValue(QStringLiteral("quality")));
        if (!quality || givenTwice(QStringLiteral("quality"))) {
            *error = badRequest(QStringLiteral("invalid_quality"),
                                QStringLiteral("quality must be given once: low, medium or "
                                               "high."));
            return std::nullopt;
        }
        v.quality = *quality;
    }
    if (query.hasQueryItem(QStringLiteral("format"))) {
        const auto format = parseFormat(query.queryItemValue(QStringLiteral("format")));
        if (!format || givenTwice(QStringLiteral("format"))) {
            *error = badRequest(QStringLiteral("invalid_format"),
                                QStringLiteral("format must be given once: jpeg (or jpg), "
                                               "webp, png or auto."));
            return std::nullopt;
        }
        v.format = *format;
    } else if (accept.contains("image/webp")) {
        v.format = ImageFormat::Webp;
    }
    return v;
}

Reply imageReply(const Screenshot &shot)
{
    Reply reply = Reply::bytes(shot.bytes, shot.mime);
    auto add = [&reply](const char *name, const QByteArray &value) {
        reply.headers.append(qMakePair(QByteArray(name), value));
    };
    add("X-Image-Width", QByteArray::number(shot.width));
    add("X-Image-Height", QByteArray::number(shot.height));
    add("X-Image-Quality", qualityName(shot.quality).toLatin1());
    add("X-Cache", shot.cached ? "HIT" : "MISS");
    add("Cache-Control", "no-store");
    add("Vary", "Accept");
    return reply;
}

void handleScreenshot(ScreenshotService &service,
                      const VmOwnership &ownsVm,
                      const Request &request,
                      const Responder &responder)
{
    const QString customer = request.param(QStringLiteral("customer"));
    const QString vm = request.param(QStringLiteral("vm"));
    ApiError error;
    const std::optional<Variant> variant
            = parseVariant(request.query, request.header("Accept"), &error);
    if (!variant) {
        responder.fail(error);
        return;
    }
    if (!ownsVm || !ownsVm(customer, vm)) {
        responder.fail(vmNotFound());
        return;
    }
    const bool json = request.header("Accept").contains("application/json");
    service.screenshot(vm, variant->quality, variant->format)
            .then(&service, [responder, json](const ScreenshotResult &result) {
                if (!responder.isConnected())
                    return;
                if (!result.ok())
                    responder.fail(screenshotApiError(result.error));
                else if (json)
                    responder.sendJson(result.screenshot->toJson(true));
                else
                    responder.send(imageReply(*result.screenshot));
            });
}

void handleBatch(ScreenshotService &service, const Request &request, const Responder &responder)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
    const QJsonObject body = doc.object();
    const QJsonArray vms = body.value(QStringLiteral("vms")).toArray();
    if (parseError.error != QJsonParseError::NoError || !doc.isObject() || vms.isEmpty()) {
        responder.fail(badRequest(QStringLiteral("invalid_body"),
                                  QStringLiteral("Expected {\"vms\":[...], \"quality\":...}.")));
        return;
    }
    QStringList ids;
    for (const QJsonValue &value : vms) {
        if (!value.isString() || value.toString().isEmpty() || ids.size() >= 1000) {
            responder.fail(badRequest(QStringLiteral("invalid_body"),
                                      QStringLiteral("vms must hold 1 to 1000 VM ids.")));
            return;
        }
        ids.append(value.toString());
    }
    QUrlQuery query;
    for (const char *key : {"quality", "format"}) {
        const QJsonValue value = body.value(QLatin1String(key));
        if (!value.isUndefined())
            query.addQueryItem(QLatin1String(key), value.toString(QStringLiteral("?")));
    }
    ApiError error;
    const std::optional<Variant> variant = parseVariant(query, {}, &error);
    if (!variant) {
        responder.fail(error);
        return;
    }
    const bool withImages = body.value(QStringLiteral("include_images")).toBool(true);
    service.batch(ids, variant->quality, variant->format)
            .then(&service, [responder, ids, withImages](const QList<ScreenshotResult> &results) {
                // A batch cut short by shutdown is one answer the client can retry whole, not
                // a 200 whose items say shutting_down.
                const bool stopped = std::any_of(
                        results.cbegin(), results.cend(), [](const ScreenshotResult &r) {
                            return !r.ok() && r.error.kind == ScreenError::Kind::Stopping;
                        });
                if (stopped) {
                    responder.fail(screenshotApiError(ScreenError::stopping()));
                    return;
                }
                QJsonArray items;
                int ok = 0;
                for (qsizetype i = 0; i < results.size(); ++i) {
                    const ScreenshotResult &r = results.at(i);
                    if (r.ok()) {
                        ++ok;
                        items.append(r.screenshot->toJson(withImages));
                        continue;
                    }
                    const ApiError e = screenshotApiError(r.error);
                    items.append(
                            QJsonObject{{QStringLiteral("vm"), ids.at(i)},
                                        {QStringLiteral("error"),
                                         QJsonObject{{QStringLiteral("code"), e.code},
                                                     {QStringLiteral("message"), e.message}}}});
                }
                responder.sendJson({{QStringLiteral("results"), items},
                                    {QStringLiteral("count"), int(results.size())},
                                    {QStringLiteral("succeeded"), ok}});
            });
}

} // namespace

ApiError screenshotApiError(const ScreenError &error)
{
    switch (error.kind) {
    case ScreenError::Kind::NotFound:
        return vmNotFound();
    case ScreenError::Kind::NotRunning:
        return {ErrorKind::Conflict,
                QStringLiteral("vm_not_running"),
                QStringLiteral(
                        "The VM is not running (its state is %1); screenshots need a running VM.")
                        .arg(error.vmStatus),
                {{QStringLiteral("vm_status"), error.vmStatus}},
                -1};
    case ScreenError::Kind::BadInput:
    case ScreenError::Kind::TooLarge:
        return {ErrorKind::BadGateway, error.code, error.message, {}, -1};
    case ScreenError::Kind::Upstream:
        if (error.upstreamStatus == 404)
            return vmNotFound();
        if (error.code == QLatin1String("upstream_unavailable"))
            return {ErrorKind::Unavailable,
                    error.code,
                    QStringLiteral("Orgo is unavailable; try again shortly."),
                    {},
                    5};
        if (error.upstreamStatus == 504 || error.code == QLatin1String("upstream_timeout"))
            return {ErrorKind::GatewayTimeout,
                    QStringLiteral("upstream_timeout"),
                    QStringLiteral("Orgo did not answer in time."),
                    {},
                    -1};
        return {ErrorKind::BadGateway,
                QStringLiteral("upstream_error"),
                QStringLiteral("Orgo could not provide the screenshot."),
                {},
                -1};
    case ScreenError::Kind::Stopping:
        return {ErrorKind::Unavailable, error.code, error.message, {}, 5};
    case ScreenError::Kind::Internal:
        break;
    }
    return ApiError::internal();
}

void registerScreenshotRoutes(Router &router,
                              ScreenshotService &service,
                              StreamHub &hub,
                              VmOwnership ownsVm)
{
    router.get(QStringLiteral("/api/v1/customers/{customer}/vms/{vm}/screenshot"),
               Access::Customer,
               [&service, ownsVm](const Request &request, const Responder &responder) {
                   handleScreenshot(service, ownsVm, request, responder);
               },
               {-1,
                QStringLiteral("A screenshot of the VM (image, or JSON with base64)"),
                {QStringLiteral("vms")}});
    router.post(QStringLiteral("/admin/screenshots/batch"),
                Access::Admin,
                [&service](const Request &request, const Responder &responder) {
                    handleBatch(service, request, responder);
                },
                {64 * 1024,
                 QStringLiteral("Screenshots of many VMs at once"),
                 {QStringLiteral("admin")},
                 {{Http::BodyField::array(QStringLiteral("vms"), 1, 1000).isRequired(),
                   Http::BodyField::text(QStringLiteral("quality"), 1, 16)
                           .oneOf({QStringLiteral("low"),
                                   QStringLiteral("medium"),
                                   QStringLiteral("high")}),
                   Http::BodyField::text(QStringLiteral("format"), 1, 16)
                           .oneOf({QStringLiteral("jpeg"),
                                   QStringLiteral("webp"),
                                   QStringLiteral("png"),
                                   QStringLiteral("auto")})}}});
    router.websocket(QStringLiteral("/ws/vms/{customer}/{vm}"),
                     Access::Customer,
                     [&hub, ownsVm](QWebSocket *socket, const Request &request) {
                         const QString customer = request.param(QStringLiteral("customer"));
                         const QString vm = request.param(QStringLiteral("vm"));
                         ApiError error;
                         const auto variant = parseVariant(request.query, {}, &error);
                         if (!variant || !ownsVm || !ownsVm(customer, vm)) {
                             socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                                           variant ? QStringLiteral("No such VM") : error.message);
                             socket->deleteLater();
                             return;
                         }
                         const bool binary = request.query.queryItemValue(QStringLiteral("binary"))
                                             == QLatin1String("1");
                         hub.addViewer(socket, vm, variant->quality, variant->format, binary);
                     });
}

} // namespace Mouse

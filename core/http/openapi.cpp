// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/openapi.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace Mouse::Http {

using namespace Qt::Literals::StringLiterals;

QString accessName(Access access)
{
    switch (access) {
    case Access::Public:
        return u"public"_s;
    case Access::Admin:
        return u"admin"_s;
    case Access::Customer:
        return u"customer"_s;
    }
    return u"admin"_s;
}

namespace {

QJsonObject errorResponse(const QString &description)
{
    return {{u"description"_s, description},
            {u"content"_s,
             QJsonObject{
                     {u"application/json"_s,
                      QJsonObject{{u"schema"_s,
                                   QJsonObject{{u"$ref"_s, u"#/components/schemas/Error"_s}}}}}}}};
}

QJsonObject operationFor(const RouteInfo &route)
{
    QJsonObject operation;
    operation.insert(u"summary"_s,
                     route.options.summary.isEmpty()
                             ? QString(QString::fromLatin1(route.method) + u' ' + route.pattern)
                             : route.options.summary);
    static const QRegularExpression nonWord(u"[^A-Za-z0-9]+"_s);
    const QString operationId = QString::fromLatin1(route.method).toLower()
                                + QString(route.pattern).replace(nonWord, u"_"_s);
    operation.insert(u"operationId"_s, operationId);
    if (!route.options.tags.isEmpty())
        operation.insert(u"tags"_s, QJsonArray::fromStringList(route.options.tags));
    operation.insert(u"x-access"_s, accessName(route.access));
    if (route.options.maxBodyBytes >= 0)
        operation.insert(u"x-max-body-bytes"_s, double(route.options.maxBodyBytes));
    if (route.options.body.isDeclared())
        operation.insert(u"requestBody"_s, route.options.body.toJson());

    QJsonArray parameters;
    static const QRegularExpression placeholder(u"\\{([^}/]+)\\}"_s);
    auto it = placeholder.globalMatch(route.pattern);
    while (it.hasNext()) {
        parameters.append(QJsonObject{{u"name"_s, it.next().captured(1)},
                                      {u"in"_s, u"path"_s},
                                      {u"required"_s, true},
                                      {u"schema"_s, QJsonObject{{u"type"_s, u"string"_s}}}});
    }
    if (!parameters.isEmpty())
        operation.insert(u"parameters"_s, parameters);

    if (route.access == Access::Public)
        operation.insert(u"security"_s, QJsonArray());
    else
        operation.insert(u"security"_s,
                         QJsonArray{QJsonObject{{route.access == Access::Admin ? u"adminToken"_s
                                                                               : u"customerKey"_s,
                                                 QJsonArray()}}});

    QJsonObject responses{{u"200"_s, QJsonObject{{u"description"_s, u"Success"_s}}},
                          {u"default"_s, errorResponse(u"Error"_s)}};
    if (route.access != Access::Public) {
        responses.insert(u"401"_s, errorResponse(u"Missing or invalid credentials"_s));
        responses.insert(u"403"_s, errorResponse(u"Credentials for another resource"_s));
        responses.insert(u"429"_s, errorResponse(u"Too many failed authentications"_s));
    }
    operation.insert(u"responses"_s, responses);
    return operation;
}

} // namespace

QJsonObject openApiDocument(const QList<RouteInfo> &routes,
                            const QString &version,
                            const QList<RouteInfo> &webSockets)
{
    QJsonObject paths;
    for (const RouteInfo &route : routes) {
        QJsonObject item = paths.value(route.pattern).toObject();
        item.insert(QString::fromLatin1(route.method).toLower(), operationFor(route));
        paths.insert(route.pattern, item);
    }
    for (const RouteInfo &route : webSockets) {
        QJsonObject item = paths.value(route.pattern).toObject();
        if (item.contains(u"get"_s))
            continue;
        QJsonObject operation = operationFor(route);
        operation.insert(u"x-websocket"_s, true);
        operation.insert(u"description"_s,
                         u"WebSocket. Credentials in the Authorization header or ?token=; "
                         u"refusals close with 4401 (credentials), 4403 (another customer), "
                         u"4404 (unknown customer) or 4429 (too many failures)."_s);
        operation.insert(
                u"responses"_s,
                QJsonObject{{u"101"_s, QJsonObject{{u"description"_s, u"Switching Protocols"_s}}}});
        item.insert(u"get"_s, operation);
        paths.insert(route.pattern, item);
    }

    const QJsonObject errorSchema{
            {u"type"_s, u"object"_s},
            {u"required"_s, QJsonArray{u"error"_s}},
            {u"properties"_s,
             QJsonObject{
                     {u"error"_s,
                      QJsonObject{
                              {u"type"_s, u"object"_s},
                              {u"required"_s, QJsonArray{u"code"_s, u"message"_s, u"request_id"_s}},
                              {u"properties"_s,
                               QJsonObject{
                                       {u"code"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                       {u"message"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                       {u"request_id"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                       {u"details"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}}}}}};
    const QJsonObject bearer{{u"type"_s, u"http"_s}, {u"scheme"_s, u"bearer"_s}};

    return {{u"openapi"_s, u"3.0.3"_s},
            {u"info"_s,
             QJsonObject{{u"title"_s, u"Mouse Gateway API"_s},
                         {u"version"_s, version},
                         {u"description"_s,
                          u"Generated from the gateway's route table. Admin routes need the "
                          u"admin bearer token; customer routes the admin token or that "
                          u"customer's API key."_s}}},
            {u"paths"_s, paths},
            {u"components"_s,
             QJsonObject{{u"schemas"_s, QJsonObject{{u"Error"_s, errorSchema}}},
                         {u"securitySchemes"_s,
                          QJsonObject{{u"adminToken"_s, bearer}, {u"customerKey"_s, bearer}}}}}};
}

} // namespace Mouse::Http

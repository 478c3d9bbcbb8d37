// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/router.h"

#include <QJsonObject>

namespace Mouse::Http {

// An OpenAPI 3.0 document generated from the route table: every route with its method,
// summary, tags, path parameters, access (as a security requirement) and body limit.
// WebSocket routes appear as GET operations marked "x-websocket": true.
QJsonObject openApiDocument(const QList<RouteInfo> &routes,
                            const QString &version,
                            const QList<RouteInfo> &webSockets = {});

QString accessName(Access access); // "public", "admin", "customer"

} // namespace Mouse::Http

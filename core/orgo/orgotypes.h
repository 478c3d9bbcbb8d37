// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Mouse::Orgo {

// Why an Orgo call failed. kind None means success.
enum class ErrorKind {
    None,
    Network,         // connection refused, reset, DNS, TLS
    Timeout,         // no answer within the call's timeout
    RateLimited,     // 429
    Unavailable,     // 502, 503, 504
    Http,            // any other non-2xx answer (400, 401, 403, 404, 409, 500, ...)
    CircuitOpen,     // failed fast: the breaker is open
    InvalidResponse, // 2xx but the body is not what the API documents
    NotConfigured,   // no base URL
};

struct Error
{
    ErrorKind kind = ErrorKind::None;
    int httpStatus = 0; // 0 when no HTTP answer came
    QString message;    // Orgo's "error" text, or ours; never shown verbatim to API clients
    QString requestId;  // Orgo's request_id (body or X-Request-Id), for support tickets
    bool retryable = false;
    int retryAfterMs = -1;  // from Retry-After, when given
    int upstreamStatus = 0; // Orgo's upstream_status (the desktop side), when given

    bool ok() const { return kind == ErrorKind::None; }
    QString kindName() const;
};

// One Orgo computer, reduced to what the gateway uses.
struct Computer
{
    QString id;
    QString name;
    QString status; // normalized: see normalizeStatus()
    QString workspaceId;
    QString url;
    QString os;
    int ram = 0;
    int cpu = 0;
    QString createdAt;
};

struct CreateSpec
{
    QString workspaceId;
    QString name;
    QString os = QStringLiteral("linux");
    int ram = 4;
    int cpu = 1;
};

struct ComputerResult
{
    Computer computer;
    Error error;
    int attempts = 0;
    bool ok() const { return error.ok(); }
};

struct ComputerListResult
{
    QString workspaceId;
    QList<Computer> computers;
    Error error;
    int attempts = 0;
    bool ok() const { return error.ok(); }
};

struct ActionResult
{
    QString status; // e.g. "starting", when Orgo said so
    Error error;
    int attempts = 0;
    bool ok() const { return error.ok(); }
};

struct BytesResult
{
    QByteArray body;
    QByteArray contentType;
    Error error;
    int attempts = 0;
    bool ok() const { return error.ok(); }
};

} // namespace Mouse::Orgo

Q_DECLARE_METATYPE(Mouse::Orgo::ComputerResult)

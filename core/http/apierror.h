// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace Mouse::Http {

// What went wrong, independent of HTTP; statusFor() maps each kind to one status code.
enum class ErrorKind {
    BadRequest,           // 400 malformed input
    Unauthorized,         // 401 missing or invalid credentials
    PaymentRequired,      // 402 not enough tokens
    Forbidden,            // 403 valid credentials, not this resource
    NotFound,             // 404
    MethodNotAllowed,     // 405 (the router adds Allow)
    Conflict,             // 409 state forbids the action
    PayloadTooLarge,      // 413
    UnsupportedMediaType, // 415
    Unprocessable,        // 422 well-formed but invalid values
    TooManyRequests,      // 429 (retryAfterSeconds)
    Internal,             // 500 never with internal text
    BadGateway,           // 502 upstream answered wrongly
    Unavailable,          // 503 (retryAfterSeconds when known)
    GatewayTimeout,       // 504 upstream did not answer
};

// The one error shape: {"error":{"code","message","request_id"[,"details"]}}.
// code is stable and machine-readable (snake_case); message is for humans and never contains
// internal text (SQL, exception strings, upstream bodies).
struct ApiError
{
    ErrorKind kind = ErrorKind::Internal;
    QString code;
    QString message;
    QJsonObject details;
    int retryAfterSeconds = -1;

    // How long a client waits before it retries a request the store could not take.
    static constexpr int StorageRetryAfterSeconds = 5;

    static ApiError badRequest(const QString &code, const QString &message)
    {
        return {ErrorKind::BadRequest, code, message, {}, -1};
    }
    static ApiError notFound(const QString &code, const QString &message)
    {
        return {ErrorKind::NotFound, code, message, {}, -1};
    }
    // The store could not take the work now (locked by another process, full, read-only,
    // connection lost: Database::isUnavailable): 503 with Retry-After, so that clients retry
    // instead of giving up on a 500. message says what could not be done, never why in the
    // driver's words.
    static ApiError storageUnavailable(const QString &message)
    {
        return {ErrorKind::Unavailable,
                QStringLiteral("storage_unavailable"),
                message,
                {},
                StorageRetryAfterSeconds};
    }
    // 503 storage_unavailable when unavailable, else 500 internal_error.
    static ApiError storageFailure(bool unavailable, const QString &message)
    {
        return unavailable ? storageUnavailable(message) : internal();
    }
    static ApiError internal()
    {
        return {ErrorKind::Internal,
                QStringLiteral("internal_error"),
                QStringLiteral("The gateway could not complete the request."),
                {},
                -1};
    }
};

int statusFor(ErrorKind kind);

} // namespace Mouse::Http

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/httptypes.h"

#include "core/http/responderstate.h"

namespace Mouse::Http {

int statusFor(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadRequest:
        return 400;
    case ErrorKind::Unauthorized:
        return 401;
    case ErrorKind::PaymentRequired:
        return 402;
    case ErrorKind::Forbidden:
        return 403;
    case ErrorKind::NotFound:
        return 404;
    case ErrorKind::MethodNotAllowed:
        return 405;
    case ErrorKind::Conflict:
        return 409;
    case ErrorKind::PayloadTooLarge:
        return 413;
    case ErrorKind::UnsupportedMediaType:
        return 415;
    case ErrorKind::Unprocessable:
        return 422;
    case ErrorKind::TooManyRequests:
        return 429;
    case ErrorKind::Internal:
        return 500;
    case ErrorKind::BadGateway:
        return 502;
    case ErrorKind::Unavailable:
        return 503;
    case ErrorKind::GatewayTimeout:
        return 504;
    }
    return 500;
}

QByteArray Request::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

qint64 Request::integerQuery(
        const QString &name, qint64 fallback, qint64 min, qint64 max, QString *bad) const
{
    if (!query.hasQueryItem(name))
        return fallback;
    // Given twice, which one the client meant is anyone's guess (as for a screenshot's quality).
    if (query.allQueryItemValues(name).size() > 1) {
        *bad = QStringLiteral("%1 must be given once").arg(name);
        return fallback;
    }
    bool ok = false;
    const qint64 value = query.queryItemValue(name).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        *bad = QStringLiteral("%1 must be an integer from %2 to %3").arg(name).arg(min).arg(max);
        return fallback;
    }
    return value;
}

Reply Reply::json(const QJsonObject &object, int status)
{
    return bytes(QJsonDocument(object).toJson(QJsonDocument::Compact),
                 QByteArrayLiteral("application/json"),
                 status);
}

Reply Reply::json(const QJsonArray &array, int status)
{
    return bytes(QJsonDocument(array).toJson(QJsonDocument::Compact),
                 QByteArrayLiteral("application/json"),
                 status);
}

Reply Reply::bytes(QByteArray body, QByteArray contentType, int status)
{
    Reply reply;
    reply.status = status;
    reply.body = std::move(body);
    reply.contentType = std::move(contentType);
    return reply;
}

Reply Reply::error(const ApiError &error, const QString &requestId)
{
    QJsonObject inner{{QStringLiteral("code"), error.code},
                      {QStringLiteral("message"), error.message},
                      {QStringLiteral("request_id"), requestId}};
    if (!error.details.isEmpty())
        inner.insert(QStringLiteral("details"), error.details);
    Reply reply = json(QJsonObject{{QStringLiteral("error"), inner}}, statusFor(error.kind));
    if (error.retryAfterSeconds >= 0)
        reply.headers.append({"Retry-After", QByteArray::number(error.retryAfterSeconds)});
    return reply;
}

Responder::Responder(std::shared_ptr<State> state)
    : d(std::move(state))
{}

void Responder::send(Reply reply) const
{
    Q_ASSERT_X(QThread::currentThread() == d->owner, "Responder::send", "wrong thread");
    if (d->answered)
        return;
    d->answered = true;
    if (d->isConnected && !d->isConnected())
        return;
    if (d->write)
        d->write(std::move(reply));
}

void Responder::sendJson(const QJsonObject &object, int status) const
{
    send(Reply::json(object, status));
}

void Responder::fail(const ApiError &error) const
{
    send(Reply::error(error, d->requestId));
}

bool Responder::isConnected() const
{
    return !d->isConnected || d->isConnected();
}

bool Responder::hasAnswered() const
{
    return d->answered;
}

QString Responder::requestId() const
{
    return d->requestId;
}

} // namespace Mouse::Http

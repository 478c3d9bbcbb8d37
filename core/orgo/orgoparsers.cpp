// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/orgoparsers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <cmath>

namespace Mouse::Orgo {

namespace {

QJsonDocument parseJson(QByteArrayView body)
{
    QJsonParseError error;
    return QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), body.size()), &error);
}

QString stringField(const QJsonObject &object, QLatin1String key)
{
    const QJsonValue value = object.value(key);
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(qint64(value.toDouble()));
    return {};
}

int intField(const QJsonObject &object, QLatin1String key)
{
    const double value = object.value(key).toDouble(0);
    return std::isfinite(value) && std::abs(value) < 1e9 ? int(value) : 0;
}

// "Wed, 21 Oct 2015 07:28:00 GMT" (IMF-fixdate, the form RFC 9110 requires senders to use).
QDateTime parseHttpDate(QByteArrayView text)
{
    static const char Months[12][4]
            = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    QList<QByteArrayView> parts;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ' ') {
            if (i > start)
                parts.append(text.sliced(start, i - start));
            start = i + 1;
        }
    }
    if (parts.size() != 6 || !parts[0].endsWith(',') || parts[5] != "GMT")
        return {};
    bool ok = false;
    const int day = parts[1].toInt(&ok);
    if (!ok)
        return {};
    int month = 0;
    while (month < 12 && parts[2] != QByteArrayView(Months[month]))
        ++month;
    const int year = parts[3].toInt(&ok);
    if (month == 12 || !ok || parts[4].size() != 8 || parts[4][2] != ':' || parts[4][5] != ':')
        return {};
    bool h = false, m = false, s = false;
    const QTime time(parts[4].sliced(0, 2).toInt(&h),
                     parts[4].sliced(3, 2).toInt(&m),
                     parts[4].sliced(6, 2).toInt(&s));
    const QDate date(year, month + 1, day);
    if (!h || !m || !s || !time.isValid() || !date.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC);
}

} // namespace

QString Error::kindName() const
{
    switch (kind) {
    case ErrorKind::None:
        return QStringLiteral("none");
    case ErrorKind::Network:
        return QStringLiteral("network");
    case ErrorKind::Timeout:
        return QStringLiteral("timeout");
    case ErrorKind::RateLimited:
        return QStringLiteral("rate_limited");
    case ErrorKind::Unavailable:
        return QStringLiteral("unavailable");
    case ErrorKind::Http:
        return QStringLiteral("http");
    case ErrorKind::CircuitOpen:
        return QStringLiteral("circuit_open");
    case ErrorKind::InvalidResponse:
        return QStringLiteral("invalid_response");
    case ErrorKind::NotConfigured:
        return QStringLiteral("not_configured");
    }
    return QStringLiteral("unknown");
}

QString normalizeStatus(QStringView status)
{
    static const QLatin1String Known[] = {QLatin1String("creating"),
                                          QLatin1String("starting"),
                                          QLatin1String("running"),
                                          QLatin1String("stopping"),
                                          QLatin1String("stopped"),
                                          QLatin1String("restarting"),
                                          QLatin1String("suspended"),
                                          QLatin1String("deleting"),
                                          QLatin1String("error")};
    const QStringView trimmed = status.trimmed();
    for (const QLatin1String &known : Known) {
        if (trimmed.compare(known, Qt::CaseInsensitive) == 0)
            return known;
    }
    if (trimmed.compare(QLatin1String("initializing"), Qt::CaseInsensitive) == 0)
        return QStringLiteral("creating");
    return QStringLiteral("unknown");
}

namespace {

// A field the gateway reads as text: absent or null is empty, a string is itself, a number
// (when allowed) its integer, anything else (an array, an object, a boolean) a wrong answer,
// not an empty one.
bool textField(const QJsonObject &object, QLatin1String key, QString *out, bool numberToo = true)
{
    const QJsonValue value = object.value(key);
    if (value.isString()) {
        *out = value.toString();
        return true;
    }
    if (value.isDouble() && numberToo) {
        *out = QString::number(qint64(value.toDouble()));
        return true;
    }
    out->clear();
    return value.isUndefined() || value.isNull();
}

bool numberField(const QJsonObject &object, QLatin1String key, int *out)
{
    const QJsonValue value = object.value(key);
    *out = intField(object, key);
    return value.isDouble() || value.isUndefined() || value.isNull();
}

} // namespace

ComputerCheck checkComputerJson(const QJsonObject &object, Computer *out)
{
    const QJsonValue id = object.value(QLatin1String("id"));
    if (id.isUndefined() || id.isNull())
        return ComputerCheck::NoId;
    // Orgo's ids are strings; a number is no id of ours and would only match by accident.
    if (!id.isString() || id.toString().isEmpty())
        return ComputerCheck::WrongType;
    Computer c; // *out is left alone unless the whole object is right
    c.id = id.toString();
    QString status, projectId;
    const bool typesOk = textField(object, QLatin1String("name"), &c.name)
                         && textField(object, QLatin1String("status"), &status, false)
                         && textField(object, QLatin1String("workspace_id"), &c.workspaceId)
                         && textField(object, QLatin1String("project_id"), &projectId)
                         && textField(object, QLatin1String("url"), &c.url)
                         && textField(object, QLatin1String("os"), &c.os)
                         && numberField(object, QLatin1String("ram"), &c.ram)
                         && numberField(object, QLatin1String("cpu"), &c.cpu)
                         && textField(object, QLatin1String("created_at"), &c.createdAt);
    if (!typesOk)
        return ComputerCheck::WrongType;
    c.status = normalizeStatus(status);
    if (c.workspaceId.isEmpty())
        c.workspaceId = projectId;
    *out = std::move(c);
    return ComputerCheck::Ok;
}

bool computerFromJson(const QJsonObject &object, Computer *out)
{
    return checkComputerJson(object, out) == ComputerCheck::Ok;
}

bool parseComputer(QByteArrayView body, Computer *out, QString *why)
{
    const QJsonDocument document = parseJson(body);
    if (!document.isObject()) {
        *why = QStringLiteral("the computer answer is not a JSON object");
        return false;
    }
    switch (checkComputerJson(document.object(), out)) {
    case ComputerCheck::Ok:
        return true;
    case ComputerCheck::NoId:
        *why = QStringLiteral("the computer answer has no id");
        return false;
    case ComputerCheck::WrongType:
        *why = QStringLiteral("the computer answer has a field of the wrong type");
        return false;
    }
    return false;
}

bool parseWorkspaceComputers(QByteArrayView body, QList<Computer> *out, QString *why)
{
    const QJsonDocument document = parseJson(body);
    if (!document.isObject()) {
        *why = QStringLiteral("the workspace answer is not a JSON object");
        return false;
    }
    const QJsonObject workspace = document.object();
    QJsonValue list = workspace.value(QLatin1String("desktops"));
    if (!list.isArray())
        list = workspace.value(QLatin1String("computers"));
    if (!list.isArray()) {
        *why = QStringLiteral("the workspace answer has neither desktops nor computers");
        return false;
    }
    QString workspaceId;
    if (!textField(workspace, QLatin1String("id"), &workspaceId)) {
        *why = QStringLiteral("the workspace answer's id is of the wrong type");
        return false;
    }
    const QJsonArray array = list.toArray();
    out->clear();
    out->reserve(array.size());
    // One wrong entry makes the whole listing suspect: the caller falls back to asking for
    // each VM, rather than caching "unknown" as fresh news.
    for (const QJsonValue &entry : array) {
        Computer computer;
        if (!entry.isObject())
            continue; // no computer of anyone's: nothing is cached from it
        const ComputerCheck check = checkComputerJson(entry.toObject(), &computer);
        if (check == ComputerCheck::NoId)
            continue;
        if (check == ComputerCheck::WrongType) {
            out->clear();
            *why = QStringLiteral("the workspace answer has a computer of the wrong shape");
            return false;
        }
        if (computer.workspaceId.isEmpty())
            computer.workspaceId = workspaceId;
        out->append(std::move(computer));
    }
    return true;
}

Error parseError(int httpStatus, QByteArrayView body)
{
    Error error;
    error.httpStatus = httpStatus;
    if (httpStatus == 429) {
        error.kind = ErrorKind::RateLimited;
        error.retryable = true;
    } else if (httpStatus == 502 || httpStatus == 503 || httpStatus == 504) {
        error.kind = ErrorKind::Unavailable;
        error.retryable = true;
    } else {
        error.kind = ErrorKind::Http;
    }

    const QJsonDocument document = parseJson(body);
    const QJsonObject object = document.object();
    const QJsonValue message = object.value(QLatin1String("error"));
    if (message.isString())
        error.message = message.toString();
    else if (message.isObject())
        error.message = message.toObject().value(QLatin1String("message")).toString();
    if (error.message.isEmpty())
        error.message = object.value(QLatin1String("message")).toString();
    if (error.message.isEmpty())
        error.message = QStringLiteral("Orgo answered HTTP %1").arg(httpStatus);
    error.message.truncate(500);

    error.requestId = stringField(object, QLatin1String("request_id"));
    if (error.requestId.isEmpty() && message.isObject())
        error.requestId = stringField(message.toObject(), QLatin1String("request_id"));
    error.requestId.truncate(200);
    error.upstreamStatus = intField(object, QLatin1String("upstream_status"));
    return error;
}

qint64 parseRetryAfter(QByteArrayView value, const QDateTime &nowUtc)
{
    const QByteArrayView text = value.trimmed();
    if (text.isEmpty())
        return -1;
    if (text[0] >= '0' && text[0] <= '9') {
        bool ok = false;
        const double seconds = text.toDouble(&ok);
        if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 86400.0 * 365)
            return -1;
        return qint64(std::ceil(seconds * 1000));
    }
    const QDateTime when = parseHttpDate(text);
    if (!when.isValid())
        return -1;
    return qMax<qint64>(0, nowUtc.msecsTo(when));
}

QString parseActionStatus(QByteArrayView body)
{
    const QJsonObject object = parseJson(body).object();
    const QString status = object.value(QLatin1String("status")).toString();
    return status.isEmpty() ? QString() : normalizeStatus(status);
}

} // namespace Mouse::Orgo

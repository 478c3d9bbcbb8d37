// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/responsewriter.h"

#include <array>

namespace Mouse::Http {

namespace {

const char *reasonOf(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "";
    }
}

const std::array<QByteArray, 600> &statusLines()
{
    static const std::array<QByteArray, 600> lines = [] {
        std::array<QByteArray, 600> table;
        for (int status = 100; status < 600; ++status) {
            QByteArray line = "HTTP/1.1 " + QByteArray::number(status);
            line += ' ';
            line += reasonOf(status);
            line += "\r\n";
            table[status] = line;
        }
        return table;
    }();
    return lines;
}

constexpr QByteArrayView CommonHeaders("X-Content-Type-Options: nosniff\r\n"
                                       "X-Frame-Options: DENY\r\n"
                                       "Referrer-Policy: no-referrer\r\n");
constexpr QByteArrayView NoStore("Cache-Control: no-store\r\n");
constexpr QByteArrayView
        JsonPolicy("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n");

bool isSafeHeaderText(QByteArrayView text)
{
    for (char c : text) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

bool hasHeader(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

void appendHeader(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

QByteArrayView guardMessage(QByteArrayView code)
{
    if (code == "header_too_large")
        return "The request headers are too large.";
    if (code == "payload_too_large")
        return "The request body is too large.";
    if (code == "request_timeout")
        return "The request was not received in time.";
    if (code == "expectation_failed")
        return "Only Expect: 100-continue is supported.";
    if (code == "unsupported_transfer_encoding")
        return "Only chunked transfer encoding is supported.";
    if (code == "http_version_not_supported")
        return "Only HTTP/1.0 and HTTP/1.1 are supported.";
    if (code == "too_many_connections")
        return "The server has too many open connections; try again later.";
    if (code == "too_many_pipelined_requests")
        return "Too many requests wait for answers on this connection; send the rest again.";
    return "The request is malformed.";
}

} // namespace

QByteArrayView statusLine(int status)
{
    if (status < 100 || status >= 600)
        status = 500;
    return statusLines()[status];
}

QByteArray serializeResponse(const Reply &reply, const ResponseFraming &framing)
{
    const bool json = reply.contentType.startsWith("application/json");
    QByteArray out;
    out.reserve(320 + reply.body.size());
    out += statusLine(reply.status);
    out += CommonHeaders;
    if (!hasHeader(reply.headers, "cache-control"))
        out += NoStore;
    if (json && !hasHeader(reply.headers, "content-security-policy"))
        out += JsonPolicy;
    if (!reply.contentType.isEmpty() && isSafeHeaderText(reply.contentType))
        appendHeader(out, "Content-Type", reply.contentType);
    appendHeader(out, "Content-Length", QByteArray::number(reply.body.size()));
    if (!framing.requestId.isEmpty())
        appendHeader(out, "X-Request-Id", framing.requestId);
    if (!framing.corsOrigin.isEmpty()) {
        appendHeader(out, "Access-Control-Allow-Origin", framing.corsOrigin);
        out += "Vary: Origin\r\n";
    }
    for (const auto &[name, value] : reply.headers) {
        if (!name.isEmpty() && isSafeHeaderText(name) && isSafeHeaderText(value))
            appendHeader(out, name, value);
    }
    if (framing.close)
        out += "Connection: close\r\n";
    else if (framing.keepAlive10)
        out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (!framing.head)
        out += reply.body;
    return out;
}

QByteArray serializeGuardError(int status, QByteArrayView code, QByteArrayView requestId)
{
    QByteArray body = R"({"error":{"code":")";
    body += code;
    body += R"(","message":")";
    body += guardMessage(code);
    body += R"(","request_id":")";
    body += requestId;
    body += R"("}})";
    Reply reply = Reply::bytes(body, "application/json", status);
    ResponseFraming framing;
    framing.close = true;
    framing.requestId = requestId;
    return serializeResponse(reply, framing);
}

} // namespace Mouse::Http

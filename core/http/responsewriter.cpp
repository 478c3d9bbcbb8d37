// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/responsewriter.h"

#include <array>
#include <cstring>

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
// A page of an allowed origin reads only the CORS-safelisted answer headers unless others are
// exposed: without this it could read neither the request id to quote nor a 429's or 503's
// Retry-After.
constexpr QByteArrayView CorsExpose("Vary: Origin\r\n"
                                    "Access-Control-Expose-Headers: X-Request-Id, Retry-After\r\n");
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

// Writes into a buffer its caller sized for everything written.
class HeadWriter final
{
public:
    explicit HeadWriter(char *at)
        : m_at(at)
    {}

    void put(QByteArrayView text)
    {
        std::memcpy(m_at, text.data(), size_t(text.size()));
        m_at += text.size();
    }

    void header(QByteArrayView name, QByteArrayView value)
    {
        put(name);
        put(": ");
        put(value);
        put("\r\n");
    }

    void number(qint64 value)
    {
        char digits[20];
        int count = 0;
        do {
            digits[count++] = char('0' + value % 10);
            value /= 10;
        } while (value > 0 && count < 20);
        while (count > 0)
            *m_at++ = digits[--count];
    }

    qsizetype written(const char *start) const { return m_at - start; }

private:
    char *m_at;
};

QByteArrayView guardMessage(QByteArrayView code)
{
    if (code == "header_too_large")
        return "The request headers are too large.";
    if (code == "body_not_allowed")
        return "This route takes no request body.";
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
    if (code == "incomplete_request")
        return "The connection was half-closed before the whole request (head or body) "
               "arrived.";
    if (code == "not_implemented")
        return "The server does not implement this method (method names are case-sensitive).";
    if (code == "missing_host")
        return "An HTTP/1.1 request needs a Host header.";
    if (code == "duplicate_host")
        return "A request may carry only one Host header.";
    if (code == "invalid_path_encoding")
        return "The request path is not UTF-8 (raw or percent-encoded).";
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
    QByteArray out = serializeResponseHead(reply, framing, framing.head ? 0 : reply.body.size());
    if (!framing.head)
        out += reply.body;
    return out;
}

QByteArray
serializeResponseHead(const Reply &reply, const ResponseFraming &framing, qsizetype reserveExtra)
{
    const bool json = reply.contentType.startsWith("application/json");
    const bool ownCacheControl = hasHeader(reply.headers, "cache-control");
    const bool ownPolicy = hasHeader(reply.headers, "content-security-policy");
    const bool contentType = !reply.contentType.isEmpty() && isSafeHeaderText(reply.contentType);
    const QByteArrayView status = statusLine(reply.status);

    // Sized once, then filled with memcpy: no reallocation, no per-piece capacity checks.
    qsizetype bound = status.size() + CommonHeaders.size() + NoStore.size() + JsonPolicy.size() + 16
                      + reply.contentType.size() + 40 + 18 + framing.requestId.size() + 48
                      + framing.corsOrigin.size() + 31 + CorsExpose.size();
    for (const auto &[name, value] : reply.headers)
        bound += name.size() + value.size() + 4;
    QByteArray out(bound + reserveExtra, Qt::Uninitialized);
    HeadWriter writer(out.data());
    writer.put(status);
    writer.put(CommonHeaders);
    if (!ownCacheControl)
        writer.put(NoStore);
    if (json && !ownPolicy)
        writer.put(JsonPolicy);
    if (contentType)
        writer.header("Content-Type", reply.contentType);
    writer.put("Content-Length: ");
    writer.number(reply.body.size());
    writer.put("\r\n");
    if (!framing.requestId.isEmpty())
        writer.header("X-Request-Id", framing.requestId);
    if (!framing.corsOrigin.isEmpty()) {
        writer.header("Access-Control-Allow-Origin", framing.corsOrigin);
        writer.put(CorsExpose);
    }
    for (const auto &[name, value] : reply.headers) {
        if (!name.isEmpty() && isSafeHeaderText(name) && isSafeHeaderText(value))
            writer.header(name, value);
    }
    if (framing.close)
        writer.put("Connection: close\r\n");
    else if (framing.keepAlive10)
        writer.put("Connection: keep-alive\r\n");
    writer.put("\r\n");
    out.resize(writer.written(out.constData())); // keeps the capacity for a body
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

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/requestframer.h"

#include <cstring>

namespace Mouse::Http {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    while (!text.isEmpty() && isOws(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isOws(text.back()))
        text.chop(1);
    return text;
}

bool equalsIgnoringCase(QByteArrayView a, const char *b)
{
    // Sizes first: most fields are compared against names they cannot be.
    const QByteArrayView other(b);
    return a.size() == other.size() && a.compare(other, Qt::CaseInsensitive) == 0;
}

// Digits only: QHttpServer reads the first Content-Length with toULongLong, so anything else
// (signs, spaces inside, lists) could be read differently by the two parsers.
qint64 parseContentLength(QByteArrayView value)
{
    if (value.isEmpty() || value.size() > 18)
        return -1;
    qint64 number = 0;
    for (char c : value) {
        if (c < '0' || c > '9')
            return -1;
        number = number * 10 + (c - '0');
    }
    return number;
}

qint64 parseChunkSize(QByteArrayView line)
{
    const qsizetype semicolon = line.indexOf(';');
    if (semicolon >= 0)
        line = line.first(semicolon);
    line = trimmedOws(line);
    if (line.isEmpty() || line.size() > 15)
        return -1;
    qint64 size = 0;
    for (char c : line) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0)
            return -1;
        size = size * 16 + digit;
    }
    return size;
}

// The end of a head: the first empty line ("\n\n" or "\n\r\n"), searched from `from`.
// Returns the index just past it, or -1.
qsizetype findHeadEnd(QByteArrayView data, qsizetype from)
{
    qsizetype newline = data.indexOf('\n', from);
    while (newline >= 0) {
        const qsizetype next = newline + 1;
        if (next < data.size() && data.at(next) == '\n')
            return next + 1;
        if (next + 1 < data.size() && data.at(next) == '\r' && data.at(next + 1) == '\n')
            return next + 2;
        newline = data.indexOf('\n', next);
    }
    return -1;
}

void combine(QByteArray *field, QByteArrayView value)
{
    if (!field->isEmpty())
        *field += ", ";
    *field += value;
}

bool isLeadingBlank(char c)
{
    // QHttpServer skips these before a request line (left over from a previous request).
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

} // namespace

QByteArrayView RequestHead::path() const
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? QByteArrayView(target) : QByteArrayView(target).first(query);
}

RequestFramer::RequestFramer(Limits limits)
    : m_limits(limits)
{}

bool RequestFramer::inRequest() const
{
    switch (m_state) {
    case State::Idle:
        return m_seenHeadBytes > 0;
    case State::Failed:
        return false;
    default:
        return true;
    }
}

bool RequestFramer::endOfInput()
{
    if (m_state == State::Idle || m_state == State::Failed)
        return false;
    fail(Step{}, 400, "incomplete_request");
    return true;
}

RequestFramer::Step RequestFramer::fail(Step step, int status, const char *code)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorCode = code;
    m_buffer.clear();
    step.error = true;
    return step;
}

RequestFramer::Step RequestFramer::feed(QByteArrayView data)
{
    switch (m_state) {
    case State::Idle:
    case State::Head:
        return feedHead(data);
    case State::Body:
        return feedBody(data);
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
    case State::LastChunkEnd:
        return feedChunked(data);
    case State::Failed:
        break;
    }
    Step step;
    step.error = true;
    return step;
}

RequestFramer::Step RequestFramer::feedHead(QByteArrayView data)
{
    Step step;
    if (m_state == State::Idle) {
        while (step.consumed < data.size() && isLeadingBlank(data.at(step.consumed)))
            ++step.consumed;
        m_seenHeadBytes += step.consumed;
        if (m_seenHeadBytes > m_limits.maxHeadBytes)
            return fail(step, 431, "header_too_large");
        if (step.consumed == data.size())
            return step;
        m_state = State::Head;
        data = data.sliced(step.consumed);
    }

    // Fast path: the whole head is in this chunk, parse it in place.
    const qsizetype budget = m_limits.maxHeadBytes - m_seenHeadBytes;
    QByteArrayView headText;
    if (m_buffer.isEmpty()) {
        const qsizetype end = findHeadEnd(data, 0);
        if (end >= 0 && end <= budget) {
            headText = data.first(end);
            step.consumed += end;
            m_seenHeadBytes += end;
            step.headComplete = true;
        }
    }
    if (!step.headComplete) {
        const qsizetype scanFrom = qMax<qsizetype>(0, m_buffer.size() - 2);
        const qsizetype take = qMin(data.size(), budget - m_buffer.size() + 1);
        m_buffer.append(data.first(qMax<qsizetype>(0, take)));
        const qsizetype end = findHeadEnd(m_buffer, scanFrom);
        if (end < 0) {
            if (m_buffer.size() > budget)
                return fail(step, 431, "header_too_large");
            // QHttpServer drops the connection without a word on a bad request line as soon
            // as the line ends: refuse it here first, so the client gets the JSON 400.
            if (!m_requestLineChecked && !checkRequestLine(scanFrom))
                return fail(step, m_errorStatus, m_errorCode);
            step.consumed += take;
            return step;
        }
        const qsizetype used = end - (m_buffer.size() - take);
        m_buffer.truncate(end);
        if (end > budget)
            return fail(step, 431, "header_too_large");
        step.consumed += used;
        m_seenHeadBytes += end;
        step.headComplete = true;
        headText = m_buffer;
    }

    if (!parseHead(headText))
        return fail(step, m_errorStatus, m_errorCode);
    m_buffer.clear();
    m_requestLineChecked = false;
    m_seenHeadBytes = 0;
    m_bodyLimit = -1;
    m_chunkedTotal = 0;

    if (m_head.chunked) {
        m_state = State::ChunkSize;
    } else if (m_head.contentLength > 0) {
        m_state = State::Body;
        m_remaining = m_head.contentLength;
    } else {
        m_state = State::Idle;
        step.requestComplete = true;
    }
    return step;
}

RequestFramer::Step RequestFramer::feedBody(QByteArrayView data)
{
    Step step;
    step.consumed = qsizetype(qMin<qint64>(m_remaining, data.size()));
    m_remaining -= step.consumed;
    if (m_remaining == 0) {
        m_state = State::Idle;
        step.requestComplete = true;
    }
    return step;
}

RequestFramer::Step RequestFramer::feedChunked(QByteArrayView data)
{
    Step step;
    while (step.consumed < data.size()) {
        const QByteArrayView rest = data.sliced(step.consumed);
        switch (m_state) {
        case State::ChunkSize: {
            const qsizetype newline = rest.indexOf('\n');
            const qsizetype take = newline < 0 ? rest.size() : newline + 1;
            if (m_buffer.size() + take > 1024)
                return fail(step, 400, "malformed_request");
            m_buffer.append(rest.first(take));
            step.consumed += take;
            if (newline < 0)
                return step;
            // QHttpServer only understands CRLF here.
            if (!m_buffer.endsWith("\r\n"))
                return fail(step, 400, "malformed_request");
            const qint64 size = parseChunkSize(QByteArrayView(m_buffer).chopped(2));
            m_buffer.clear();
            if (size < 0)
                return fail(step, 400, "malformed_request");
            m_chunkedTotal += size;
            if (m_bodyLimit >= 0 && m_chunkedTotal > m_bodyLimit)
                return fail(step, 413, "payload_too_large");
            m_remaining = size;
            m_state = size == 0 ? State::LastChunkEnd : State::ChunkData;
            break;
        }
        case State::ChunkData: {
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, rest.size()));
            m_remaining -= take;
            step.consumed += take;
            if (m_remaining == 0) {
                m_state = State::ChunkDataEnd;
                m_remaining = 2;
            }
            break;
        }
        case State::ChunkDataEnd:
        case State::LastChunkEnd: {
            // Exactly CRLF; trailers are refused because QHttpServer 6.4 cannot read them.
            const char expected = m_remaining == 2 ? '\r' : '\n';
            if (rest.front() != expected)
                return fail(step, 400, "malformed_request");
            ++step.consumed;
            if (--m_remaining > 0)
                break;
            if (m_state == State::LastChunkEnd) {
                m_state = State::Idle;
                step.requestComplete = true;
                return step;
            }
            m_state = State::ChunkSize;
            break;
        }
        default:
            return fail(step, 400, "malformed_request");
        }
        if (m_state == State::LastChunkEnd && m_remaining == 0)
            m_remaining = 2;
    }
    return step;
}

bool RequestFramer::checkRequestLine(qsizetype scanFrom)
{
    const qsizetype newline = m_buffer.indexOf('\n', scanFrom);
    if (newline < 0)
        return true; // not a whole line yet
    m_requestLineChecked = true;
    QByteArrayView line = QByteArrayView(m_buffer).first(newline);
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.contains('\r')) {
        m_errorStatus = 400;
        m_errorCode = "malformed_request";
        return false;
    }
    return parseRequestLine(line); // parseHead() parses it again into a fresh head
}

bool RequestFramer::parseRequestLine(QByteArrayView line)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype secondSpace = firstSpace < 0 ? -1 : line.indexOf(' ', firstSpace + 1);
    if (firstSpace <= 0 || secondSpace < 0 || firstSpace > 32) {
        m_errorStatus = 400;
        m_errorCode = "malformed_request";
        return false;
    }
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, secondSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(secondSpace + 1);
    m_errorStatus = 400;
    m_errorCode = "malformed_request";
    if (!isToken(method) || target.isEmpty() || target.front() != '/')
        return false;
    // A request target is ASCII (RFC 9112 3.2): a non-ASCII character is sent percent-encoded
    // as UTF-8, which is how the path is read (ConnectionGuard::onHead). Raw bytes of 0x80 and
    // above are refused here, so that one id has one spelling.
    for (const char c : target) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f)
            return false;
    }
    if (version == "HTTP/1.1") {
        m_head.minorVersion = 1;
    } else if (version == "HTTP/1.0") {
        m_head.minorVersion = 0;
    } else {
        if (version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.') {
            m_errorStatus = 505;
            m_errorCode = "http_version_not_supported";
        }
        return false;
    }
    m_head.method = method.toByteArray();
    m_head.target = target.toByteArray();
    return true;
}

bool RequestFramer::parseField(QByteArrayView line, int *contentLengths)
{
    m_errorStatus = 400;
    m_errorCode = "malformed_request";
    if (line.isEmpty() || isOws(line.front()))
        return false; // obsolete line folding
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return false;
    if (line.size() > m_limits.maxFieldBytes) {
        m_errorStatus = 431;
        m_errorCode = "header_too_large";
        return false;
    }
    const QByteArrayView name = line.first(colon);
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    for (char c : value) {
        if ((c >= 0 && c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }

    if (equalsIgnoringCase(name, "content-length")) {
        const qint64 length = parseContentLength(value);
        if (length < 0 || (*contentLengths > 0 && length != m_head.contentLength))
            return false;
        m_head.contentLength = length;
        ++*contentLengths;
    } else if (equalsIgnoringCase(name, "transfer-encoding")) {
        if (m_head.chunked || !equalsIgnoringCase(value, "chunked")) {
            m_errorStatus = 501;
            m_errorCode = "unsupported_transfer_encoding";
            return false;
        }
        m_head.chunked = true;
    } else if (equalsIgnoringCase(name, "expect")) {
        if (!equalsIgnoringCase(value, "100-continue")) {
            m_errorStatus = 417;
            m_errorCode = "expectation_failed";
            return false;
        }
        m_head.expectContinue = true;
    }
    return true;
}

bool RequestFramer::parseHead(QByteArrayView rest)
{
    m_head = RequestHead{};
    m_head.headBytes = m_seenHeadBytes;
    int fields = 0;
    int contentLengths = 0;
    bool keepAlive = false;
    bool connectionClose = false;
    QByteArray connection; // combined, lower case, as QHttpServer sees it
    QByteArray upgrade;
    bool first = true;

    while (!rest.isEmpty()) {
        const qsizetype newline = rest.indexOf('\n');
        QByteArrayView line = rest.first(newline); // a head always ends with '\n'
        rest = rest.sliced(newline + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.contains('\r')) {
            m_errorStatus = 400;
            m_errorCode = "malformed_request";
            return false;
        }
        if (first) {
            if (!parseRequestLine(line))
                return false;
            first = false;
            continue;
        }
        if (line.isEmpty())
            break;
        if (++fields > m_limits.maxHeaderFields) {
            m_errorStatus = 431;
            m_errorCode = "header_too_large";
            return false;
        }
        if (!parseField(line, &contentLengths))
            return false;
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
        m_head.fields.append(qMakePair(name.toByteArray(), value.toByteArray()));
        if (equalsIgnoringCase(name, "connection")) {
            if (!connection.isEmpty())
                connection += ", ";
            connection += value.toByteArray().toLower();
            QByteArrayView tokens = value;
            while (!tokens.isEmpty()) {
                const qsizetype comma = tokens.indexOf(',');
                const QByteArrayView token = trimmedOws(comma < 0 ? tokens : tokens.first(comma));
                tokens = comma < 0 ? QByteArrayView() : tokens.sliced(comma + 1);
                if (equalsIgnoringCase(token, "close"))
                    connectionClose = true;
                else if (equalsIgnoringCase(token, "keep-alive"))
                    keepAlive = true;
            }
        } else if (equalsIgnoringCase(name, "host")) {
            ++m_head.hostFields;
        } else if (equalsIgnoringCase(name, "upgrade")) {
            combine(&upgrade, value);
        } else if (equalsIgnoringCase(name, "authorization")) {
            combine(&m_head.authorization, value);
        } else if (equalsIgnoringCase(name, "x-request-id")) {
            combine(&m_head.requestId, value);
        } else if (equalsIgnoringCase(name, "origin")) {
            combine(&m_head.origin, value);
        } else if (equalsIgnoringCase(name, "x-forwarded-for")) {
            combine(&m_head.forwardedFor, value);
        } else if (equalsIgnoringCase(name, "access-control-request-method")) {
            combine(&m_head.corsRequestMethod, value);
        }
    }

    if (m_head.chunked && contentLengths > 0) {
        m_errorStatus = 400;
        m_errorCode = "malformed_request";
        return false;
    }
    // The same test as QHttpServer's handleReadyRead, so both agree on what is an upgrade.
    m_head.upgrade = connection.contains("upgrade") && equalsIgnoringCase(upgrade, "websocket");
    if (m_head.upgrade && (m_head.chunked || m_head.contentLength > 0)) {
        m_errorStatus = 400;
        m_errorCode = "malformed_request";
        return false;
    }
    m_head.close = connectionClose || (m_head.minorVersion == 0 && !keepAlive);
    if (m_head.minorVersion == 0)
        m_head.expectContinue = false;
    return true;
}

} // namespace Mouse::Http

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace Mouse::Http {

// What the guard needs to know about one request head, before QHttpServer buffers its body.
struct RequestHead
{
    QByteArray method;         // token as sent, e.g. "GET"
    QByteArray target;         // request-target as sent, e.g. "/api/v1/x?y=1"
    int minorVersion = 1;      // HTTP/1.<minor>; only 1.0 and 1.1 are accepted
    qint64 contentLength = -1; // -1: no Content-Length
    bool chunked = false;      // Transfer-Encoding: chunked
    bool expectContinue = false;
    bool close = false;   // Connection: close, or HTTP/1.0 without keep-alive
    bool upgrade = false; // Connection: upgrade with Upgrade: websocket
    int hostFields = 0;   // Host field lines; HTTP/1.1 needs exactly one (RFC 9112 3.2)
    qsizetype headBytes = 0;

    // The fields the dispatcher reads, combined like QHttpServerRequest::value() does
    // (repeated fields joined with ", "), so it need not search the header list again.
    QByteArray authorization;
    QByteArray requestId; // X-Request-Id
    QByteArray origin;
    QByteArray forwardedFor;      // X-Forwarded-For
    QByteArray corsRequestMethod; // Access-Control-Request-Method

    // Every field as sent (name as sent, value without surrounding whitespace), in order: the
    // dispatcher answers bodiless requests itself and hands these to the handler.
    QList<QPair<QByteArray, QByteArray>> fields;

    QByteArrayView path() const; // target without the query
};

// A streaming parser of the HTTP/1.x framing on one connection: it finds where each request
// head ends and where its body ends, byte for byte the way QHttpServer 6.4 will read it, and
// refuses anything ambiguous (both Content-Length and Transfer-Encoding, differing
// Content-Lengths, obsolete line folding, trailers) so the two parsers cannot disagree.
// Pure code: no sockets, no Qt event loop; fuzzed by tests/fuzz/fuzz_requestframer.cpp.
class RequestFramer final
{
public:
    struct Limits
    {
        qsizetype maxHeadBytes = 16384; // request line plus headers plus leading blank lines
        int maxHeaderFields = 100;      // QHttpHeaderParser's own limit
        qsizetype maxFieldBytes = 8192; // name, colon and value (QHttpHeaderParser's limit)
    };

    struct Step
    {
        qsizetype consumed = 0;
        bool headComplete = false;    // head() describes the new request
        bool requestComplete = false; // the body (if any) has been fully received
        bool error = false;           // errorStatus()/errorCode() say why; the stream is dead
    };

    explicit RequestFramer(Limits limits);
    RequestFramer()
        : RequestFramer(Limits{})
    {}

    // Consumes a prefix of data. Returns after at most one head and one request completion so
    // the caller can react (e.g. set the body limit) before the body is counted. Each call
    // with non-empty data consumes bytes or reports an event.
    Step feed(QByteArrayView data);

    // Set after headComplete: the largest body accepted for this request. A Content-Length
    // above it is reported by the caller; chunked bodies are counted against it here.
    void setBodyLimit(qint64 limit) { m_bodyLimit = limit; }

    // The client closed its sending side (shutdown(SHUT_WR) or FIN). A request begun but not
    // finished (head or body) can never complete: true, with errorStatus() 400 and errorCode()
    // "incomplete_request", and the stream is dead. False between requests (blank lines
    // before a request line count as nothing).
    bool endOfInput();

    const RequestHead &head() const { return m_head; }
    bool inRequest() const; // bytes of an unfinished request have been seen
    bool failed() const { return m_state == State::Failed; }
    int errorStatus() const { return m_errorStatus; }
    const char *errorCode() const { return m_errorCode; }

private:
    enum class State { Idle, Head, Body, ChunkSize, ChunkData, ChunkDataEnd, LastChunkEnd, Failed };

    Step fail(Step step, int status, const char *code);
    Step feedHead(QByteArrayView data);
    Step feedBody(QByteArrayView data);
    Step feedChunked(QByteArrayView data);
    bool parseHead(QByteArrayView text);       // fills m_head or fails
    bool checkRequestLine(qsizetype scanFrom); // the first line of an unfinished head
    bool parseRequestLine(QByteArrayView line);
    bool parseField(QByteArrayView line, int *contentLengths);

    Limits m_limits;
    State m_state = State::Idle;
    QByteArray m_buffer; // the head so far, or the current chunk-size line
    qsizetype m_seenHeadBytes = 0;
    bool m_requestLineChecked = false; // of the head in m_buffer
    RequestHead m_head;
    qint64 m_bodyLimit = -1;
    qint64 m_remaining = 0; // of the Content-Length body or of the current chunk
    qint64 m_chunkedTotal = 0;
    int m_errorStatus = 0;
    const char *m_errorCode = "";
};

} // namespace Mouse::Http

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/httptypes.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Mouse::Http {

// How one answer is framed on the wire, beside the Reply itself.
struct ResponseFraming
{
    bool head = false;         // HEAD: the headers of the GET answer, no body
    bool close = false;        // Connection: close, then the server closes
    bool keepAlive10 = false;  // an HTTP/1.0 client asked for keep-alive: echo it
    QByteArrayView requestId;  // X-Request-Id
    QByteArrayView corsOrigin; // non-empty: an allowed Origin to echo
};

// Serializes a whole HTTP/1.1 answer into one buffer, with the common and security headers:
// X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Cache-Control: no-store (unless
// the reply sets its own), Content-Security-Policy for JSON, X-Request-Id, Content-Length.
// The static parts are precomputed; handler headers with CR or LF are dropped.
// One buffer, one write: two writes (head, then a shared body) would leave the body to a
// second write notification and, with Nagle, to the client's delayed ACK (measured: 40 ms).
// The server itself sends head and body with one writev (ConnectionGuard::writeAnswer).
QByteArray serializeResponse(const Reply &reply, const ResponseFraming &framing);

// The status line and headers of serializeResponse (up to and including the blank line),
// for a writer that sends the body from its own buffer in the same system call (writev).
// reserveExtra: bytes to reserve beyond the head.
QByteArray serializeResponseHead(const Reply &reply,
                                 const ResponseFraming &framing,
                                 qsizetype reserveExtra = 0);

// "HTTP/1.1 200 OK\r\n" and friends, precomputed for 100..599.
QByteArrayView statusLine(int status);

// A complete JSON error answer for the guard (no handler, no request id from the client),
// always with Connection: close.
QByteArray serializeGuardError(int status, QByteArrayView code, QByteArrayView requestId);

} // namespace Mouse::Http

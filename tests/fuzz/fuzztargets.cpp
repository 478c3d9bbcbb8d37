// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzztargets.h"

#include "core/billing/stripeevent.h"
#include "core/billing/stripesignature.h"
#include "core/http/requestframer.h"
#include "core/http/router.h"
#include "core/orgo/orgoparsers.h"

#include <QByteArray>
#include <QDateTime>

#include <cstdio>
#include <cstdlib>

namespace Mouse::Fuzz {

namespace {

void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
        std::abort();
    }
}

QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace

void requestFramer(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    // Byte 0: how the stream is cut into reads; byte 1: which limits; the rest: the stream.
    const int piece = 1 + data[0] % 64;
    Http::RequestFramer::Limits limits;
    if (data[1] & 1) {
        limits.maxHeadBytes = 256;
        limits.maxFieldBytes = 128;
        limits.maxHeaderFields = 4;
    }
    const qint64 bodyLimit = (data[1] & 2) ? 16 : 1 << 20;
    const QByteArray stream = bytes(data + 2, size - 2);

    Http::RequestFramer framer(limits);
    int heads = 0;
    int completed = 0;
    for (qsizetype offset = 0; offset < stream.size() && !framer.failed(); offset += piece) {
        QByteArrayView chunk = QByteArrayView(stream).sliced(
                offset, qMin<qsizetype>(piece, stream.size() - offset));
        while (!chunk.isEmpty()) {
            const Http::RequestFramer::Step step = framer.feed(chunk);
            check(step.consumed >= 0 && step.consumed <= chunk.size(), "consumed within input");
            if (step.error) {
                check(framer.failed(), "error means failed");
                const int status = framer.errorStatus();
                check(status >= 400 && status < 600, "error status is 4xx/5xx");
                check(framer.feed("x").error, "a failed framer stays failed");
                return;
            }
            check(step.consumed > 0 || step.headComplete || step.requestComplete,
                  "progress on non-empty input");
            chunk = chunk.sliced(step.consumed);
            if (step.headComplete) {
                ++heads;
                const Http::RequestHead &head = framer.head();
                check(!head.method.isEmpty() && head.target.startsWith('/'), "head parsed");
                check(head.minorVersion == 0 || head.minorVersion == 1, "HTTP/1.x only");
                check(!(head.chunked && head.contentLength >= 0), "never both framings");
                check(head.headBytes <= limits.maxHeadBytes, "head within limit");
                framer.setBodyLimit(bodyLimit);
            }
            if (step.requestComplete)
                ++completed;
            check(completed <= heads, "a request completes only after its head");
        }
    }
    // The client half-closes here: only a request in progress is answered, with a 400.
    const bool midRequest = framer.inRequest();
    const bool refused = framer.endOfInput();
    check(!refused || midRequest, "end of input refuses only a request in progress");
    if (refused)
        check(framer.failed() && framer.errorStatus() == 400, "an unfinished request is a 400");
}

void router(const uint8_t *data, size_t size)
{
    static Http::Router *table = [] {
        auto *router = new Http::Router;
        const Http::Handler none = [](const Http::Request &, const Http::Responder &) {
        };
        for (const char *pattern : {"/health",
                                    "/metrics",
                                    "/api/v1/openapi.json",
                                    "/api/v1/customers/{customer}",
                                    "/api/v1/customers/{customer}/vms",
                                    "/api/v1/customers/{customer}/vms/{vm}",
                                    "/api/v1/customers/{customer}/vms/{vm}/screenshot",
                                    "/api/v1/customers/{customer}/vms/{vm}/start",
                                    "/api/v1/customers/{customer}/tokens",
                                    "/admin/vms/status",
                                    "/admin/cache/clear",
                                    "/admin/api-keys/{key}",
                                    "/admin/customers/{customer}/api-keys",
                                    "/a/{x}/b",
                                    "/a/lit/c",
                                    "/webhooks/stripe"}) {
            const QString path = QString::fromLatin1(pattern);
            router->get(path, Http::Access::Admin, none);
            router->post(path, Http::Access::Customer, none);
        }
        router->websocket(QStringLiteral("/ws/customers/{customer}/vms/{vm}"),
                          Http::Access::Customer,
                          [](QWebSocket *, const Http::Request &) {});
        return router;
    }();

    const QByteArray input = bytes(data, size);
    const qsizetype newline = input.indexOf('\n');
    const QByteArray method = newline < 0 ? QByteArray("GET") : input.left(newline);
    const QString path = QString::fromUtf8(newline < 0 ? input : input.mid(newline + 1));
    const Http::Router::Match match = table->match(method, path);
    if (match.result == Http::Router::Match::Result::Found) {
        check(match.route && match.handler, "found has a route");
        check(match.route->pattern.count(u'{') == match.params.size(), "one param per placeholder");
        check(match.routeIndex >= 0, "found has an index");
    } else {
        check(!match.route && !match.handler, "no route unless found");
    }
    if (match.result == Http::Router::Match::Result::MethodNotAllowed)
        check(!match.allowed.isEmpty(), "405 lists what is allowed");
    const auto ws = table->matchWebSocket(path);
    if (ws.handler)
        check(ws.params.size() == 2, "WebSocket params");
}

void stripeSignature(const uint8_t *data, size_t size)
{
    const QByteArray input = bytes(data, size);
    const auto parsed = parseStripeSignatureHeader(input);
    if (parsed)
        check(!parsed->signatures.isEmpty(), "a parsed header has a v1");
    const qsizetype split = input.indexOf('\n');
    const QByteArray header = split < 0 ? input : input.left(split);
    const QByteArray body = split < 0 ? QByteArray() : input.mid(split + 1);
    const SignatureCheck result
            = verifyStripeSignature(header, body, {"whsec_test", "whsec_old"}, 1700000000, 300);
    if (result == SignatureCheck::Valid) {
        // Only a correctly computed signature verifies.
        const auto valid = parseStripeSignatureHeader(header);
        check(valid.has_value(), "valid implies parseable");
    }
    (void)signatureCheckCode(result);
}

void stripeEvent(const uint8_t *data, size_t size)
{
    StripeEventError error = StripeEventError::InvalidJson;
    const QByteArray body = bytes(data, size);
    const auto event = parseStripeEvent(body, &error);
    if (event)
        (void)event->orderingKey();
    else
        check(error == StripeEventError::InvalidJson || error == StripeEventError::NotAnEvent,
              "a refusal says why");

    // The intake's scan never decides otherwise than the full parse.
    const auto scan = scanStripeEnvelope(body);
    if (scan) {
        check(event.has_value(), "the scan accepts only what the full parse accepts");
        const StripeEnvelope expected = StripeEnvelope::of(*event);
        check(scan->id == expected.id && scan->type == expected.type
                      && scan->created == expected.created && scan->livemode == expected.livemode
                      && scan->orderingKey == expected.orderingKey,
              "the scan reads the envelope as the full parse does");
    }
    StripeEventError envelopeError = StripeEventError::InvalidJson;
    const auto envelope = parseStripeEnvelope(body, &envelopeError);
    check(envelope.has_value() == event.has_value(), "the envelope parse agrees");
    if (!event)
        check(envelopeError == error, "the envelope parse refuses for the same reason");
}

void orgoParsers(const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    const QByteArray body = bytes(data + 1, size - 1);
    Orgo::Computer computer;
    QString why;
    if (Orgo::parseComputer(body, &computer, &why))
        check(!computer.id.isEmpty(), "a parsed computer has an id");
    QList<Orgo::Computer> computers;
    if (Orgo::parseWorkspaceComputers(body, &computers, &why)) {
        for (const Orgo::Computer &c : computers)
            check(!c.id.isEmpty(), "listed computers have ids");
    }
    const int status = 200 + data[0] * 2;
    (void)Orgo::parseError(status, body);
    const qint64 retry = Orgo::parseRetryAfter(body.left(64),
                                               QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC));
    check(retry >= -1, "retry-after is -1 or a delay");
    (void)Orgo::parseActionStatus(body);
    (void)Orgo::normalizeStatus(QString::fromUtf8(body.left(64)));
}

} // namespace Mouse::Fuzz

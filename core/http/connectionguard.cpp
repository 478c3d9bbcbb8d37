// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/httpserver_p.h"
#include "core/http/responsewriter.h"
#include "core/logging.h"

#include <QHttpServerRequest>
#include <QSslSocket>
#include <QStringDecoder>
#include <QTcpSocket>

#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace Mouse::Http {

namespace {

constexpr QByteArrayView ContinueLine("HTTP/1.1 100 Continue\r\n\r\n");

// The one rule for a request path: its bytes, raw or percent-encoded, are UTF-8, so that an id
// written either way is the same string. False for bytes that are not UTF-8 (overlong forms and
// surrogates included): read as anything else, they would name a different resource.
bool decodePath(QByteArrayView raw, QString *out)
{
    const QByteArray bytes = raw.contains('%') ? QByteArray::fromPercentEncoding(raw.toByteArray())
                                               : raw.toByteArray();
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    *out = utf8(bytes);
    return !utf8.hasError();
}

// Answers written but not yet taken by the kernel, beyond which the connection is closed when
// another answer is due. Checked before each further answer, so one large answer always passes.
constexpr qint64 MaxUnsentBytes = qint64(16) << 20;

QByteArrayView methodName(int method)
{
    using M = QHttpServerRequest::Method;
    switch (M(method)) {
    case M::Get:
        return "GET";
    case M::Put:
        return "PUT";
    case M::Delete:
        return "DELETE";
    case M::Post:
        return "POST";
    case M::Head:
        return "HEAD";
    case M::Options:
        return "OPTIONS";
    case M::Patch:
        return "PATCH";
    case M::Connect:
        return "CONNECT";
    default:
        return {};
    }
}

bool isKnownMethod(QByteArrayView method)
{
    for (const char *known :
         {"GET", "PUT", "DELETE", "POST", "HEAD", "OPTIONS", "PATCH", "CONNECT"}) {
        if (method == known)
            return true;
    }
    return false;
}

// What this server implements. Method names are case-sensitive (RFC 9110 9.1): "get" is
// another method, not GET. Any other method is 501; a method of this list that a route does
// not take is 405 with Allow.
bool isImplementedMethod(QByteArrayView method)
{
    for (const char *known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        if (method == known)
            return true;
    }
    return false;
}

} // namespace

ConnectionGuard::ConnectionGuard(HttpServer::Private *d, QTcpSocket *socket, bool tls)
    : QObject(socket)
    , d(d)
    , m_socket(socket)
    , m_peer(socket->peerAddress())
    , m_tls(tls)
    , m_framer(d->framerLimits)
{
    m_createdMs = d->nowMs();
    m_lastActivityMs = m_createdMs;
    m_lastWriteProgressMs = m_createdMs;
    d->registerGuard(socket, this);
}

ConnectionGuard::~ConnectionGuard()
{
    if (m_spareFd >= 0)
        ::close(m_spareFd);
    // The socket is already being destroyed: only its address is used here.
    d->unregisterGuard(m_socket);
}

void ConnectionGuard::attachBefore()
{
    m_attached = true;
    m_lastActivityMs = d->nowMs();
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::onReadyRead);
    connect(m_socket, &QIODevice::bytesWritten, this, &ConnectionGuard::onBytesWritten);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &ConnectionGuard::onSocketError);
    connect(m_socket, &QAbstractSocket::stateChanged, this, &ConnectionGuard::onStateChanged);
}

void ConnectionGuard::attachAfter()
{
    // Connected after QHttpServer's slot, so it runs after QHttpServer has consumed its part.
    connect(m_socket, &QIODevice::readyRead, this, &ConnectionGuard::afterReadyRead);
}

bool ConnectionGuard::isConnected() const
{
    if (m_peerGone)
        return m_spareFd >= 0;
    return m_socket->state() == QAbstractSocket::ConnectedState && !m_closing;
}

void ConnectionGuard::afterReadyRead()
{
    m_unconsumed = m_socket->bytesAvailable();
    keepSpareDescriptor(); // QHttpServer may have dispatched a request with a deferred answer
}

// A request dispatched whose answer has not come yet: a handler answers it later.
bool ConnectionGuard::owesDeferredAnswer() const
{
    for (const PendingRequest &request : m_requests) {
        if (request.dispatched && !request.ready)
            return true;
    }
    return false;
}

void ConnectionGuard::onReadyRead()
{
    if (m_upgraded)
        return;
    if (m_engineDetached || m_closing) {
        discardInput();
        return;
    }
    const qint64 nowMs = d->nowMs();
    m_lastActivityMs = nowMs;

    if (m_noMoreRequests) {
        // Everything up to the last allowed request is with QHttpServer: drop the rest.
        if (m_nextDispatch == dispatchEnd()) {
            detachEngine();
            discardInput();
        }
        return;
    }

    const qint64 available = m_socket->bytesAvailable();
    if (available <= m_unconsumed)
        return;
    const QByteArray buffered = m_socket->peek(available);
    QByteArrayView fresh = QByteArrayView(buffered).sliced(m_unconsumed);

    // Requests that arrive whole in one read (head and any Content-Length body) are answered
    // here without QHttpServer, whose 6.4 parser reads a head one byte per QIODevice::read
    // (about half the server's CPU per request). Only while QHttpServer holds nothing: no bytes
    // left over, no request of its own unfinished (its transaction is then empty) and every earlier
    // request dispatched, so answers stay in order and the bytes it will see start at a request
    // line.
    bool direct = m_unconsumed == 0 && !m_framer.inRequest() && m_nextDispatch == dispatchEnd();
    qsizetype directBytes = 0; // consumed from the socket by this guard
    qsizetype framedBytes = 0; // of `fresh`, fed to the framer
    m_unconsumed = available;

    while (!fresh.isEmpty() && !m_noMoreRequests) {
        if (!m_framer.inRequest())
            m_requestStartMs = nowMs;
        const RequestFramer::Step step = m_framer.feed(fresh);
        fresh = fresh.sliced(step.consumed);
        framedBytes += step.consumed;
        if (step.error) {
            reject(m_framer.errorStatus(), m_framer.errorCode());
            return;
        }
        if (step.headComplete && !onHead(fresh.size()))
            return;
        if (!step.requestComplete)
            continue;
        PendingRequest &request = m_requests.back();
        request.complete = true;
        m_requestStartMs = -1;
        if (request.head.close || request.head.upgrade)
            m_noMoreRequests = true;
        direct = direct && canServeDirectly(request);
        if (!direct)
            continue;
        if (request.head.contentLength > 0) {
            // The whole request arrived in this read (it began here), so its body is the last
            // Content-Length bytes framed so far.
            const qint64 length = request.head.contentLength;
            request.requestBody = buffered.sliced(framedBytes - length, length);
        }

        // Take the request's bytes out of the socket first: the handler may answer and close
        // at once, and QHttpServer must never see them.
        if (m_socket->isTransactionStarted())
            m_socket->commitTransaction();
        m_socket->skip(framedBytes - directBytes);
        directBytes = framedBytes;
        m_unconsumed = m_socket->bytesAvailable();
        const quint64 sequence = m_nextDispatch++;
        request.dispatched = true;
        QPointer<ConnectionGuard> alive(this);
        d->dispatch(nullptr, this, sequence, request);
        if (!alive || m_closing || m_engineDetached)
            return;
        if (m_noMoreRequests) {
            // Connection: close: whatever follows is dropped unread, QHttpServer included.
            detachEngine();
            discardInput();
            return;
        }
    }
    keepSpareDescriptor();
}

// The spare descriptor is needed while a request is half received or an answer is owed. Once
// taken it is kept between the requests of an open keep-alive connection: a handler that
// answers later (the webhooks) would otherwise cost a dup() and a close() per request. It never
// outlives Qt's descriptor (onStateChanged), which would keep a closed connection open.
void ConnectionGuard::keepSpareDescriptor()
{
    // After the FIN the spare descriptor is the connection; only endPeerGone() closes it (a
    // readyRead QHttpServer queued before it was detached still arrives here).
    if (m_peerGone)
        return;
    // Also while an answer is owed: a client may half-close after its last request, and Qt
    // then closes its descriptor before the handler answers.
    const bool owed = (!m_noMoreRequests && m_framer.inRequest()) || owesDeferredAnswer()
                      || hasUndispatched();
    const bool betweenRequests = m_spareFd >= 0 && !m_noMoreRequests && !m_closing && !m_upgraded
                                 && m_socket->state() == QAbstractSocket::ConnectedState;
    const bool wanted = !m_tls && (owed || betweenRequests);
    if (wanted && m_spareFd < 0) {
        m_spareFd = ::fcntl(int(m_socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    } else if (!wanted && m_spareFd >= 0) {
        ::close(m_spareFd);
        m_spareFd = -1;
    }
}

void ConnectionGuard::onStateChanged(QAbstractSocket::SocketState state)
{
    // Closing or closed (by either side): the spare goes unless an answer is still owed.
    if (state != QAbstractSocket::ConnectedState && m_spareFd >= 0)
        keepSpareDescriptor();
}

void ConnectionGuard::onSocketError(QAbstractSocket::SocketError error)
{
    // RemoteHostClosedError: Qt has read the client's FIN and already closed its descriptor.
    // The client may still be reading (shutdown(SHUT_WR), nc -N): what it sent whole is
    // answered, in order, on the spare descriptor.
    if (error == QAbstractSocket::RemoteHostClosedError && m_spareFd >= 0 && !m_closing
        && !m_upgraded && !m_tls) {
        const bool cutShort = !m_noMoreRequests && m_framer.endOfInput();
        if (cutShort && answerIncompleteRequest())
            return;
        // Bytes Qt still held for the client are lost with its descriptor: later answers
        // written behind them would be read as the end of a truncated one.
        if ((owesDeferredAnswer() || hasUndispatched() || cutShort)
            && m_socket->bytesToWrite() == 0) {
            takeOverAfterFin(cutShort);
            return;
        }
    }
    if (m_spareFd >= 0) {
        ::close(m_spareFd);
        m_spareFd = -1;
    }
}

// The client half-closed with a request unfinished and nothing else owed: it is still
// reading, so tell it why no answer will come. False when earlier requests still want their
// answers (takeOverAfterFin answers them, then this 400).
bool ConnectionGuard::answerIncompleteRequest()
{
    const bool onlyThisOne
            = m_requests.empty() || (m_requests.size() == 1 && !m_requests.front().complete);
    if (!onlyThisOne || m_socket->bytesToWrite() > 0)
        return false;
    qCDebug(lcHttp) << "client half-closed mid-request; answering 400";
    const QByteArray answer
            = serializeGuardError(m_framer.errorStatus(), m_framer.errorCode(), d->newRequestId());
    // Small enough for the empty send buffer of a connection with nothing owed; closing the
    // last descriptor afterwards sends the FIN (Qt read everything, so no RST).
    ssize_t written;
    do {
        written = ::send(
                m_spareFd, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (written < 0 && errno == EINTR);
    m_closing = true;
    return true;
}

// After the FIN with answers owed, or whole requests QHttpServer has not parsed yet (it
// parses one per readyRead; once the socket is closed it parses none): keep the socket object
// (QHttpServer deletes it when it disconnects, next), answer the parsed ones as their handlers
// give the answers, dispatch the rest here, and write everything to the spare descriptor in
// request order. A request cut short comes last, answered 400 incomplete_request.
void ConnectionGuard::takeOverAfterFin(bool cutShort)
{
    m_peerGone = true;
    m_noMoreRequests = true;
    m_lastActivityMs = d->nowMs();
    detachEngine();
    QObject::disconnect(m_socket, &QAbstractSocket::disconnected, nullptr, nullptr);
    if (cutShort) {
        if (!m_requests.empty() && !m_requests.back().complete)
            m_requests.pop_back(); // its head was framed, its body never came
        PendingRequest refusal;
        refusal.refusal = true;
        refusal.ready = true;
        refusal.closeAfter = true;
        refusal.bytes = serializeGuardError(
                m_framer.errorStatus(), m_framer.errorCode(), d->newRequestId());
        m_requests.push_back(std::move(refusal));
    }
    QPointer<ConnectionGuard> alive(this);
    dispatchLeftOver();
    if (alive)
        flushToSpare();
}

// The whole requests QHttpServer left in the socket's buffer, framed again from their bytes
// (the guard's framer saw them already) and dispatched with the guard's own parse, as on the
// direct path. Chunked bodies and upgrades are not taken over: they and what follows them are
// dropped, and the connection ends after the answers before them.
void ConnectionGuard::dispatchLeftOver()
{
    const QByteArray rest = m_socket->read(m_socket->bytesAvailable());
    RequestFramer framer(d->framerLimits);
    qsizetype offset = 0;
    QPointer<ConnectionGuard> alive(this);
    while (hasUndispatched() && m_spareFd >= 0) {
        PendingRequest &request = m_requests[m_nextDispatch - m_firstSequence];
        if (!request.complete || request.head.chunked || request.head.upgrade)
            break;
        RequestFramer::Step step;
        while (offset < rest.size() && !step.requestComplete && !step.error) {
            step = framer.feed(QByteArrayView(rest).sliced(offset));
            offset += step.consumed;
        }
        if (!step.requestComplete || framer.head().method != request.head.method)
            break; // not the bytes the guard framed before: answer nothing more
        if (request.head.contentLength > 0)
            request.requestBody
                    = rest.sliced(offset - request.head.contentLength, request.head.contentLength);
        const quint64 sequence = m_nextDispatch++;
        request.dispatched = true;
        d->dispatch(nullptr, this, sequence, request);
        if (!alive)
            return;
    }
    // What could not be taken over is never answered: drop it, keeping a refusal that follows.
    while (hasUndispatched() && !m_requests.empty())
        m_requests.erase(m_requests.begin() + qsizetype(m_nextDispatch - m_firstSequence));
}

bool ConnectionGuard::canServeDirectly(const PendingRequest &request) const
{
    const RequestHead &head = request.head;
    return !head.upgrade && !head.chunked && !m_upgraded;
}

bool ConnectionGuard::onHead(qsizetype bodyBytesAlreadyHere)
{
    PendingRequest pending;
    pending.head = m_framer.head();
    // Refused like a request beyond the pipeline limit: the earlier ones are still answered,
    // and this answer closes the connection.
    if (!isImplementedMethod(pending.head.method)) {
        refuseFurther(501, "not_implemented");
        return false;
    }
    // RFC 9112 3.2: 400 for an HTTP/1.1 request without Host and for any request with more
    // than one Host line (HTTP/1.0 clients need not send it).
    if (pending.head.hostFields > 1
        || (pending.head.minorVersion == 1 && pending.head.hostFields == 0)) {
        refuseFurther(400, pending.head.hostFields == 0 ? "missing_host" : "duplicate_host");
        return false;
    }
    const QByteArrayView rawPath = pending.head.path();
    if (rawPath.contains("%2f") || rawPath.contains("%2F") || rawPath.contains('\\')) {
        reject(400, "malformed_request");
        return false;
    }
    if (!decodePath(rawPath, &pending.path)) {
        reject(400, "invalid_path_encoding");
        return false;
    }
    const QByteArray lookup
            = pending.head.method == "HEAD" ? QByteArray("GET") : pending.head.method;
    pending.match = d->router.match(lookup, pending.path);

    const qint64 limit = d->bodyLimitFor(pending);
    if (pending.head.contentLength > limit) {
        d->countLimit("body");
        reject(413, limit == 0 ? "body_not_allowed" : "payload_too_large");
        return false;
    }
    m_framer.setBodyLimit(limit);
    // Chunked bodies end the connection: QHttpServer 6.4's chunked reader is fragile enough
    // that nothing after one is trusted.
    if (pending.head.chunked)
        pending.head.close = true;

    if (int(m_requests.size()) >= d->maxPipelined) {
        d->countLimit("pipelined");
        refuseFurther(503, "too_many_pipelined_requests");
        return false;
    }

    // 100 Continue only when it cannot overtake an earlier answer, and only if the client is
    // still waiting for it (no body bytes sent yet).
    const bool hasBody = pending.head.chunked || pending.head.contentLength > 0;
    if (pending.head.expectContinue && hasBody && m_requests.empty() && bodyBytesAlreadyHere == 0) {
        m_socket->write(ContinueLine.data(), ContinueLine.size());
    }
    m_requests.push_back(std::move(pending));
    return true;
}

PendingRequest *ConnectionGuard::beginDispatch(quint64 *sequence, int method)
{
    const quint64 index = m_nextDispatch - m_firstSequence;
    if (m_nextDispatch < m_firstSequence || index >= m_requests.size()) {
        qCWarning(lcHttp) << "request framing mismatch; closing the connection";
        m_socket->abort();
        return nullptr;
    }
    PendingRequest &pending = m_requests[index];
    if (pending.refusal)
        return nullptr; // not a request: the guard's answer to the ones beyond the limit
    const QByteArrayView expected = methodName(method);
    const bool same = expected.isEmpty() ? !isKnownMethod(pending.head.method)
                                         : pending.head.method == expected;
    if (!same || !pending.complete) {
        qCWarning(lcHttp) << "request framing mismatch; closing the connection";
        m_socket->abort();
        return nullptr;
    }
    *sequence = m_nextDispatch++;
    pending.dispatched = true;
    return &pending;
}

void ConnectionGuard::answer(quint64 sequence, QByteArray head, QByteArray body, bool closeAfter)
{
    if (sequence < m_firstSequence || sequence - m_firstSequence >= m_requests.size())
        return;
    PendingRequest &pending = m_requests[sequence - m_firstSequence];
    if (pending.ready)
        return;
    pending.ready = true;
    pending.bytes = std::move(head);
    pending.body = std::move(body);
    pending.closeAfter = closeAfter || pending.head.close;
    flush();
    if (!m_peerGone)
        keepSpareDescriptor(); // the last owed answer is out: the spare descriptor goes
}

void ConnectionGuard::flush()
{
    if (m_peerGone) {
        flushToSpare();
        return;
    }
    while (!m_requests.empty() && m_requests.front().ready && !m_closing) {
        PendingRequest done = std::move(m_requests.front());
        m_requests.pop_front();
        ++m_firstSequence;
        if (m_socket->state() == QAbstractSocket::ConnectedState
            && !(done.bytes.isEmpty() && done.body.isEmpty())) {
            // A client that sends requests but reads no answers: cut it off before its unsent
            // answers exhaust memory.
            if (m_socket->bytesToWrite() > MaxUnsentBytes) {
                d->countLimit("write_timeout");
                closeNow();
                return;
            }
            // Only the client reading counts as progress (onBytesWritten); queueing one more
            // answer must not keep a stalled connection alive past the write timeout.
            if (m_socket->bytesToWrite() == 0)
                m_lastWriteProgressMs = d->nowMs();
            writeAnswer(done.bytes, done.body);
        }
        m_lastActivityMs = d->nowMs();
        if (done.closeAfter) {
            beginClose();
            return;
        }
    }
}

// After the client's FIN: what the kernel takes now, in order, without blocking the server
// thread; then the connection ends once nothing more is owed.
void ConnectionGuard::flushToSpare()
{
    while (!m_requests.empty() && m_requests.front().ready && m_spareFd >= 0) {
        PendingRequest done = std::move(m_requests.front());
        m_requests.pop_front();
        ++m_firstSequence;
        // constData: the body is the handler's shared buffer, not to be detached.
        iovec parts[2] = {{const_cast<char *>(done.bytes.constData()), size_t(done.bytes.size())},
                          {const_cast<char *>(done.body.constData()), size_t(done.body.size())}};
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = 2;
        ssize_t written;
        do {
            written = ::sendmsg(m_spareFd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (written < 0 && errno == EINTR);
        if (written != done.bytes.size() + done.body.size() || done.closeAfter)
            endPeerGone(); // not taken whole (the client stopped reading), or the last one
    }
    if (m_spareFd >= 0 && !owesDeferredAnswer() && !hasUndispatched()
        && (m_requests.empty() || !m_requests.front().ready))
        endPeerGone();
}

void ConnectionGuard::endPeerGone()
{
    if (m_spareFd >= 0) {
        ::close(m_spareFd);
        m_spareFd = -1;
    }
    m_requests.clear();
    m_closing = true;
    m_socket->deleteLater();
}

void ConnectionGuard::writeAnswer(const QByteArray &head, const QByteArray &body)
{
    // Straight to the kernel when nothing is queued before it: one writev for head and body,
    // no copy into Qt's write buffer, and no write notifier switched on and off (each switch
    // wakes the event loop: two extra eventfd writes and a poll round per answer). Whatever
    // the kernel does not take now goes to Qt's buffer, which also reports any socket error.
    qsizetype sent = 0;
    if (!m_tls && m_socket->bytesToWrite() == 0) {
        iovec parts[2] = {{const_cast<char *>(head.constData()), size_t(head.size())},
                          {const_cast<char *>(body.constData()), size_t(body.size())}};
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = 2;
        ssize_t written;
        do {
            written = ::sendmsg(int(m_socket->socketDescriptor()), &message, MSG_NOSIGNAL);
        } while (written < 0 && errno == EINTR);
        sent = written > 0 ? qsizetype(written) : 0;
        if (sent == head.size() + body.size()) {
            m_lastWriteProgressMs = d->nowMs();
            return;
        }
    }
    if (sent < head.size()) {
        m_socket->write(head.constData() + sent, head.size() - sent);
        m_socket->write(body);
    } else {
        m_socket->write(body.constData() + (sent - head.size()),
                        body.size() - (sent - head.size()));
    }
}

void ConnectionGuard::reject(int status, const char *code)
{
    qCDebug(lcHttp) << "guard refused a request:" << status << code;
    m_noMoreRequests = true;
    detachEngine();

    // Requests QHttpServer has not dispatched yet will never be: drop them, and answer the
    // refused one after the answers still owed.
    while (!m_requests.empty() && !m_requests.back().dispatched)
        m_requests.pop_back();
    PendingRequest refusal;
    refusal.ready = true;
    refusal.closeAfter = true;
    refusal.bytes = serializeGuardError(status, code, d->newRequestId());
    m_requests.push_back(std::move(refusal));
    m_nextDispatch = m_firstSequence + m_requests.size();
    flush();
    discardInput();
}

// The requests already accepted stay and are answered; this answer follows them and closes
// the connection, and nothing after it is read. (reject() instead drops the requests
// QHttpServer has not dispatched yet: right for a broken stream, wrong for a long pipeline.)
void ConnectionGuard::refuseFurther(int status, const char *code)
{
    qCDebug(lcHttp) << "guard refused further requests:" << status << code;
    m_noMoreRequests = true;
    PendingRequest refusal;
    refusal.refusal = true;
    refusal.ready = true;
    refusal.closeAfter = true;
    refusal.bytes = serializeGuardError(status, code, d->newRequestId());
    m_requests.push_back(std::move(refusal));
    if (m_nextDispatch == dispatchEnd()) {
        detachEngine();
        discardInput();
    }
    flush();
}

quint64 ConnectionGuard::dispatchEnd() const
{
    const bool refusalLast = !m_requests.empty() && m_requests.back().refusal;
    return m_firstSequence + m_requests.size() - (refusalLast ? 1 : 0);
}

void ConnectionGuard::detachEngine()
{
    if (m_engineDetached)
        return;
    m_engineDetached = true;
    disconnect(m_socket, &QIODevice::readyRead, d->engine, nullptr);
    // QHttpServer reads inside a transaction; end it so discarded bytes are freed.
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
}

void ConnectionGuard::discardInput()
{
    if (!m_engineDetached)
        return;
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    const qint64 available = m_socket->bytesAvailable();
    if (available > 0)
        m_socket->skip(available);
    m_unconsumed = 0;
}

void ConnectionGuard::beginClose()
{
    m_closing = true;
    m_noMoreRequests = true;
    if (m_nextDispatch == dispatchEnd() || m_requests.empty()) {
        detachEngine();
        discardInput();
    }
    if (m_socket->bytesToWrite() == 0)
        finishWriteSide();
}

void ConnectionGuard::onBytesWritten()
{
    m_lastWriteProgressMs = d->nowMs();
    if (m_closing && m_lingerUntilMs < 0 && m_socket->bytesToWrite() == 0)
        finishWriteSide();
}

void ConnectionGuard::finishWriteSide()
{
    if (m_lingerUntilMs >= 0)
        return;
    m_lingerUntilMs = d->nowMs() + d->lingerMs;
    if (m_tls || m_socket->state() != QAbstractSocket::ConnectedState) {
        m_socket->disconnectFromHost();
        return;
    }
    // Half-close, then keep reading (and discarding) for a moment: closing with unread input
    // would make the kernel send RST, and the client could lose the answer (e.g. a 413).
    detachEngine();
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void ConnectionGuard::closeNow()
{
    if (m_peerGone) {
        endPeerGone();
        return;
    }
    m_closing = true;
    m_socket->abort();
}

bool ConnectionGuard::hasWorkInFlight() const
{
    if (m_upgraded)
        return false;
    if (m_peerGone)
        return m_spareFd >= 0 && !m_requests.empty();
    if (m_socket->state() != QAbstractSocket::ConnectedState || m_closing)
        return m_socket->bytesToWrite() > 0
               && m_socket->state() != QAbstractSocket::UnconnectedState;
    return owesDeferredAnswer() || hasUndispatched() || m_socket->bytesToWrite() > 0;
}

void ConnectionGuard::checkDeadlines(qint64 nowMs)
{
    if (m_peerGone) {
        // Owed answers come through the Responder (500 at the latest when it is dropped);
        // this only bounds a handler that keeps one forever.
        if (m_spareFd >= 0 && nowMs - m_lastActivityMs >= d->idleTimeoutMs)
            endPeerGone();
        return;
    }
    if (m_upgraded || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (m_lingerUntilMs >= 0) {
        if (nowMs >= m_lingerUntilMs)
            m_socket->abort();
        return;
    }
    if (!m_attached) {
        // TLS handshake not finished in time.
        if (nowMs - m_createdMs >= d->requestTimeoutMs) {
            d->countLimit("handshake_timeout");
            m_socket->abort();
        }
        return;
    }
    if (m_socket->bytesToWrite() > 0) {
        // A client that does not read its answers holds memory: cut it off when stalled.
        if (nowMs - m_lastWriteProgressMs >= d->idleTimeoutMs) {
            d->countLimit("write_timeout");
            m_socket->abort();
        }
        return;
    }
    if (m_closing)
        return;
    if (!m_noMoreRequests && m_framer.inRequest() && m_requestStartMs >= 0) {
        if (nowMs - m_requestStartMs >= d->requestTimeoutMs) {
            d->countLimit("request_timeout");
            reject(408, "request_timeout");
        }
        return;
    }
    if (m_requests.empty() && nowMs - m_lastActivityMs >= d->idleTimeoutMs) {
        d->countLimit("idle_timeout");
        m_closing = true;
        m_socket->disconnectFromHost();
    }
}

} // namespace Mouse::Http

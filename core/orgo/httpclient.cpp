// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/httpclient.h"

#include "core/logging.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <cstring>

namespace Mouse::Orgo {

namespace {

constexpr qsizetype MaxHeadBytes = 64 * 1024;

bool equalsLower(const char *data, qsizetype size, const char *lower)
{
    const qsizetype n = qsizetype(std::strlen(lower));
    if (size != n)
        return false;
    for (qsizetype i = 0; i < n; ++i) {
        char c = data[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

// "chunked" anywhere in a Transfer-Encoding value (it must be the last coding).
bool containsChunked(const char *data, qsizetype size)
{
    for (qsizetype i = 0; i + 7 <= size; ++i) {
        if (equalsLower(data + i, 7, "chunked"))
            return true;
    }
    return false;
}

const char *trimmed(const char *begin, const char **end)
{
    while (begin < *end && (*begin == ' ' || *begin == '\t'))
        ++begin;
    while (*end > begin && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        --*end;
    return begin;
}

// Non-negative decimal, or -1 when it is not one (or absurdly long).
qint64 parseDecimal(const char *begin, const char *end)
{
    if (begin == end || end - begin > 18)
        return -1;
    qint64 value = 0;
    for (const char *p = begin; p < end; ++p) {
        if (*p < '0' || *p > '9')
            return -1;
        value = value * 10 + (*p - '0');
    }
    return value;
}

qint64 parseHex(const char *begin, const char *end)
{
    if (begin == end || end - begin > 15)
        return -1;
    qint64 value = 0;
    for (const char *p = begin; p < end; ++p) {
        int digit = 0;
        if (*p >= '0' && *p <= '9')
            digit = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            digit = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            digit = *p - 'A' + 10;
        else
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

} // namespace

struct HttpClient::Pending
{
    Request request;
    Done done;
    bool staleRetried = false;
};

struct HttpClient::Pool
{
    QString host;
    quint16 port = 80;
    bool tls = false;
    QByteArray hostHeader;
    std::vector<Connection *> connections;
    std::deque<std::unique_ptr<Pending>> queue;
};

// One keep-alive connection and its response parser. Owned by its pool (deleted later, never
// inside one of its own socket's signals).
class HttpClient::Connection final : public QObject
{
public:
    Connection(HttpClient *client, Pool *pool)
        : QObject(client)
        , m_client(client)
        , m_pool(pool)
    {
        if (pool->tls) {
            auto *ssl = new QSslSocket(this);
            // QSslSocket verifies the peer against the system CAs in client mode; the host
            // name given to connectToHostEncrypted is both SNI and the name checked.
            ssl->setPeerVerifyMode(QSslSocket::VerifyPeer);
            connect(ssl, &QSslSocket::encrypted, this, [this] { onReady(); });
            m_socket = ssl;
        } else {
            m_socket = new QTcpSocket(this);
            connect(m_socket, &QTcpSocket::connected, this, [this] { onReady(); });
        }
        connect(m_socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        connect(m_socket, &QTcpSocket::disconnected, this, [this] { onClosed(QString()); });
        connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
            onClosed(m_socket->errorString());
        });
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this] { onTimeout(); });
    }

    bool idle() const { return m_ready && !m_pending && !m_dead; }
    bool dead() const { return m_dead; }

    // Connects from the event loop, so that no error can come back inside send() or pump().
    void open()
    {
        QMetaObject::invokeMethod(
                this, [this] { connectNow(); }, Qt::QueuedConnection);
    }

    void connectNow()
    {
        if (m_dead)
            return;
        ++m_client->m_connectionsOpened;
        if (m_pool->tls)
            static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_pool->host, m_pool->port);
        else
            m_socket->connectToHost(m_pool->host, m_pool->port);
    }

    void start(std::unique_ptr<Pending> pending)
    {
        m_pending = std::move(pending);
        m_reused = m_responses > 0;
        m_gotBytes = false;
        m_timer.start(qMax(1, m_pending->request.timeoutMs));
        if (m_ready)
            writeRequest();
    }

    // Fails the running request (if any) with `failure` and closes the connection.
    void abort(Failure failure, const QString &why)
    {
        if (m_dead)
            return;
        m_dead = true;
        m_timer.stop();
        m_socket->disconnect(this);
        m_socket->abort();
        std::unique_ptr<Pending> pending = std::move(m_pending);
        m_client->dropConnection(this);
        if (pending)
            fail(std::move(pending), failure, why);
    }

private:
    enum class Phase { Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose };

    void onReady()
    {
        m_ready = true;
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (m_pending)
            writeRequest();
        else
            m_client->pump(*m_pool);
    }

    void writeRequest()
    {
        const Request &request = m_pending->request;
        const QByteArray target = request.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority
                                                        | QUrl::RemoveFragment);
        QByteArray &out = m_out;
        out.clear();
        out.append(request.method).append(' ');
        out.append(target.isEmpty() ? QByteArrayView("/") : QByteArrayView(target));
        out.append(" HTTP/1.1\r\nHost: ").append(m_pool->hostHeader).append("\r\n");
        out.append(request.headers);
        const bool bodyless
                = request.method == "GET" || request.method == "DELETE" || request.method == "HEAD";
        if (!request.body.isEmpty() || !bodyless)
            out.append("Content-Length: ").append(QByteArray::number(request.body.size()));
        if (!request.body.isEmpty() || !bodyless)
            out.append("\r\n");
        out.append("\r\n").append(request.body);
        resetParser();
        m_socket->write(out);
    }

    void resetParser()
    {
        m_phase = Phase::Head;
        m_scan = 0;
        m_response = Response();
        m_remaining = 0;
        m_closeAfter = false;
    }

    void onReadyRead()
    {
        const qint64 available = m_socket->bytesAvailable();
        if (available <= 0)
            return;
        if (!m_pending) {
            // Bytes nobody asked for: the connection is out of step; drop it.
            abort(Failure::Protocol, QStringLiteral("unexpected bytes on an idle connection"));
            return;
        }
        m_gotBytes = true;
        const qsizetype old = m_in.size();
        m_in.resize(old + available);
        const qint64 got = m_socket->read(m_in.data() + old, available);
        m_in.resize(old + qMax<qint64>(0, got));
        parse();
    }

    // Runs the parser over m_in from m_pos; stops when it needs more bytes or is done.
    void parse()
    {
        while (m_pending && !m_dead) {
            bool progress = false;
            switch (m_phase) {
            case Phase::Head:
                progress = parseHead();
                break;
            case Phase::Length:
                progress = takeBody(m_remaining);
                break;
            case Phase::ChunkSize:
                progress = parseChunkSize();
                break;
            case Phase::ChunkData:
                progress = takeBody(m_remaining);
                break;
            case Phase::ChunkEnd:
                progress = parseChunkEnd();
                break;
            case Phase::Trailers:
                progress = parseTrailers();
                break;
            case Phase::UntilClose:
                progress = takeUntilClose();
                break;
            }
            if (!progress)
                break;
        }
        compact();
    }

    void compact()
    {
        if (m_pos == 0)
            return;
        if (m_pos >= m_in.size())
            m_in.resize(0); // keeps the capacity
        else
            m_in.remove(0, m_pos);
        m_scan = qMax<qsizetype>(0, m_scan - m_pos);
        m_pos = 0;
    }

    bool protocolError(const char *why)
    {
        abort(Failure::Protocol,
              QStringLiteral("invalid HTTP response: %1").arg(QLatin1String(why)));
        return false;
    }

    bool tooLarge()
    {
        abort(Failure::TooLarge,
              QStringLiteral("response larger than %1 bytes").arg(m_client->m_maxResponseBytes));
        return false;
    }

    bool parseHead()
    {
        const char *data = m_in.constData();
        const qsizetype size = m_in.size();
        qsizetype from = qMax(m_pos, m_scan);
        qsizetype end = -1;
        for (qsizetype i = from; i + 3 < size; ++i) {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r'
                && data[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            m_scan = qMax(m_pos, size - 3);
            if (size - m_pos > MaxHeadBytes)
                return protocolError("head too long");
            if (size - m_pos >= 5 && std::memcmp(data + m_pos, "HTTP/", 5) != 0)
                return protocolError("no status line");
            return false;
        }

        // Status line: HTTP/1.x SSS reason
        const char *line = data + m_pos;
        const char *headEnd = data + end;
        const char *eol = static_cast<const char *>(std::memchr(line, '\n', headEnd - line + 1));
        if (!eol)
            eol = headEnd;
        if (eol - line < 12 || std::memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ')
            return protocolError("bad status line");
        const bool http10 = line[7] == '0';
        const qint64 status = parseDecimal(line + 9, line + 12);
        if (status < 100 || status > 999)
            return protocolError("bad status code");

        qint64 contentLength = -1;
        bool chunked = false;
        bool keepAlive = !http10;
        const char *p = eol < headEnd ? eol + 1 : headEnd;
        while (p < headEnd) {
            const char *lineEnd = static_cast<const char *>(std::memchr(p, '\n', headEnd - p));
            if (!lineEnd)
                lineEnd = headEnd;
            const char *colon = static_cast<const char *>(std::memchr(p, ':', lineEnd - p));
            if (!colon)
                return protocolError("bad header line");
            const char *valueEnd = lineEnd;
            const char *value = trimmed(colon + 1, &valueEnd);
            const qsizetype nameSize = colon - p;
            const qsizetype valueSize = valueEnd - value;
            if (equalsLower(p, nameSize, "content-length")) {
                contentLength = parseDecimal(value, valueEnd);
                if (contentLength < 0)
                    return protocolError("bad Content-Length");
            } else if (equalsLower(p, nameSize, "transfer-encoding")) {
                chunked = containsChunked(value, valueSize);
            } else if (equalsLower(p, nameSize, "connection")) {
                if (equalsLower(value, valueSize, "close"))
                    keepAlive = false;
                else if (equalsLower(value, valueSize, "keep-alive"))
                    keepAlive = true;
            } else if (equalsLower(p, nameSize, "content-type")) {
                m_response.contentType = QByteArray(value, valueSize);
            } else if (equalsLower(p, nameSize, "retry-after")) {
                m_response.retryAfter = QByteArray(value, valueSize);
            } else if (equalsLower(p, nameSize, "x-request-id")) {
                m_response.requestId = QByteArray(value, qMin<qsizetype>(valueSize, 200));
            }
            p = lineEnd + 1;
        }
        m_pos = end + 4;
        m_scan = m_pos;

        if (status < 200) {
            // 100 Continue and friends: the real answer follows.
            m_response = Response();
            return true;
        }
        m_response.status = int(status);
        m_closeAfter = !keepAlive;
        const QByteArray &method = m_pending->request.method;
        if (method == "HEAD" || status == 204 || status == 304)
            return complete();
        if (chunked) {
            m_phase = Phase::ChunkSize;
        } else if (contentLength >= 0) {
            if (contentLength > m_client->m_maxResponseBytes)
                return tooLarge();
            m_response.body.reserve(contentLength);
            m_remaining = contentLength;
            m_phase = Phase::Length;
            if (contentLength == 0)
                return complete();
        } else {
            m_phase = Phase::UntilClose;
            m_closeAfter = true;
        }
        return true;
    }

    bool takeBody(qint64 &remaining)
    {
        const qint64 take = qMin<qint64>(remaining, m_in.size() - m_pos);
        if (take <= 0)
            return false;
        if (m_response.body.size() + take > m_client->m_maxResponseBytes)
            return tooLarge();
        m_response.body.append(m_in.constData() + m_pos, take);
        m_pos += take;
        remaining -= take;
        if (remaining > 0)
            return false;
        if (m_phase == Phase::Length)
            return complete();
        m_phase = Phase::ChunkEnd;
        return true;
    }

    // One CRLF-terminated line from m_pos, or false when it is not all here.
    bool takeLine(const char **begin, const char **end)
    {
        const char *data = m_in.constData();
        const void *nl = std::memchr(data + m_pos, '\n', m_in.size() - m_pos);
        if (!nl) {
            if (m_in.size() - m_pos > 4096)
                return protocolError("chunk line too long");
            return false;
        }
        *begin = data + m_pos;
        *end = static_cast<const char *>(nl);
        if (*end > *begin && (*end)[-1] == '\r')
            --*end;
        m_pos = static_cast<const char *>(nl) - data + 1;
        return true;
    }

    bool parseChunkSize()
    {
        const char *begin = nullptr;
        const char *end = nullptr;
        if (!takeLine(&begin, &end))
            return false;
        const char *semicolon = static_cast<const char *>(std::memchr(begin, ';', end - begin));
        if (semicolon)
            end = semicolon;
        begin = trimmed(begin, &end);
        const qint64 size = parseHex(begin, end);
        if (size < 0)
            return protocolError("bad chunk size");
        if (m_response.body.size() + size > m_client->m_maxResponseBytes)
            return tooLarge();
        if (size == 0) {
            m_phase = Phase::Trailers;
            return true;
        }
        m_remaining = size;
        m_phase = Phase::ChunkData;
        return true;
    }

    bool parseChunkEnd()
    {
        const char *begin = nullptr;
        const char *end = nullptr;
        if (!takeLine(&begin, &end))
            return false;
        if (begin != end)
            return protocolError("chunk not followed by CRLF");
        m_phase = Phase::ChunkSize;
        return true;
    }

    bool parseTrailers()
    {
        const char *begin = nullptr;
        const char *end = nullptr;
        while (takeLine(&begin, &end)) {
            if (begin == end)
                return complete();
        }
        return false;
    }

    bool takeUntilClose()
    {
        const qint64 take = m_in.size() - m_pos;
        if (take <= 0)
            return false;
        if (m_response.body.size() + take > m_client->m_maxResponseBytes)
            return tooLarge();
        m_response.body.append(m_in.constData() + m_pos, take);
        m_pos += take;
        return false;
    }

    bool complete()
    {
        m_timer.stop();
        ++m_responses;
        std::unique_ptr<Pending> pending = std::move(m_pending);
        Response response = std::move(m_response);
        m_response = Response();
        const bool leftover = m_pos < m_in.size();
        if (m_closeAfter || leftover) {
            // Closing (or out of step: bytes after the response nobody asked for).
            m_dead = true;
            m_socket->disconnect(this);
            m_socket->abort();
            m_client->dropConnection(this);
        } else {
            m_timer.start(m_client->m_idleTimeoutMs);
        }
        m_client->finished(m_pool, std::move(pending), std::move(response));
        return false;
    }

    void onClosed(const QString &why)
    {
        if (m_dead)
            return;
        if (m_pending && m_phase == Phase::UntilClose) {
            // The server ends a body without length by closing: that is the end of it.
            m_closeAfter = true;
            if (m_socket->bytesAvailable() > 0)
                onReadyRead();
            if (m_pending && m_phase == Phase::UntilClose) {
                complete();
                return;
            }
        }
        if (m_pending && m_reused && !m_gotBytes && !m_pending->staleRetried) {
            // The classic keep-alive race: the server closed the idle connection while our
            // request was on its way. Nothing was processed; send it again on a new one.
            m_dead = true;
            m_timer.stop();
            m_socket->disconnect(this);
            m_socket->abort();
            std::unique_ptr<Pending> pending = std::move(m_pending);
            m_client->dropConnection(this);
            m_client->retryStale(this, std::move(pending));
            return;
        }
        abort(Failure::Network,
              why.isEmpty() ? QStringLiteral("the server closed the connection") : why);
    }

    void onTimeout()
    {
        if (!m_pending) {
            abort(Failure::None, QString()); // idle too long: just close
            return;
        }
        abort(Failure::Timeout,
              QStringLiteral("no response within %1 ms").arg(m_pending->request.timeoutMs));
    }

    void fail(std::unique_ptr<Pending> pending, Failure failure, const QString &why)
    {
        Response response;
        response.status = 0;
        response.failure = failure;
        response.errorString = why;
        m_client->finished(m_pool, std::move(pending), std::move(response));
    }

    HttpClient *m_client = nullptr;
    Pool *m_pool = nullptr;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timer;
    std::unique_ptr<Pending> m_pending;
    QByteArray m_in;
    QByteArray m_out;
    Response m_response;
    Phase m_phase = Phase::Head;
    qsizetype m_pos = 0;
    qsizetype m_scan = 0;
    qint64 m_remaining = 0;
    quint64 m_responses = 0;
    bool m_ready = false;
    bool m_reused = false;
    bool m_gotBytes = false;
    bool m_closeAfter = false;
    bool m_dead = false;
};

HttpClient::HttpClient(int maxConnectionsPerHost, QObject *parent)
    : QObject(parent)
    , m_maxConnections(qMax(1, maxConnectionsPerHost))
{}

HttpClient::~HttpClient()
{
    abortAll();
    qDeleteAll(m_pools);
}

void HttpClient::setMaxConnectionsPerHost(int connections)
{
    m_maxConnections = qMax(1, connections);
    for (Pool *pool : std::as_const(m_pools))
        pump(*pool);
}

int HttpClient::openConnections() const
{
    int count = 0;
    for (const Pool *pool : m_pools)
        count += int(pool->connections.size());
    return count;
}

int HttpClient::queued() const
{
    int count = 0;
    for (const Pool *pool : m_pools)
        count += int(pool->queue.size());
    return count;
}

HttpClient::Pool &HttpClient::poolFor(const QUrl &url)
{
    const bool tls = url.scheme() == u"https";
    const QString host = url.host();
    const int port = url.port(tls ? 443 : 80);
    QString key = host;
    key += tls ? u'|' : u'/';
    key += QString::number(port);
    Pool *&pool = m_pools[key];
    if (!pool) {
        pool = new Pool;
        pool->host = host;
        pool->port = quint16(port);
        pool->tls = tls;
        pool->hostHeader = url.host(QUrl::FullyEncoded).toLatin1();
        if (host.contains(u':'))
            pool->hostHeader = '[' + pool->hostHeader + ']';
        if (port != (tls ? 443 : 80))
            pool->hostHeader += ':' + QByteArray::number(port);
    }
    return *pool;
}

void HttpClient::send(Request request, Done done)
{
    auto pending = std::make_unique<Pending>();
    pending->request = std::move(request);
    pending->done = std::move(done);

    const QUrl &url = pending->request.url;
    const QString scheme = url.scheme();
    if ((scheme != u"http" && scheme != u"https") || url.host().isEmpty() || m_aborting) {
        // Never call back inside send(): the caller may still be setting up.
        Pending *raw = pending.release();
        QMetaObject::invokeMethod(
                this,
                [raw] {
                    std::unique_ptr<Pending> owned(raw);
                    Response response;
                    response.failure = Failure::Network;
                    response.errorString = QStringLiteral("unsupported URL");
                    owned->done(std::move(response));
                },
                Qt::QueuedConnection);
        return;
    }
    Pool &pool = poolFor(url);
    pool.queue.push_back(std::move(pending));
    pump(pool);
}

void HttpClient::pump(Pool &pool)
{
    if (m_aborting)
        return;
    while (!pool.queue.empty()) {
        Connection *target = nullptr;
        for (Connection *connection : pool.connections) {
            if (connection->idle()) {
                target = connection;
                break;
            }
        }
        if (!target) {
            if (int(pool.connections.size()) >= m_maxConnections)
                return;
            target = new Connection(this, &pool);
            pool.connections.push_back(target);
            target->open();
        }
        std::unique_ptr<Pending> pending = std::move(pool.queue.front());
        pool.queue.pop_front();
        target->start(std::move(pending));
    }
}

void HttpClient::dropConnection(Connection *connection)
{
    for (Pool *pool : std::as_const(m_pools)) {
        auto &list = pool->connections;
        for (auto it = list.begin(); it != list.end(); ++it) {
            if (*it == connection) {
                list.erase(it);
                connection->deleteLater();
                if (!m_aborting)
                    pump(*pool); // room for a queued request
                return;
            }
        }
    }
}

void HttpClient::retryStale(Connection *connection, std::unique_ptr<Pending> pending)
{
    Q_UNUSED(connection);
    ++m_staleRetries;
    pending->staleRetried = true;
    qCDebug(lcOrgo) << "stale keep-alive connection; resending once";
    Pool &pool = poolFor(pending->request.url);
    pool.queue.push_front(std::move(pending));
    pump(pool);
}

void HttpClient::finished(Pool *pool, std::unique_ptr<Pending> pending, Response &&response)
{
    if (pending->done)
        pending->done(std::move(response));
    if (!m_aborting)
        pump(*pool);
}

void HttpClient::abortAll()
{
    m_aborting = true;
    for (Pool *pool : std::as_const(m_pools)) {
        std::deque<std::unique_ptr<Pending>> queue = std::move(pool->queue);
        pool->queue.clear();
        const std::vector<Connection *> connections = pool->connections;
        for (Connection *connection : connections)
            connection->abort(Failure::Aborted, QStringLiteral("aborted"));
        for (auto &pending : queue) {
            Response response;
            response.failure = Failure::Aborted;
            response.errorString = QStringLiteral("aborted");
            if (pending->done)
                pending->done(std::move(response));
        }
    }
    m_aborting = false;
}

} // namespace Mouse::Orgo

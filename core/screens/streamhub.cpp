// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/streamhub.h"

#include "core/config/settings.h"
#include "core/logging.h"
#include "core/screens/screenshotservice.h"

#include <prometheus/counter.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

#include <utility>

namespace Mouse {

namespace {

int variantOf(ScreenQuality quality, ImageFormat format)
{
    return int(quality) * 8 + int(format);
}

QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

template<typename Viewer>
bool canTakeFrame(const Viewer &viewer)
{
    return viewer.socket && viewer.socket->state() == QAbstractSocket::ConnectedState
           && viewer.socket->bytesToWrite() <= StreamHub::MaxViewerBacklogBytes;
}

// A quarter of the shortest bound: a stall or a missing pong is acted on within 25 % of its
// time, and an idle hub wakes at most once a second per bound.
int watchdogIntervalMs(const ViewerLimits &limits)
{
    qint64 shortest = 4000;
    for (const qint64 bound : {limits.stallMs, limits.pingMs, limits.pongTimeoutMs}) {
        if (bound > 0)
            shortest = std::min(shortest, bound);
    }
    return int(std::clamp<qint64>(shortest / 4, 5, 1000));
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'g', 3);
}

} // namespace

ViewerLimits ViewerLimits::fromSettings(const Settings &settings)
{
    ViewerLimits limits;
    limits.stallMs = settings.integer(QStringLiteral("screens/viewer_stall_ms"));
    limits.pingMs = settings.integer(QStringLiteral("screens/viewer_ping_ms"));
    limits.pongTimeoutMs = settings.integer(QStringLiteral("screens/viewer_pong_timeout_ms"));
    return limits;
}

StreamHub::StreamHub(ScreenshotService &service, qint64 intervalMs, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_intervalMs(std::max<qint64>(10, intervalMs))
    , m_watchdog(new QTimer(this))
{
    m_clock.start();
    m_watchdog->setInterval(watchdogIntervalMs(m_limits));
    connect(m_watchdog, &QTimer::timeout, this, &StreamHub::watchViewers);
}

void StreamHub::setViewerLimits(const ViewerLimits &limits)
{
    m_limits = limits;
    m_watchdog->setInterval(watchdogIntervalMs(m_limits));
}

void StreamHub::setDropCounters(Metrics::Counter *stalled, Metrics::Counter *unanswered)
{
    m_stalledCounter = stalled;
    m_unansweredCounter = unanswered;
}

StreamHub::~StreamHub()
{
    for (const QPointer<QWebSocket> &socket : std::as_const(m_leaving)) {
        if (socket) {
            socket->disconnect(this);
            delete socket.data();
        }
    }
    for (const auto &stream : std::as_const(m_streams)) {
        for (const Viewer &viewer : std::as_const(stream->viewers)) {
            if (viewer.socket) {
                viewer.socket->disconnect(this);
                viewer.socket->close(QWebSocketProtocol::CloseCodeGoingAway);
                delete viewer.socket.data();
            }
        }
    }
}

int StreamHub::viewerCount(const QString &vmId) const
{
    const auto stream = m_streams.value(vmId);
    return stream ? int(stream->viewers.size()) : 0;
}

void StreamHub::addViewer(QWebSocket *socket,
                          const QString &vmId,
                          ScreenQuality quality,
                          ImageFormat format,
                          bool binary)
{
    socket->setParent(this);
    connect(socket, &QWebSocket::disconnected, this, [this, vmId, socket] {
        removeViewer(vmId, socket);
    });
    connect(socket, &QWebSocket::pong, this, [this, vmId, socket] { onPong(vmId, socket); });
    if (m_goingAway) {
        sendGoingAway(socket);
        return;
    }

    std::shared_ptr<Stream> stream = m_streams.value(vmId);
    const bool first = !stream;
    if (first) {
        stream = std::make_shared<Stream>();
        stream->vm = vmId;
        stream->timer = new QTimer(this);
        stream->timer->setInterval(int(m_intervalMs));
        connect(stream->timer, &QTimer::timeout, this, [this, vmId] { tick(vmId); });
        m_streams.insert(vmId, stream);
        stream->timer->start();
        qCDebug(lcScreens) << "stream started for" << vmId;
    }
    Viewer viewer{socket, quality, format, binary};
    viewer.lastPingMs = m_clock.elapsed(); // the first ping one interval from now
    stream->viewers.append(viewer);
    if (!m_watchdog->isActive())
        m_watchdog->start();
    // A newcomer gets a frame now rather than at the next tick; the cache and the single
    // flight make this cheap when others are watching.
    tick(vmId);
}

void StreamHub::tick(const QString &vm)
{
    const std::shared_ptr<Stream> stream = m_streams.value(vm);
    if (!stream)
        return;
    ++m_ticks;
    QSet<int> wanted;
    for (const Viewer &viewer : std::as_const(stream->viewers)) {
        const int variant = variantOf(viewer.quality, viewer.format);
        if (wanted.contains(variant) || stream->inFlight.contains(variant))
            continue; // a slow upstream: no second request on top of the one in flight
        // A viewer that reads slowly or not at all would skip the frame: no Orgo fetch and no
        // encode for it (they went on every tick, for as long as it stayed connected).
        if (!canTakeFrame(viewer))
            continue;
        wanted.insert(variant);
        stream->inFlight.insert(variant);
        // Not .then(this): Gateway::stopScreens() deletes the hub before the service, whose
        // destructor then cancels the frames in flight, and Qt 6.4 runs a continuation whose
        // context is gone into Q_ASSERT(context) (an abort at shutdown in debug builds). The
        // application outlives both; the guard pointer drops frames for a hub that is gone.
        m_service.screenshot(vm, viewer.quality, viewer.format)
                .then(QCoreApplication::instance(),
                      [hub = QPointer<StreamHub>(this), vm, variant](
                              const ScreenshotResult &result) {
                          if (hub)
                              hub->deliver(vm, variant, result);
                      });
    }
}

void StreamHub::deliver(const QString &vm, int variant, const ScreenshotResult &result)
{
    const std::shared_ptr<Stream> stream = m_streams.value(vm);
    if (!stream) // the last viewer left while this frame was being made
        return;
    stream->inFlight.remove(variant);

    QJsonObject frame;
    if (result.ok()) {
        frame = result.screenshot->toJson(false);
        frame.insert(QStringLiteral("type"), QStringLiteral("screenshot"));
        frame.insert(QStringLiteral("timestamp"), nowIso());
    } else {
        frame = {{QStringLiteral("type"), QStringLiteral("error")},
                 {QStringLiteral("code"), result.error.code},
                 {QStringLiteral("message"), result.error.message},
                 {QStringLiteral("timestamp"), nowIso()}};
    }
    QByteArray textFrame, binaryHeader;
    // Copy: sending may run the event loop of nothing, but a disconnect handled later could
    // still change the list; the QPointer guards each socket.
    const QList<Viewer> viewers = stream->viewers;
    for (const Viewer &viewer : viewers) {
        if (variantOf(viewer.quality, viewer.format) != variant || !canTakeFrame(viewer))
            continue;
        if (viewer.binary && result.ok()) {
            if (binaryHeader.isEmpty()) {
                QJsonObject header = frame;
                header.insert(QStringLiteral("type"), QStringLiteral("frame"));
                binaryHeader = QJsonDocument(header).toJson(QJsonDocument::Compact);
            }
            viewer.socket->sendTextMessage(QString::fromUtf8(binaryHeader));
            viewer.socket->sendBinaryMessage(result.screenshot->bytes);
        } else {
            if (textFrame.isEmpty()) {
                QJsonObject full = frame;
                if (result.ok())
                    full.insert(QStringLiteral("data"),
                                QString::fromLatin1(result.screenshot->bytes.toBase64()));
                textFrame = QJsonDocument(full).toJson(QJsonDocument::Compact);
            }
            viewer.socket->sendTextMessage(QString::fromUtf8(textFrame));
        }
        ++m_framesSent;
    }
}

void StreamHub::endStream(const QString &vmId, const QString &code, const QString &message)
{
    const std::shared_ptr<Stream> stream = m_streams.take(vmId);
    if (!stream)
        return;
    stream->timer->stop();
    stream->timer->deleteLater();
    const QJsonObject frame{{QStringLiteral("type"), QStringLiteral("error")},
                            {QStringLiteral("code"), code},
                            {QStringLiteral("message"), message},
                            {QStringLiteral("timestamp"), nowIso()}};
    const QString text = QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact));
    // The stream is out of the table already: the disconnects that follow only delete sockets.
    for (const Viewer &viewer : std::as_const(stream->viewers)) {
        if (!viewer.socket)
            continue;
        viewer.socket->sendTextMessage(text);
        viewer.socket->close(QWebSocketProtocol::CloseCodeNormal, message);
    }
    qCDebug(lcScreens) << "stream ended for" << vmId << code;
}

void StreamHub::goAway(const QString &reason)
{
    if (m_goingAway)
        return;
    m_goingAway = true;
    m_goingAwayReason = reason;
    m_watchdog->stop(); // the drain (server/drain_ms) bounds the viewers from here
    // Out of the table first: frames still in flight then find no stream and are dropped.
    const auto streams = std::exchange(m_streams, {});
    for (const auto &stream : streams) {
        delete stream->timer;
        for (const Viewer &viewer : std::as_const(stream->viewers)) {
            if (viewer.socket)
                sendGoingAway(viewer.socket);
        }
    }
    if (!m_leaving.isEmpty())
        qCInfo(lcScreens) << "closing" << m_leaving.size() << "viewers: going away";
}

void StreamHub::sendGoingAway(QWebSocket *socket)
{
    m_leaving.append(socket);
    socket->close(QWebSocketProtocol::CloseCodeGoingAway, m_goingAwayReason);
}

int StreamHub::openSockets() const
{
    int open = 0;
    for (const QPointer<QWebSocket> &socket : m_leaving)
        open += socket && socket->state() != QAbstractSocket::UnconnectedState ? 1 : 0;
    for (const auto &stream : m_streams)
        open += int(stream->viewers.size());
    return open;
}

void StreamHub::removeViewer(const QString &vm, QWebSocket *socket)
{
    socket->deleteLater();
    const std::shared_ptr<Stream> stream = m_streams.value(vm);
    if (!stream)
        return;
    stream->viewers.removeIf([socket](const Viewer &v) { return !v.socket || v.socket == socket; });
    if (!stream->viewers.isEmpty())
        return;
    stream->timer->stop();
    stream->timer->deleteLater();
    m_streams.remove(vm);
    if (m_streams.isEmpty())
        m_watchdog->stop();
    qCDebug(lcScreens) << "stream stopped for" << vm;
}

void StreamHub::onPong(const QString &vm, QWebSocket *socket)
{
    const std::shared_ptr<Stream> stream = m_streams.value(vm);
    if (!stream)
        return;
    for (Viewer &viewer : stream->viewers) {
        if (viewer.socket == socket)
            viewer.pongOwed = false;
    }
}

// Runs every watchdogIntervalMs() while a stream exists: closes the viewers that hold a
// backlog for too long, drops those that do not answer a ping, and pings the others.
void StreamHub::watchViewers()
{
    const qint64 nowMs = m_clock.elapsed();
    // Copies: a close or an abort can emit disconnected() at once, and removeViewer() then
    // changes the viewer list and the stream table.
    const auto streams = m_streams;
    for (const std::shared_ptr<Stream> &stream : streams) {
        QList<QPointer<QWebSocket>> stalled, unanswered;
        for (Viewer &viewer : stream->viewers) {
            const ViewerCheck check = checkViewer(viewer, nowMs);
            if (check == ViewerCheck::Stalled)
                stalled << viewer.socket;
            else if (check == ViewerCheck::Unanswered)
                unanswered << viewer.socket;
        }
        for (const QPointer<QWebSocket> &socket : std::as_const(stalled)) {
            if (socket)
                closeStalled(stream->vm, socket);
        }
        for (const QPointer<QWebSocket> &socket : std::as_const(unanswered)) {
            if (socket)
                dropUnanswered(stream->vm, socket);
        }
    }
}

StreamHub::ViewerCheck StreamHub::checkViewer(Viewer &viewer, qint64 nowMs)
{
    if (!viewer.socket || viewer.closing
        || viewer.socket->state() != QAbstractSocket::ConnectedState)
        return ViewerCheck::Keep;
    if (m_limits.stallMs > 0) {
        if (viewer.socket->bytesToWrite() <= MaxViewerBacklogBytes) {
            viewer.stalledSinceMs = -1;
        } else if (viewer.stalledSinceMs < 0) {
            viewer.stalledSinceMs = nowMs;
        } else if (nowMs - viewer.stalledSinceMs >= m_limits.stallMs) {
            viewer.closing = true;
            return ViewerCheck::Stalled;
        }
    }
    if (m_limits.pingMs <= 0)
        return ViewerCheck::Keep;
    if (viewer.stalledSinceMs >= 0) {
        // A pong cannot pass a backlog the viewer does not read: the stall bound judges it,
        // with its own close code, and the ping clock starts again once the backlog drains.
        viewer.lastPingMs = nowMs;
        return ViewerCheck::Keep;
    }
    if (viewer.pongOwed) {
        if (m_limits.pongTimeoutMs > 0 && nowMs - viewer.lastPingMs >= m_limits.pongTimeoutMs) {
            viewer.closing = true;
            return ViewerCheck::Unanswered;
        }
    } else if (nowMs - viewer.lastPingMs >= m_limits.pingMs) {
        viewer.socket->ping();
        ++m_pingsSent;
        viewer.lastPingMs = nowMs;
        viewer.pongOwed = true;
    }
    return ViewerCheck::Keep;
}

// The close frame goes behind the backlog, so a viewer that starts reading again learns why;
// one that never does would keep the socket in its closing state with the backlog unsent for
// ever (QTcpSocket's close waits for its buffer to drain), hence the abort after a grace.
void StreamHub::closeStalled(const QString &vm, QWebSocket *socket)
{
    ++m_stalledClosed;
    if (m_stalledCounter)
        m_stalledCounter->Increment();
    qCInfo(lcScreens).noquote() << "closing a viewer of" << vm << "from"
                                << socket->peerAddress().toString() << "with"
                                << socket->bytesToWrite() << "bytes unsent for over"
                                << seconds(m_limits.stallMs) << "s (screens/viewer_stall_ms)";
    const qint64 graceMs = m_limits.pongTimeoutMs > 0 ? m_limits.pongTimeoutMs : m_limits.stallMs;
    QTimer::singleShot(graceMs, socket, [socket] { socket->abort(); });
    socket->close(
            QWebSocketProtocol::CloseCode(CloseCodeWriteStalled),
            QStringLiteral("The viewer read no frames for %1 s.").arg(seconds(m_limits.stallMs)));
}

// A peer that does not answer a ping is gone (or cannot be reached): no close handshake.
void StreamHub::dropUnanswered(const QString &vm, QWebSocket *socket)
{
    ++m_unansweredDropped;
    if (m_unansweredCounter)
        m_unansweredCounter->Increment();
    qCInfo(lcScreens).noquote() << "dropping a viewer of" << vm << "from"
                                << socket->peerAddress().toString() << "(no pong within"
                                << seconds(m_limits.pongTimeoutMs)
                                << "s, screens/viewer_pong_timeout_ms)";
    socket->abort();
}

} // namespace Mouse

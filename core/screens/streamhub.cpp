// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/streamhub.h"

#include "core/logging.h"
#include "core/screens/screenshotservice.h"

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

// Unsent bytes beyond which a viewer skips frames: one that reads slowly, or not at all, gets
// the newest frame when it catches up instead of an unbounded backlog in the gateway's memory.
constexpr qint64 MaxViewerBacklogBytes = 1 << 20;

template<typename Viewer>
bool canTakeFrame(const Viewer &viewer)
{
    return viewer.socket && viewer.socket->state() == QAbstractSocket::ConnectedState
           && viewer.socket->bytesToWrite() <= MaxViewerBacklogBytes;
}

} // namespace

StreamHub::StreamHub(ScreenshotService &service, qint64 intervalMs, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_intervalMs(std::max<qint64>(10, intervalMs))
{}

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
    stream->viewers.append(Viewer{socket, quality, format, binary});
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
    qCDebug(lcScreens) << "stream stopped for" << vm;
}

} // namespace Mouse

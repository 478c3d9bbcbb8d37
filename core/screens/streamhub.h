// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/screens/screenshotpresets.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>

class QWebSocket;
class QTimer;

namespace Mouse {

class ScreenshotService;
struct ScreenshotResult;

// Live screenshots over WebSockets: one refresh loop per VM, shared by all its viewers. Each
// tick asks the service once per variant (quality, format) the viewers want; the service's
// single flight makes that one upstream fetch per VM per tick whatever the number of viewers.
// A loop starts with its first viewer and stops when its last one leaves. Frames:
//   text:   {"type":"screenshot","vm","mime","width","height","bytes","data":<base64>,
//            "timestamp","captured_at","cached","quality"}
//   binary: with ?binary=1 the same object without "data" as a text frame (type "frame"),
//           then the image bytes as one binary frame.
//   errors: {"type":"error","code","message","timestamp"}; the loop goes on.
// Lives on the main thread, like the sockets it owns.
class StreamHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamHub)

public:
    StreamHub(ScreenshotService &service, qint64 intervalMs, QObject *parent = nullptr);
    ~StreamHub() override;

    // Takes ownership of the socket (deleted when it disconnects or the hub goes).
    void addViewer(QWebSocket *socket,
                   const QString &vmId,
                   ScreenQuality quality = ScreenQuality::Medium,
                   ImageFormat format = ImageFormat::Jpeg,
                   bool binary = false);

    // Ends the VM's loop: each viewer gets one error frame {code, message}, then a normal
    // close. For a VM that is gone (deleted through the API); its viewers would otherwise get
    // an error frame per tick for as long as they stay.
    void endStream(const QString &vmId, const QString &code, const QString &message);

    // Shutdown: stops every refresh loop and closes each viewer with 1001 (going away) and
    // this reason; a viewer that comes later is closed the same way. QWebSocket::close()
    // flushes the close frame, then closes the connection; the sockets stay until they are
    // disconnected (or the hub goes), so a frame still unsent (a viewer that reads slowly)
    // can reach the client while the gateway drains.
    void goAway(const QString &reason);
    bool isGoingAway() const { return m_goingAway; }
    int openSockets() const; // viewers' sockets not yet disconnected (the drain waits)

    int streamCount() const { return int(m_streams.size()); }
    int viewerCount(const QString &vmId) const;
    quint64 ticks() const { return m_ticks; }
    quint64 framesSent() const { return m_framesSent; }

private:
    struct Viewer
    {
        QPointer<QWebSocket> socket;
        ScreenQuality quality;
        ImageFormat format;
        bool binary;
    };
    struct Stream
    {
        QString vm;
        QTimer *timer = nullptr;
        QList<Viewer> viewers;
        QSet<int> inFlight; // variants asked this tick and not answered yet
    };

    void tick(const QString &vm);
    void deliver(const QString &vm, int variant, const ScreenshotResult &result);
    void removeViewer(const QString &vm, QWebSocket *socket);
    void sendGoingAway(QWebSocket *socket);

    ScreenshotService &m_service;
    qint64 m_intervalMs;
    QHash<QString, std::shared_ptr<Stream>> m_streams;
    bool m_goingAway = false;
    QString m_goingAwayReason;
    QList<QPointer<QWebSocket>> m_leaving; // closed by goAway(), waiting for the handshake
    quint64 m_ticks = 0;
    quint64 m_framesSent = 0;
};

} // namespace Mouse

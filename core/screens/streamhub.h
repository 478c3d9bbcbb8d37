// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/metrics/metricsfwd.h"
#include "core/screens/screenshotpresets.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>

class QWebSocket;
class QTimer;

namespace Mouse {

class ScreenshotService;
class Settings;
struct ScreenshotResult;

// How long the hub keeps a viewer that takes no frames, or that no longer answers. Without
// them a viewer that stopped reading (a suspended laptop, a stuck tab) or a peer that vanished
// without a FIN stayed connected for ever, holding a socket and up to a backlog of frames.
struct ViewerLimits
{
    // screens/viewer_stall_ms: a viewer whose unsent bytes stay above the backlog limit
    // (StreamHub::MaxViewerBacklogBytes, where it starts skipping frames) this long is closed
    // with CloseCodeWriteStalled.
    qint64 stallMs = 30000;
    // screens/viewer_ping_ms: each viewer is pinged this often; 0 sends no pings.
    qint64 pingMs = 30000;
    // screens/viewer_pong_timeout_ms: a ping not answered by then drops the viewer (abort:
    // a dead peer cannot take part in a close handshake). Also how long a viewer closed for a
    // stall may take to drain before it is aborted.
    qint64 pongTimeoutMs = 20000;

    static ViewerLimits fromSettings(const Settings &settings);
};

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

    // Unsent bytes beyond which a viewer skips frames: one that reads slowly, or not at all,
    // gets the newest frame when it catches up instead of an unbounded backlog in memory.
    static constexpr qint64 MaxViewerBacklogBytes = 1 << 20;
    // The close code of a viewer closed for a write stall: 4408, in the 4xxx range the
    // gateway's WebSocket closes use, after HTTP 408 (as 4401 and 4429 follow 401 and 429).
    static constexpr int CloseCodeWriteStalled = 4408;

    // Applies to viewers already connected too. Counters (may be null) count the viewers
    // closed for a write stall and dropped for a missing pong, for /metrics.
    void setViewerLimits(const ViewerLimits &limits);
    void setDropCounters(Metrics::Counter *stalled, Metrics::Counter *unanswered);
    ViewerLimits viewerLimits() const { return m_limits; }

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
    quint64 stalledViewersClosed() const { return m_stalledClosed; }
    quint64 unansweredViewersDropped() const { return m_unansweredDropped; }
    quint64 pingsSent() const { return m_pingsSent; }

private:
    struct Viewer
    {
        QPointer<QWebSocket> socket;
        ScreenQuality quality;
        ImageFormat format;
        bool binary;
        qint64 stalledSinceMs = -1; // since when unsent bytes stay above the backlog limit
        qint64 lastPingMs = -1;     // when the last ping went out
        bool pongOwed = false;      // that ping is not answered yet
        bool closing = false;       // closed by the hub: waits for the close to complete
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
    void watchViewers();
    // What watchViewers() does to one viewer: nothing, close it (stall) or drop it (no pong).
    enum class ViewerCheck { Keep, Stalled, Unanswered };
    ViewerCheck checkViewer(Viewer &viewer, qint64 nowMs);
    void closeStalled(const QString &vm, QWebSocket *socket);
    void dropUnanswered(const QString &vm, QWebSocket *socket);
    void onPong(const QString &vm, QWebSocket *socket);
    void restartWatchdog();

    ScreenshotService &m_service;
    qint64 m_intervalMs;
    QHash<QString, std::shared_ptr<Stream>> m_streams;
    bool m_goingAway = false;
    QString m_goingAwayReason;
    QList<QPointer<QWebSocket>> m_leaving; // closed by goAway(), waiting for the handshake
    quint64 m_ticks = 0;
    quint64 m_framesSent = 0;
    ViewerLimits m_limits;
    QTimer *m_watchdog = nullptr;
    QElapsedTimer m_clock;
    quint64 m_stalledClosed = 0;
    quint64 m_unansweredDropped = 0;
    quint64 m_pingsSent = 0;
    Metrics::Counter *m_stalledCounter = nullptr;
    Metrics::Counter *m_unansweredCounter = nullptr;
};

} // namespace Mouse

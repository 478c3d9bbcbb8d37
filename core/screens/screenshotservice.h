// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/cache/ttlcache.h"
#include "core/screens/imagecodec.h"
#include "core/screens/screenerror.h"
#include "core/screens/screenshotpresets.h"

#include <QDateTime>
#include <QFuture>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThreadPool>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace Mouse {

class Settings;

namespace Metrics {
class HealthBoard;
} // namespace Metrics

// One answer: the bytes and what they are.
struct Screenshot
{
    QString vmId;
    QByteArray bytes;
    QByteArray mime;
    int width = 0;
    int height = 0;
    ScreenQuality quality = ScreenQuality::Medium;
    ImageFormat format = ImageFormat::Jpeg; // as asked; mime says what it is
    bool cached = false;                    // served from the screenshot cache
    QDateTime capturedAt;                   // when the upstream image was fetched (UTC)
    qint64 sourceBytes = 0;
    int encoderQuality = 0;

    QJsonObject toJson(bool withImage = true) const; // {image_base64, mime, width, ...}
};

// A result: the screenshot, or why there is none. Default-constructible for QFuture.
struct ScreenshotResult
{
    std::optional<Screenshot> screenshot;
    ScreenError error;
    bool ok() const { return screenshot.has_value(); }
};

// Where source images come from. The gateway wires these to OrgoClient::screenshot (the raw
// JSON body) and OrgoClient::fetchBytes (image URLs through the same pool); tests and the
// benchmark use counting mocks. Futures must complete on the service's (main) thread.
struct UpstreamBody
{
    QByteArray body;
    std::optional<ScreenError> error;
};
struct ScreenshotUpstream
{
    std::function<QFuture<UpstreamBody>(const QString &vmId)> screenshotJson;
    std::function<QFuture<UpstreamBody>(const QUrl &url)> fetchBytes;
};

struct ScreenshotServiceOptions
{
    ScreenPresets presets;
    qint64 ttlMs = 3000;                  // cache/screenshot_ttl_ms
    qint64 cacheBytes = 64 * 1024 * 1024; // cache/screenshot_bytes
    qint64 cacheEntries = 512;            // cache/screenshot_entries
    qint64 maxPixels = 40'000'000;        // screens/max_pixels
    int batchLimit = 10;                  // orgo/batch_limit: upstream fetches at once in a batch
    int encodeThreads = 0;                // 0: one per core
    qint64 streamIntervalMs = 2000;       // screens/stream_interval_ms
    qint64 shutdownWaitMs = 2000;         // screens/shutdown_wait_ms: bound on waiting for encodes
    // The encoder; ImageCodec::compress unless a test slows it down. Runs on the pool.
    std::function<Expected<EncodedImage>(
            const QByteArray &, const ScreenPreset &, ImageFormat, const CompressOptions &)>
            codec;

    static std::optional<ScreenshotServiceOptions> fromSettings(const Settings &settings,
                                                                QString *error);
};

// Screenshots of VMs at a chosen quality and format, light and fast:
// cache (VM, quality, format) -> single flight per key -> one upstream fetch per VM in flight
// (shared by every variant) -> decode guard, scale and encode on the service's own pool ->
// cache. Lives on the main thread; compression never runs there. See docs/screenshots.md.
class ScreenshotService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotService)

public:
    ScreenshotService(ScreenshotServiceOptions options,
                      ScreenshotUpstream upstream,
                      QObject *parent = nullptr);
    ~ScreenshotService() override; // shutdown()

    // Stops taking work (every later request fails with ScreenError::stopping()), fails what
    // waits, cancels running encodes at their next checkpoint and waits for them at most
    // options.shutdownWaitMs. True when every encode stopped within that bound; otherwise the
    // stragglers finish on their own, holding only their own copies (see docs/screenshots.md).
    bool shutdown();
    bool isShuttingDown() const { return m_stopping; }

    // Completes on the service's thread. Never blocks.
    QFuture<ScreenshotResult> screenshot(const QString &vmId,
                                         ScreenQuality quality = ScreenQuality::Medium,
                                         ImageFormat format = ImageFormat::Jpeg);

    // Many VMs at once, order kept, at most options.batchLimit upstream fetches at a time;
    // the encodes use every core of the pool. shutdown() finishes a batch in flight at once:
    // the items it had not finished fail with ScreenError::stopping().
    QFuture<QList<ScreenshotResult>>
    batch(const QStringList &vmIds, ScreenQuality quality, ImageFormat format = ImageFormat::Jpeg);

    // The dashboard's way: asks, and emits screenshotReady or screenshotFailed.
    void request(const QString &vmId, ScreenQuality quality = ScreenQuality::Medium);

    struct Stats
    {
        CacheStats cache;
        quint64 requests = 0;
        quint64 upstreamFetches = 0; // Orgo screenshot calls
        quint64 urlFetches = 0;      // image URLs fetched
        quint64 encodes = 0;
        quint64 coalesced = 0; // requests that joined one already in flight
        quint64 failures = 0;
        quint64 bytesIn = 0;         // source bytes of the encodes
        quint64 bytesOut = 0;        // answer bytes of the encodes
        quint64 bytesSaved = 0;      // over all answers (hits too): source - answer bytes
        double compressionRatio = 0; // bytesOut / bytesIn of the encodes
        double meanEncodeMs = 0;
    };
    Stats stats() const;
    QJsonObject statsJson() const;
    void clearCache();

    // ("caches","screenshots") in /health and /admin/performance/metrics.
    void registerHealth(Metrics::HealthBoard &board);

    const ScreenshotServiceOptions &options() const { return m_options; }
    QThreadPool *encodePool() { return m_pool.get(); }

signals:
    void screenshotReady(const QString &vmId,
                         const QByteArray &bytes,
                         const QByteArray &mime,
                         int width,
                         int height,
                         bool cached);
    void screenshotFailed(const QString &vmId, const QString &message);

private:
    struct Key
    {
        QString vm;
        ScreenQuality quality;
        ImageFormat format;
        bool operator==(const Key &other) const
        {
            return vm == other.vm && quality == other.quality && format == other.format;
        }
    };
    friend size_t qHash(const Key &key, size_t seed)
    {
        return qHashMulti(seed, key.vm, int(key.quality), int(key.format));
    }
    struct Cached
    {
        Screenshot screenshot;
    };
    struct Variant; // one (VM, quality, format) in flight
    struct Source;  // one upstream fetch in flight, shared by the variants of a VM
    struct BatchState;

    void startSource(const QString &vm);
    void sourceArrived(const QString &vm, const QByteArray &imageBytes, QDateTime capturedAt);
    void sourceFailed(const QString &vm, const ScreenError &error);
    void startEncode(const Key &key, const QByteArray &imageBytes, QDateTime capturedAt);
    void encodeFinished(const Key &key, QDateTime capturedAt, const EncodedImage &image);
    void finishVariant(const Key &key, const ScreenshotResult &result);
    void launchBatchItem(const std::shared_ptr<BatchState> &state);
    void failBatches();

    ScreenshotServiceOptions m_options;
    ScreenshotUpstream m_upstream;
    // Left to the application when a straggling encode outlives the shutdown bound, since
    // QThreadPool's destructor waits without one.
    std::unique_ptr<QThreadPool> m_pool;
    // Read by the encodes, which may outlive the service (hence shared).
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_stopping = false;
    QList<QFutureWatcherBase *> m_encoding; // deleted at shutdown: no answer comes back after
    TtlLruCache<Key, Cached> m_cache;
    QHash<Key, std::shared_ptr<Variant>> m_variants;
    QHash<QString, std::shared_ptr<Source>> m_sources;
    QHash<BatchState *, std::shared_ptr<BatchState>> m_batches; // in flight
    QHash<Key, int> m_qualityHints; // the quality the last frame needed, a start for the next
    Metrics::HealthBoard *m_health = nullptr;

    std::atomic<quint64> m_requests{0}, m_upstreamFetches{0}, m_urlFetches{0}, m_encodes{0},
            m_coalesced{0}, m_failures{0}, m_bytesIn{0}, m_bytesOut{0}, m_bytesSaved{0};
    std::atomic<qint64> m_encodeMicros{0};
};

} // namespace Mouse

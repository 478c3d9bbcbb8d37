// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/screenshotservice.h"

#include "core/config/settings.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/screens/imageinput.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QPointer>
#include <QPromise>
#include <QtConcurrent>

namespace Mouse {

namespace {

// Per-entry bookkeeping on top of the image bytes, so that many tiny entries are bounded too.
constexpr qint64 EntryOverheadBytes = 256;

struct EncodeOutcome
{
    std::optional<EncodedImage> image;
    ScreenError error;
};

template<class T>
QFuture<T> readyFuture(T value)
{
    QPromise<T> promise;
    promise.start();
    promise.addResult(std::move(value));
    promise.finish();
    return promise.future();
}

ScreenError upstreamError(const QString &message)
{
    return {ScreenError::Kind::Upstream, QStringLiteral("upstream_unavailable"), message, 0};
}

} // namespace

struct ScreenshotService::Variant
{
    QList<std::shared_ptr<QPromise<ScreenshotResult>>> waiting;
};

struct ScreenshotService::Source
{
    QList<Key> variants; // waiting for this VM's image, each encoded once
};

QJsonObject Screenshot::toJson(bool withImage) const
{
    QJsonObject object{{QStringLiteral("vm"), vmId},
                       {QStringLiteral("mime"), QString::fromLatin1(mime)},
                       {QStringLiteral("width"), width},
                       {QStringLiteral("height"), height},
                       {QStringLiteral("bytes"), qint64(bytes.size())},
                       {QStringLiteral("quality"), qualityName(quality)},
                       {QStringLiteral("cached"), cached},
                       {QStringLiteral("captured_at"), capturedAt.toString(Qt::ISODateWithMs)}};
    if (withImage)
        object.insert(QStringLiteral("image_base64"), QString::fromLatin1(bytes.toBase64()));
    return object;
}

std::optional<ScreenshotServiceOptions>
ScreenshotServiceOptions::fromSettings(const Settings &settings, QString *error)
{
    const std::optional<ScreenPresets> presets = ScreenPresets::fromSettings(settings, error);
    if (!presets)
        return std::nullopt;
    ScreenshotServiceOptions options;
    options.presets = *presets;
    options.ttlMs = settings.integer(QStringLiteral("cache/screenshot_ttl_ms"));
    options.cacheBytes = settings.integer(QStringLiteral("cache/screenshot_bytes"));
    options.cacheEntries = settings.integer(QStringLiteral("cache/screenshot_entries"));
    options.maxPixels = settings.integer(QStringLiteral("screens/max_pixels"));
    options.batchLimit = int(settings.integer(QStringLiteral("orgo/batch_limit")));
    options.streamIntervalMs = settings.integer(QStringLiteral("screens/stream_interval_ms"));
    options.shutdownWaitMs = settings.integer(QStringLiteral("screens/shutdown_wait_ms"));
    return options;
}

ScreenshotService::ScreenshotService(ScreenshotServiceOptions options,
                                     ScreenshotUpstream upstream,
                                     QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_upstream(std::move(upstream))
    , m_pool(std::make_unique<QThreadPool>())
    , m_cancel(std::make_shared<std::atomic<bool>>(false))
    , m_cache(m_options.cacheEntries, m_options.cacheBytes)
{
    const int threads
            = m_options.encodeThreads > 0 ? m_options.encodeThreads : QThread::idealThreadCount();
    m_pool->setMaxThreadCount(std::max(1, threads));
    m_pool->setObjectName(QStringLiteral("screens-encode"));
    if (!m_options.codec)
        m_options.codec = &ImageCodec::compress;
}

ScreenshotService::~ScreenshotService()
{
    shutdown();
    if (m_health)
        m_health->remove(QStringLiteral("caches"), QStringLiteral("screenshots"));
}

bool ScreenshotService::shutdown()
{
    if (m_stopping)
        return true;
    m_stopping = true;
    m_cancel->store(true);
    m_pool->clear(); // queued encodes never start
    // Encode answers come back through these watchers; without them nothing reaches this
    // object once it is gone, however late an encode ends.
    qDeleteAll(m_encoding);
    m_encoding.clear();
    failBatches();
    const QList<QString> vms = m_sources.keys();
    for (const QString &vm : vms)
        sourceFailed(vm, ScreenError::stopping());
    const QList<Key> keys = m_variants.keys();
    for (const Key &key : keys)
        finishVariant(key, ScreenshotResult{std::nullopt, ScreenError::stopping()});

    QElapsedTimer waited;
    waited.start();
    if (m_pool->waitForDone(int(qBound<qint64>(0, m_options.shutdownWaitMs, 3600000LL)))) {
        qCDebug(lcScreens) << "encodes stopped in" << waited.elapsed() << "ms";
        return true;
    }
    qCWarning(lcScreens) << "an encode did not stop within" << m_options.shutdownWaitMs
                         << "ms of shutdown; it finishes on its own";
    QThreadPool *pool = m_pool.release();
    if (QCoreApplication *app = QCoreApplication::instance())
        pool->setParent(app); // deleted, after its last task, when the application goes
    m_pool = std::make_unique<QThreadPool>(); // unused: takes no work any more
    return false;
}

QFuture<ScreenshotResult>
ScreenshotService::screenshot(const QString &vmId, ScreenQuality quality, ImageFormat format)
{
    ++m_requests;
    if (m_stopping) {
        ++m_failures;
        return readyFuture(ScreenshotResult{std::nullopt, ScreenError::stopping()});
    }
    const Key key{vmId, quality, format};
    if (std::optional<Cached> hit = m_cache.get(key)) {
        Screenshot shot = hit->screenshot;
        shot.cached = true;
        m_bytesSaved += quint64(std::max<qint64>(0, shot.sourceBytes - shot.bytes.size()));
        return readyFuture(ScreenshotResult{std::move(shot), {}});
    }

    auto promise = std::make_shared<QPromise<ScreenshotResult>>();
    promise->start();
    QFuture<ScreenshotResult> future = promise->future();
    if (auto variant = m_variants.value(key)) { // single flight per key
        ++m_coalesced;
        variant->waiting.append(promise);
        return future;
    }
    auto variant = std::make_shared<Variant>();
    variant->waiting.append(promise);
    m_variants.insert(key, variant);

    if (auto source = m_sources.value(vmId)) { // one upstream fetch per VM, for all variants
        source->variants.append(key);
        return future;
    }
    auto source = std::make_shared<Source>();
    source->variants.append(key);
    m_sources.insert(vmId, source);
    startSource(vmId);
    return future;
}

void ScreenshotService::startSource(const QString &vm)
{
    ++m_upstreamFetches;
    if (!m_upstream.screenshotJson) {
        sourceFailed(vm, upstreamError(QStringLiteral("No screenshot source is configured.")));
        return;
    }
    // Not .then(this): the upstream (OrgoClient) outlives this service in Gateway::stop() and
    // cancels its calls when it goes; Qt 6.4 runs a continuation whose context is gone into
    // Q_ASSERT(context) (an abort at shutdown in debug builds). The guard drops them instead.
    QObject *const app = QCoreApplication::instance();
    const QPointer<ScreenshotService> self(this);
    m_upstream.screenshotJson(vm).then(app, [this, self, app, vm](QFuture<UpstreamBody> done) {
        if (!self)
            return;
        if (done.resultCount() == 0) {
            sourceFailed(vm, upstreamError(QStringLiteral("Orgo did not answer.")));
            return;
        }
        const UpstreamBody answer = done.result();
        if (answer.error) {
            sourceFailed(vm, *answer.error);
            return;
        }
        const QDateTime capturedAt = QDateTime::currentDateTimeUtc();
        Expected<ImageInput> input = ImageInput::fromOrgoBody(answer.body);
        if (!input) {
            sourceFailed(vm, input.error());
            return;
        }
        if (input->url.isEmpty()) {
            sourceArrived(vm, input->bytes, capturedAt);
            return;
        }
        ++m_urlFetches;
        if (!m_upstream.fetchBytes) {
            sourceFailed(vm, upstreamError(QStringLiteral("Image URLs cannot be fetched.")));
            return;
        }
        m_upstream.fetchBytes(input->url)
                .then(app, [this, self, vm, capturedAt](QFuture<UpstreamBody> fetched) {
                    if (!self)
                        return;
                    if (fetched.resultCount() == 0) {
                        sourceFailed(
                                vm, upstreamError(QStringLiteral("The image URL did not answer.")));
                        return;
                    }
                    const UpstreamBody image = fetched.result();
                    if (image.error)
                        sourceFailed(vm, *image.error);
                    else
                        sourceArrived(vm, image.body, capturedAt);
                });
    });
}

void ScreenshotService::sourceArrived(const QString &vm,
                                      const QByteArray &imageBytes,
                                      QDateTime capturedAt)
{
    const std::shared_ptr<Source> source = m_sources.take(vm);
    if (!source)
        return;
    for (const Key &key : std::as_const(source->variants))
        startEncode(key, imageBytes, capturedAt);
}

void ScreenshotService::sourceFailed(const QString &vm, const ScreenError &error)
{
    const std::shared_ptr<Source> source = m_sources.take(vm);
    if (!source)
        return;
    qCInfo(lcScreens) << "screenshot of" << vm << "failed:" << error.code;
    for (const Key &key : std::as_const(source->variants))
        finishVariant(key, ScreenshotResult{std::nullopt, error});
}

void ScreenshotService::startEncode(const Key &key,
                                    const QByteArray &imageBytes,
                                    QDateTime capturedAt)
{
    CompressOptions options;
    options.maxPixels = m_options.maxPixels;
    options.qualityHint = m_qualityHints.value(key);
    const ScreenPreset preset = m_options.presets.preset(key.quality);
    const ImageFormat format = key.format;
    // The task holds copies only (and its share of the cancel flag): it may outlive the service
    // when it ignores the cancel past the shutdown bound.
    const std::shared_ptr<const std::atomic<bool>> cancel = m_cancel;
    const auto codec = m_options.codec;
    auto *watcher = new QFutureWatcher<EncodeOutcome>(this);
    m_encoding.append(watcher);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, key, capturedAt] {
        m_encoding.removeOne(watcher);
        watcher->deleteLater();
        const QFuture<EncodeOutcome> done = watcher->future();
        if (done.resultCount() == 0) {
            finishVariant(key, ScreenshotResult{std::nullopt, ScreenError::stopping()});
            return;
        }
        const EncodeOutcome outcome = done.result();
        if (outcome.image)
            encodeFinished(key, capturedAt, *outcome.image);
        else
            finishVariant(key, ScreenshotResult{std::nullopt, outcome.error});
    });
    watcher->setFuture(QtConcurrent::run(
            m_pool.get(), [imageBytes, preset, format, options, cancel, codec]() mutable {
                options.cancel = cancel.get();
                Expected<EncodedImage> encoded = codec(imageBytes, preset, format, options);
                if (!encoded)
                    return EncodeOutcome{std::nullopt, encoded.error()};
                return EncodeOutcome{std::move(encoded).value(), {}};
            }));
}

void ScreenshotService::encodeFinished(const Key &key,
                                       QDateTime capturedAt,
                                       const EncodedImage &image)
{
    ++m_encodes;
    m_bytesIn += quint64(image.sourceBytes);
    m_bytesOut += quint64(image.bytes.size());
    m_encodeMicros += qint64((image.decodeMs + image.scaleMs + image.encodeMs) * 1000);
    if (image.encoderQuality > 0)
        m_qualityHints.insert(key, image.encoderQuality);
    m_cache.recordLoadTime(image.decodeMs + image.scaleMs + image.encodeMs);

    Screenshot shot;
    shot.vmId = key.vm;
    shot.bytes = image.bytes;
    shot.mime = image.mime;
    shot.width = image.size.width();
    shot.height = image.size.height();
    shot.quality = key.quality;
    shot.format = key.format;
    shot.capturedAt = capturedAt;
    shot.sourceBytes = image.sourceBytes;
    shot.encoderQuality = image.encoderQuality;
    m_cache.put(key, Cached{shot}, m_options.ttlMs, shot.bytes.size() + EntryOverheadBytes);
    finishVariant(key, ScreenshotResult{std::move(shot), {}});
}

void ScreenshotService::finishVariant(const Key &key, const ScreenshotResult &result)
{
    const std::shared_ptr<Variant> variant = m_variants.take(key);
    if (!variant)
        return;
    if (!result.ok())
        ++m_failures;
    for (const auto &promise : std::as_const(variant->waiting)) {
        if (result.ok())
            m_bytesSaved += quint64(std::max<qint64>(
                    0, result.screenshot->sourceBytes - result.screenshot->bytes.size()));
        promise->addResult(result);
        promise->finish();
    }
}

struct ScreenshotService::BatchState
{
    QStringList vms;
    ScreenQuality quality;
    ImageFormat format;
    QList<ScreenshotResult> results;
    qsizetype next = 0;
    qsizetype done = 0;
    bool finished = false; // answered, whole or cut short by shutdown
    QPromise<QList<ScreenshotResult>> promise;

    void finish()
    {
        finished = true;
        promise.addResult(results);
        promise.finish();
    }
};

QFuture<QList<ScreenshotResult>>
ScreenshotService::batch(const QStringList &vmIds, ScreenQuality quality, ImageFormat format)
{
    auto state = std::make_shared<BatchState>();
    state->vms = vmIds;
    state->quality = quality;
    state->format = format;
    state->results.resize(vmIds.size());
    state->promise.start();
    QFuture<QList<ScreenshotResult>> future = state->promise.future();
    if (vmIds.isEmpty() || m_stopping) {
        if (m_stopping)
            state->results.fill(ScreenshotResult{std::nullopt, ScreenError::stopping()});
        state->finish();
        return future;
    }
    m_batches.insert(state.get(), state);
    const int limit = std::max(1, m_options.batchLimit);
    for (int i = 0; i < limit && state->next < vmIds.size(); ++i)
        launchBatchItem(state);
    return future;
}

// Each finished screenshot launches the next one: at most batchLimit in flight.
void ScreenshotService::launchBatchItem(const std::shared_ptr<BatchState> &state)
{
    const qsizetype i = state->next++;
    screenshot(state->vms.at(i), state->quality, state->format)
            .then(this, [this, state, i](const ScreenshotResult &result) {
                if (state->finished) // answered by shutdown already
                    return;
                state->results[i] = result;
                if (++state->done == state->vms.size()) {
                    m_batches.remove(state.get());
                    state->finish();
                } else if (state->next < state->vms.size()) {
                    launchBatchItem(state);
                }
            });
}

// Shutdown answers each batch in flight at once, every item it has not finished marked
// shutting_down, instead of letting the stopped items launch the rest one by one.
void ScreenshotService::failBatches()
{
    const auto batches = std::exchange(m_batches, {});
    for (const std::shared_ptr<BatchState> &state : batches) {
        for (qsizetype i = 0; i < state->results.size(); ++i) {
            if (!state->results.at(i).ok() && state->results.at(i).error.code.isEmpty())
                state->results[i] = ScreenshotResult{std::nullopt, ScreenError::stopping()};
        }
        state->finish();
    }
}

void ScreenshotService::request(const QString &vmId, ScreenQuality quality)
{
    screenshot(vmId, quality).then(this, [this, vmId](const ScreenshotResult &result) {
        if (result.ok()) {
            const Screenshot &s = *result.screenshot;
            emit screenshotReady(vmId, s.bytes, s.mime, s.width, s.height, s.cached);
        } else {
            emit screenshotFailed(vmId, result.error.message);
        }
    });
}

ScreenshotService::Stats ScreenshotService::stats() const
{
    Stats s;
    s.cache = m_cache.stats();
    s.requests = m_requests;
    s.upstreamFetches = m_upstreamFetches;
    s.urlFetches = m_urlFetches;
    s.encodes = m_encodes;
    s.coalesced = m_coalesced;
    s.failures = m_failures;
    s.bytesIn = m_bytesIn;
    s.bytesOut = m_bytesOut;
    s.bytesSaved = m_bytesSaved;
    s.compressionRatio = s.bytesIn ? double(s.bytesOut) / double(s.bytesIn) : 0.0;
    s.meanEncodeMs = s.encodes ? double(m_encodeMicros) / 1000.0 / double(s.encodes) : 0.0;
    return s;
}

QJsonObject ScreenshotService::statsJson() const
{
    const Stats s = stats();
    QJsonObject object = s.cache.toJson();
    object.insert(QStringLiteral("requests"), qint64(s.requests));
    object.insert(QStringLiteral("upstream_fetches"), qint64(s.upstreamFetches));
    object.insert(QStringLiteral("url_fetches"), qint64(s.urlFetches));
    object.insert(QStringLiteral("encodes"), qint64(s.encodes));
    object.insert(QStringLiteral("coalesced"), qint64(s.coalesced));
    object.insert(QStringLiteral("failures"), qint64(s.failures));
    object.insert(QStringLiteral("bytes_in"), qint64(s.bytesIn));
    object.insert(QStringLiteral("bytes_out"), qint64(s.bytesOut));
    object.insert(QStringLiteral("bytes_saved"), qint64(s.bytesSaved));
    object.insert(QStringLiteral("compression_ratio"), s.compressionRatio);
    object.insert(QStringLiteral("mean_encode_ms"), s.meanEncodeMs);
    object.insert(QStringLiteral("encode_threads"), m_pool->maxThreadCount());
    return object;
}

void ScreenshotService::clearCache()
{
    m_cache.clear();
}

void ScreenshotService::registerHealth(Metrics::HealthBoard &board)
{
    m_health = &board;
    board.add(QStringLiteral("caches"), QStringLiteral("screenshots"), [this] {
        return statsJson();
    });
}

} // namespace Mouse

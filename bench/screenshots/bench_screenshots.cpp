// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The screenshot benchmark: the gateway's pipeline against the seed's (Pillow, seed.py) on the
// committed corpus, per preset; then the latency of a cache hit through the real HTTP server.
// Run through bench/screenshots/run.sh (`make bench-screenshots`).
#include "core/config/settings.h"
#include "core/http/auth.h"
#include "core/http/httpserver.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/metrics/metrics.h"
#include "core/screens/imagecodec.h"
#include "core/screens/screenshotroutes.h"
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPromise>
#include <QTcpSocket>

#include <algorithm>
#include <cstdio>

using namespace Mouse;

namespace {

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool insideBox(const QSize &size, const QSize &box)
{
    return size.width() <= box.width() && size.height() <= box.height();
}

// Luma SSIM, 8x8 sliding windows (stride 1), of `answer` against the source scaled to the
// answer's size with the same area-averaging filter (an answer of the source's own size is
// compared with the source itself).
double ssimAgainstSource(const QImage &source, const QByteArray &answer)
{
    const QImage decoded = QImage::fromData(answer);
    if (decoded.isNull())
        return 0;
    const QImage reference = ImageCodec::scaled(ImageCodec::flattenOnWhite(source), decoded.size());
    return ImageCodec::ssim(
            ImageCodec::luma(reference), ImageCodec::luma(ImageCodec::flattenOnWhite(decoded)), 1);
}

struct Row
{
    QString file;
    QSize source;
    qint64 inBytes = 0;
    qint64 outBytes = 0, seedBytes = 0;
    QSize outSize, seedSize;
    QByteArray mime;
    int quality = 0;
    double ssim = 0, seedSsim = 0;
    double ms = 0, warmMs = 0, seedMs = 0;
    bool oversize = false, seedOversize = false;
    bool biggerThanSource = false;
};

// One GET of a cached screenshot over a kept-alive connection; the milliseconds until the
// whole body has arrived.
double timedGet(QTcpSocket &socket, const QByteArray &request)
{
    QElapsedTimer timer;
    timer.start();
    socket.write(request);
    QByteArray answer;
    qint64 expected = -1;
    qsizetype headerEnd = -1;
    while (socket.waitForReadyRead(5000)) {
        answer += socket.readAll();
        if (headerEnd < 0 && (headerEnd = answer.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray head = answer.left(headerEnd).toLower();
            const qsizetype at = head.indexOf("content-length:");
            expected = at < 0 ? 0
                              : head.mid(at + 15, head.indexOf('\r', at) - at - 15)
                                        .trimmed()
                                        .toLongLong();
        }
        if (headerEnd >= 0 && answer.size() - headerEnd - 4 >= expected)
            return double(timer.nsecsElapsed()) / 1e6;
    }
    return -1;
}

// The real HttpServer, Router and ScreenshotService with an instant upstream; the client runs
// on a thread of its own so that the server's event loop serves it.
QJsonObject cacheHitLatency(const QByteArray &png, int requests)
{
    Settings settings = Settings::defaults().withValue(QStringLiteral("server/listen"),
                                                       QStringLiteral("127.0.0.1:0"));
    EventLog events;
    Metrics::Registry metrics;
    Http::Router router;
    ScreenshotUpstream upstream;
    const QByteArray body = "{\"image\":\"data:image/png;base64," + png.toBase64() + "\"}";
    upstream.screenshotJson = [body](const QString &) {
        QPromise<UpstreamBody> promise;
        promise.start();
        promise.addResult(UpstreamBody{body, std::nullopt});
        promise.finish();
        return promise.future();
    };
    ScreenshotServiceOptions options;
    options.ttlMs = 3'600'000; // the whole run is one cache hit after the first request
    ScreenshotService service(options, upstream);
    StreamHub hub(service, 1000);
    registerScreenshotRoutes(
            router, service, hub, [](const QString &c, const QString &) { return c == u"bench"; });
    Http::Credentials credentials;
    credentials.adminToken = QStringLiteral("bench-admin-token");
    credentials.customerForKey = [](const QByteArray &) {
        return std::optional<QString>();
    };
    credentials.customerExists = [](const QString &c) {
        return c == u"bench";
    };
    Http::HttpServer server(router, settings, events, metrics, credentials);
    QString error;
    if (!server.listen(&error)) {
        std::fprintf(stderr, "cannot listen: %s\n", qPrintable(error));
        return {};
    }
    const QUrl url = server.url();
    QList<double> times;
    QThread *client = QThread::create([&] {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, quint16(url.port()));
        if (!socket.waitForConnected(5000))
            return;
        const QByteArray request = "GET /api/v1/customers/bench/vms/vm-1/screenshot?quality="
                                   "medium HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                   "bench-admin-token\r\n\r\n";
        timedGet(socket, request); // the miss: fetch, decode, scale, encode
        for (int i = 0; i < requests; ++i)
            times.append(timedGet(socket, request));
    });
    QEventLoop loop;
    QObject::connect(client, &QThread::finished, &loop, &QEventLoop::quit);
    client->start();
    loop.exec();
    delete client;
    server.close();
    times.removeIf([](double t) { return t < 0; });
    QList<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    const double p99 = sorted.isEmpty() ? 0 : sorted.at(qsizetype(sorted.size() * 0.99));
    const ScreenshotService::Stats stats = service.stats();
    return {{QStringLiteral("median_ms"), median(times)},
            {QStringLiteral("p99_ms"), p99},
            {QStringLiteral("requests"), int(times.size())},
            {QStringLiteral("hits"), qint64(stats.cache.hits)},
            {QStringLiteral("misses"), qint64(stats.cache.misses)}};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
            {{QStringLiteral("data"), QStringLiteral("corpus folder"), QStringLiteral("dir")},
             {QStringLiteral("seed"), QStringLiteral("seed.py's JSON"), QStringLiteral("file")},
             {QStringLiteral("seed-out"),
              QStringLiteral("seed.py's answers"),
              QStringLiteral("dir")},
             {QStringLiteral("out"), QStringLiteral("result JSON"), QStringLiteral("file")},
             {QStringLiteral("runs"),
              QStringLiteral("timed runs per file"),
              QStringLiteral("n"),
              QStringLiteral("7")},
             {QStringLiteral("http-requests"),
              QStringLiteral("cache hits timed"),
              QStringLiteral("n"),
              QStringLiteral("300")}});
    parser.process(app);
    const QDir data(parser.value(QStringLiteral("data")));
    const QDir seedOut(parser.value(QStringLiteral("seed-out")));
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
    const QJsonObject seed = QJsonDocument::fromJson(readFile(parser.value(QStringLiteral("seed"))))
                                     .object()
                                     .value(QStringLiteral("presets"))
                                     .toObject();
    const QStringList files = data.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    if (files.size() < 8) {
        std::fprintf(
                stderr, "the corpus needs at least 8 PNG files in %s\n", qPrintable(data.path()));
        return 1;
    }

    const ScreenPresets presets;
    QJsonObject presetsJson, detailJson;
    std::printf("Screenshots: %lld files, %d timed runs each; seed = Pillow (seed.py)\n",
                qint64(files.size()),
                runs);
    for (ScreenQuality q : {ScreenQuality::Low, ScreenQuality::Medium, ScreenQuality::High}) {
        const ScreenPreset &preset = presets.preset(q);
        const QString name = qualityName(q);
        const QJsonObject seedPreset = seed.value(name).toObject();
        std::printf("\n== %s: box %dx%d, q%d, SSIM floor %.2f\n",
                    qPrintable(name),
                    preset.box.width(),
                    preset.box.height(),
                    preset.encoderQuality,
                    preset.ssimFloor());
        std::printf("%-20s %8s %8s %8s %6s %7s %7s %8s %8s %8s  %s\n",
                    "file",
                    "in",
                    "out",
                    "seed",
                    "red%",
                    "ssim",
                    "seedssm",
                    "ms",
                    "warm ms",
                    "seed ms",
                    "answer");
        QList<Row> rows;
        for (const QString &file : files) {
            Row row;
            row.file = file;
            const QByteArray source = readFile(data.filePath(file));
            const QImage sourceImage = ImageCodec::decode(source, 1'000'000'000).value();
            row.source = sourceImage.size();
            row.inBytes = source.size();

            QList<double> cold, warm;
            Expected<EncodedImage> result = ImageCodec::compress(source, preset, ImageFormat::Jpeg);
            for (int i = 0; i < runs; ++i) {
                QElapsedTimer timer;
                timer.start();
                result = ImageCodec::compress(source, preset, ImageFormat::Jpeg);
                cold.append(double(timer.nsecsElapsed()) / 1e6);
            }
            if (!result) {
                std::printf("%s: %s\n", qPrintable(file), qPrintable(result.error().message));
                return 1;
            }
            // A stream's next frame: the previous frame's quality is known.
            CompressOptions hinted;
            hinted.qualityHint = result->encoderQuality;
            for (int i = 0; i < runs; ++i) {
                QElapsedTimer timer;
                timer.start();
                (void)ImageCodec::compress(source, preset, ImageFormat::Jpeg, hinted);
                warm.append(double(timer.nsecsElapsed()) / 1e6);
            }
            const EncodedImage &e = result.value();
            row.outBytes = e.bytes.size();
            row.outSize = e.size;
            row.mime = e.mime;
            row.quality = e.encoderQuality;
            row.ms = median(cold);
            row.warmMs = median(warm);
            row.ssim = ssimAgainstSource(sourceImage, e.bytes);
            row.oversize = !insideBox(e.size, preset.box)
                           || (e.size == row.source && row.outBytes > row.inBytes);
            row.biggerThanSource = row.outBytes > row.inBytes;

            const QJsonObject s = seedPreset.value(file).toObject();
            row.seedBytes = s.value(QStringLiteral("bytes")).toInteger();
            row.seedMs = s.value(QStringLiteral("ms")).toDouble();
            row.seedSize = QSize(s.value(QStringLiteral("width")).toInt(),
                                 s.value(QStringLiteral("height")).toInt());
            row.seedOversize = !insideBox(row.seedSize, preset.box);
            const QString ext = s.value(QStringLiteral("passthrough")).toBool()
                                        ? QStringLiteral("png")
                                        : QStringLiteral("jpg");
            const QByteArray seedAnswer
                    = readFile(seedOut.filePath(name + u'-' + file.chopped(4) + u'.' + ext));
            row.seedSsim = seedAnswer.isEmpty() ? 0 : ssimAgainstSource(sourceImage, seedAnswer);
            std::printf("%-20s %7lldK %7lldK %7lldK %5.1f%% %7.4f %7.4f %8.2f %8.2f %8.2f  "
                        "%dx%d %s q%d%s\n",
                        qPrintable(file),
                        row.inBytes / 1024,
                        row.outBytes / 1024,
                        row.seedBytes / 1024,
                        100.0 * (1.0 - double(row.outBytes) / double(row.inBytes)),
                        row.ssim,
                        row.seedSsim,
                        row.ms,
                        row.warmMs,
                        row.seedMs,
                        e.size.width(),
                        e.size.height(),
                        e.mime.constData() + 6,
                        e.encoderQuality,
                        row.oversize ? " OVERSIZE" : "");
            rows.append(row);
        }

        qint64 in = 0, out = 0, seedTotal = 0;
        int oversize = 0, seedOversize = 0, bigger = 0;
        double minSsim = 1, seedMinSsim = 1;
        QList<double> ms1080, seedMs1080, warm1080;
        QJsonArray detail;
        for (const Row &r : std::as_const(rows)) {
            in += r.inBytes;
            out += r.outBytes;
            seedTotal += r.seedBytes;
            oversize += r.oversize;
            seedOversize += r.seedOversize;
            bigger += r.biggerThanSource;
            minSsim = std::min(minSsim, r.ssim);
            seedMinSsim = std::min(seedMinSsim, r.seedSsim);
            if (r.source == QSize(1920, 1080)) {
                ms1080.append(r.ms);
                warm1080.append(r.warmMs);
                seedMs1080.append(r.seedMs);
            }
            detail.append(QJsonObject{{QStringLiteral("file"), r.file},
                                      {QStringLiteral("in_bytes"), r.inBytes},
                                      {QStringLiteral("out_bytes"), r.outBytes},
                                      {QStringLiteral("seed_bytes"), r.seedBytes},
                                      {QStringLiteral("width"), r.outSize.width()},
                                      {QStringLiteral("height"), r.outSize.height()},
                                      {QStringLiteral("mime"), QString::fromLatin1(r.mime)},
                                      {QStringLiteral("jpeg_quality"), r.quality},
                                      {QStringLiteral("ssim"), r.ssim},
                                      {QStringLiteral("seed_ssim"), r.seedSsim},
                                      {QStringLiteral("ms"), r.ms},
                                      {QStringLiteral("warm_ms"), r.warmMs},
                                      {QStringLiteral("seed_ms"), r.seedMs}});
        }
        const double ratio = seedTotal ? double(out) / double(seedTotal) : 0;
        std::printf("%-20s %7lldK %7lldK %7lldK %5.1f%%  ours/seed bytes %.1f%%\n",
                    "TOTAL",
                    in / 1024,
                    out / 1024,
                    seedTotal / 1024,
                    100.0 * (1.0 - double(out) / double(in)),
                    100.0 * ratio);
        std::printf("min SSIM %.4f (seed %.4f); 1080p median %.2f ms, warm %.2f ms (seed %.2f "
                    "ms); oversize %d (seed %d outside the box); bytes above the source %d\n",
                    minSsim,
                    seedMinSsim,
                    median(ms1080),
                    median(warm1080),
                    median(seedMs1080),
                    oversize,
                    seedOversize,
                    bigger);
        presetsJson.insert(name,
                           QJsonObject{{QStringLiteral("total_bytes"), out},
                                       {QStringLiteral("seed_total_bytes"), seedTotal},
                                       {QStringLiteral("min_ssim"), minSsim},
                                       {QStringLiteral("encode_1080p_ms"), median(ms1080)},
                                       {QStringLiteral("seed_encode_1080p_ms"), median(seedMs1080)},
                                       {QStringLiteral("oversize_answers"), oversize}});
        detailJson.insert(name,
                          QJsonObject{{QStringLiteral("input_bytes"), in},
                                      {QStringLiteral("bytes_vs_seed"), ratio},
                                      {QStringLiteral("seed_min_ssim"), seedMinSsim},
                                      {QStringLiteral("warm_encode_1080p_ms"), median(warm1080)},
                                      {QStringLiteral("seed_outside_box"), seedOversize},
                                      {QStringLiteral("bytes_above_source"), bigger},
                                      {QStringLiteral("files"), detail}});
    }

    const QByteArray sample = readFile(data.filePath(files.first()));
    const QJsonObject hit = cacheHitLatency(
            sample, std::max(10, parser.value(QStringLiteral("http-requests")).toInt()));
    const double hitMs = hit.value(QStringLiteral("median_ms")).toDouble();
    std::printf("\nCache hit through HTTP (GET .../screenshot?quality=medium, keep-alive): "
                "median %.3f ms, p99 %.3f ms over %d requests\n",
                hitMs,
                hit.value(QStringLiteral("p99_ms")).toDouble(),
                hit.value(QStringLiteral("requests")).toInt());
    std::printf("Seed's own figures (issue): 500 KB -> 150 KB, 800 ms -> 200 ms\n");

    const QJsonObject result{{QStringLiteral("presets"), presetsJson},
                             {QStringLiteral("cache_hit_ms"), hitMs}};
    QFile out(parser.value(QStringLiteral("out")));
    if (!out.open(QIODevice::WriteOnly))
        return 1;
    out.write(QJsonDocument(result).toJson());
    QFile details(
            QFileInfo(out.fileName()).dir().filePath(QStringLiteral("screenshots-detail.json")));
    if (details.open(QIODevice::WriteOnly))
        details.write(QJsonDocument(QJsonObject{{QStringLiteral("presets"), detailJson},
                                                {QStringLiteral("cache_hit"), hit}})
                              .toJson());
    return 0;
}

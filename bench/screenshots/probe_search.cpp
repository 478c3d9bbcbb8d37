// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Per-frame CPU of the screenshot pipeline, for comparing versions on a shared machine where
// wall time is noise: thread CPU (CLOCK_THREAD_CPUTIME_ID) of the calling thread and process
// CPU (all threads: the helper, Qt's scaling threads) around ImageCodec::compress, and of the
// decode and the downscale alone (the rest is the quality search, its check and the answer's
// encode). Usage: probe_search [--runs N] [--threads 0|1|2] [--preset low|medium|high] FILE...
// Prints one line per file (medians) and the median over the files. With --trials: the cost of
// one quality trial at the preset's size, a real baseline encode + decode against the model.
// With --encodes: the answer's encodes from the pixels and from the model's coefficients.
#include "core/screens/imagecodec.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"
#include "core/screens/screenshotpresets.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace Mouse;

namespace {

double cpuMs(clockid_t clock)
{
    timespec t{};
    clock_gettime(clock, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Thread CPU of one trial at 20 qualities (2..95), medians: encode + decode (libjpeg, baseline,
// fixed tables, as session 3's trials) against the model's decode; and the model's setup.
int trialCosts(const QStringList &files, const ScreenPreset &preset, int runs)
{
    std::printf("%-22s %9s %9s %9s\n", "file", "model", "enc+dec", "setup");
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        const Expected<QImage> image = ImageCodec::decode(file.readAll(), 40'000'000);
        if (!image.ok())
            return 3;
        const QImage small = ImageCodec::scaled(image.value(),
                                                ImageCodec::fitInside(image->size(), preset.box));
        const ImageCodec::Luma reference = ImageCodec::luma(small);
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
        std::vector<double> setup, model, real;
        const auto serial = [](const std::function<void()> &a, const std::function<void()> &b) {
            a();
            b();
        };
        for (int run = 0; run < runs; ++run) {
            double t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID);
            JpegCodec::TrialModel trialModel(small);
            setup.push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
            std::vector<quint8> luma;
            for (int k = 0; k < 20; ++k) {
                JpegCodec::EncodeSettings settings;
                settings.quality = 2 + k * 4.65;
                settings.flat = &flat;
                settings.optimized = settings.progressive = false;
                t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID);
                trialModel.decodeLuma(settings, &luma, serial);
                model.push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
                t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID);
                int w = 0, h = 0;
                JpegCodec::decodeLuma(JpegCodec::encode(small, settings), &w, &h, &luma);
                real.push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
            }
        }
        std::printf("%-22s %9.2f %9.2f %9.2f\n",
                    qPrintable(QFileInfo(path).fileName()),
                    median(model),
                    median(real),
                    median(setup));
    }
    return 0;
}

// Thread CPU of the answer's encodes at the preset's size and the quality compress() picks
// (medians): from the pixels (JpegCodec::encode) against from the model's coefficients
// (TrialModel::encode), progressive optimised (the answer's) and baseline with fixed tables
// (the check's); the real decodes of the two; the model's quantisation (once for both).
int encodeCosts(const QStringList &files, const ScreenPreset &preset, int runs)
{
    std::printf("%-22s %4s %9s %9s %9s %9s %9s %9s %9s\n",
                "file",
                "q",
                "pix-prog",
                "coef-prog",
                "pix-base",
                "coef-base",
                "dec-base",
                "dec-prog",
                "quantise");
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        const QByteArray bytes = file.readAll();
        const Expected<QImage> image = ImageCodec::decode(bytes, 40'000'000);
        const Expected<EncodedImage> answer
                = ImageCodec::compress(bytes, preset, ImageFormat::Jpeg);
        if (!image.ok() || !answer.ok())
            return 3;
        const QImage small = ImageCodec::scaled(image.value(),
                                                ImageCodec::fitInside(image->size(), preset.box));
        const ImageCodec::Luma reference = ImageCodec::luma(small);
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
        JpegCodec::EncodeSettings progressive;
        progressive.quality = answer->encoderQuality;
        progressive.flat = &flat;
        JpegCodec::EncodeSettings baseline = progressive;
        baseline.optimized = baseline.progressive = false;
        JpegCodec::TrialModel model(small);
        std::vector<quint8> luma;
        model.decodeLuma(baseline,
                         &luma,
                         [](const std::function<void()> &a, const std::function<void()> &b) {
                             a();
                             b();
                         });
        JpegCodec::EncodeSettings other = progressive; // to make quantise() work again
        other.quality += 0.25;
        std::vector<double> cost[7];
        const auto timed = [](std::vector<double> *into, const std::function<void()> &f) {
            const double t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID);
            f();
            into->push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
        };
        QByteArray out[4];
        for (int run = 0; run < runs; ++run) {
            model.quantise(other);
            timed(&cost[6], [&] { model.quantise(progressive); });
            timed(&cost[0], [&] { out[0] = JpegCodec::encode(small, progressive); });
            timed(&cost[1], [&] { out[1] = model.encode(progressive); });
            timed(&cost[2], [&] { out[2] = JpegCodec::encode(small, baseline); });
            timed(&cost[3], [&] { out[3] = model.encode(baseline); });
            int w = 0, h = 0;
            timed(&cost[4], [&] { JpegCodec::decodeLuma(out[3], &w, &h, &luma); });
            timed(&cost[5], [&] { JpegCodec::decodeLuma(out[1], &w, &h, &luma); });
        }
        if (out[0] != out[1] || out[2] != out[3])
            std::printf("%s: the model's bytes differ!\n", qPrintable(path));
        std::printf("%-22s %4d %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n",
                    qPrintable(QFileInfo(path).fileName()),
                    answer->encoderQuality,
                    median(cost[0]),
                    median(cost[1]),
                    median(cost[2]),
                    median(cost[3]),
                    median(cost[4]),
                    median(cost[5]),
                    median(cost[6]));
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    int runs = 7, threads = 0;
    bool trials = false, encodes = false;
    ScreenQuality quality = ScreenQuality::Medium;
    QStringList files;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--runs") && i + 1 < args.size())
            runs = args[++i].toInt();
        else if (args[i] == QLatin1String("--trials"))
            trials = true;
        else if (args[i] == QLatin1String("--encodes"))
            encodes = true;
        else if (args[i] == QLatin1String("--threads") && i + 1 < args.size())
            threads = args[++i].toInt();
        else if (args[i] == QLatin1String("--preset") && i + 1 < args.size())
            quality = parseQuality(args[++i]).value_or(ScreenQuality::Medium);
        else
            files << args[i];
    }
    const ScreenPreset preset = ScreenPresets().preset(quality);
    if (trials)
        return trialCosts(files, preset, runs);
    if (encodes)
        return encodeCosts(files, preset, runs);
    std::vector<double> frameThread, frameProcess;
    std::printf("%-22s %9s %9s %9s %9s %7s %8s %4s\n",
                "file",
                "thread",
                "process",
                "decode",
                "scale",
                "trials",
                "bytes",
                "q");
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        const QByteArray bytes = file.readAll();
        std::vector<double> thread, process, decode, scale;
        EncodedImage last;
        for (int run = 0; run < runs; ++run) {
            CompressOptions options;
            options.threads = threads;
            double t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID), p0 = cpuMs(CLOCK_PROCESS_CPUTIME_ID);
            const Expected<EncodedImage> out
                    = ImageCodec::compress(bytes, preset, ImageFormat::Jpeg, options);
            thread.push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
            process.push_back(cpuMs(CLOCK_PROCESS_CPUTIME_ID) - p0);
            if (!out.ok())
                return 3;
            last = out.value();
            t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID);
            const Expected<QImage> image = ImageCodec::decode(bytes, options.maxPixels);
            decode.push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
            p0 = cpuMs(CLOCK_PROCESS_CPUTIME_ID);
            const QImage small = ImageCodec::scaled(
                    image.value(), ImageCodec::fitInside(image->size(), preset.box));
            scale.push_back(cpuMs(CLOCK_PROCESS_CPUTIME_ID) - p0);
        }
        std::printf("%-22s %9.2f %9.2f %9.2f %9.2f %7d %8lld %4d\n",
                    qPrintable(QFileInfo(path).fileName()),
                    median(thread),
                    median(process),
                    median(decode),
                    median(scale),
                    last.trials,
                    qlonglong(last.bytes.size()),
                    last.encoderQuality);
        frameThread.push_back(median(thread));
        frameProcess.push_back(median(process));
    }
    std::printf("median over files: thread %.2f ms, process %.2f ms\n",
                median(frameThread),
                median(frameProcess));
    return 0;
}

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Per-frame CPU of the screenshot pipeline, for comparing versions on a shared machine where
// wall time is noise: thread CPU (CLOCK_THREAD_CPUTIME_ID) of the calling thread and process
// CPU (all threads: the helper, Qt's scaling threads) around ImageCodec::compress, and of the
// decode and the downscale alone (the rest is the quality search, its check and the answer's
// encode). Usage: probe_search [--runs N] [--threads 0|1|2] [--preset low|medium|high] FILE...
// Prints one line per file (medians) and the median over the files.
#include "core/screens/imagecodec.h"
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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    int runs = 7, threads = 0;
    ScreenQuality quality = ScreenQuality::Medium;
    QStringList files;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--runs") && i + 1 < args.size())
            runs = args[++i].toInt();
        else if (args[i] == QLatin1String("--threads") && i + 1 < args.size())
            threads = args[++i].toInt();
        else if (args[i] == QLatin1String("--preset") && i + 1 < args.size())
            quality = parseQuality(args[++i]).value_or(ScreenQuality::Medium);
        else
            files << args[i];
    }
    const ScreenPreset preset = ScreenPresets().preset(quality);
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

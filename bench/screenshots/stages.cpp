// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Per-stage CPU of the screenshot pipeline's input side, per file: the guarded decode, the
// downscale to a preset's box, the two as `compress` runs them, and the whole `compress`.
// CPU time (the calling thread's, and the process's for stages that use other threads) is
// what to compare between versions on a shared machine; wall time is printed beside it.
//   bench_screenshot_stages [--runs N] [--preset low|medium|high] [--only STAGE] FILE...
// --only runs one stage (e.g. under callgrind: `--only decodeToFit --runs 5`). The quality
// search's pieces on the picture at the preset's size, on the calling thread alone: `model`
// (one trial of the trial model, 4:2:0 at quality 15), `ssim1` and `ssim2` (the all-window and
// every-other-window SSIM of that trial's luma against the picture's).
#include "core/screens/areascaler.h"
#include "core/screens/imagecodec.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

using namespace Mouse;

namespace {

double nowMs(clockid_t clock)
{
    timespec t{};
    clock_gettime(clock, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Timing
{
    double thread = 0, process = 0, wall = 0;
};

// Medians of `runs` calls of f (after one untimed call, which fills the buffer pools).
Timing measure(int runs, const std::function<void()> &f)
{
    f();
    std::vector<double> thread, process, wall;
    for (int i = 0; i < runs; ++i) {
        const double t0 = nowMs(CLOCK_THREAD_CPUTIME_ID), p0 = nowMs(CLOCK_PROCESS_CPUTIME_ID),
                     w0 = nowMs(CLOCK_MONOTONIC);
        f();
        thread.push_back(nowMs(CLOCK_THREAD_CPUTIME_ID) - t0);
        process.push_back(nowMs(CLOCK_PROCESS_CPUTIME_ID) - p0);
        wall.push_back(nowMs(CLOCK_MONOTONIC) - w0);
    }
    return {median(thread), median(process), median(wall)};
}

QString onlyStage; // --only: the one stage to run; empty: all

void print(const char *stage, const std::function<Timing()> &run)
{
    if (!onlyStage.isEmpty() && onlyStage != QLatin1String(stage))
        return;
    const Timing t = run();
    std::printf("  %-16s thread %7.2f  process %7.2f  wall %7.2f ms\n",
                stage,
                t.thread,
                t.process,
                t.wall);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    int runs = 21;
    const ScreenPresets presets;
    ScreenPreset preset = presets.preset(ScreenQuality::Medium);
    QStringList files;
    QString only;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--runs") && i + 1 < args.size())
            runs = args[++i].toInt();
        else if (args[i] == QLatin1String("--only") && i + 1 < args.size())
            only = args[++i];
        else if (args[i] == QLatin1String("--preset") && i + 1 < args.size())
            preset = presets.preset(parseQuality(args[++i]).value_or(ScreenQuality::Medium));
        else
            files << args[i];
    }
    onlyStage = only;
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            std::printf("%s: cannot read\n", qPrintable(path));
            return 1;
        }
        const QByteArray bytes = file.readAll();
        const QImage source = ImageCodec::decode(bytes, 1'000'000'000).value();
        const QSize size = ImageCodec::fitInside(source.size(), preset.box);
        std::printf("%s (%dx%d -> %dx%d, %d runs)\n",
                    qPrintable(QFileInfo(path).fileName()),
                    source.width(),
                    source.height(),
                    size.width(),
                    size.height(),
                    runs);
        print("decode",
              [&] { return measure(runs, [&] { (void)ImageCodec::decode(bytes, 40'000'000); }); });
        print("scale",
              [&] { return measure(runs, [&] { (void)ImageCodec::scaled(source, size); }); });
        const QImage rgb = source.convertToFormat(QImage::Format_RGB32);
        print("area scale",
              [&] { return measure(runs, [&] { (void)AreaScale::scaled(rgb, size); }); });
        print("decode+scale", [&] {
            return measure(runs, [&] {
                (void)ImageCodec::scaled(ImageCodec::decode(bytes, 40'000'000).value(), size);
            });
        });
        print("decodeToFit", [&] {
            return measure(runs, [&] {
                QSize sourceSize;
                (void)ImageCodec::decodeToFit(bytes, 40'000'000, preset.box, &sourceSize);
            });
        });
        const QImage small = ImageCodec::scaled(source, size).convertToFormat(QImage::Format_RGB32);
        const ImageCodec::Luma reference = ImageCodec::luma(small);
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
        const auto serial = [](const std::function<void()> &a, const std::function<void()> &b) {
            a();
            b();
        };
        JpegCodec::TrialModel model(small, serial);
        JpegCodec::EncodeSettings settings;
        settings.quality = 15;
        settings.flat = &flat;
        ImageCodec::Luma trial;
        trial.width = reference.width;
        trial.height = reference.height;
        model.decodeLuma(settings, &trial.y, serial); // for the SSIM stages alone too
        print("model",
              [&] { return measure(runs, [&] { model.decodeLuma(settings, &trial.y, serial); }); });
        print("ssim1",
              [&] { return measure(runs, [&] { (void)ImageCodec::ssim(reference, trial, 1); }); });
        print("ssim2",
              [&] { return measure(runs, [&] { (void)ImageCodec::ssim(reference, trial, 2); }); });
        print("compress", [&] {
            return measure(runs,
                           [&] { (void)ImageCodec::compress(bytes, preset, ImageFormat::Jpeg); });
        });
    }
    return 0;
}

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Per-frame CPU of the screenshot pipeline, for comparing versions on a shared machine where
// wall time is noise: thread CPU (CLOCK_THREAD_CPUTIME_ID) of the calling thread and process
// CPU (all threads: the helper, Qt's scaling threads) around ImageCodec::compress, and of the
// decode and the downscale alone (the rest is the quality search, its check and the answer's
// encode). Usage: probe_search [--runs N] [--threads 0|1|2] [--preset low|medium|high] FILE...
// Prints one line per file (medians) and the median over the files. With --trials: the cost of
// one quality trial at the preset's size, a real baseline encode + decode against the model.
// With --encodes: the answer's encodes from the pixels and from the model's coefficients. With
// --split: the pieces of the last stage on two threads (the answer's scans, the check's halves).
#include "core/screens/imagecodec.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"
#include "core/screens/screenshotpresets.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <thread>
#include <utility>
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

// A corpus file as compress() answers it at the preset: the picture scaled to the answer's
// size, its flat levels, and the answer's quality in the answer's settings (progressive,
// optimised) and the check's (baseline, fixed tables). Not copied: the settings point at
// `flat`. 0, or the exit code for a file that cannot be read (2) or compressed (3).
struct Frame
{
    QImage small;
    int quality = 0;
    JpegCodec::FlatLevels flat;
    JpegCodec::EncodeSettings progressive, baseline;
};

int loadFrame(const QString &path, const ScreenPreset &preset, Frame *frame)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 2;
    const QByteArray bytes = file.readAll();
    const Expected<QImage> image = ImageCodec::decode(bytes, 40'000'000);
    const Expected<EncodedImage> answer = ImageCodec::compress(bytes, preset, ImageFormat::Jpeg);
    if (!image.ok() || !answer.ok())
        return 3;
    frame->small
            = ImageCodec::scaled(image.value(), ImageCodec::fitInside(image->size(), preset.box));
    const ImageCodec::Luma reference = ImageCodec::luma(frame->small);
    frame->flat = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
    frame->quality = answer->encoderQuality;
    frame->progressive.quality = frame->quality;
    frame->progressive.flat = &frame->flat;
    frame->baseline = frame->progressive;
    frame->baseline.optimized = frame->baseline.progressive = false;
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
        Frame frame;
        if (const int failed = loadFrame(path, preset, &frame))
            return failed;
        const QImage &small = frame.small;
        const JpegCodec::EncodeSettings &progressive = frame.progressive;
        const JpegCodec::EncodeSettings &baseline = frame.baseline;
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
                    frame.quality,
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

// Runs f in a function of the piece's own name, for instruction counts: valgrind
// --tool=callgrind probe_search --split --runs 1 FILE, then callgrind_annotate --inclusive=yes
// shows piece<N>'s for the column N of the table below.
template<int N>
__attribute__((noipa)) void piece(const std::function<void()> &f) // noipa: not merged
{
    f();
}

template<int... N>
void piece(int n, const std::function<void()> &f, std::integer_sequence<int, N...>)
{
    ((n == N ? piece<N>(f) : void()), ...);
}

void piece(int n, const std::function<void()> &f)
{
    piece(n, f, std::make_integer_sequence<int, 16>());
}

// A second thread for the wall figures of --split: runs one piece of work at a time, handed
// over and waited for by polling (yielding the core), as the codec's helper does.
class Second
{
public:
    Second()
        : m_thread([this] { loop(); })
    {}
    ~Second()
    {
        m_quit.store(true);
        m_thread.join();
    }

    // Runs a here and b there; returns the wall ms of the two.
    double both(const std::function<void()> &a, const std::function<void()> &b)
    {
        const double t0 = cpuMs(CLOCK_MONOTONIC);
        m_done.store(false);
        m_task.store(&b);
        a();
        while (!m_done.load())
            std::this_thread::yield();
        return cpuMs(CLOCK_MONOTONIC) - t0;
    }

private:
    void loop()
    {
        while (!m_quit.load()) {
            const std::function<void()> *task = m_task.exchange(nullptr);
            if (!task) {
                std::this_thread::yield();
                continue;
            }
            (*task)();
            m_done.store(true);
        }
    }

    std::atomic<const std::function<void()> *> m_task{nullptr};
    std::atomic<bool> m_done{false}, m_quit{false};
    std::thread m_thread;
};

// Thread CPU of the last stage's pieces at the preset's size and the quality compress() picks
// (medians): the answer's progressive encode whole and by scans (each AC scan alone, after the
// stand-in DC scan, and the DC scan alone; A and B: ImageCodec's two parts), the check's baseline
// encode and decode whole and in two halves of the MCU rows (with the overlap of one MCU row), and
// a decode of the whole check JPEG's bottom half by skipping its top half (jpeg_skip_scanlines).
// Then the wall of the last stage on two threads, medians, alternated: session 5's (the check's
// baseline encode and decode beside the progressive encode) and this one's (a check half and a part
// of the scans on each thread, the parts joined). Checks that every split of the scans joins into
// the whole encode's bytes.
int splitCosts(const QStringList &files, const ScreenPreset &preset, int runs)
{
    std::printf("%-20s %3s %6s %6s %6s %6s %6s %6s %6s | %6s %6s %6s %6s %6s %6s %6s | %6s %6s | "
                "%6s %6s\n",
                "file",
                "q",
                "prog",
                "DC",
                "s1",
                "s2",
                "s3",
                "s4",
                "DC+s1",
                "base",
                "dec",
                "top",
                "dectop",
                "bottom",
                "decbot",
                "skipbot",
                "A",
                "B",
                "wall:s5",
                "now");
    for (const QString &path : files) {
        Frame frame;
        if (const int failed = loadFrame(path, preset, &frame))
            return failed;
        const QImage &small = frame.small;
        const JpegCodec::EncodeSettings &progressive = frame.progressive;
        const JpegCodec::EncodeSettings &baseline = frame.baseline;
        JpegCodec::TrialModel model(small);
        model.quantise(progressive);
        const JpegCodec::CoefficientStore *store = model.coefficients(progressive);
        if (!store)
            return 4;
        const int count = JpegCodec::progressiveScans(progressive.chroma);
        const QByteArray whole = JpegCodec::encodeCoefficients(*store, progressive);
        for (unsigned mask = 1; mask + 1 < 1u << count; ++mask) {
            const unsigned rest = ((1u << count) - 1) & ~mask;
            const QByteArray joined = JpegCodec::joinScans(
                    {JpegCodec::encodeCoefficientScans(*store, progressive, mask), mask},
                    {JpegCodec::encodeCoefficientScans(*store, progressive, rest), rest},
                    count);
            if (joined != whole)
                std::printf("%s: scans %x + %x differ!\n", qPrintable(path), mask, rest);
        }
        std::vector<double> cost[16];
        const auto timed = [&cost](std::vector<double> *into, const std::function<void()> &f) {
            const double t0 = cpuMs(CLOCK_THREAD_CPUTIME_ID);
            piece(int(into - cost), f);
            into->push_back(cpuMs(CLOCK_THREAD_CPUTIME_ID) - t0);
        };
        const int rows = store->mcuRows(), half = rows / 2, mcu = store->mcuHeight();
        const int w = small.width(), h = small.height();
        std::vector<quint8> luma(size_t(w) * h);
        for (int run = 0; run < runs; ++run) {
            timed(&cost[0], [&] { JpegCodec::encodeCoefficients(*store, progressive); });
            for (int i = 0; i < count; ++i)
                timed(&cost[1 + i],
                      [&] { JpegCodec::encodeCoefficientScans(*store, progressive, 1u << i); });
            timed(&cost[6], [&] { JpegCodec::encodeCoefficientScans(*store, progressive, 3); });
            QByteArray base, top, bottom;
            timed(&cost[7], [&] { base = JpegCodec::encodeCoefficients(*store, baseline); });
            timed(&cost[8], [&] { JpegCodec::decodeLumaRows(base, w, 0, h, luma.data()); });
            timed(&cost[9],
                  [&] { top = JpegCodec::encodeCoefficientRows(*store, baseline, 0, half + 1); });
            timed(&cost[10],
                  [&] { JpegCodec::decodeLumaRows(top, w, 0, half * mcu + mcu / 2, luma.data()); });
            timed(&cost[11],
                  [&] { bottom = JpegCodec::encodeCoefficientRows(*store, baseline, half, rows); });
            timed(&cost[12], [&] {
                JpegCodec::decodeLumaRows(bottom,
                                          w,
                                          mcu / 2,
                                          h - half * mcu,
                                          luma.data() + size_t(half * mcu + mcu / 2) * w);
            });
            const unsigned mine = count == 3 ? 0b011u : 0b10001u; // ImageCodec's split
            timed(&cost[14], [&] { JpegCodec::encodeCoefficientScans(*store, progressive, mine); });
            timed(&cost[15], [&] {
                JpegCodec::encodeCoefficientScans(*store, progressive, ((1u << count) - 1) & ~mine);
            });
            timed(&cost[13], [&] {
                JpegCodec::decodeLumaRows(base,
                                          w,
                                          half * mcu + mcu / 2,
                                          h,
                                          luma.data() + size_t(half * mcu + mcu / 2) * w);
            });
        }
        Second second;
        std::vector<double> before, after;
        std::vector<quint8> other(luma.size());
        for (int run = 0; run < runs; ++run) {
            before.push_back(second.both(
                    [&] {
                        const QByteArray base = JpegCodec::encodeCoefficients(*store, baseline);
                        JpegCodec::decodeLumaRows(base, w, 0, h, luma.data());
                    },
                    [&] { JpegCodec::encodeCoefficients(*store, progressive); }));
            const unsigned mine = count == 3 ? 0b011u : 0b10001u;
            const unsigned theirs = ((1u << count) - 1) & ~mine;
            const int seam = half * mcu + mcu / 2;
            JpegCodec::ScanPart first{{}, mine}, second_{{}, theirs};
            after.push_back(second.both(
                    [&] {
                        const QByteArray top
                                = JpegCodec::encodeCoefficientRows(*store, baseline, 0, half + 1);
                        JpegCodec::decodeLumaRows(top, w, 0, seam, other.data());
                        first.bytes = JpegCodec::encodeCoefficientScans(*store, progressive, mine);
                    },
                    [&] {
                        const QByteArray bottom
                                = JpegCodec::encodeCoefficientRows(*store, baseline, half, rows);
                        JpegCodec::decodeLumaRows(bottom,
                                                  w,
                                                  seam - half * mcu,
                                                  h - half * mcu,
                                                  other.data() + size_t(seam) * w);
                        second_.bytes
                                = JpegCodec::encodeCoefficientScans(*store, progressive, theirs);
                    }));
            if (JpegCodec::joinScans(first, second_, count) != whole || other != luma)
                std::printf("%s: the last stage in halves differs!\n", qPrintable(path));
        }
        std::printf("%-20s %3d", qPrintable(QFileInfo(path).fileName()), frame.quality);
        for (int i = 0; i < 16; ++i) {
            if (i == 7 || i == 14)
                std::printf(" |");
            if (i > count && i <= 5) // grey: three scans
                std::printf(" %6s", "-");
            else
                std::printf(" %6.2f", median(cost[i]));
        }
        std::printf(" | %6.2f %6.2f\n", median(before), median(after));
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    int runs = 7, threads = 0;
    bool trials = false, encodes = false, split = false;
    ScreenQuality quality = ScreenQuality::Medium;
    QStringList files;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--runs") && i + 1 < args.size())
            runs = args[++i].toInt();
        else if (args[i] == QLatin1String("--trials"))
            trials = true;
        else if (args[i] == QLatin1String("--encodes"))
            encodes = true;
        else if (args[i] == QLatin1String("--split"))
            split = true;
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
    if (split)
        return splitCosts(files, preset, runs);
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

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/imagecodec.h"

#include "core/logging.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"
#include "core/screens/pngdecoder.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QHash>
#include <QImageReader>
#include <QImageWriter>
#include <QtEndian>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// The SSIM and luma loops in AVX-512 (x86-64-v4) and AVX2 copies too, the best the CPU has
// picked at load time (GCC's target_clones; an ifunc). x86-64-v4 has FMA, but these files
// are built with -ffp-contract=off (core/screens/CMakeLists.txt): every copy makes the same
// IEEE operations, hence the same value, 16 floats or 8 doubles at a time instead of 4 or 2.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MOUSE_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define MOUSE_SIMD_CLONES
#endif

namespace Mouse::ImageCodec {

namespace {

const QByteArray PngMagic("\x89PNG\r\n\x1a\n", 8);
const QByteArray PngEnd("IEND\xae\x42\x60\x82", 8);

// The range the quality search moves in; the SSIM floor decides where inside it.
constexpr double LowestQuality = 2;
constexpr double HighestQuality = 95;
constexpr double QualityStep = 0.25; // the search's resolution

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

// Truncation shows at the end: a PNG ends with its IEND chunk, a JPEG with EOI (FF D9),
// possibly followed by a little padding. Qt's JPEG reader would otherwise fill a truncated
// image with grey and report success.
bool endsCompletely(const QByteArray &bytes, const QByteArray &mime)
{
    const qsizetype tailStart = std::max<qsizetype>(0, bytes.size() - 64);
    const QByteArrayView tail = QByteArrayView(bytes).sliced(tailStart);
    if (mime == "image/png")
        return tail.indexOf(PngEnd) >= 0;
    return tail.lastIndexOf(QByteArrayView("\xff\xd9", 2)) >= 0;
}

bool cancelled(const CompressOptions &options)
{
    return options.cancel && options.cancel->load(std::memory_order_relaxed);
}

ScreenError notAnImage()
{
    return ScreenError::badInput(QStringLiteral("screenshot_not_an_image"),
                                 QStringLiteral("The screenshot is not a PNG or JPEG image."));
}

ScreenError corrupt()
{
    return ScreenError::badInput(QStringLiteral("screenshot_corrupt"),
                                 QStringLiteral("The screenshot image is truncated or corrupt."));
}

// Both cores within one frame. A frame's independent pieces of work (a trial's two bands, the
// halves of an SSIM, the answer's encode beside its check) run on the caller's thread and on a
// helper thread when no other frame is being made in this process: a batch already fills
// every core with one frame per thread, and helpers there would only add switches. The
// helper is a thread of its own: the image pool's threads wait on it, so it must never queue
// behind frames.
std::atomic<int> framesInProgress{0};

struct FrameScope
{
    FrameScope() { framesInProgress.fetch_add(1, std::memory_order_relaxed); }
    ~FrameScope() { framesInProgress.fetch_sub(1, std::memory_order_relaxed); }
    FrameScope(const FrameScope &) = delete;
    FrameScope &operator=(const FrameScope &) = delete;
};

// The helper: one thread, started at the first frame that wants it and kept. A frame hands it
// a piece of work 20-30 times (each trial's blocks, pixels and SSIM halves, the check's), so
// waking it is on the frame's path each time: after a piece it spins for a while before it
// sleeps, and the caller spins for the piece's end before it sleeps, instead of a thread
// pool's wake-up (~25 us) and a semaphore's (~25 us) per hand-over. Used by one frame at a
// time: a frame that finds it busy does the work itself.
class Helper
{
public:
    static Helper &instance()
    {
        static Helper *helper = new Helper; // leaked on purpose: no shutdown-order trouble
        return *helper;
    }

    // Runs *task on the helper thread and returns true, or returns false when it is busy.
    bool start(const std::function<void()> *task)
    {
        if (m_claimed.exchange(true, std::memory_order_acquire))
            return false;
        m_done.store(false, std::memory_order_relaxed);
        m_task.store(task); // seq_cst, against the helper's m_sleeping (no lost wake-up)
        if (m_sleeping.load()) {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_wake.notify_one();
        }
        return true;
    }

    // Returns once the task start() handed over has run.
    void wait()
    {
        if (!spinUntil([this] { return m_done.load(std::memory_order_acquire); })) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_callerSleeping.store(true);
            m_finished.wait(lock, [this] { return m_done.load(); });
            m_callerSleeping.store(false);
        }
        m_claimed.store(false, std::memory_order_release);
    }

private:
    Helper()
    {
        std::thread([this] { loop(); }).detach();
    }

    // Waits up to SpinNs for done() without sleeping: pausing for the first PauseNs, then
    // yielding the core (on a busy machine the thread it waits for may need it); whether
    // done() came to hold.
    template<typename Done>
    static bool spinUntil(Done &&done)
    {
        constexpr qint64 PauseNs = 20'000, SpinNs = 200'000;
        QElapsedTimer timer;
        timer.start();
        bool pausing = true;
        for (int i = 1;; ++i) {
            if (done())
                return true;
            if (pausing) {
#if defined(__x86_64__)
                __builtin_ia32_pause();
#endif
            } else {
                std::this_thread::yield();
            }
            if (i % 32 == 0) {
                const qint64 ns = timer.nsecsElapsed();
                if (ns > SpinNs)
                    return done();
                pausing = ns < PauseNs;
            }
        }
    }

    void loop()
    {
        for (;;) {
            if (!spinUntil([this] { return m_task.load(std::memory_order_acquire) != nullptr; })) {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_sleeping.store(true);
                m_wake.wait(lock, [this] { return m_task.load() != nullptr; });
                m_sleeping.store(false);
            }
            const std::function<void()> *task = m_task.load(std::memory_order_acquire);
            (*task)();
            m_task.store(nullptr, std::memory_order_relaxed);
            m_done.store(true); // seq_cst, against the caller's m_callerSleeping
            if (m_callerSleeping.load()) {
                const std::lock_guard<std::mutex> lock(m_mutex);
                m_finished.notify_one();
            }
        }
    }

    std::atomic<bool> m_claimed{false}; // a frame has handed over a task not yet waited for
    std::atomic<const std::function<void()> *> m_task{nullptr};
    std::atomic<bool> m_done{false};
    std::atomic<bool> m_sleeping{false}, m_callerSleeping{false};
    std::mutex m_mutex;
    std::condition_variable m_wake, m_finished;
};

// Whether this frame may use a helper thread (CompressOptions::threads).
bool useHelper(const CompressOptions &options)
{
    return options.threads > 1
           || (options.threads == 0 && framesInProgress.load(std::memory_order_relaxed) <= 1);
}

// Runs a and b, b on the helper thread when `parallel` and it is free; returns when both have.
template<typename A, typename B>
void runBoth(bool parallel, A &&a, B &&b)
{
    const std::function<void()> task = [&b] {
        b();
    };
    const bool started = parallel && Helper::instance().start(&task);
    a();
    if (started)
        Helper::instance().wait();
    else
        b();
}

struct Candidate
{
    QByteArray bytes;
    QByteArray mime;
    double quality = 0;
    double ssim = 1.0;
    ImageCodec::Luma decoded; // a JPEG trial's modelled luma (never the answer's check)
    int trials = 0;           // JPEG qualities tried to find it (EncodedImage::trials)
    bool modelled = false;    // a JPEG trial: no bytes yet, its pixels from the TrialModel
    bool valid() const { return !bytes.isEmpty() || modelled; }
};

// Where a cold JPEG search starts: about where flat desktops land at medium; the search
// moves from there by the measured SSIM.
constexpr double ColdStart = 17;
constexpr int MaxTrials = 6;

// The final check (all windows, the benchmark's measure) keeps this much above the floor, for
// the last bits of floating point: the benchmark decodes with Qt's JPEG reader, which is the
// same libjpeg-turbo with the same settings (same pixels), and measures with ssim(..., 1).
constexpr double VerifyMargin = 0.00002;

// SSIM gained per quality step, roughly, in the middle of the range on the corpus; used only
// to size the first step from one measurement.
constexpr double SsimPerStep = 0.0025;

// A trial is modelled, not encoded: JpegCodec::TrialModel has the picture's colour conversion
// and forward DCT, made once, and per quality quantises, dequantises and decodes with
// libjpeg-turbo's own arithmetic, giving the pixels a real encode and decode would (tested:
// trialModelIsTheRealDecode). No entropy coding or decoding, no colour conversion or DCT of
// the input per trial. Its luma is measured on every other window. On two threads the model's
// blocks and pixels are made in two halves of their rows and SSIM summed in two halves: the
// same values whatever the threads.
double ssimHalves(const Luma &a, const Luma &b, int stride, bool parallel); // below

// The all-window check's measure (stride 1) of plane after plane against one reference, the
// same value as ssimHalves(reference, plane, 1, parallel); forgetCheckedPlane() before a
// sequence (below).
void forgetCheckedPlane();
double checkSsim(const Luma &reference, const Luma &plane, bool parallel);

// runBoth for the trial model's halves.
JpegCodec::TrialModel::Both halves(bool parallel)
{
    return [parallel](const std::function<void()> &a, const std::function<void()> &b) {
        runBoth(parallel, a, b);
    };
}

// Luma planes of trials and checks, kept by the thread from trial to trial and frame to frame:
// a fresh 1024x576 plane is ~145 page faults and a clear.
std::vector<std::vector<quint8>> &sparePlanes()
{
    thread_local std::vector<std::vector<quint8>> planes;
    return planes;
}

std::vector<quint8> takePlane()
{
    std::vector<std::vector<quint8>> &planes = sparePlanes();
    if (planes.empty())
        return {};
    std::vector<quint8> plane = std::move(planes.back());
    planes.pop_back();
    return plane;
}

void recycle(Luma *luma)
{
    constexpr size_t KeptPlanes = 4;
    if (luma->y.capacity() > 0 && sparePlanes().size() < KeptPlanes)
        sparePlanes().push_back(std::move(luma->y));
    luma->y = {};
}

// The model's luma of an encode at `quality`.
void modelLuma(JpegCodec::TrialModel &model,
               const JpegCodec::EncodeSettings &base,
               double quality,
               bool parallel,
               Luma *out)
{
    JpegCodec::EncodeSettings settings = base;
    settings.quality = quality;
    out->width = model.width();
    out->height = model.height();
    model.decodeLuma(settings, &out->y, halves(parallel));
}

Candidate trial(JpegCodec::TrialModel &model,
                const Luma &reference,
                double quality,
                const JpegCodec::EncodeSettings &base,
                bool parallel)
{
    Candidate c{{}, "image/jpeg", quality, 0.0, {}};
    c.modelled = true;
    c.decoded.y = takePlane();
    modelLuma(model, base, quality, parallel, &c.decoded);
    const bool measurable = reference.width >= 8 && reference.height >= 8
                            && c.decoded.width == reference.width
                            && c.decoded.height == reference.height;
    c.ssim = measurable ? ssimHalves(reference, c.decoded, 2, parallel) : 0.0;
    return c;
}

// The lowest JPEG quality whose answer keeps the SSIM target, among a few modelled trials
// (the real decode's pixels) measured on every other window. With our tables SSIM grows
// with quality almost monotonically (see jpegcodec.cpp: fittedDcStep), so the search
// keeps a failing and a passing bound and interpolates between them; it stops when they are
// a quarter step apart (a trial is ~1-2 ms of CPU at 1024x576: model and stride-2 SSIM).
Candidate searchJpegQuality(JpegCodec::TrialModel &model,
                            const Luma &reference,
                            double target,
                            double start,
                            const JpegCodec::EncodeSettings &base,
                            bool parallel,
                            const CompressOptions &options)
{
    int encoded = 0;
    auto evaluate = [&](double quality) {
        ++encoded;
        return trial(model, reference, quality, base, parallel);
    };
    // Qualities in quarter steps (QualityStep): at the low qualities flat desktops need, one
    // whole step changes the quantiser by 8-17 %.
    const auto half = [](double q) {
        return std::round(q * 2) / 2;
    };
    double q = std::clamp(start > 0 ? start : ColdStart, LowestQuality, HighestQuality);
    Candidate pass, fail; // the lowest passing and the highest failing trial so far
    int trials = 0;
    for (; trials < MaxTrials; ++trials) {
        if (cancelled(options))
            return {};
        Candidate c = evaluate(q);
        if (!c.valid())
            return c;
        Candidate &slot = c.ssim >= target ? pass : fail;
        recycle(&slot.decoded);
        slot = std::move(c);
        const bool havePass = pass.valid(), haveFail = fail.valid();
        if (havePass
            && (pass.quality <= LowestQuality
                || (haveFail && pass.quality - fail.quality <= QualityStep)))
            break;
        if (!havePass && fail.quality >= HighestQuality)
            break;
        if (havePass && haveFail) {
            // Linear interpolation of SSIM between the bounds, kept strictly inside them.
            const double t = (target - fail.ssim) / std::max(1e-9, pass.ssim - fail.ssim);
            const double guess
                    = fail.quality
                      + std::ceil(t * (pass.quality - fail.quality) / QualityStep) * QualityStep;
            if (guess >= pass.quality)
                break; // the line says nothing between the bounds passes: save the trial
            q = std::max(guess, fail.quality + QualityStep);
        } else if (havePass) {
            const double step = std::max(2.0, half((pass.ssim - target) / SsimPerStep));
            q = std::max(double(LowestQuality), pass.quality - step);
        } else {
            const double step = std::max(3.0, std::ceil(1.2 * (target - fail.ssim) / SsimPerStep));
            q = std::min(double(HighestQuality), fail.quality + step);
        }
    }
    qCDebug(lcScreens) << "quality search:" << std::min(trials + 1, MaxTrials) << "trials, start"
                       << start << "->" << (pass.valid() ? pass.quality : -1.0);
    Candidate &found = pass.valid() ? pass : fail; // fail: the floor is out of reach
    recycle(pass.valid() ? &fail.decoded : &pass.decoded);
    found.trials = encoded;
    return std::move(found);
}

// Whether rows [from, to) of a picture (QRgb rows `bytesPerLine` apart) are all grey.
bool greyRows(const uchar *bits, qsizetype bytesPerLine, int width, int from, int to)
{
    for (int y = from; y < to; ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(bits + qsizetype(y) * bytesPerLine);
        for (int x = 0; x < width; ++x) {
            const QRgb p = line[x];
            if (qRed(p) != qGreen(p) || qGreen(p) != qBlue(p))
                return false;
        }
    }
    return true;
}

bool isGrey(const QImage &image)
{
    return greyRows(image.constBits(), image.bytesPerLine(), image.width(), 0, image.height());
}

// BT.601 in fixed point. The restrict pointers let the loop vectorise: without them a byte
// store may alias the pixels (a char type aliases anything), and GCC kept it scalar.
MOUSE_SIMD_CLONES void lumaRow(const QRgb *__restrict line, quint8 *__restrict into, int width)
{
    for (int x = 0; x < width; ++x) {
        const QRgb p = line[x];
        into[x] = quint8((77 * qRed(p) + 150 * qGreen(p) + 29 * qBlue(p) + 128) >> 8);
    }
}

// The first stage of a frame after its pixels: the reference luma and, for a JPEG search of
// an opaque picture, the grey test, the flat levels and the trial model (colour conversion and
// luma DCT). All of it is work on bands of rows, independent of the other bands: made as the
// PNG decoder scales its rows on two threads (a RowSink: the bands fill both threads' gaps),
// or after the decode in two halves (finish()). The same values either way: a band's luma,
// model rows and DCT blocks are its own, and the grey test and the flat-level counts are
// combined by AND and integer sums.
class FirstStage final : public PngDecoder::RowSink
{
public:
    // jpeg: a JPEG search comes (grey test, flat levels); model: its trial model too.
    FirstStage(bool jpeg, bool model)
        : m_jpeg(jpeg)
        , m_wantModel(model)
    {}

    void start(const uchar *bits, qsizetype bytesPerLine, const QSize &size) override;
    void rows(int from, int to) override;

    // After the decode, for the picture it gave: every band the decoder did not make from
    // these very pixels (all of them, unless it streamed them), in two halves through runBoth.
    void finish(const QImage &image, bool parallel);

    Luma reference;
    // For a JPEG search of an opaque picture: whether this stage made its inputs (else the
    // search makes them), and them.
    bool madeJpegInputs() const { return m_jpeg; }
    bool grey() const { return !m_colour.load(std::memory_order_relaxed); }
    const JpegCodec::FlatLevels &flat() const { return m_flat; }
    std::unique_ptr<JpegCodec::TrialModel> takeModel() { return std::move(m_model); }

private:
    bool m_jpeg, m_wantModel;
    const uchar *m_bits = nullptr;
    qsizetype m_bytesPerLine = 0;
    QSize m_size;
    std::atomic<int> m_rowsDone{0};
    std::atomic<bool> m_colour{false};
    std::mutex m_flatMutex;
    JpegCodec::FlatLevels m_flat;
    std::unique_ptr<JpegCodec::TrialModel> m_model;
};

void FirstStage::start(const uchar *bits, qsizetype bytesPerLine, const QSize &size)
{
    m_bits = bits;
    m_bytesPerLine = bytesPerLine;
    m_size = size;
    reference.width = size.width();
    reference.height = size.height();
    reference.y = takePlane(); // a kept plane: fresh memory is a page fault per 4 KiB
    reference.y.resize(size_t(size.width()) * size.height());
    if (m_jpeg && m_wantModel)
        m_model = std::make_unique<JpegCodec::TrialModel>(size); // this thread's kept buffers
}

void FirstStage::rows(int from, int to)
{
    const int w = m_size.width();
    for (int y = from; y < to; ++y)
        lumaRow(reinterpret_cast<const QRgb *>(m_bits + qsizetype(y) * m_bytesPerLine),
                reference.y.data() + size_t(y) * w,
                w);
    if (m_jpeg) {
        if (!m_colour.load(std::memory_order_relaxed)
            && !greyRows(m_bits, m_bytesPerLine, w, from, to))
            m_colour.store(true, std::memory_order_relaxed);
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), w, m_size.height(), from, to);
        {
            const std::lock_guard lock(m_flatMutex);
            m_flat.add(flat);
        }
        if (m_model)
            m_model->addRows(m_bits, m_bytesPerLine, from, to);
    }
    m_rowsDone.fetch_add(to - from, std::memory_order_relaxed);
}

void FirstStage::finish(const QImage &image, bool parallel)
{
    const QImage rgb
            = image.format() == QImage::Format_RGB32 || image.format() == QImage::Format_ARGB32
                      ? image
                      : image.convertToFormat(QImage::Format_RGB32);
    // runBoth has returned, so every band the decoder made is seen here.
    if (m_bits && m_bits == rgb.constBits() && m_size == rgb.size()
        && m_rowsDone.load(std::memory_order_relaxed) == rgb.height())
        return;
    m_model.reset();
    recycle(&reference);
    m_flat = {};
    m_colour.store(false, std::memory_order_relaxed);
    m_rowsDone.store(0, std::memory_order_relaxed);
    m_jpeg = m_jpeg && !image.hasAlphaChannel(); // else the search makes them, flattened
    start(rgb.constBits(), rgb.bytesPerLine(), rgb.size());
    const int h = rgb.height();
    const int half = std::min(h, (h / 2 + BandRows - 1) / BandRows * BandRows);
    runBoth(
            parallel, [&] { rows(0, half); }, [&] { rows(half, h); });
}

// From this 4:2:0 quality on, 4:4:4 with coarser chroma is searched too (below it, no file of
// the corpus gained from it).
constexpr int FullChromaFrom = 30;
constexpr double FullChromaScale = 3.0;
// The check of a 4:4:4 answer searched first (below) doubles its step from this miss on: its
// stride-2 search reads up to 0.0015 high on text (1080p terminals at high).
constexpr int DeferredDoubleFrom = 7;

double searchTarget(const ScreenPreset &preset, const CompressOptions &options)
{
    return std::min(0.999, preset.ssimFloor() + options.ssimMargin);
}

// An encode of the picture from the coefficients the model quantised for these settings (no
// colour conversion, downsampling or DCT: the model made them; the same bytes,
// tst_jpegcoefficients), from its pixels if the model has not got them.
QByteArray modelEncode(const JpegCodec::TrialModel &model,
                       const QImage &image,
                       const JpegCodec::EncodeSettings &settings)
{
    QByteArray bytes = model.encode(settings);
    if (!bytes.isEmpty())
        return bytes;
    qCDebug(lcScreens) << "JPEG encode from the pixels: the model has not got the coefficients";
    return JpegCodec::encode(image, settings);
}

// A check's encode: baseline, fixed Huffman tables (the answer's pixels, a third of its cost).
QByteArray baselineEncode(const JpegCodec::TrialModel &model,
                          const QImage &image,
                          const JpegCodec::EncodeSettings &base,
                          double q)
{
    JpegCodec::EncodeSettings settings = base;
    settings.quality = q;
    settings.optimized = false;
    settings.progressive = false;
    return modelEncode(model, image, settings);
}

// The last stage of a frame on two threads, from the coefficients the model quantised: the
// check's real decode in two halves of the MCU rows, each half a baseline JPEG of its own (the
// halves overlap by one MCU row, so that the 4:2:0 upsampling of every row kept sees the chroma
// rows on both sides: each half keeps its rows up to / from the middle of that MCU row), and
// the answer's progressive scans in two parts, joined in the script's order. Each thread does a
// half of the check, then its scans: neither waits for the other's work.
struct LastStage
{
    const JpegCodec::CoefficientStore *store; // the model's, for the check's and answer's tables
    JpegCodec::EncodeSettings check, answer;  // baseline, fixed tables; the answer's settings
    int width = 0, height = 0;

    // The halves share MCU row cut(), with a whole MCU row below it (a last MCU row can hold a
    // single pixel row, where the middle of the shared row would be past the picture).
    bool splittable() const { return store && store->mcuRows() >= 3; }

    // Where the halves meet (an MCU row) and which scans the calling thread writes, by the
    // pieces' measured costs (docs/benchmarks/screenshots.md, session 6).
    int cut() const { return std::clamp(store->mcuRows() / 2, 1, store->mcuRows() - 2); }
    // Instructions at 1024x576 (callgrind, the six 1080p files): the real DC scan 3.2-3.4 M, a
    // stand-in 3.1 M, luma 1-8 6.4-7.9 M, Cb and Cr 2.2-2.5 M each, luma 9-63 8.8-12.7 M; the
    // check's halves 7.3-10.4 M each. So the calling thread writes DC and luma 9-63, the helper
    // (after its stand-in DC) luma 1-8 and both chroma scans: 12.0-16.1 M against 13.8-16.0 M.
    // Grey: DC and 1-8 against the stand-in and 9-63. (tst_jpegcoefficients joins this split at
    // every quality it tries.)
    unsigned callerScans() const
    {
        if (!answer.progressive)
            return AllScans;
        return answer.chroma == JpegCodec::Chroma::Grey ? 0b011u : 0b10001u;
    }

    static constexpr unsigned AllScans = ~0u;

    // The check's decode (into *plane, width * height) and the answer's bytes; false when a
    // half does not decode (the answer is then not wanted).
    bool run(std::vector<quint8> *plane, QByteArray *bytes) const
    {
        const int rows = store->mcuRows(), mcu = store->mcuHeight(), at = cut();
        const int seam = at * mcu + mcu / 2; // the first row the bottom half gives
        const int count = JpegCodec::progressiveScans(answer.chroma);
        const unsigned mine = callerScans();
        const unsigned theirs = mine == AllScans ? 0 : ((1u << count) - 1) & ~mine;
        plane->resize(size_t(width) * height);
        bool topOk = false, bottomOk = false;
        JpegCodec::ScanPart first{{}, mine}, second{{}, theirs};
        runBoth(
                true,
                [&] {
                    const QByteArray top
                            = JpegCodec::encodeCoefficientRows(*store, check, 0, at + 1);
                    topOk = JpegCodec::decodeLumaRows(top, width, 0, seam, plane->data());
                    first.bytes = mine == AllScans
                                          ? JpegCodec::encodeCoefficients(*store, answer)
                                          : JpegCodec::encodeCoefficientScans(*store, answer, mine);
                },
                [&] {
                    const QByteArray bottom
                            = JpegCodec::encodeCoefficientRows(*store, check, at, rows);
                    bottomOk = JpegCodec::decodeLumaRows(bottom,
                                                         width,
                                                         seam - at * mcu,
                                                         height - at * mcu,
                                                         plane->data() + size_t(seam) * width);
                    if (theirs)
                        second.bytes = JpegCodec::encodeCoefficientScans(*store, answer, theirs);
                });
        *bytes = theirs ? JpegCodec::joinScans(first, second, count) : first.bytes;
        return topOk && bottomOk;
    }
};

// Steps a modelled candidate up until the model's pixels keep the floor on every window: the
// model's pixels are the real decode's, so this settles on the quality the real check would,
// each step without an encode or a decode (or a thrown-away answer encode).
bool settleOnModel(Candidate *best,
                   JpegCodec::TrialModel &model,
                   const Luma &reference,
                   const ScreenPreset &preset,
                   const CompressOptions &options,
                   const JpegCodec::EncodeSettings &base,
                   bool parallel,
                   double *step,
                   int *misses,
                   int doubleFrom)
{
    forgetCheckedPlane();
    for (;;) {
        if (cancelled(options))
            return false;
        best->ssim = checkSsim(reference, best->decoded, parallel);
        if (best->ssim >= preset.ssimFloor() + VerifyMargin || best->quality >= HighestQuality)
            return true;
        best->quality = std::min(HighestQuality, best->quality + *step);
        modelLuma(model, base, best->quality, parallel, &best->decoded);
        ++best->trials;
        if (++*misses >= doubleFrom)
            *step *= 2;
    }
}

// The all-window check of a search's answer, stepped up while short, then the answer's encode.
Candidate verify(Candidate best,
                 JpegCodec::TrialModel &model,
                 const QImage &image,
                 const Luma &reference,
                 const ScreenPreset &preset,
                 const CompressOptions &options,
                 const JpegCodec::EncodeSettings &base,
                 bool parallel,
                 int doubleFrom = 12)
{
    // The search measures every other window of modelled trials; its answer is stepped up on
    // the model until every window keeps the floor (the measure the benchmark uses), then
    // encoded for real and checked on its real decode. Both encodes are libjpeg's entropy
    // coding of the model's coefficients (its colour conversion and DCT, made once per frame:
    // the bytes of an encode of the pixels). With a helper, baseline encodes (fixed Huffman
    // tables: the same quantised coefficients, hence the same pixels, at a third of the cost)
    // of the picture's top and bottom halves are decoded, one on each thread, beside the
    // answer's scans written in two parts (LastStage); alone, the answer's own bytes are
    // decoded. A real decode equal to the model's pixels, byte for byte, on every row, has the
    // model's SSIM; any other is measured, and stepped up while short.
    double step = QualityStep; // doubled from the doubleFrom-th miss on: bounded
    int misses = 0;
    const auto encodeAnswer = [&] {
        JpegCodec::EncodeSettings settings = base;
        settings.quality = best.quality;
        settings.progressive = options.progressive;
        return modelEncode(model, image, settings);
    };
    if (!best.valid()
        || !settleOnModel(&best,
                          model,
                          reference,
                          preset,
                          options,
                          base,
                          parallel,
                          &step,
                          &misses,
                          doubleFrom))
        return {};
    const auto quantise = [&] { // the coefficients both encodes of this quality write
        JpegCodec::EncodeSettings settings = base;
        settings.quality = best.quality;
        model.quantise(settings, halves(parallel));
    };
    quantise();
    QByteArray answer;
    Luma decoded;
    decoded.y = takePlane();
    bool decodedOk = false;
    const auto decodeBaseline = [&] {
        best.bytes = baselineEncode(model, image, base, best.quality);
        decodedOk = JpegCodec::decodeLuma(best.bytes, &decoded.width, &decoded.height, &decoded.y);
    };
    JpegCodec::EncodeSettings check = base;
    check.quality = best.quality;
    check.optimized = check.progressive = false;
    JpegCodec::EncodeSettings final = check;
    final.optimized = base.optimized;
    final.progressive = options.progressive;
    const LastStage stage{
            model.coefficients(check), check, final, reference.width, reference.height};
    if (parallel && stage.splittable()) {
        decodedOk = stage.run(&decoded.y, &answer);
        decoded.width = reference.width;
        decoded.height = reference.height;
        if (answer.isEmpty() && decodedOk) { // never, so far: the parts did not join
            qCWarning(lcScreens) << "JPEG scans did not join; encoding the answer whole";
            answer = encodeAnswer();
        }
    } else if (parallel) {
        runBoth(true, decodeBaseline, [&] { answer = encodeAnswer(); });
    } else {
        answer = encodeAnswer();
        best.bytes = answer;
        decodedOk = JpegCodec::decodeLuma(answer, &decoded.width, &decoded.height, &decoded.y);
    }
    best.modelled = false;
    if (!decodedOk || decoded.width != reference.width || decoded.height != reference.height)
        return {};
    if (decoded.y != best.decoded.y) {
        qCWarning(lcScreens) << "JPEG trial model differs from the real decode at quality"
                             << best.quality;
        best.ssim = ssimHalves(reference, decoded, 1, parallel);
    }
    recycle(&best.decoded);
    // A miss here means the model was wrong: the old real step-up, one encode and decode each.
    while (best.ssim < preset.ssimFloor() + VerifyMargin && best.quality < HighestQuality) {
        if (cancelled(options))
            return {};
        answer.clear();
        best.quality = std::min(HighestQuality, best.quality + step);
        quantise();
        best.bytes = baselineEncode(model, image, base, best.quality);
        ++best.trials;
        if (++misses >= doubleFrom)
            step *= 2;
        if (!JpegCodec::decodeLuma(best.bytes, &decoded.width, &decoded.height, &decoded.y))
            return {};
        best.ssim = ssimHalves(reference, decoded, 1, parallel);
    }
    recycle(&decoded);
    best.bytes = !answer.isEmpty() ? std::move(answer) : encodeAnswer();
    return best;
}

// The search on one encoding, then the all-window check, then the answer's encode.
Candidate searchAndVerify(JpegCodec::TrialModel &model,
                          const QImage &image,
                          const Luma &reference,
                          const ScreenPreset &preset,
                          const CompressOptions &options,
                          const JpegCodec::EncodeSettings &base,
                          double start,
                          bool parallel,
                          int doubleFrom = 12)
{
    Candidate best = searchJpegQuality(
            model, reference, searchTarget(preset, options), start, base, parallel, options);
    return verify(
            std::move(best), model, image, reference, preset, options, base, parallel, doubleFrom);
}

bool verified(const Candidate &c, const ScreenPreset &preset)
{
    return c.valid() && c.ssim >= preset.ssimFloor() + VerifyMargin;
}

// JPEG with our tables (see jpegcodec.cpp): one grey component when the picture is grey (no
// chroma bytes at all); else 4:2:0 and, when that needs a high quality (coloured text on
// black, where chroma errors push pixels out of gamut and the clamping changes their luma),
// 4:4:4 with 3x coarser chroma steps too; the smaller answer wins.
// `first`: the picture's grey test, flat levels and model when the frame's first stage made
// them (else made here).
Candidate searchJpeg(const QImage &image,
                     const Luma &reference,
                     const ScreenPreset &preset,
                     const CompressOptions &options,
                     FirstStage *first)
{
    using JpegCodec::Chroma;
    JpegCodec::FlatLevels flat;
    bool grey = false;
    std::unique_ptr<JpegCodec::TrialModel> model; // the search's trials (none without a search)
    if (first) {
        flat = first->flat();
        grey = first->grey();
        model = first->takeModel();
    } else {
        runBoth(
                useHelper(options),
                [&] {
                    flat = JpegCodec::flatLevels(
                            reference.y.data(), reference.width, reference.height);
                },
                [&] { grey = isGrey(image); });
        if (options.searchQuality)
            model = std::make_unique<JpegCodec::TrialModel>(image, halves(useHelper(options)));
    }
    JpegCodec::EncodeSettings base;
    base.chroma = grey ? Chroma::Grey : Chroma::Subsampled420;
    base.flat = &flat;
    if (!options.searchQuality) {
        base.quality = preset.encoderQuality;
        base.progressive = options.progressive;
        return {JpegCodec::encode(image, base),
                "image/jpeg",
                double(preset.encoderQuality),
                1.0,
                {}};
    }
    const bool parallel = useHelper(options);
    Candidate best = searchJpegQuality(*model,
                                       reference,
                                       searchTarget(preset, options),
                                       options.qualityHint,
                                       base,
                                       parallel,
                                       options);
    // The 4:2:0 search spent its trials without reaching the target (coloured text on black):
    // its check would step up from its last failing quality a quarter step at a time (19 all-
    // window checks and encodes, 0.5 s of CPU, for 1080p terminals at high), for an answer
    // 4:4:4 beats on every such frame of the corpus. 4:4:4 is searched first, and when its
    // answer passes the all-window check it is the answer; 4:2:0 is checked only otherwise.
    Candidate full; // 4:4:4's answer, when searched
    bool fullSearched = false;
    if (base.chroma == Chroma::Subsampled420 && best.valid()
        && best.ssim < searchTarget(preset, options) && best.quality >= FullChromaFrom) {
        JpegCodec::EncodeSettings settings = base;
        settings.chroma = Chroma::Full444;
        settings.chromaScale = FullChromaScale;
        full = searchAndVerify(*model,
                               image,
                               reference,
                               preset,
                               options,
                               settings,
                               best.quality - 12,
                               parallel,
                               DeferredDoubleFrom);
        fullSearched = true;
        if (verified(full, preset)) {
            full.trials += best.trials;
            return full;
        }
    }
    best = verify(std::move(best), *model, image, reference, preset, options, base, parallel);
    if (base.chroma == Chroma::Subsampled420 && (fullSearched || best.quality >= FullChromaFrom)) {
        if (!fullSearched) {
            base.chroma = Chroma::Full444;
            base.chromaScale = FullChromaScale;
            full = searchAndVerify(
                    *model, image, reference, preset, options, base, best.quality - 12, parallel);
        }
        const int trials = best.trials + full.trials;
        if (full.valid() && full.bytes.size() < best.bytes.size())
            best = std::move(full);
        best.trials = trials;
    }
    return best;
}

// WebP has no cheap model: real encodes and decodes on a grid of 5, bisected.
Candidate searchWebp(const QImage &image,
                     const Luma &reference,
                     const ScreenPreset &preset,
                     const CompressOptions &options)
{
    auto evaluate = [&](int quality) {
        Candidate c{
                encode(image, ImageFormat::Webp, quality), "image/webp", double(quality), 1.0, {}};
        if (!c.valid())
            return c;
        const QImage decoded = QImage::fromData(c.bytes, "webp");
        c.ssim = decoded.size() == image.size() ? ssim(reference, luma(decoded), 2) : 0.0;
        return c;
    };
    if (!options.searchQuality)
        return evaluate(preset.encoderQuality);
    const double target = std::min(0.999, preset.ssimFloor() + options.ssimMargin);
    int low = 1, high = HighestQuality / 5; // grid index: quality = 5 * i
    Candidate best;
    while (low < high) {
        if (cancelled(options))
            return {};
        const int mid = (low + high) / 2;
        Candidate c = evaluate(5 * mid);
        if (c.ssim >= target) {
            high = mid;
            best = std::move(c);
        } else {
            low = mid + 1;
        }
    }
    if (!best.valid() || best.quality != 5 * low)
        best = evaluate(5 * low);
    return best;
}

// Lossless and smaller: grey images as 8-bit grey, few colours as a palette.
QImage losslessReduced(const QImage &image)
{
    if (image.hasAlphaChannel())
        return image;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    bool grey = true;
    QHash<QRgb, int> colours;
    for (int y = 0; y < rgb.height() && (grey || colours.size() <= 256); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const QRgb p = line[x] | 0xff000000u;
            grey = grey && qRed(p) == qGreen(p) && qGreen(p) == qBlue(p);
            if (colours.size() <= 256)
                colours.insert(p, 0);
            else if (!grey)
                break;
        }
    }
    if (grey)
        return rgb.convertToFormat(QImage::Format_Grayscale8);
    if (colours.size() > 256)
        return rgb;
    // Sorted: a QHash's order follows its seed, which Qt draws per process, and the same
    // picture must give the same bytes in every process (the cache, ETags, tests).
    QList<QRgb> table = colours.keys();
    std::sort(table.begin(), table.end());
    return rgb.convertToFormat(QImage::Format_Indexed8, table, Qt::ThresholdDither);
}

} // namespace

QByteArray sniffMime(const QByteArray &bytes)
{
    if (bytes.startsWith(PngMagic))
        return "image/png";
    if (bytes.size() >= 3 && quint8(bytes[0]) == 0xff && quint8(bytes[1]) == 0xd8
        && quint8(bytes[2]) == 0xff)
        return "image/jpeg";
    return {};
}

Expected<QSize> probe(const QByteArray &bytes, qint64 maxPixels)
{
    const QByteArray mime = sniffMime(bytes);
    if (mime.isEmpty())
        return notAnImage();

    // libpng refuses a side over a million pixels (its default user limit) before it gives a
    // size, which would read as a corrupt file; say what the file declares instead. (A JPEG
    // side is at most 65535 by its format.)
    constexpr quint32 MaxPngSide = 1'000'000;
    if (mime == "image/png" && bytes.size() >= 24 && bytes.mid(12, 4) == "IHDR") {
        const auto *ihdr = reinterpret_cast<const uchar *>(bytes.constData()) + 16;
        const quint32 width = qFromBigEndian<quint32>(ihdr);
        const quint32 height = qFromBigEndian<quint32>(ihdr + 4);
        if (width > MaxPngSide || height > MaxPngSide) {
            return ScreenError{ScreenError::Kind::TooLarge,
                               QStringLiteral("screenshot_too_large"),
                               QStringLiteral("The screenshot declares %1x%2 pixels; a side may "
                                              "be at most %3 pixels.")
                                       .arg(width)
                                       .arg(height)
                                       .arg(MaxPngSide),
                               0};
        }
    }

    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, mime == "image/png" ? "png" : "jpeg");
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return corrupt();
    if (qint64(size.width()) * size.height() > maxPixels) {
        return ScreenError{ScreenError::Kind::TooLarge,
                           QStringLiteral("screenshot_too_large"),
                           QStringLiteral("The screenshot declares %1x%2 pixels, more than the "
                                          "%3 accepted (screens/max_pixels).")
                                   .arg(size.width())
                                   .arg(size.height())
                                   .arg(maxPixels),
                           0};
    }
    return size;
}

namespace {

// decode(), and with a valid `box` decodeToFit(): the PNGs our decoder reads are scaled to
// fit the box as their rows are decoded; other images come back at full size.
// `parallel`: our decoder's rows scaled on a helper thread as they are unfiltered.
Expected<QImage> decodeImage(const QByteArray &bytes,
                             qint64 maxPixels,
                             const QSize &box,
                             QSize *declaredSize,
                             bool parallel = false,
                             PngDecoder::RowSink *sink = nullptr)
{
    const Expected<QSize> declared = probe(bytes, maxPixels);
    if (!declared)
        return declared.error();
    *declaredSize = declared.value();
    const QByteArray mime = sniffMime(bytes);
    if (!endsCompletely(bytes, mime))
        return corrupt();

    if (mime == "image/png") {
        // The PNGs screenshots come as go through our direct decoder; other kinds (16-bit,
        // 1-bit, interlaced, colour-key transparency) through QImageReader below.
        const QSize target = box.isValid() ? fitInside(declared.value(), box) : QSize();
        QImage image;
        const PngDecoder::Both both = parallel ? halves(true) : PngDecoder::Both();
        switch (PngDecoder::decode(bytes, maxPixels, &image, target, both, sink)) {
        case PngDecoder::Result::Decoded:
            if (image.size() != declared.value() && image.size() != target)
                return corrupt();
            return image;
        case PngDecoder::Result::Corrupt:
            return corrupt();
        case PngDecoder::Result::TooLarge:
            return corrupt(); // probe() has refused real ones
        case PngDecoder::Result::Unsupported:
            break;
        }
    }

    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, mime == "image/png" ? "png" : "jpeg");
    // Qt's own guard too (MiB), in case a header lies about what follows.
    reader.setAllocationLimit(int(std::min<qint64>(4096, maxPixels * 8 / (1024 * 1024) + 1)));
    QImage image;
    if (!reader.read(&image) || image.isNull() || image.size() != declared.value()) {
        qCDebug(lcScreens) << "decode failed:" << reader.errorString();
        return corrupt();
    }
    return image;
}

} // namespace

Expected<QImage> decode(const QByteArray &bytes, qint64 maxPixels)
{
    QSize declared;
    return decodeImage(bytes, maxPixels, QSize(), &declared);
}

namespace {

Expected<QImage> decodeToFitOn(const QByteArray &bytes,
                               qint64 maxPixels,
                               const QSize &box,
                               QSize *sourceSize,
                               bool parallel,
                               PngDecoder::RowSink *sink = nullptr)
{
    const Expected<QImage> image = decodeImage(bytes, maxPixels, box, sourceSize, parallel, sink);
    if (!image)
        return image;
    return scaled(image.value(), fitInside(*sourceSize, box));
}

} // namespace

Expected<QImage>
decodeToFit(const QByteArray &bytes, qint64 maxPixels, const QSize &box, QSize *sourceSize)
{
    return decodeToFitOn(bytes, maxPixels, box, sourceSize, false);
}

QSize fitInside(const QSize &source, const QSize &box)
{
    if (source.width() <= box.width() && source.height() <= box.height())
        return source;
    const double scale = std::min(double(box.width()) / source.width(),
                                  double(box.height()) / source.height());
    const int width = std::clamp(int(std::lround(source.width() * scale)), 1, box.width());
    const int height = std::clamp(int(std::lround(source.height() * scale)), 1, box.height());
    return {width, height};
}

QImage scaled(const QImage &image, const QSize &size)
{
    const QImage::Format wanted
            = image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32;
    const QImage source = image.format() == wanted ? image : image.convertToFormat(wanted);
    if (source.size() == size)
        return source;
    return source.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

QImage flattenOnWhite(const QImage &image)
{
    if (!image.hasAlphaChannel())
        return image;
    const QImage premultiplied = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    QImage out(premultiplied.size(), QImage::Format_RGB32);
    for (int y = 0; y < out.height(); ++y) {
        const auto *in = reinterpret_cast<const QRgb *>(premultiplied.constScanLine(y));
        auto *to = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < out.width(); ++x) {
            const QRgb p = in[x];
            const int white = 255 - qAlpha(p); // premultiplied: colour + white * (1 - alpha)
            to[x] = qRgb(qRed(p) + white, qGreen(p) + white, qBlue(p) + white);
        }
    }
    return out;
}

QByteArray
encode(const QImage &image, ImageFormat format, int quality, bool progressive, bool optimized)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer,
                        format == ImageFormat::Png    ? "png"
                        : format == ImageFormat::Webp ? "webp"
                                                      : "jpeg");
    if (format == ImageFormat::Jpeg) {
        return JpegCodec::encode(flattenOnWhite(image),
                                 quality,
                                 JpegCodec::Chroma::Subsampled420,
                                 optimized,
                                 progressive);
    }
    // PNG keeps Qt's default, zlib's own level. (Qt 6.4 scales setCompression() 0-100 onto
    // zlib's 0-9, so the 6 once set here meant level 0: stored, uncompressed pixels.)
    if (format == ImageFormat::Webp)
        writer.setQuality(std::min(quality, 99)); // 100 would switch the plugin to lossless
    if (!writer.write(image))
        return {};
    return bytes;
}

namespace {

void lumaRows(const QImage &rgb, int from, int to, Luma *out)
{
    for (int y = from; y < to; ++y)
        lumaRow(reinterpret_cast<const QRgb *>(rgb.constScanLine(y)),
                out->y.data() + size_t(y) * out->width,
                out->width);
}

// luma() in two halves of the rows, the second on a helper thread when `parallel`.
Luma lumaOf(const QImage &image, bool parallel)
{
    const QImage rgb
            = image.format() == QImage::Format_RGB32 || image.format() == QImage::Format_ARGB32
                      ? image
                      : image.convertToFormat(QImage::Format_RGB32);
    Luma out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.y = takePlane(); // a kept plane: fresh memory is a page fault per 4 KiB
    out.y.resize(size_t(out.width) * out.height);
    const int half = out.height / 2;
    runBoth(
            parallel,
            [&] { lumaRows(rgb, 0, half, &out); },
            [&] { lumaRows(rgb, half, out.height, &out); });
    return out;
}

} // namespace

Luma luma(const QImage &image)
{
    return lumaOf(image, false);
}

namespace {

constexpr double SsimC1 = (0.01 * 255) * (0.01 * 255), SsimC2 = (0.03 * 255) * (0.03 * 255);

double windowSsim(double sa, double sb, double saa, double sbb, double sab)
{
    constexpr double n = 64;
    const double ma = sa / n, mb = sb / n;
    const double va = saa / n - ma * ma, vb = sbb / n - mb * mb;
    const double cov = sab / n - ma * mb;
    return ((2 * ma * mb + SsimC1) * (2 * cov + SsimC2))
           / ((ma * ma + mb * mb + SsimC1) * (va + vb + SsimC2));
}

// Scratch memory kept by each thread between calls (grown, never shrunk: its size is bounded by
// the presets' boxes), `slot` telling apart the buffers one call needs at once. Not zeroed.
template<typename T>
T *scratch(int slot, size_t count)
{
    thread_local std::vector<std::unique_ptr<T[]>> buffers(2);
    thread_local std::vector<size_t> sizes(2, 0);
    if (sizes[size_t(slot)] < count) {
        buffers[size_t(slot)].reset(new T[count]);
        sizes[size_t(slot)] = count;
    }
    return buffers[size_t(slot)].get();
}

// The five moments of the 2x2 cells of a row of cells, 8 cells (16 pixels of each of the four
// rows) at a time: pairs of 16-bit pixels multiplied and added into 32-bit lanes (pmaddwd),
// the same integers as the scalar loop. Returns how many cells it made, from the left.
int cellMoments(const quint8 *a0,
                const quint8 *a1,
                const quint8 *b0,
                const quint8 *b1,
                int cells,
                qint32 *const m[5],
                size_t row)
{
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128(), ones = _mm_set1_epi16(1);
    const auto store = [&](int k, int cx, __m128i v) {
        _mm_storeu_si128(reinterpret_cast<__m128i *>(m[k] + row + size_t(cx)), v);
    };
    const auto load = [](const quint8 *p) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    };
    int cx = 0;
    for (; cx + 8 <= cells; cx += 8) {
        const __m128i pa0 = load(a0 + 2 * cx), pa1 = load(a1 + 2 * cx);
        const __m128i pb0 = load(b0 + 2 * cx), pb1 = load(b1 + 2 * cx);
        for (int part = 0; part < 2; ++part) { // pixels 0-7 (cells 0-3), then 8-15 (4-7)
            const auto widen = [&](__m128i v) {
                return part == 0 ? _mm_unpacklo_epi8(v, zero) : _mm_unpackhi_epi8(v, zero);
            };
            const __m128i x0 = widen(pa0), x1 = widen(pa1), y0 = widen(pb0), y1 = widen(pb1);
            const int at = cx + 4 * part;
            store(0, at, _mm_madd_epi16(_mm_add_epi16(x0, x1), ones));
            store(1, at, _mm_madd_epi16(_mm_add_epi16(y0, y1), ones));
            store(2, at, _mm_add_epi32(_mm_madd_epi16(x0, x0), _mm_madd_epi16(x1, x1)));
            store(3, at, _mm_add_epi32(_mm_madd_epi16(y0, y0), _mm_madd_epi16(y1, y1)));
            store(4, at, _mm_add_epi32(_mm_madd_epi16(x0, y0), _mm_madd_epi16(x1, y1)));
        }
    }
    return cx;
#else
    Q_UNUSED(a0)
    , Q_UNUSED(a1)
    , Q_UNUSED(b0)
    , Q_UNUSED(b1)
    , Q_UNUSED(cells)
    , Q_UNUSED(m);
    Q_UNUSED(row);
    return 0;
#endif
}

// Stride 2, the windows at even x and y: the five moments summed over 2x2 cells once, then
// each 8x8 window is 4x4 cells, summed horizontally then vertically (exact integers, the
// same windows as the sliding form; the formula in float, within 1e-5 of it).
// The sum over the rows of windows [from, to) (window row y starts at pixel row 2y); the
// cells of rows [from, to + 3) only, so that two halves can be summed on two threads.
MOUSE_SIMD_CLONES double ssimStride2Rows(const Luma &a, const Luma &b, int from, int to)
{
    const int w = a.width;
    const int cw = w / 2, ch = to - from + 3; // cell rows [from, to + 3)
    const int wx = (w - 8) / 2 + 1;           // windows per row
    // cells[m]: moment m per 2x2 cell; then horizontal sums of 4 cells in place.
    // Every cell is written below: no zeroing. The buffer (1.5 MB for half of 1024x576) is
    // kept by the thread from trial to trial: fresh, it cost ~550 page faults a frame.
    qint32 *const cells = scratch<qint32>(0, size_t(5) * cw * ch);
    qint32 *m[5];
    for (int k = 0; k < 5; ++k)
        m[k] = cells + size_t(k) * cw * ch;
    for (int cy = 0; cy < ch; ++cy) {
        const quint8 *a0 = a.y.data() + size_t(2 * (from + cy)) * w, *a1 = a0 + w;
        const quint8 *b0 = b.y.data() + size_t(2 * (from + cy)) * w, *b1 = b0 + w;
        const size_t row = size_t(cy) * cw;
        const int vectorCells = cellMoments(a0, a1, b0, b1, cw, m, row);
        for (int cx = vectorCells; cx < cw; ++cx) {
            const int x = 2 * cx;
            const qint32 p0 = a0[x], p1 = a0[x + 1], p2 = a1[x], p3 = a1[x + 1];
            const qint32 q0 = b0[x], q1 = b0[x + 1], q2 = b1[x], q3 = b1[x + 1];
            m[0][row + cx] = p0 + p1 + p2 + p3;
            m[1][row + cx] = q0 + q1 + q2 + q3;
            m[2][row + cx] = p0 * p0 + p1 * p1 + p2 * p2 + p3 * p3;
            m[3][row + cx] = q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3;
            m[4][row + cx] = p0 * q0 + p1 * q1 + p2 * q2 + p3 * q3;
        }
    }
    for (int k = 0; k < 5; ++k) {
        for (int cy = 0; cy < ch; ++cy) {
            qint32 *r = m[k] + size_t(cy) * cw;
            for (int cx = 0; cx < wx; ++cx)
                r[cx] = r[cx] + r[cx + 1] + r[cx + 2] + r[cx + 3];
        }
    }
    // Per row of windows: the five window sums as floats (exact: below 2^24), then the SSIM
    // formula over the row in float, both loops simple enough to vectorise.
    float *const sums = scratch<float>(1, size_t(5) * wx);
    float *f[5];
    for (int k = 0; k < 5; ++k)
        f[k] = sums + size_t(k) * wx;
    constexpr float c1 = float(SsimC1), c2 = float(SsimC2), inv = 1.0f / 64;
    double total = 0;
    for (int y = 0; y < to - from; ++y) {
        const size_t r0 = size_t(y) * cw, r1 = r0 + cw, r2 = r1 + cw, r3 = r2 + cw;
        for (int k = 0; k < 5; ++k) {
            const qint32 *mk = m[k];
            float *fk = f[k];
            for (int x = 0; x < wx; ++x)
                fk[x] = float(mk[r0 + x] + mk[r1 + x] + mk[r2 + x] + mk[r3 + x]);
        }
        // Window x is added into lane x % 16, the lanes then pairwise: a fixed order, the same
        // float on every path, and the formula vectorises (one running sum would not let it).
        const auto value = [&](int x) {
            const float ma = f[0][x] * inv, mb = f[1][x] * inv;
            const float va = f[2][x] * inv - ma * ma, vb = f[3][x] * inv - mb * mb;
            const float cov = f[4][x] * inv - ma * mb;
            return ((2 * ma * mb + c1) * (2 * cov + c2))
                   / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        };
        float lane[16] = {};
        int x = 0;
        for (; x + 16 <= wx; x += 16) {
            for (int k = 0; k < 16; ++k)
                lane[k] += value(x + k);
        }
        for (int k = 0; x < wx; ++x, ++k)
            lane[k] += value(x);
        for (int width = 8; width > 0; width /= 2) {
            for (int k = 0; k < width; ++k)
                lane[k] += lane[k + width];
        }
        total += lane[0];
    }
    return total;
}

// Stride 1, every window: column sums of the five moments over the last 8 rows, per pixel
// column (updated from the rows entering and leaving, read straight from the planes), then
// each window as 8 adjacent column sums, then the formula of a whole row of windows into a
// buffer and the sum in window order. Every loop but the last is independent per column, so
// it vectorises (the restrict pointers tell the compiler the byte planes do not alias the
// sums). Exact integer sums and the same double formula: the same value as the textbook
// loop, bit for bit.
MOUSE_SIMD_CLONES void
addRow(const quint8 *__restrict pa, const quint8 *__restrict pb, qint32 *__restrict c, int w)
{
    for (int x = 0; x < w; ++x) {
        const qint32 va = pa[x], vb = pb[x];
        c[x] += va;
        c[w + x] += vb;
        c[2 * w + x] += va * va;
        c[3 * w + x] += vb * vb;
        c[4 * w + x] += va * vb;
    }
}

MOUSE_SIMD_CLONES void slideRow(const quint8 *__restrict pa,
                                const quint8 *__restrict pb,
                                const quint8 *__restrict oa,
                                const quint8 *__restrict ob,
                                qint32 *__restrict c,
                                int w)
{
    for (int x = 0; x < w; ++x) {
        const qint32 va = pa[x], vb = pb[x], ua = oa[x], ub = ob[x];
        c[x] += va - ua;
        c[w + x] += vb - ub;
        c[2 * w + x] += va * va - ua * ua;
        c[3 * w + x] += vb * vb - ub * ub;
        c[4 * w + x] += va * vb - ua * ub;
    }
}

MOUSE_SIMD_CLONES void windowSums(const qint32 *__restrict c, qint32 *__restrict out, int n)
{
    for (int x = 0; x < n; ++x)
        out[x] = c[x] + c[x + 1] + c[x + 2] + c[x + 3] + c[x + 4] + c[x + 5] + c[x + 6] + c[x + 7];
}

// The windows [x0, x1) of a row: their five sums (column sums `col`, `w` per moment, into
// `win`, `cols` per moment) and their values.
MOUSE_SIMD_CLONES void windowValues(const qint32 *__restrict col,
                                    qint32 *__restrict win,
                                    double *__restrict values,
                                    int w,
                                    int cols,
                                    int x0,
                                    int x1)
{
    for (int k = 0; k < 5; ++k)
        windowSums(col + size_t(k) * w + x0, win + size_t(k) * cols + x0, x1 - x0);
    const qint32 *w0 = win, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols, *w4 = w3 + cols;
    for (int x = x0; x < x1; ++x)
        values[x] = windowSsim(
                double(w0[x]), double(w1[x]), double(w2[x]), double(w3[x]), double(w4[x]));
}

// Per pixel column, how many of the last 8 rows of b differ from `before`: row y enters,
// row `left` (none before the 8th) leaves.
MOUSE_SIMD_CLONES void countChanges(const quint8 *__restrict y,
                                    const quint8 *__restrict yBefore,
                                    const quint8 *__restrict left,
                                    const quint8 *__restrict leftBefore,
                                    quint8 *__restrict changed,
                                    int w)
{
    if (left) {
        for (int x = 0; x < w; ++x)
            changed[x] = quint8(changed[x] + (y[x] != yBefore[x]) - (left[x] != leftBefore[x]));
    } else {
        for (int x = 0; x < w; ++x)
            changed[x] = quint8(changed[x] + (y[x] != yBefore[x]));
    }
}

MOUSE_SIMD_CLONES bool anyOf(const quint8 *__restrict p, int n)
{
    quint8 any = 0;
    for (int i = 0; i < n; ++i)
        any |= p[i];
    return any != 0;
}

// A row of window values added in eight interleaved lanes (window x into lane x % 8), the lanes
// then folded in halves (0+4, 1+5, ..., then 0+2, 1+3, then 0+1): a fixed order, so the same double
// on every path, without one addition waiting for the one before (a chain of ~1000 dependent
// additions per row was ~20 % of a measure).
MOUSE_SIMD_CLONES double rowSum(const double *__restrict values, int n)
{
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        for (int k = 0; k < 8; ++k)
            lane[k] += values[x + k];
    }
    for (int k = 0; x < n; ++x, ++k)
        lane[k] += values[x];
    for (int width = 4; width > 0; width /= 2) {
        for (int k = 0; k < width; ++k)
            lane[k] += lane[k + width];
    }
    return lane[0];
}

// The windows a stride-1 measure recomputes together when one of them changed: recomputing
// an unchanged window gives its kept value again, so the groups only save the checks.
constexpr int WindowGroup = 64;

// The sum over the windows whose top row is in [from, to), in window order.
// With `kept` (a value per window, row-major, every window row of the picture), each window's
// value is written there; with `before` too (the plane `kept` was made from), only the groups
// of windows whose pixels differ between `before` and b are recomputed, the others' values
// read from `kept`: the same values, added in the same order, hence the same sum.
MOUSE_SIMD_CLONES double ssimStride1Rows(const Luma &a,
                                         const Luma &b,
                                         int from,
                                         int to,
                                         double *kept = nullptr,
                                         const quint8 *before = nullptr)
{
    constexpr int N = 8;
    const int w = a.width, cols = w - N + 1;
    std::vector<qint32> col(size_t(5) * w, 0), win(size_t(5) * cols);
    std::vector<double> rowValues(kept ? 0 : size_t(cols));
    std::vector<quint8> changed(before ? size_t(w) : 0, 0);
    double total = 0;
    for (int y = from; y < to + N - 1; ++y) {
        const size_t at = size_t(y) * w;
        const quint8 *pa = a.y.data() + at, *pb = b.y.data() + at;
        const bool leaving = y >= from + N; // the row N up leaves the windows as row y enters
        if (leaving)
            slideRow(pa, pb, pa - size_t(N) * w, pb - size_t(N) * w, col.data(), w);
        else
            addRow(pa, pb, col.data(), w);
        if (before) {
            countChanges(pb,
                         before + at,
                         leaving ? pb - size_t(N) * w : nullptr,
                         leaving ? before + at - size_t(N) * w : nullptr,
                         changed.data(),
                         w);
        }
        if (y < from + N - 1)
            continue;
        double *values = kept ? kept + size_t(y - N + 1) * cols : rowValues.data();
        if (!before) {
            windowValues(col.data(), win.data(), values, w, cols, 0, cols);
        } else {
            for (int x0 = 0; x0 < cols; x0 += WindowGroup) {
                const int x1 = std::min(cols, x0 + WindowGroup);
                if (anyOf(changed.data() + x0, x1 - x0 + N - 1))
                    windowValues(col.data(), win.data(), values, w, cols, x0, x1);
            }
        }
        total += rowSum(values, cols);
    }
    return total;
}

// Stride 1 or 2 as two halves of the rows of windows, each summed on its own (on two threads
// when `parallel`), then added: the same value whatever the threads.
double ssimHalves(const Luma &a, const Luma &b, int stride, bool parallel)
{
    // Without a whole window there is nothing to measure: 0, as for ssim() and the search's
    // trials (the rows and columns of windows below would be negative).
    if (a.width < 8 || a.height < 8 || b.width != a.width || b.height != a.height)
        return 0.0;
    const int rows = stride == 2 ? (a.height - 8) / 2 + 1 : a.height - 8 + 1;
    const int cols = stride == 2 ? (a.width - 8) / 2 + 1 : a.width - 8 + 1;
    const int half = rows / 2;
    const auto sum = [&](int from, int to) {
        return stride == 2 ? ssimStride2Rows(a, b, from, to) : ssimStride1Rows(a, b, from, to);
    };
    double top = 0, bottom = 0;
    runBoth(
            parallel, [&] { top = sum(0, half); }, [&] { bottom = sum(half, rows); });
    return (top + bottom) / (double(cols) * rows);
}

// The check's stride-1 measures, as ssimHalves(a, b, 1, parallel) to the last bit, of plane
// after plane against one reference: the checks' steps up change a quarter of the windows
// (text and edges; flat areas keep their levels), so each window's value is kept, with the
// plane it came from, and only the groups of windows whose pixels changed are recomputed.
// The values are added again in the same order, in the same two halves. Its buffers are kept
// by the thread (a value per window, 4.6 MB at 1024x576; fresh, they would be page faults).
class Stride1Memo
{
public:
    static Stride1Memo &forThread()
    {
        thread_local Stride1Memo memo;
        return memo;
    }

    // The next measure recomputes every window (another reference, or another picture).
    void forget() { m_planeKept = false; }

    double measure(const Luma &a, const Luma &b, bool parallel)
    {
        if (a.width < 8 || a.height < 8 || b.width != a.width || b.height != a.height)
            return ssimHalves(a, b, 1, parallel);
        const int rows = a.height - 8 + 1, cols = a.width - 8 + 1, half = rows / 2;
        const bool again = m_planeKept && m_width == a.width && m_height == a.height;
        const size_t windows = size_t(rows) * cols;
        if (windows > m_capacity) { // not zeroed: every value is written before it is read
            m_values.reset(new double[windows]);
            m_capacity = windows;
        }
        double *values = m_values.get();
        const quint8 *before = again ? m_before.data() : nullptr;
        double top = 0, bottom = 0;
        runBoth(
                parallel,
                [&] { top = ssimStride1Rows(a, b, 0, half, values, before); },
                [&] { bottom = ssimStride1Rows(a, b, half, rows, values, before); });
        m_before.assign(b.y.begin(), b.y.end());
        m_width = a.width;
        m_height = a.height;
        m_planeKept = true;
        return (top + bottom) / (double(cols) * rows);
    }

private:
    std::unique_ptr<double[]> m_values; // per window, row-major: the last measure's
    size_t m_capacity = 0;
    std::vector<quint8> m_before; // the plane they were measured on
    int m_width = 0, m_height = 0;
    bool m_planeKept = false;
};

void forgetCheckedPlane()
{
    Stride1Memo::forThread().forget();
}

double checkSsim(const Luma &reference, const Luma &plane, bool parallel)
{
    return Stride1Memo::forThread().measure(reference, plane, parallel);
}

} // namespace

double ssim(const Luma &a, const Luma &b, int stride)
{
    constexpr int N = 8;
    if (a.width != b.width || a.height != b.height || a.width < N || a.height < N)
        return 0.0;
    if (stride <= 2)
        return ssimHalves(a, b, std::max(1, stride), false);
    const int w = a.width, h = a.height, cols = w - N + 1;

    // Horizontal sums of 8 for the five moments, per row, kept for the last N + 1 rows in a
    // ring; column sums slide down by adding the new row and dropping the one N rows up.
    std::vector<qint32> ring(size_t(N + 1) * cols * 5);
    std::vector<qint64> col(size_t(cols) * 5, 0);
    auto rowSums = [&](int y, qint32 *row) {
        const quint8 *pa = a.y.data() + size_t(y) * w;
        const quint8 *pb = b.y.data() + size_t(y) * w;
        qint32 s[5] = {0, 0, 0, 0, 0};
        for (int x = 0; x < w; ++x) {
            const qint32 va = pa[x], vb = pb[x];
            s[0] += va, s[1] += vb, s[2] += va * va, s[3] += vb * vb, s[4] += va * vb;
            if (x >= N) {
                const qint32 oa = pa[x - N], ob = pb[x - N];
                s[0] -= oa, s[1] -= ob, s[2] -= oa * oa, s[3] -= ob * ob, s[4] -= oa * ob;
            }
            if (x >= N - 1)
                std::copy(s, s + 5, row + size_t(x - N + 1) * 5);
        }
    };
    auto ringRow = [&](int y) {
        return ring.data() + size_t(y % (N + 1)) * cols * 5;
    };

    double total = 0;
    qint64 windows = 0;
    for (int y = 0; y < h; ++y) {
        qint32 *row = ringRow(y);
        rowSums(y, row);
        for (size_t i = 0; i < col.size(); ++i)
            col[i] += row[i];
        if (y >= N) {
            const qint32 *old = ringRow(y - N);
            for (size_t i = 0; i < col.size(); ++i)
                col[i] -= old[i];
        }
        const int y0 = y - N + 1; // the window whose last row is y
        if (y0 < 0 || y0 % stride != 0)
            continue;
        for (int x0 = 0; x0 < cols; x0 += stride) {
            const qint64 *s = col.data() + size_t(x0) * 5;
            total += windowSsim(
                    double(s[0]), double(s[1]), double(s[2]), double(s[3]), double(s[4]));
            ++windows;
        }
    }
    return windows ? total / double(windows) : 0.0;
}

double ssimAfterStep(const Luma &reference, const Luma &plane, bool first, bool parallel)
{
    if (first)
        forgetCheckedPlane();
    return checkSsim(reference, plane, parallel);
}

Expected<EncodedImage> compress(const QByteArray &source,
                                const ScreenPreset &preset,
                                ImageFormat format,
                                const CompressOptions &options)
{
    const FrameScope frame;
    QElapsedTimer timer;
    timer.start();
    if (cancelled(options))
        return ScreenError::stopping();
    EncodedImage out;
    // Decode and downscale in one pass where the decoder can (decodeMs is then both), the
    // first stage's bands made as the scaled rows come where it scales on two threads.
    const bool jpeg = format == ImageFormat::Jpeg || format == ImageFormat::Auto;
    FirstStage first(jpeg, jpeg && options.searchQuality);
    const Expected<QImage> decoded = decodeToFitOn(
            source, options.maxPixels, preset.box, &out.sourceSize, useHelper(options), &first);
    if (!decoded)
        return decoded.error();
    out.sourceBytes = source.size();
    out.decodeMs = msSince(timer);

    timer.restart();
    out.size = decoded->size();
    const QImage &image = decoded.value();
    first.finish(image, useHelper(options));
    Luma &reference = first.reference;
    out.scaleMs = msSince(timer);
    if (cancelled(options))
        return ScreenError::stopping();

    timer.restart();
    Candidate best;
    const auto consider = [&best](Candidate c) {
        if (c.valid() && (!best.valid() || c.bytes.size() < best.bytes.size()))
            best = std::move(c);
    };
    auto lossless = [&image] {
        return Candidate{
                encode(losslessReduced(image), ImageFormat::Png, 0), "image/png", 0, 1.0, {}};
    };
    if (format == ImageFormat::Png) {
        consider(lossless());
    } else {
        if (format == ImageFormat::Jpeg || format == ImageFormat::Auto) {
            const QImage flat = flattenOnWhite(image);
            Luma flattened;
            if (image.hasAlphaChannel())
                flattened = luma(flat);
            consider(searchJpeg(flat,
                                image.hasAlphaChannel() ? flattened : reference,
                                preset,
                                options,
                                first.madeJpegInputs() ? &first : nullptr));
        }
        if ((format == ImageFormat::Webp || format == ImageFormat::Auto) && !cancelled(options))
            consider(searchWebp(image, reference, preset, options));
    }
    recycle(&reference); // for the next frame's trials or reference
    if (cancelled(options))
        return ScreenError::stopping(); // a search cut short: its candidate is not the answer

    const int trials = best.trials; // spent, whatever answer wins below
    // Never larger than the source: the source itself when it already fits the box,
    // otherwise a lossless PNG of the scaled image when that is smaller.
    if (best.bytes.size() > source.size()) {
        if (out.size == out.sourceSize) {
            best = {source, sniffMime(source), 0, 1.0, {}};
            out.passthrough = true;
        } else if (format != ImageFormat::Png) {
            consider(lossless());
        }
    }
    out.encodeMs = msSince(timer);
    if (!best.valid())
        return ScreenError{ScreenError::Kind::Internal,
                           QStringLiteral("screenshot_encode_failed"),
                           QStringLiteral("The screenshot could not be encoded."),
                           0};
    out.bytes = std::move(best.bytes);
    out.mime = std::move(best.mime);
    out.encoderQuality = int(std::lround(best.quality));
    out.ssim = best.ssim;
    out.trials = trials;
    return out;
}

} // namespace Mouse::ImageCodec

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The quality search's two measures at every quarter step, for studying the search offline: per
// file, chroma mode and quality (2..95 by 0.25), the model's luma SSIM on every other window
// (stride 2, the search's trials) and on every window (stride 1, the check), as compress() sees
// the picture at the preset's size. Usage: probe_curves [--preset low|medium|high] FILE...
// Prints "file mode quality s2 s1" lines (mode: 420, 444 (chroma x3) or grey).
#include "core/screens/imagecodec.h"
#include "core/screens/jpegcodec.h"
#include "core/screens/jpegtrial.h"
#include "core/screens/screenshotpresets.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cstdio>

using namespace Mouse;

namespace {

bool isGrey(const QImage &image)
{
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            if (qRed(line[x]) != qGreen(line[x]) || qGreen(line[x]) != qBlue(line[x]))
                return false;
        }
    }
    return true;
}

void curve(const QString &name,
           const char *mode,
           JpegCodec::TrialModel &model,
           const ImageCodec::Luma &reference,
           const JpegCodec::EncodeSettings &base)
{
    const auto serial = [](const std::function<void()> &a, const std::function<void()> &b) {
        a();
        b();
    };
    ImageCodec::Luma plane;
    plane.width = model.width();
    plane.height = model.height();
    for (double q = 2; q <= 95; q += 0.25) {
        JpegCodec::EncodeSettings settings = base;
        settings.quality = q;
        model.decodeLuma(settings, &plane.y, serial);
        std::printf("%s %s %.2f %.9f %.9f\n",
                    qPrintable(name),
                    mode,
                    q,
                    ImageCodec::ssim(reference, plane, 2),
                    ImageCodec::ssim(reference, plane, 1));
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    ScreenQuality quality = ScreenQuality::Medium;
    QStringList files;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--preset") && i + 1 < args.size())
            quality = parseQuality(args[++i]).value_or(ScreenQuality::Medium);
        else
            files << args[i];
    }
    const ScreenPreset preset = ScreenPresets().preset(quality);
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        QSize sourceSize;
        const Expected<QImage> decoded
                = ImageCodec::decodeToFit(file.readAll(), 40'000'000, preset.box, &sourceSize);
        if (!decoded.ok())
            return 3;
        const QImage image = ImageCodec::flattenOnWhite(decoded.value());
        const ImageCodec::Luma reference = ImageCodec::luma(image);
        const JpegCodec::FlatLevels flat
                = JpegCodec::flatLevels(reference.y.data(), reference.width, reference.height);
        JpegCodec::TrialModel model(image);
        JpegCodec::EncodeSettings base;
        base.flat = &flat;
        const QString name = QFileInfo(path).fileName();
        if (isGrey(image)) {
            base.chroma = JpegCodec::Chroma::Grey;
            curve(name, "grey", model, reference, base);
            continue;
        }
        curve(name, "420", model, reference, base);
        base.chroma = JpegCodec::Chroma::Full444;
        base.chromaScale = 3.0;
        curve(name, "444", model, reference, base);
    }
    return 0;
}

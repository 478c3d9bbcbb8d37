// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The screenshot benchmark: the gateway's pipeline against the seed's (Pillow) on the
// committed corpus. Run through bench/screenshots/run.sh (`make bench-screenshots`).
#include "core/screens/imagecodec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

struct FileResult
{
    QString name;
    QSize sourceSize;
    qint64 inBytes = 0, outBytes = 0;
    QSize outSize;
    double ssim = 0, ms = 0, warmMs = 0;
    bool oversize = false;
    int quality = 0;
    QByteArray mime;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
            {{QStringLiteral("data"), QStringLiteral("corpus folder"), QStringLiteral("dir")},
             {QStringLiteral("runs"),
              QStringLiteral("timed runs"),
              QStringLiteral("n"),
              QStringLiteral("7")},
             {QStringLiteral("format"),
              QStringLiteral("jpeg|webp|auto"),
              QStringLiteral("f"),
              QStringLiteral("jpeg")}});
    parser.process(app);
    const QDir data(parser.value(QStringLiteral("data")));
    const int runs = parser.value(QStringLiteral("runs")).toInt();
    const ImageFormat format
            = parseFormat(parser.value(QStringLiteral("format"))).value_or(ImageFormat::Jpeg);
    const ScreenPresets presets;
    for (ScreenQuality q : {ScreenQuality::Low, ScreenQuality::Medium, ScreenQuality::High}) {
        const ScreenPreset &preset = presets.preset(q);
        qint64 in = 0, out = 0;
        for (const QString &name :
             data.entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name)) {
            const QByteArray source = readFile(data.filePath(name));
            QList<double> times;
            CompressOptions opts;
            opts.progressive = qEnvironmentVariableIntValue("PROG") != 0
                               || !qEnvironmentVariableIsSet("PROG");
            opts.ssimMargin = qEnvironmentVariableIsSet("MARGIN")
                                      ? qEnvironmentVariable("MARGIN").toDouble()
                                      : 0.002;
            Expected<EncodedImage> result = ImageCodec::compress(source, preset, format, opts);
            for (int i = 0; i < runs; ++i) {
                QElapsedTimer t;
                t.start();
                result = ImageCodec::compress(source, preset, format, opts);
                times.append(t.nsecsElapsed() / 1e6);
            }
            if (!result) {
                std::printf("%s: %s\n", qPrintable(name), qPrintable(result.error().message));
                continue;
            }
            const EncodedImage &e = result.value();
            const QImage ref = ImageCodec::scaled(ImageCodec::decode(source, 1e9).value(), e.size);
            const QImage got = QImage::fromData(e.bytes);
            const double s = ImageCodec::ssim(ImageCodec::luma(ref), ImageCodec::luma(got), 1);
            in += source.size();
            out += e.bytes.size();
            std::printf("%-6s %-22s %6lldK -> %6lldK %4dx%-4d q%-3d %s ssim %.4f (est %.4f) %6.2f "
                        "ms (dec %.1f sc %.1f enc %.1f)\n",
                        qPrintable(qualityName(q)),
                        qPrintable(name),
                        source.size() / 1024,
                        e.bytes.size() / 1024,
                        e.size.width(),
                        e.size.height(),
                        e.encoderQuality,
                        e.mime.constData(),
                        s,
                        e.ssim,
                        median(times),
                        e.decodeMs,
                        e.scaleMs,
                        e.encodeMs);
        }
        std::printf("%s total %lld -> %lld\n", qPrintable(qualityName(q)), in, out);
    }
    return 0;
}

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/screens/imagecodec.h"
#include "core/screens/screenshotpresets.h"
#include "core/screens/screenshotservice.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QImageWriter>
#include <QPromise>
#include <QTimer>

// Test images and a counting upstream for the screens tests.
namespace ScreensTest {

// A desktop-like picture: a gradient, some windows, stripes of "text".
inline QImage desktop(int width, int height, bool alpha = false)
{
    QImage image(width, height, alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const bool window = (x / 160) % 3 == 1 && (y / 120) % 2 == 1;
            const bool text = window && (y % 12) < 7 && ((x * 7 + y) % 11) < 5;
            const int a = alpha ? (x * 255 / std::max(1, width - 1)) : 255;
            line[x] = text     ? qRgba(20, 20, 20, a)
                      : window ? qRgba(240, 240, 240, a)
                               : qRgba(30 + y * 100 / height, 60, 120 + x * 100 / width, a);
        }
    }
    return image;
}

inline QByteArray encoded(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    writer.write(image);
    return bytes;
}

// The corpus of bench/data at the medium preset's size (the pictures the search and the answers
// see most), and 1080p apps and terminals also at full size (16:9 1080p: a last MCU row of 8
// luma rows, 4 chroma rows; the high preset's size). Empty if any file is missing or unreadable.
inline QList<std::pair<QString, QImage>> corpusPictures()
{
    const QString corpus
            = qEnvironmentVariable("MOUSE_SOURCE_DIR") + QStringLiteral("/bench/data/");
    const QStringList names
            = QDir(corpus).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    const Mouse::ScreenPreset medium = Mouse::ScreenPresets().preset(Mouse::ScreenQuality::Medium);
    QList<std::pair<QString, QImage>> pictures;
    for (const QString &name : names) {
        QFile file(corpus + name);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        const auto decoded = Mouse::ImageCodec::decode(file.readAll(), 40'000'000);
        if (!decoded.ok())
            return {};
        const QSize fit = Mouse::ImageCodec::fitInside(decoded->size(), medium.box);
        pictures.append({name, Mouse::ImageCodec::scaled(decoded.value(), fit)});
        if (name == QLatin1String("1080p-terminals.png") || name == QLatin1String("1080p-apps.png"))
            pictures.append({name + QStringLiteral(" full"),
                             Mouse::ImageCodec::scaled(decoded.value(), decoded->size())});
    }
    return pictures;
}

inline QByteArray orgoBody(const QByteArray &image)
{
    return "{\"success\":true,\"image\":\"data:image/png;base64," + image.toBase64() + "\"}";
}

// Answers every screenshot call after delayMs with `body`, counting calls per VM.
class CountingUpstream
{
public:
    QByteArray body;
    QByteArray urlBytes;
    int delayMs = 20;
    int calls = 0;
    int urlCalls = 0;
    QHash<QString, int> callsPerVm;
    QObject context;

    Mouse::ScreenshotUpstream upstream()
    {
        Mouse::ScreenshotUpstream u;
        u.screenshotJson = [this](const QString &vm) {
            ++calls;
            ++callsPerVm[vm];
            return later(body);
        };
        u.fetchBytes = [this](const QUrl &) {
            ++urlCalls;
            return later(urlBytes);
        };
        return u;
    }

private:
    QFuture<Mouse::UpstreamBody> later(const QByteArray &bytes)
    {
        auto promise = std::make_shared<QPromise<Mouse::UpstreamBody>>();
        promise->start();
        // A timer owned by `context`, not QTimer::singleShot's (which the event dispatcher owns
        // until it fires): an answer still pending when a test ends is then dropped with this
        // object, while the application lives, not at the application's exit, where its
        // cancelled future's continuation would meet a context being destroyed.
        auto *timer = new QTimer(&context);
        timer->setSingleShot(true);
        QObject::connect(timer, &QTimer::timeout, timer, [timer, promise, bytes] {
            promise->addResult(Mouse::UpstreamBody{bytes, std::nullopt});
            promise->finish();
            timer->deleteLater();
        });
        timer->start(delayMs);
        return promise->future();
    }
};

} // namespace ScreensTest

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/screenshotpresets.h"

#include "core/config/settings.h"

#include <QRegularExpression>

namespace Mouse {

std::optional<ScreenQuality> parseQuality(const QString &text)
{
    if (text == QLatin1String("low"))
        return ScreenQuality::Low;
    if (text == QLatin1String("medium"))
        return ScreenQuality::Medium;
    if (text == QLatin1String("high"))
        return ScreenQuality::High;
    return std::nullopt;
}

std::optional<ImageFormat> parseFormat(const QString &text)
{
    if (text == QLatin1String("jpeg") || text == QLatin1String("jpg"))
        return ImageFormat::Jpeg;
    if (text == QLatin1String("webp"))
        return ImageFormat::Webp;
    if (text == QLatin1String("png"))
        return ImageFormat::Png;
    if (text == QLatin1String("auto"))
        return ImageFormat::Auto;
    return std::nullopt;
}

QString qualityName(ScreenQuality quality)
{
    switch (quality) {
    case ScreenQuality::Low:
        return QStringLiteral("low");
    case ScreenQuality::Medium:
        return QStringLiteral("medium");
    case ScreenQuality::High:
        return QStringLiteral("high");
    }
    return {};
}

QString formatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg:
        return QStringLiteral("jpeg");
    case ImageFormat::Webp:
        return QStringLiteral("webp");
    case ImageFormat::Png:
        return QStringLiteral("png");
    case ImageFormat::Auto:
        return QStringLiteral("auto");
    }
    return {};
}

QByteArray mimeOf(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg:
        return "image/jpeg";
    case ImageFormat::Webp:
        return "image/webp";
    case ImageFormat::Png:
        return "image/png";
    case ImageFormat::Auto:
        break;
    }
    return {};
}

std::optional<ScreenPreset> ScreenPreset::parse(ScreenQuality quality, const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,5})x(\\d{1,5})@(\\d{1,3})$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    ScreenPreset preset;
    preset.quality = quality;
    preset.box = QSize(match.captured(1).toInt(), match.captured(2).toInt());
    preset.encoderQuality = match.captured(3).toInt();
    if (preset.box.width() < 16 || preset.box.height() < 16 || preset.box.width() > 16384
        || preset.box.height() > 16384 || preset.encoderQuality < 1 || preset.encoderQuality > 100)
        return std::nullopt;
    return preset;
}

ScreenPresets::ScreenPresets()
{
    m_presets[0] = {ScreenQuality::Low, QSize(640, 480), 60};
    m_presets[1] = {ScreenQuality::Medium, QSize(1024, 768), 75};
    m_presets[2] = {ScreenQuality::High, QSize(1920, 1080), 85};
}

std::optional<ScreenPresets> ScreenPresets::fromSettings(const Settings &settings, QString *error)
{
    ScreenPresets presets;
    for (ScreenQuality quality : {ScreenQuality::Low, ScreenQuality::Medium, ScreenQuality::High}) {
        const QString key = QStringLiteral("screens/") + qualityName(quality);
        const QString text = settings.string(key);
        const std::optional<ScreenPreset> preset = ScreenPreset::parse(quality, text);
        if (!preset) {
            if (error)
                *error = QStringLiteral("%1 must look like 1024x768@75 (16..16384 pixels, "
                                        "quality 1..100), not \"%2\"")
                                 .arg(key, text);
            return std::nullopt;
        }
        presets.set(*preset);
    }
    return presets;
}

} // namespace Mouse

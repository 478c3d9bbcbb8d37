// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QSize>
#include <QString>

#include <array>
#include <optional>

namespace Mouse {

class Settings;

enum class ScreenQuality { Low, Medium, High };
enum class ImageFormat { Jpeg, Webp, Png, Auto };

std::optional<ScreenQuality> parseQuality(const QString &text); // "low" | "medium" | "high"
std::optional<ImageFormat> parseFormat(const QString &text);    // "jpeg" | "webp" | "png" | "auto"
QString qualityName(ScreenQuality quality);
QString formatName(ImageFormat format);
QByteArray mimeOf(ImageFormat format); // Auto has none: empty

// One preset: the box an answer must fit in (shrink only, aspect ratio kept) and the quality.
// The quality is a fidelity floor, not a fixed encoder setting: the encoder may use a lower
// JPEG/WebP quality as long as the answer stays at least as faithful as ssimFloor() says
// (see docs/screenshots.md).
struct ScreenPreset
{
    ScreenQuality quality = ScreenQuality::Medium;
    QSize box{1024, 768};
    int encoderQuality = 75;

    // The smallest luma SSIM (8x8 windows) an answer may have against the source scaled to
    // the same size: 1 - (100 - q) / 500, so q60 -> 0.92, q75 -> 0.95, q85 -> 0.97.
    double ssimFloor() const { return 1.0 - (100.0 - encoderQuality) / 500.0; }

    // "WxH@q", e.g. "1024x768@75"; nullopt when malformed or out of range.
    static std::optional<ScreenPreset> parse(ScreenQuality quality, const QString &text);
};

// The three presets of screens/low|medium|high.
class ScreenPresets final
{
public:
    ScreenPresets(); // the built-in defaults
    static std::optional<ScreenPresets> fromSettings(const Settings &settings, QString *error);

    const ScreenPreset &preset(ScreenQuality quality) const
    {
        return m_presets[static_cast<int>(quality)];
    }
    void set(const ScreenPreset &preset) { m_presets[static_cast<int>(preset.quality)] = preset; }

private:
    std::array<ScreenPreset, 3> m_presets;
};

} // namespace Mouse

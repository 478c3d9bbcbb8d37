// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

namespace Mouse {

// What a desktop picture depends on, besides the time.
struct DesktopScene
{
    QString computerName;
    QString instanceId;
    quint32 look = 0; // colours, window positions, which pages and files are open
};

// Draws a realistic 1280x720 desktop: wallpaper, desktop icons, a taskbar with a clock that
// changes each second, and three windows (terminal, browser, editor) whose content follows the
// computer and the time. Pure function of (scene, second): any thread, no QGuiApplication
// needed (text uses BitmapFont, never QFont).
class DesktopRenderer final
{
public:
    static constexpr int Width = 1280;
    static constexpr int Height = 720;

    static QImage render(const DesktopScene &scene, qint64 unixSecond);
    static QByteArray renderPng(const DesktopScene &scene, qint64 unixSecond);
};

} // namespace Mouse

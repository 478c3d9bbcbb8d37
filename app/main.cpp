// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/commandline.h"
#include "app/faces.h"
#include "app/resourcelimits.h"
#include "core/logging.h"

#include <QtGlobal>

#include <cstdio>

namespace {

#ifdef MOUSE_WITH_GUI
// Whether Qt can open a window here: an X or Wayland display, or a platform chosen explicitly
// (QT_QPA_PLATFORM=offscreen, say). Without one, QApplication aborts with a message about
// reinstalling, which points the operator the wrong way.
bool displayAvailable()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
           || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}
#endif

} // namespace

// Picks the face before any application object exists, so that --server and --sandbox never
// create a QApplication (nor need a display).
int main(int argc, char **argv)
{
    Mouse::installMessagePattern();
    Mouse::App::raiseOpenFileLimit();

    const Mouse::App::CommandLine commandLine = Mouse::App::parseCommandLine(argc, argv);
    if (commandLine.exitCode >= 0) {
        std::fputs(commandLine.output.toLocal8Bit().constData(),
                   commandLine.exitCode == 0 ? stdout : stderr);
        return commandLine.exitCode;
    }

    switch (commandLine.face) {
    case Mouse::App::Face::Server:
        return Mouse::App::runServer(argc, argv, commandLine.settings);
    case Mouse::App::Face::Sandbox:
        return Mouse::App::runSandbox(argc, argv, commandLine.settings);
    case Mouse::App::Face::Dashboard:
#ifdef MOUSE_WITH_GUI
        if (!displayAvailable()) {
            std::fputs("mouse-gateway: no display found (DISPLAY and WAYLAND_DISPLAY are unset): "
                       "the dashboard needs one.\nRun `mouse-gateway --server` for the headless "
                       "gateway, or set QT_QPA_PLATFORM (e.g. offscreen).\n",
                       stderr);
            return 1;
        }
        return Mouse::App::runDashboard(argc, argv, commandLine.settings, commandLine.screenshot);
#else
        std::fputs("mouse-gateway was built without the dashboard; starting --server.\n", stderr);
        return Mouse::App::runServer(argc, argv, commandLine.settings);
#endif
    }
    return 1;
}

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/settings.h"

#include <QString>

namespace Mouse::App {

enum class Face { Dashboard, Server, Sandbox };

struct CommandLine
{
    Face face = Face::Dashboard;
    Settings settings = Settings::defaults();
    QString screenshot; // dashboard: save a picture of the window there and quit
    int exitCode = -1;  // >= 0: print output and exit (help, version, errors)
    QString output;
};

// Parses argv and loads the settings (file, environment, flags). Needs no application object.
CommandLine parseCommandLine(int argc, char **argv);

} // namespace Mouse::App

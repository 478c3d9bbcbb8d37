// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/settings.h"

namespace Mouse::App {

// Each face creates its own application object: QCoreApplication for the headless ones,
// QApplication only for the dashboard.
int runServer(int argc, char **argv, const Settings &settings);
int runSandbox(int argc, char **argv, const Settings &settings);
#ifdef MOUSE_WITH_GUI
int runDashboard(int argc, char **argv, const Settings &settings, const QString &screenshotPath);
#endif

} // namespace Mouse::App

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/faces.h"

#include <cstdio>

namespace Mouse::App {

// Placeholder until the sandbox module lands.
int runSandbox(int, char **, const Settings &)
{
    std::fputs("mouse-gateway: the sandbox is not built yet\n", stderr);
    return 1;
}

} // namespace Mouse::App

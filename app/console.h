// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Mouse {
class Gateway;
}

namespace Mouse::App {

// What a person starting the gateway from a terminal needs, on stdout: the URL, how to call it
// with the admin token, and (once, when the demo fleet is first seeded) the demo customers' keys.
// Both the headless server and the dashboard print them.
void printWelcome(const Gateway &gateway);
void printDemoKeysWhenSeeded(Gateway &gateway);

} // namespace Mouse::App

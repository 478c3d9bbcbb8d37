// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Mouse::App {

// Raises the soft limit on open files towards the hard one (at most kWantedOpenFiles). Every
// client connection is a descriptor, two while a webhook's answer waits for its commit, and
// server/max_connections allows 1024 of them: under the usual soft limit of 1024 (systemd's
// default for services, most login shells) accept() would fail with EMFILE first.
void raiseOpenFileLimit();

} // namespace Mouse::App

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Placeholder so the skeleton builds; replaced by the module's real class.
namespace Mouse {
class ScreenshotService
{};
} // namespace Mouse

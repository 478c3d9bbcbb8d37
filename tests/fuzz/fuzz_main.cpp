// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// One libFuzzer entry point; MOUSE_FUZZ_FUNCTION (set by CMake) names the target in fuzztargets.h.
#include "fuzztargets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Mouse::Fuzz::MOUSE_FUZZ_FUNCTION(data, size);
    return 0;
}

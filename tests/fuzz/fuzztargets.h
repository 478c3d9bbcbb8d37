// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The fuzz targets' bodies, shared by the libFuzzer binaries (tests/fuzz/fuzz_main.cpp) and the
// regression test that replays tests/fuzz/corpus and tests/fuzz/regressions in every build.
// Each one must accept any input; an invariant violation aborts (a finding).

#include <cstddef>
#include <cstdint>

namespace Mouse::Fuzz {

void requestFramer(const uint8_t *data, size_t size);   // core/http/requestframer.h
void router(const uint8_t *data, size_t size);          // core/http/router.h
void stripeSignature(const uint8_t *data, size_t size); // core/billing/stripesignature.h
void stripeEvent(const uint8_t *data, size_t size);     // core/billing/stripeevent.h
void orgoParsers(const uint8_t *data, size_t size);     // core/orgo/orgoparsers.h
void pngDecoder(const uint8_t *data, size_t size);      // core/screens/pngdecoder.h (fuzzpng.cpp)

} // namespace Mouse::Fuzz

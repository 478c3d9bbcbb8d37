// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Forward declarations for headers that only hold pointers to metrics, so that they need not
// include prometheus-cpp's headers. The metric types are the library's own (see metrics.h).

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
} // namespace prometheus

namespace Mouse::Metrics {
using Counter = prometheus::Counter;
using Gauge = prometheus::Gauge;
using Histogram = prometheus::Histogram;
class Registry;
class HealthBoard;
} // namespace Mouse::Metrics

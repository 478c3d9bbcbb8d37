// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <functional>

namespace Mouse::Orgo {

// A consecutive-failure circuit breaker. Closed: calls pass; `failures` transient failures in
// a row open it. Open: calls fail fast until `cooldownMs` has passed, then the next call is
// let through as the one probe (HalfOpen) while every other call still fails fast. The probe's
// success closes the breaker, its failure opens it for another cool-down.
// Not thread-safe: the Orgo client uses it on its own thread only.
class CircuitBreaker final
{
public:
    enum class State { Closed, Open, HalfOpen };
    using Clock = std::function<qint64()>;

    CircuitBreaker(int failures, qint64 cooldownMs, Clock clock);

    // Whether a call may go upstream now; may move Open -> HalfOpen (then the caller holds
    // the probe and must report its outcome).
    bool allow();
    void recordSuccess();
    void recordFailure();
    // The upstream answered but neither proved health nor failure (e.g. a 429); a probe with
    // such an outcome counts as success: the upstream is alive.
    void recordNeutral();

    State state() const { return m_state; }
    int consecutiveFailures() const { return m_failures; }
    qint64 remainingCooldownMs() const;
    static QString stateName(State state);

    std::function<void(State)> onStateChanged;

private:
    void setState(State state);

    int m_threshold = 1;
    qint64 m_cooldownMs = 0;
    Clock m_clock;
    State m_state = State::Closed;
    int m_failures = 0;
    qint64 m_openedAt = 0;
    bool m_probeInFlight = false;
};

} // namespace Mouse::Orgo

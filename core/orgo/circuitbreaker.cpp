// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/circuitbreaker.h"

namespace Mouse::Orgo {

CircuitBreaker::CircuitBreaker(int failures, qint64 cooldownMs, Clock clock)
    : m_threshold(qMax(1, failures))
    , m_cooldownMs(qMax<qint64>(0, cooldownMs))
    , m_clock(std::move(clock))
{}

bool CircuitBreaker::allow()
{
    switch (m_state) {
    case State::Closed:
        return true;
    case State::Open:
        if (m_clock() - m_openedAt < m_cooldownMs)
            return false;
        setState(State::HalfOpen);
        m_probeInFlight = true;
        return true;
    case State::HalfOpen:
        if (m_probeInFlight)
            return false;
        m_probeInFlight = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess()
{
    m_failures = 0;
    m_probeInFlight = false;
    if (m_state != State::Closed)
        setState(State::Closed);
}

void CircuitBreaker::recordNeutral()
{
    if (m_state == State::HalfOpen)
        recordSuccess();
}

void CircuitBreaker::recordFailure()
{
    ++m_failures;
    if (m_state == State::HalfOpen || (m_state == State::Closed && m_failures >= m_threshold)) {
        m_probeInFlight = false;
        m_openedAt = m_clock();
        setState(State::Open);
    }
}

qint64 CircuitBreaker::remainingCooldownMs() const
{
    if (m_state != State::Open)
        return 0;
    return qMax<qint64>(0, m_cooldownMs - (m_clock() - m_openedAt));
}

QString CircuitBreaker::stateName(State state)
{
    switch (state) {
    case State::Closed:
        return QStringLiteral("closed");
    case State::Open:
        return QStringLiteral("open");
    case State::HalfOpen:
        return QStringLiteral("half_open");
    }
    return QStringLiteral("closed");
}

void CircuitBreaker::setState(State state)
{
    m_state = state;
    if (onStateChanged)
        onStateChanged(state);
}

} // namespace Mouse::Orgo

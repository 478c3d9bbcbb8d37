// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace Mouse {

// Why a screenshot could not be produced. code is stable (snake_case) and reaches HTTP clients;
// message is for humans and never carries internal text.
struct ScreenError
{
    enum class Kind {
        BadInput,   // the upstream answer is not a usable image (502 to clients)
        TooLarge,   // declared dimensions above screens/max_pixels (502)
        Upstream,   // Orgo failed or timed out (502/504/503)
        NotFound,   // no such VM (404)
        NotRunning, // the VM is not running, so it has no screen (409 vm_not_running)
        Stopping,   // the service is shutting down; work was refused or cancelled (503)
        Internal,   // should not happen (500)
    };
    Kind kind = Kind::Internal;
    QString code;
    QString message;
    int upstreamStatus = 0; // the HTTP status Orgo answered, when it did
    QString vmStatus = {};  // NotRunning: the VM's state as Orgo reports it (e.g. "stopped")

    static ScreenError badInput(const QString &code, const QString &message)
    {
        return {Kind::BadInput, code, message, 0, {}};
    }
    static ScreenError stopping()
    {
        return {Kind::Stopping,
                QStringLiteral("shutting_down"),
                QStringLiteral("The gateway is shutting down; try again shortly."),
                0,
                {}};
    }
};

// A value or the reason there is none.
template<class T>
class Expected
{
public:
    Expected(T value)
        : m_value(std::move(value))
    {}
    Expected(ScreenError error)
        : m_error(std::move(error))
    {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    const ScreenError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    ScreenError m_error;
};

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/httptypes.h"

#include <QPointer>
#include <QThread>

#include <functional>

namespace Mouse::Http {

// The shared state behind a Responder. The server fills write and isConnected; tests may
// fill them with a capturing lambda to call handlers directly.
struct Responder::State
{
    QString requestId;
    std::function<void(Reply &&)> write; // called at most once, on the owning thread
    std::function<bool()> isConnected;   // false once the client has gone
    QThread *owner = QThread::currentThread();
    bool answered = false;
};

} // namespace Mouse::Http

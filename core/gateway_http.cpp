// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

namespace Mouse {

// Placeholder: the HTTP module's wiring goes here.
bool Gateway::startHttp(QString *)
{
    return true;
}

void Gateway::stopHttp() {}

QUrl Gateway::serverUrl() const
{
    return QUrl(QStringLiteral("http://") + m_settings.string(QStringLiteral("server/listen")));
}

} // namespace Mouse

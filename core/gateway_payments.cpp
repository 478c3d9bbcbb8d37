// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

namespace Mouse {

// Placeholder: the module's wiring goes here.
bool Gateway::startPayments(QString *)
{
    return true;
}

void Gateway::stopPayments() {}

} // namespace Mouse

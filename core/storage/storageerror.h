// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Mouse {

// Why a storage operation failed: the driver's text, for logs only (never for clients), and
// whether the store could not take the work now (Database::isUnavailable, decided by the
// driver's code), which HTTP answers 503 storage_unavailable with Retry-After instead of 500
// and background work retries without giving up. Empty when nothing failed.
struct StorageError
{
    QString text;
    bool unavailable = false;

    bool isEmpty() const { return text.isEmpty(); }
};

} // namespace Mouse

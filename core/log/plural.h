// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Mouse {

// "1 attempt", "3 attempts": a count with its noun, for the English (untranslated) texts of
// core (event log, task outcomes). Translated texts of the dashboard use tr()'s %n forms.
inline QString counted(qint64 n, QStringView singular, QStringView plural)
{
    return QString::number(n) + QLatin1Char(' ') + (n == 1 ? singular : plural);
}

} // namespace Mouse

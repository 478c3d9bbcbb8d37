// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/log/eventlog.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace Mouse::Ui::Icons {

// How an Orgo status is shown: one colour per family of states, so that the grid reads at a
// glance (green running, grey stopped, amber in transition, red error, slate unknown).
enum class StatusFamily { Running, Stopped, Transition, Error, Unknown };

StatusFamily statusFamily(const QString &orgoStatus);
QColor statusColor(const QString &orgoStatus);
QIcon statusIcon(const QString &orgoStatus); // a coloured disc, drawn with QPainter, cached

// Circuit breaker states as OrgoClient names them: closed, open, half-open.
QColor breakerColor(const QString &state);

QIcon severityIcon(EventLog::Severity severity);

// The SVG icons of resources/icons, e.g. named(u"fleet"_s).
QIcon named(const QString &name);
QIcon application();

} // namespace Mouse::Ui::Icons

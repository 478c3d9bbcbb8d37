// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/orgo/orgotypes.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>

// Pure parsers of Orgo answers: no I/O, no state, any input accepted (fuzzed).
namespace Mouse::Orgo {

// Maps Orgo's status strings to the gateway's vocabulary: creating, starting, running,
// stopping, stopped, restarting, suspended, deleting, error; "initializing" (legacy) to
// creating; anything else to "unknown". Case and surrounding blanks are ignored.
QString normalizeStatus(QStringView status);

// A computer object (GET /computers/{id}, POST /computers). False and *why when the body is
// not a JSON object with a non-empty string "id", or when a field has the wrong type: text
// fields (status included) must be strings, absent or null; ram and cpu numbers, absent or
// null. (Text fields other than status and id may also be numbers, read as integers.)
bool parseComputer(QByteArrayView body, Computer *out, QString *why);

enum class ComputerCheck { Ok, NoId, WrongType };
ComputerCheck checkComputerJson(const QJsonObject &object, Computer *out);
bool computerFromJson(const QJsonObject &object, Computer *out); // checkComputerJson() == Ok

// GET /workspaces/{id}: the workspace object with its computers in "desktops" (newest docs)
// or "computers" (older). Entries without an id, or not objects, are skipped; an entry with a
// field of the wrong type (as for parseComputer) fails the whole answer, as does a workspace
// id that is not a string. workspaceId is filled in from the workspace's own id when an entry
// has none.
bool parseWorkspaceComputers(QByteArrayView body, QList<Computer> *out, QString *why);

// An error answer: {"error": "...", "request_id": "...", "upstream_status": 409}, or
// {"error": {"message": ...}}, or anything else (then a generic message). kind, retryable
// and httpStatus follow the status code; retryAfterMs is left to the caller.
Error parseError(int httpStatus, QByteArrayView body);

// Retry-After: delay-seconds ("120", fractions allowed) or an HTTP date ("Wed, 21 Oct 2015
// 07:28:00 GMT"). Returns milliseconds from now (0 for a date in the past), or -1 if invalid.
qint64 parseRetryAfter(QByteArrayView value, const QDateTime &nowUtc);

// {"success": true, "status": "starting"} from start/stop/restart; status may be empty.
QString parseActionStatus(QByteArrayView body);

} // namespace Mouse::Orgo

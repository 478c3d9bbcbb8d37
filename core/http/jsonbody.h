// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/apierror.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Mouse::Http {

// A top-level member of a JSON object body as it is written. Qt's JSON reader keeps every
// number as a double, so after parsing 1e3, 1000.0 and 1000 are the same value; amounts must
// be exact, so their literal text is read here instead.
struct IntegerMember
{
    enum class Form {
        Missing,    // no such member
        Integer,    // -?(0|[1-9][0-9]*); value holds it (saturated beyond qint64)
        NotInteger, // any other value: fraction, exponent, string, null, ..., or given twice
    };
    Form form = Form::Missing;
    qint64 value = 0;
};

// `body` must be a JSON object (already checked with QJsonDocument): anything the scanner does
// not understand reads as NotInteger.
IntegerMember integerMember(QByteArrayView body, const QString &key);

// The one check of every integer read from a request body: the member `key`, written as a
// JSON integer, within [min, max]. Otherwise nothing, and *error says why: 400 when it is
// missing or not written as an integer, 422 when it is outside the bounds. `code` is the
// error code of both (e.g. "invalid_amount").
std::optional<qint64> integerField(QByteArrayView body,
                                   const QString &key,
                                   qint64 min,
                                   qint64 max,
                                   const QString &code,
                                   ApiError *error);

// 422 invalid_field naming the member and why: {"field", "reason"} in the details.
ApiError invalidField(const QString &field, const QString &reason);

// The one check that an object body holds only the members a route reads: a client's typo
// (or a field it believes does something) is refused instead of silently ignored. Nothing when
// every member is allowed; otherwise *error names the first other one.
bool onlyAllowedMembers(const QJsonObject &body, const QStringList &allowed, ApiError *error);

// The one read of a text member: a trimmed string of [minLength, maxLength] characters without
// control characters (NUL, escape sequences, line breaks end up in logs, exports and
// terminals). Missing or null reads as empty when minLength is 0. Otherwise nothing, and
// *error is an invalid_field.
std::optional<QString> textMember(const QJsonObject &body,
                                  const QString &name,
                                  int minLength,
                                  int maxLength,
                                  ApiError *error);

} // namespace Mouse::Http

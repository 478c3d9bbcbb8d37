// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Mouse::Http {

// One member of a JSON object request body: its type, whether it is required, and its bounds
// (a number's range, a string's length, an array's item count). Declared with the route
// (RouteOptions::body) so /api/v1/openapi.json describes what the handler checks.
struct BodyField
{
    enum class Type { String, Integer, Boolean, Object, Array };
    static constexpr qint64 Unbounded = -1;

    QString name{};
    Type type = Type::String;
    bool required = false;
    qint64 min = Unbounded;
    qint64 max = Unbounded;
    QStringList values{}; // a string's allowed values, when only some are
    QString description{};

    static BodyField text(const QString &name, qint64 minLength, qint64 maxLength);
    static BodyField integer(const QString &name, qint64 min, qint64 max);
    static BodyField array(const QString &name, qint64 minItems, qint64 maxItems);
    static BodyField object(const QString &name);
    BodyField isRequired() const;
    BodyField oneOf(const QStringList &allowed) const;
    BodyField described(const QString &text) const;

    QJsonObject toJson() const; // a JSON Schema (OpenAPI 3.0) of the member
};

// The JSON object body of a route. A state-changing route without one takes no body: the
// router sets its body limit to 0 (a body is answered 413), so a route that reads a body
// cannot leave it out of openapi.json.
struct BodySchema
{
    QList<BodyField> fields{};
    bool optional = false; // the whole body may be left out
    QString description{};

    bool isDeclared() const { return !fields.isEmpty() || !description.isEmpty(); }
    QJsonObject toJson() const; // the OpenAPI requestBody object
};

} // namespace Mouse::Http

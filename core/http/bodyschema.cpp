// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/bodyschema.h"

#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Http {

namespace {

QString typeName(BodyField::Type type)
{
    switch (type) {
    case BodyField::Type::String:
        return u"string"_s;
    case BodyField::Type::Integer:
        return u"integer"_s;
    case BodyField::Type::Boolean:
        return u"boolean"_s;
    case BodyField::Type::Object:
        return u"object"_s;
    case BodyField::Type::Array:
        return u"array"_s;
    }
    return u"string"_s;
}

// The JSON Schema keywords of the bounds, per type.
std::pair<QString, QString> boundKeywords(BodyField::Type type)
{
    switch (type) {
    case BodyField::Type::String:
        return {u"minLength"_s, u"maxLength"_s};
    case BodyField::Type::Array:
        return {u"minItems"_s, u"maxItems"_s};
    default:
        return {u"minimum"_s, u"maximum"_s};
    }
}

} // namespace

BodyField BodyField::text(const QString &name, qint64 minLength, qint64 maxLength)
{
    return {name, Type::String, false, minLength, maxLength, {}, {}};
}

BodyField BodyField::integer(const QString &name, qint64 min, qint64 max)
{
    return {name, Type::Integer, false, min, max, {}, {}};
}

BodyField BodyField::array(const QString &name, qint64 minItems, qint64 maxItems)
{
    return {name, Type::Array, false, minItems, maxItems, {}, {}};
}

BodyField BodyField::object(const QString &name)
{
    return {name, Type::Object, false, Unbounded, Unbounded, {}, {}};
}

BodyField BodyField::isRequired() const
{
    BodyField copy = *this;
    copy.required = true;
    return copy;
}

BodyField BodyField::oneOf(const QStringList &allowed) const
{
    BodyField copy = *this;
    copy.values = allowed;
    return copy;
}

BodyField BodyField::described(const QString &text) const
{
    BodyField copy = *this;
    copy.description = text;
    return copy;
}

QJsonObject BodyField::toJson() const
{
    QJsonObject schema{{u"type"_s, typeName(type)}};
    const auto [lower, upper] = boundKeywords(type);
    if (min != Unbounded)
        schema.insert(lower, double(min));
    if (max != Unbounded)
        schema.insert(upper, double(max));
    if (type == Type::Array)
        schema.insert(u"items"_s, QJsonObject{{u"type"_s, u"string"_s}});
    if (!values.isEmpty())
        schema.insert(u"enum"_s, QJsonArray::fromStringList(values));
    if (!description.isEmpty())
        schema.insert(u"description"_s, description);
    return schema;
}

QJsonObject BodySchema::toJson() const
{
    QJsonObject properties;
    QJsonArray required;
    for (const BodyField &field : fields) {
        properties.insert(field.name, field.toJson());
        if (field.required)
            required.append(field.name);
    }
    QJsonObject schema{{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
    if (!required.isEmpty())
        schema.insert(u"required"_s, required);
    QJsonObject body{{u"required"_s, !optional},
                     {u"content"_s,
                      QJsonObject{{u"application/json"_s, QJsonObject{{u"schema"_s, schema}}}}}};
    if (!description.isEmpty())
        body.insert(u"description"_s, description);
    return body;
}

} // namespace Mouse::Http

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripeevent.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace Mouse {

namespace {

QString stringOrId(const QJsonValue &value)
{
    // Expandable fields are an id string or the expanded object.
    if (value.isString())
        return value.toString();
    return value.toObject().value(QLatin1String("id")).toString();
}

} // namespace

QString StripeEvent::orderingKey() const
{
    const QJsonObject metadata = object.value(QLatin1String("metadata")).toObject();
    const QString customerId = metadata.value(QLatin1String("customer_id")).toString();
    if (!customerId.isEmpty())
        return customerId;
    const QString clientReference = object.value(QLatin1String("client_reference_id")).toString();
    if (!clientReference.isEmpty())
        return clientReference;
    const QString stripeCustomer = stringOrId(object.value(QLatin1String("customer")));
    if (!stripeCustomer.isEmpty())
        return stripeCustomer;
    if (object.value(QLatin1String("object")).toString() == QLatin1String("customer"))
        return object.value(QLatin1String("id")).toString();
    return {};
}

std::optional<StripeEvent> parseStripeEvent(const QByteArray &body, StripeEventError *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        if (error)
            *error = StripeEventError::InvalidJson;
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    const QJsonValue id = root.value(QLatin1String("id"));
    const QJsonValue type = root.value(QLatin1String("type"));
    const QJsonValue object
            = root.value(QLatin1String("data")).toObject().value(QLatin1String("object"));
    const QJsonValue kind = root.value(QLatin1String("object"));
    const bool isEvent = id.isString() && !id.toString().isEmpty() && type.isString()
                         && !type.toString().isEmpty() && object.isObject()
                         && (kind.isUndefined() || kind.toString() == QLatin1String("event"));
    if (!isEvent || id.toString().size() > 255 || type.toString().size() > 255) {
        if (error)
            *error = StripeEventError::NotAnEvent;
        return std::nullopt;
    }
    StripeEvent event;
    event.id = id.toString();
    event.type = type.toString();
    event.created = root.value(QLatin1String("created")).toInteger();
    event.livemode = root.value(QLatin1String("livemode")).toBool();
    event.object = object.toObject();
    return event;
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Mouse {

// The envelope of a Stripe event (id, type, created, livemode, data.object) and the key that
// orders its processing: the customer it concerns.
struct StripeEvent
{
    QString id;         // evt_...
    QString type;       // e.g. checkout.session.completed
    qint64 created = 0; // Stripe's created, unix seconds (not an ordering: see orderingKey)
    bool livemode = false;
    QJsonObject object; // data.object

    // Our customer when the object names one (metadata.customer_id, client_reference_id),
    // else the Stripe customer (cus_...), else the object id; empty when none applies.
    QString orderingKey() const;
};

enum class StripeEventError { InvalidJson, NotAnEvent };

// Parses a raw body. InvalidJson: not a JSON object; NotAnEvent: an object without a string
// id, a string type, an object data.object, or with "object" other than "event".
std::optional<StripeEvent> parseStripeEvent(const QByteArray &body,
                                            StripeEventError *error = nullptr);

} // namespace Mouse

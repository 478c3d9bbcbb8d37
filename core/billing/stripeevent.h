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

// What the webhook intake stores beside the raw body: the envelope and the ordering key.
struct StripeEnvelope
{
    QString id;
    QString type;
    qint64 created = 0;
    bool livemode = false;
    QString orderingKey; // as StripeEvent::orderingKey()

    static StripeEnvelope of(const StripeEvent &event);
};

// The same verdict and fields as parseStripeEvent() (then StripeEnvelope::of), for the HTTP
// thread: a validating scan that builds no JSON document for the common event (strict JSON,
// keys and wanted values without escapes or non-ASCII, plain integers, little nesting), and
// the full parse for everything else, so the answer never depends on which path ran.
std::optional<StripeEnvelope> parseStripeEnvelope(const QByteArray &body,
                                                  StripeEventError *error = nullptr);

// The scan alone (tests and the fuzz target compare it with the full parse): nullopt when
// it cannot decide, i.e. the body is not plain enough or not a valid event.
std::optional<StripeEnvelope> scanStripeEnvelope(const QByteArray &body);

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <optional>

namespace Mouse {

// The parsed Stripe-Signature header, exactly as Stripe's libraries read it: split on ',',
// each element on the first '=', keys exactly "t" and "v1" (no trimming, case-sensitive),
// unknown keys (v0, diagnostic metadata) ignored, every v1 collected.
struct StripeSignatureHeader
{
    QByteArray timestamp; // as received; it is also what was signed
    qint64 timestampSeconds = 0;
    QList<QByteArray> signatures; // every v1 value, as received (lowercase hex when valid)
};

// Pure and total: any input, never throws; nullopt without a parseable t or without a v1.
std::optional<StripeSignatureHeader> parseStripeSignatureHeader(const QByteArray &header);

enum class SignatureCheck {
    Valid,
    MissingHeader,   // empty header
    MalformedHeader, // no t / no v1
    NoSecret,        // no (non-blank) secret configured
    BadSignature,    // no v1 matches any secret
    StaleTimestamp,  // older than the tolerance
};

// The reason code the webhook answers with (missing_signature, bad_signature, ...).
QString signatureCheckCode(SignatureCheck check);

// hex_lower(HMAC-SHA256(key = secret bytes, whole "whsec_..." string, msg = t "." body)).
QByteArray
stripeSignature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body);

// Constant-time equality (false at once when lengths differ, like stripe-node).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

// Verifies as the libraries do, in their order: header, secret, signature, then timestamp.
// Any of several secrets (rotation) may match any v1. toleranceSeconds <= 0 disables the
// age check; timestamps in the future are accepted, like the libraries.
SignatureCheck verifyStripeSignature(const QByteArray &header,
                                     const QByteArray &body,
                                     const QList<QByteArray> &secrets,
                                     qint64 nowSeconds,
                                     qint64 toleranceSeconds = 300);

// Builds a header "t=<t>,v1=<sig>[,v1=...]" for tests and benchmarks.
QByteArray makeStripeSignatureHeader(const QList<QByteArray> &secrets,
                                     qint64 timestamp,
                                     const QByteArray &body);

} // namespace Mouse

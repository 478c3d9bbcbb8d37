// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripesignature.h"

#include <QMessageAuthenticationCode>
#include <QString>

namespace Mouse {

std::optional<StripeSignatureHeader> parseStripeSignatureHeader(const QByteArray &header)
{
    StripeSignatureHeader parsed;
    bool haveTimestamp = false;
    for (const QByteArray &element : header.split(',')) {
        const qsizetype eq = element.indexOf('=');
        if (eq < 0)
            continue;
        const QByteArray key = element.left(eq);
        const QByteArray value = element.mid(eq + 1);
        if (key == "t") {
            // The libraries take the number as given; a value that is not an integer cannot
            // verify against a tolerance, so it counts as no timestamp.
            bool ok = false;
            const qint64 seconds = value.toLongLong(&ok);
            if (!ok || value.isEmpty() || value.front() == '+' || value.front() == ' ')
                continue;
            parsed.timestamp = value;
            parsed.timestampSeconds = seconds;
            haveTimestamp = true;
        } else if (key == "v1") {
            parsed.signatures.append(value);
        }
    }
    if (!haveTimestamp || parsed.signatures.isEmpty())
        return std::nullopt;
    return parsed;
}

QString signatureCheckCode(SignatureCheck check)
{
    switch (check) {
    case SignatureCheck::Valid:
        return QStringLiteral("valid");
    case SignatureCheck::MissingHeader:
        return QStringLiteral("missing_signature");
    case SignatureCheck::StaleTimestamp:
        return QStringLiteral("stale_timestamp");
    case SignatureCheck::MalformedHeader:
    case SignatureCheck::NoSecret:
    case SignatureCheck::BadSignature:
        break;
    }
    return QStringLiteral("bad_signature");
}

QByteArray
stripeSignature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret);
    mac.addData(timestamp);
    mac.addData(".", 1);
    mac.addData(body);
    return mac.result().toHex();
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

SignatureCheck verifyStripeSignature(const QByteArray &header,
                                     const QByteArray &body,
                                     const QList<QByteArray> &secrets,
                                     qint64 nowSeconds,
                                     qint64 toleranceSeconds)
{
    if (header.isEmpty())
        return SignatureCheck::MissingHeader;
    const std::optional<StripeSignatureHeader> parsed = parseStripeSignatureHeader(header);
    if (!parsed)
        return SignatureCheck::MalformedHeader;

    bool haveSecret = false;
    bool matched = false;
    for (const QByteArray &secret : secrets) {
        if (secret.trimmed().isEmpty())
            continue;
        haveSecret = true;
        const QByteArray expected = stripeSignature(secret, parsed->timestamp, body);
        // Every candidate is compared, so the time taken does not tell which one matched.
        for (const QByteArray &candidate : parsed->signatures)
            matched = constantTimeEquals(expected, candidate) || matched;
    }
    if (!haveSecret)
        return SignatureCheck::NoSecret;
    if (!matched)
        return SignatureCheck::BadSignature;

    if (toleranceSeconds > 0 && nowSeconds - parsed->timestampSeconds > toleranceSeconds)
        return SignatureCheck::StaleTimestamp;
    return SignatureCheck::Valid;
}

QByteArray makeStripeSignatureHeader(const QList<QByteArray> &secrets,
                                     qint64 timestamp,
                                     const QByteArray &body)
{
    const QByteArray t = QByteArray::number(timestamp);
    QByteArray header = "t=" + t;
    for (const QByteArray &secret : secrets)
        header += ",v1=" + stripeSignature(secret, t, body);
    return header;
}

} // namespace Mouse

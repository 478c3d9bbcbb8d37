// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripesignature.h"

#include <QMessageAuthenticationCode>
#include <QString>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <utility>
#include <vector>

namespace Mouse {

std::optional<StripeSignatureHeader> parseStripeSignatureHeader(const QByteArray &header)
{
    StripeSignatureHeader parsed;
    bool haveTimestamp = false;
    // The elements between commas, walked in place: only the values kept are copied (this runs
    // for every webhook delivery).
    const QByteArrayView all(header);
    qsizetype start = 0;
    while (start <= all.size()) {
        qsizetype end = all.indexOf(',', start);
        if (end < 0)
            end = all.size();
        const QByteArrayView element = all.sliced(start, end - start);
        start = end + 1;
        const qsizetype eq = element.indexOf('=');
        if (eq < 0)
            continue;
        const QByteArrayView key = element.first(eq);
        if (key == "t") {
            // The libraries take the number as given; a value that is not an integer cannot
            // verify against a tolerance, so it counts as no timestamp.
            const QByteArray value = element.sliced(eq + 1).toByteArray();
            bool ok = false;
            const qint64 seconds = value.toLongLong(&ok);
            if (!ok || value.isEmpty() || value.front() == '+' || value.front() == ' ')
                continue;
            parsed.timestamp = value;
            parsed.timestampSeconds = seconds;
            haveTimestamp = true;
        } else if (key == "v1") {
            parsed.signatures.append(element.sliced(eq + 1).toByteArray());
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

namespace {

QByteArray
qtSignature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret);
    mac.addData(timestamp);
    mac.addData(".", 1);
    mac.addData(body);
    return mac.result().toHex();
}

EVP_MAC *hmacAlgorithm()
{
    // Fetched once for the process; an EVP_MAC is shareable between threads.
    static EVP_MAC *const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

// Per thread: one HMAC context keyed with each secret (the key's padded blocks are hashed
// once), duplicated for every signature. A handful of secrets at most (a rotation).
class KeyedContexts final
{
    Q_DISABLE_COPY_MOVE(KeyedContexts)

public:
    KeyedContexts() = default;
    ~KeyedContexts()
    {
        for (auto &[secret, context] : m_contexts)
            EVP_MAC_CTX_free(context);
    }

    EVP_MAC_CTX *keyedWith(const QByteArray &secret)
    {
        for (auto &[known, context] : m_contexts) {
            if (known == secret)
                return context;
        }
        EVP_MAC *mac = hmacAlgorithm();
        EVP_MAC_CTX *context = mac ? EVP_MAC_CTX_new(mac) : nullptr;
        if (!context)
            return nullptr;
        char digest[] = "SHA256";
        const OSSL_PARAM params[]
                = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                   OSSL_PARAM_construct_end()};
        if (!EVP_MAC_init(context,
                          reinterpret_cast<const unsigned char *>(secret.constData()),
                          size_t(secret.size()),
                          params)) {
            EVP_MAC_CTX_free(context);
            return nullptr;
        }
        if (m_contexts.size() >= 8) { // bounded: secrets only change with the settings
            EVP_MAC_CTX_free(m_contexts.front().second);
            m_contexts.erase(m_contexts.begin());
        }
        m_contexts.emplace_back(secret, context);
        return context;
    }

private:
    std::vector<std::pair<QByteArray, EVP_MAC_CTX *>> m_contexts;
};

bool update(EVP_MAC_CTX *context, const char *data, qsizetype size)
{
    return EVP_MAC_update(context, reinterpret_cast<const unsigned char *>(data), size_t(size));
}

} // namespace

QByteArray
stripeSignature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    // OpenSSL's SHA-256 (SHA extensions where the CPU has them) is about ten times faster
    // than QCryptographicHash's portable one; the result is the same HMAC.
    // The keyed context is this thread's and is used in place: an init without a key starts a
    // new message with the same key (no copy of the context, about ten allocations, per event).
    thread_local KeyedContexts contexts;
    EVP_MAC_CTX *context = secret.isEmpty() ? nullptr : contexts.keyedWith(secret);
    if (!context || !EVP_MAC_init(context, nullptr, 0, nullptr))
        return qtSignature(secret, timestamp, body);

    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    const bool ok = update(context, timestamp.constData(), timestamp.size())
                    && update(context, ".", 1) && update(context, body.constData(), body.size())
                    && EVP_MAC_final(context, out, &length, sizeof out);
    if (!ok)
        return qtSignature(secret, timestamp, body);
    return QByteArray::fromRawData(reinterpret_cast<const char *>(out), qsizetype(length)).toHex();
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

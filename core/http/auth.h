// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/http/httptypes.h"
#include "core/http/router.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <optional>

namespace Mouse::Http {

// Where the server looks credentials up. customerForKey gets the presented API key (the
// Directory hashes it and compares in constant time); customerExists answers 404 for the
// admin. adminToken is hashed at once by the Authenticator and not kept in plaintext.
struct Credentials
{
    std::function<std::optional<QString>(const QByteArray &apiKey)> customerForKey;
    std::function<bool(const QString &customerId)> customerExists;
    QString adminToken;
};

// Decides Access for one request. Thread-compatible: used on the server thread only.
class Authenticator final
{
public:
    enum class Outcome {
        Allowed,
        Missing,         // 401: no credentials
        Invalid,         // 401: unknown token or key
        Forbidden,       // 403: a valid key, but not for this route or customer
        UnknownCustomer, // 404: the admin asked for a customer that does not exist
    };
    struct Result
    {
        Outcome outcome = Outcome::Missing;
        Principal principal;
    };

    explicit Authenticator(Credentials credentials);

    void setCredentials(Credentials credentials);

    // token: the presented bearer token or API key (empty: none). customerParam: the route's
    // {customer} value, or empty when the route has none.
    Result authenticate(Access access, const QByteArray &token, const QString &customerParam) const;

    bool isAdminToken(const QByteArray &token) const;

    // "Bearer <token>" (case-insensitive scheme) -> token; anything else -> empty.
    static QByteArray bearerToken(const QByteArray &authorization);

    // Constant-time comparison of two equally long digests.
    static bool digestsEqual(const QByteArray &a, const QByteArray &b);

private:
    QByteArray m_adminDigest; // SHA-256 of the admin token
    std::function<std::optional<QString>(const QByteArray &)> m_customerForKey;
    std::function<bool(const QString &)> m_customerExists;
};

// Failed authentications per client address in a fixed one-minute window; at the limit the
// address's failing requests (no, wrong or another customer's credentials) get 429 with
// Retry-After until the window ends. A correct credential is never refused by it (the server
// asks only after a failure), so one noisy client cannot lock out others on its address. Bounded:
// at most maxAddresses are tracked (the oldest window is dropped first). The clock is injectable
// for tests.
class AuthFailureLimiter final
{
public:
    using Clock = std::function<qint64()>; // milliseconds, monotonic

    explicit AuthFailureLimiter(int failuresPerMinute, Clock clock = {}, int maxAddresses = 10000);

    // Seconds until the address may try again, or -1 when it is not blocked.
    int retryAfterSeconds(const QHostAddress &address) const;
    void recordFailure(const QHostAddress &address);
    int trackedAddresses() const { return int(m_windows.size()); }

private:
    struct Window
    {
        qint64 startMs = 0;
        int failures = 0;
    };
    qint64 now() const;
    void prune(qint64 nowMs);

    int m_limit;
    Clock m_clock;
    int m_maxAddresses;
    QHash<QByteArray, Window> m_windows; // keyed by the address' 16 bytes
};

// Trusted proxies (addresses or CIDR subnets, e.g. "10.0.0.0/8") and the resolution of the
// real client: X-Forwarded-For is believed only when the peer itself is trusted, and then the
// rightmost address that is not a trusted proxy is the client.
class ClientAddressResolver final
{
public:
    explicit ClientAddressResolver(const QStringList &trustedProxies);

    QHostAddress resolve(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    bool isTrusted(const QHostAddress &address) const;

    static QHostAddress normalized(const QHostAddress &address); // IPv4-mapped -> IPv4

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

} // namespace Mouse::Http

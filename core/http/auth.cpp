// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/auth.h"

#include <QCryptographicHash>
#include <QElapsedTimer>

namespace Mouse::Http {

namespace {

QByteArray sha256(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}

QByteArray addressKey(const QHostAddress &address)
{
    const Q_IPV6ADDR bytes = ClientAddressResolver::normalized(address).toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(bytes.c), 16);
}

constexpr qint64 WindowMs = 60 * 1000;

} // namespace

Authenticator::Authenticator(Credentials credentials)
{
    setCredentials(std::move(credentials));
}

void Authenticator::setCredentials(Credentials credentials)
{
    m_adminDigest = credentials.adminToken.isEmpty() ? QByteArray()
                                                     : sha256(credentials.adminToken.toUtf8());
    m_customerForKey = std::move(credentials.customerForKey);
    m_customerExists = std::move(credentials.customerExists);
}

bool Authenticator::digestsEqual(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

bool Authenticator::isAdminToken(const QByteArray &token) const
{
    return !m_adminDigest.isEmpty() && !token.isEmpty()
           && digestsEqual(sha256(token), m_adminDigest);
}

QByteArray Authenticator::bearerToken(const QByteArray &authorization)
{
    const QByteArray value = authorization.trimmed();
    if (value.size() < 8 || qstrnicmp(value.constData(), "bearer ", 7) != 0)
        return {};
    return value.mid(7).trimmed();
}

Authenticator::Result Authenticator::authenticate(Access access,
                                                  const QByteArray &token,
                                                  const QString &customerParam) const
{
    Result result;
    if (access == Access::Public) {
        result.outcome = Outcome::Allowed;
        if (isAdminToken(token))
            result.principal.kind = Principal::Kind::Admin;
        return result;
    }
    if (token.isEmpty()) {
        result.outcome = Outcome::Missing;
        return result;
    }

    if (isAdminToken(token)) {
        result.principal.kind = Principal::Kind::Admin;
        const bool unknown = access == Access::Customer && !customerParam.isEmpty()
                             && m_customerExists && !m_customerExists(customerParam);
        result.outcome = unknown ? Outcome::UnknownCustomer : Outcome::Allowed;
        return result;
    }

    const std::optional<QString> customer
            = m_customerForKey ? m_customerForKey(token) : std::nullopt;
    if (!customer) {
        result.outcome = Outcome::Invalid;
        return result;
    }
    if (access == Access::Admin || (!customerParam.isEmpty() && *customer != customerParam)) {
        result.outcome = Outcome::Forbidden;
        return result;
    }
    result.outcome = Outcome::Allowed;
    result.principal.kind = Principal::Kind::Customer;
    result.principal.customerId = *customer;
    return result;
}

AuthFailureLimiter::AuthFailureLimiter(int failuresPerMinute, Clock clock, int maxAddresses)
    : m_limit(qMax(1, failuresPerMinute))
    , m_clock(std::move(clock))
    , m_maxAddresses(qMax(1, maxAddresses))
{
    if (!m_clock) {
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        m_clock = [timer] {
            return timer->elapsed();
        };
    }
}

qint64 AuthFailureLimiter::now() const
{
    return m_clock();
}

int AuthFailureLimiter::retryAfterSeconds(const QHostAddress &address) const
{
    const auto it = m_windows.constFind(addressKey(address));
    if (it == m_windows.cend() || it->failures < m_limit)
        return -1;
    const qint64 left = it->startMs + WindowMs - now();
    if (left <= 0)
        return -1;
    return int((left + 999) / 1000);
}

void AuthFailureLimiter::recordFailure(const QHostAddress &address)
{
    const qint64 nowMs = now();
    const QByteArray key = addressKey(address);
    auto it = m_windows.find(key);
    if (it == m_windows.end()) {
        if (m_windows.size() >= m_maxAddresses)
            prune(nowMs);
        it = m_windows.insert(key, Window{nowMs, 0});
    }
    if (nowMs - it->startMs >= WindowMs)
        *it = Window{nowMs, 0};
    ++it->failures;
}

void AuthFailureLimiter::prune(qint64 nowMs)
{
    // Expired windows first; if none expired, the oldest one.
    auto oldest = m_windows.end();
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        if (nowMs - it->startMs >= WindowMs) {
            it = m_windows.erase(it);
            continue;
        }
        if (oldest == m_windows.end() || it->startMs < oldest->startMs)
            oldest = it;
        ++it;
    }
    if (m_windows.size() >= m_maxAddresses && oldest != m_windows.end())
        m_windows.erase(oldest);
}

ClientAddressResolver::ClientAddressResolver(const QStringList &trustedProxies)
{
    for (const QString &entry : trustedProxies) {
        const QString text = entry.trimmed();
        if (text.isEmpty())
            continue;
        if (text.contains(u'/')) {
            const auto subnet = QHostAddress::parseSubnet(text);
            if (!subnet.first.isNull())
                m_subnets.append({normalized(subnet.first), subnet.second});
            continue;
        }
        const QHostAddress address(text);
        if (address.isNull())
            continue;
        const QHostAddress plain = normalized(address);
        m_subnets.append({plain, plain.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128});
    }
}

QHostAddress ClientAddressResolver::normalized(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4 && address.protocol() == QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4);
    return address;
}

bool ClientAddressResolver::isTrusted(const QHostAddress &address) const
{
    const QHostAddress plain = normalized(address);
    for (const auto &[network, prefix] : m_subnets) {
        if (plain.isInSubnet(network, prefix))
            return true;
    }
    return false;
}

QHostAddress ClientAddressResolver::resolve(const QHostAddress &peer,
                                            const QByteArray &forwardedFor) const
{
    const QHostAddress plainPeer = normalized(peer);
    if (forwardedFor.isEmpty() || m_subnets.isEmpty() || !isTrusted(plainPeer))
        return plainPeer;
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (auto it = hops.crbegin(); it != hops.crend(); ++it) {
        const QHostAddress hop(QString::fromLatin1(it->trimmed()));
        if (hop.isNull())
            return plainPeer; // a malformed entry: believe nothing further left
        if (!isTrusted(hop))
            return normalized(hop);
    }
    return plainPeer;
}

} // namespace Mouse::Http

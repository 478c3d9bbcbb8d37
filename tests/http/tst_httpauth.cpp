// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/auth.h"

#include <QTest>

using namespace Mouse::Http;
using Outcome = Authenticator::Outcome;

namespace {

Credentials credentials()
{
    Credentials c;
    c.adminToken = QStringLiteral("admin-secret-for-tests");
    c.customerForKey = [](const QByteArray &key) -> std::optional<QString> {
        if (key == "key-a")
            return QStringLiteral("cst_a");
        if (key == "key-b")
            return QStringLiteral("cst_b");
        return std::nullopt;
    };
    c.customerExists = [](const QString &id) {
        return id == QLatin1String("cst_a") || id == QLatin1String("cst_b");
    };
    return c;
}

} // namespace

class tst_HttpAuth : public QObject
{
    Q_OBJECT

private slots:
    void bearerParsing();
    void digestsEqual();
    void adminAccess();
    void customerAccess();
    void publicAccess();
    void emptyAdminTokenNeverMatches();
    void limiterWindow();
    void limiterBounded();
    void forwardedForOnlyFromTrustedProxies();
};

void tst_HttpAuth::bearerParsing()
{
    QCOMPARE(Authenticator::bearerToken("Bearer abc"), QByteArray("abc"));
    QCOMPARE(Authenticator::bearerToken("bearer   abc  "), QByteArray("abc"));
    QCOMPARE(Authenticator::bearerToken("Basic abc"), QByteArray());
    QCOMPARE(Authenticator::bearerToken("Bearer"), QByteArray());
    QCOMPARE(Authenticator::bearerToken(""), QByteArray());
}

void tst_HttpAuth::digestsEqual()
{
    QVERIFY(Authenticator::digestsEqual("abcd", "abcd"));
    QVERIFY(!Authenticator::digestsEqual("abcd", "abce"));
    QVERIFY(!Authenticator::digestsEqual("abcd", "abc"));
}

void tst_HttpAuth::adminAccess()
{
    const Authenticator auth(credentials());
    QCOMPARE(auth.authenticate(Access::Admin, {}, {}).outcome, Outcome::Missing);
    QCOMPARE(auth.authenticate(Access::Admin, "wrong", {}).outcome, Outcome::Invalid);
    QCOMPARE(auth.authenticate(Access::Admin, "admin-secret-for-testsX", {}).outcome,
             Outcome::Invalid);
    QCOMPARE(auth.authenticate(Access::Admin, "key-a", {}).outcome, Outcome::Forbidden);
    const auto ok = auth.authenticate(Access::Admin, "admin-secret-for-tests", {});
    QCOMPARE(ok.outcome, Outcome::Allowed);
    QVERIFY(ok.principal.isAdmin());
}

void tst_HttpAuth::customerAccess()
{
    const Authenticator auth(credentials());
    const QString a = QStringLiteral("cst_a");
    QCOMPARE(auth.authenticate(Access::Customer, {}, a).outcome, Outcome::Missing);
    QCOMPARE(auth.authenticate(Access::Customer, "nope", a).outcome, Outcome::Invalid);
    QCOMPARE(auth.authenticate(Access::Customer, "key-b", a).outcome, Outcome::Forbidden);
    const auto own = auth.authenticate(Access::Customer, "key-a", a);
    QCOMPARE(own.outcome, Outcome::Allowed);
    QCOMPARE(own.principal.kind, Principal::Kind::Customer);
    QCOMPARE(own.principal.customerId, a);
    // The admin reaches every customer, and learns when one does not exist.
    QCOMPARE(auth.authenticate(Access::Customer, "admin-secret-for-tests", a).outcome,
             Outcome::Allowed);
    QCOMPARE(auth.authenticate(Access::Customer, "admin-secret-for-tests", QStringLiteral("cst_zz"))
                     .outcome,
             Outcome::UnknownCustomer);
    // A customer key for an unknown customer id is just another customer's id: 403, no leak.
    QCOMPARE(auth.authenticate(Access::Customer, "key-a", QStringLiteral("cst_zz")).outcome,
             Outcome::Forbidden);
}

void tst_HttpAuth::publicAccess()
{
    const Authenticator auth(credentials());
    QCOMPARE(auth.authenticate(Access::Public, {}, {}).outcome, Outcome::Allowed);
    QCOMPARE(auth.authenticate(Access::Public, "garbage", {}).outcome, Outcome::Allowed);
    QVERIFY(auth.authenticate(Access::Public, "admin-secret-for-tests", {}).principal.isAdmin());
}

void tst_HttpAuth::emptyAdminTokenNeverMatches()
{
    Credentials c = credentials();
    c.adminToken.clear();
    const Authenticator auth(c);
    QVERIFY(!auth.isAdminToken(""));
    QVERIFY(!auth.isAdminToken("admin-secret-for-tests"));
}

void tst_HttpAuth::limiterWindow()
{
    qint64 now = 1000;
    AuthFailureLimiter limiter(3, [&now] { return now; });
    const QHostAddress client(QStringLiteral("192.0.2.7"));
    const QHostAddress other(QStringLiteral("192.0.2.8"));
    for (int i = 0; i < 2; ++i)
        limiter.recordFailure(client);
    QCOMPARE(limiter.retryAfterSeconds(client), -1);
    limiter.recordFailure(client);
    QCOMPARE(limiter.retryAfterSeconds(client), 60);
    QCOMPARE(limiter.retryAfterSeconds(other), -1);
    // IPv4-mapped IPv6 is the same client.
    QCOMPARE(limiter.retryAfterSeconds(QHostAddress(QStringLiteral("::ffff:192.0.2.7"))), 60);
    now += 30500;
    QCOMPARE(limiter.retryAfterSeconds(client), 30);
    now += 30000;
    QCOMPARE(limiter.retryAfterSeconds(client), -1);
    limiter.recordFailure(client); // a new window
    QCOMPARE(limiter.retryAfterSeconds(client), -1);
}

void tst_HttpAuth::limiterBounded()
{
    qint64 now = 0;
    AuthFailureLimiter limiter(
            1, [&now] { return now; }, 100);
    for (quint32 i = 0; i < 1000; ++i) {
        now += 1;
        limiter.recordFailure(QHostAddress(0x0A000000u + i));
    }
    QVERIFY(limiter.trackedAddresses() <= 100);
    QVERIFY(limiter.retryAfterSeconds(QHostAddress(0x0A000000u + 999)) > 0);
}

void tst_HttpAuth::forwardedForOnlyFromTrustedProxies()
{
    const ClientAddressResolver none({});
    const QHostAddress proxy(QStringLiteral("10.1.2.3"));
    QCOMPARE(none.resolve(proxy, "203.0.113.9"), proxy);

    const ClientAddressResolver resolver(
            {QStringLiteral("10.0.0.0/8"), QStringLiteral("127.0.0.1")});
    QCOMPARE(resolver.resolve(proxy, "203.0.113.9"), QHostAddress(QStringLiteral("203.0.113.9")));
    // The rightmost untrusted hop is the client; what it claims further left is not believed.
    QCOMPARE(resolver.resolve(proxy, "198.51.100.1, 203.0.113.9, 10.9.9.9"),
             QHostAddress(QStringLiteral("203.0.113.9")));
    QCOMPARE(resolver.resolve(proxy, "garbage"), proxy);
    const QHostAddress stranger(QStringLiteral("203.0.113.50"));
    QCOMPARE(resolver.resolve(stranger, "198.51.100.1"), stranger);
    QCOMPARE(resolver.resolve(QHostAddress(QStringLiteral("::ffff:127.0.0.1")), "198.51.100.1"),
             QHostAddress(QStringLiteral("198.51.100.1")));
}

QTEST_GUILESS_MAIN(tst_HttpAuth)
#include "tst_httpauth.moc"

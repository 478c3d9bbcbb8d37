// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/vmstatuscache.h"

#include "core/config/settings.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using Mouse::Settings;
using Mouse::VmStatus;
using Mouse::VmStatusCache;

class tst_VmStatusCache : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_now = 0; }
    void ttlPerState_data();
    void ttlPerState();
    void expiresByState();
    void configurableMap();
    void invalidMapRejected();
    void lruBound();
    void sweepTimer();
    void statistics();

private:
    qint64 m_now = 0;
    VmStatusCache::Cache::Clock clock()
    {
        return [this] {
            return m_now;
        };
    }
    static VmStatus vm(const QString &id, const QString &status)
    {
        return VmStatus{id, status, id, QStringLiteral("ws"), QString(), 0};
    }
};

void tst_VmStatusCache::ttlPerState_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<qint64>("ttl");
    QTest::newRow("running") << u"running"_s << qint64(15000);
    QTest::newRow("stopped") << u"stopped"_s << qint64(60000);
    QTest::newRow("creating") << u"creating"_s << qint64(5000);
    QTest::newRow("starting") << u"starting"_s << qint64(5000);
    QTest::newRow("stopping") << u"stopping"_s << qint64(5000);
    QTest::newRow("restarting") << u"restarting"_s << qint64(5000);
    QTest::newRow("error") << u"error"_s << qint64(30000);
    QTest::newRow("unknown") << u"unknown"_s << qint64(5000);
    QTest::newRow("suspended") << u"suspended"_s << qint64(10000);
}

void tst_VmStatusCache::ttlPerState()
{
    QFETCH(QString, state);
    QFETCH(qint64, ttl);
    VmStatusCache cache(Settings::defaults(), clock());
    QCOMPARE(cache.ttlMsFor(state), ttl);
}

void tst_VmStatusCache::expiresByState()
{
    VmStatusCache cache(Settings::defaults(), clock());
    cache.put(vm(u"r"_s, u"running"_s));
    cache.put(vm(u"s"_s, u"stopped"_s));
    cache.put(vm(u"c"_s, u"creating"_s));
    m_now = 4999;
    QVERIFY(cache.lookup(u"c"_s, false).has_value());
    m_now = 5000;
    QVERIFY(!cache.lookup(u"c"_s, false).has_value());
    QVERIFY(cache.lookup(u"c"_s, true)->stale);
    QVERIFY(cache.lookup(u"r"_s, false).has_value());
    m_now = 15000;
    QVERIFY(!cache.lookup(u"r"_s, false).has_value());
    QVERIFY(cache.lookup(u"s"_s, false).has_value());
    m_now = 60000;
    QVERIFY(!cache.lookup(u"s"_s, false).has_value());
}

void tst_VmStatusCache::configurableMap()
{
    const Settings settings
            = Settings::defaults().withValue(u"cache/vm_ttl"_s, u"running=1, default=2.5"_s);
    VmStatusCache cache(settings, clock());
    QCOMPARE(cache.ttlMsFor(u"running"_s), 1000);
    QCOMPARE(cache.ttlMsFor(u"stopped"_s), 2500);
}

void tst_VmStatusCache::invalidMapRejected()
{
    QString error;
    QVERIFY(!VmStatusCache::parseTtlMap(u"running=fast"_s, &error).has_value());
    QVERIFY(error.contains(u"running=fast"));
    QVERIFY(!VmStatusCache::parseTtlMap(u"=5"_s, &error).has_value());
    QVERIFY(!VmStatusCache::parseTtlMap(u"running=-1"_s, &error).has_value());
    const auto map = VmStatusCache::parseTtlMap(u"running=15"_s, &error);
    QVERIFY(map.has_value());
    QCOMPARE(map->value(u"default"_s), 10000); // added when missing
}

void tst_VmStatusCache::lruBound()
{
    VmStatusCache cache(Settings::defaults(), clock());
    QCOMPARE(cache.stats().capacity, 500);
    for (int i = 0; i < 510; ++i)
        cache.put(vm(QString::number(i), u"running"_s));
    QCOMPARE(cache.stats().size, 500);
    QCOMPARE(cache.stats().evictions, 10u);
    QVERIFY(!cache.peek(u"9"_s).has_value());
    QVERIFY(cache.peek(u"10"_s).has_value());
}

void tst_VmStatusCache::sweepTimer()
{
    const Settings settings = Settings::defaults().withValue(u"cache/sweep_interval_ms"_s, u"20"_s);
    VmStatusCache cache(settings, clock());
    cache.put(vm(u"a"_s, u"creating"_s));
    cache.put(vm(u"b"_s, u"stopped"_s));
    m_now = 6000;
    QSignalSpy spy(&cache, &VmStatusCache::swept);
    QVERIFY(spy.wait(2000));
    QCOMPARE(cache.stats().size, 1);
    QCOMPARE(cache.stats().expirations, 1u);
    QVERIFY(cache.peek(u"b"_s).has_value());
}

void tst_VmStatusCache::statistics()
{
    VmStatusCache cache(Settings::defaults(), clock());
    cache.put(vm(u"a"_s, u"running"_s));
    cache.lookup(u"a"_s, false);
    cache.lookup(u"b"_s, false);
    cache.recordLoadTime(4);
    QCOMPARE(cache.stats().hits, 1u);
    QCOMPARE(cache.stats().misses, 1u);
    QCOMPARE(cache.stats().hitRate, 0.5);
    QCOMPARE(cache.stats().meanLoadMs, 4.0);
    QVERIFY(cache.invalidate(u"a"_s));
    QVERIFY(!cache.peek(u"a"_s).has_value());
    cache.resetStats();
    QCOMPARE(cache.stats().hits, 0u);
}

QTEST_GUILESS_MAIN(tst_VmStatusCache)
#include "tst_vmstatuscache.moc"

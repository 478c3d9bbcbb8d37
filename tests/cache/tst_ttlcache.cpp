// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/ttlcache.h"

#include <QTest>
#include <QtConcurrent>

using namespace Qt::Literals::StringLiterals;
using Mouse::TtlLruCache;

class tst_TtlCache : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_now = 1000; }
    void freshThenExpired();
    void staleLookup();
    void lruOrderAndEviction();
    void getTouchesRecency();
    void costBudgetEvicts();
    void oversizedEntryRejected();
    void replaceKeepsCostExact();
    void sweepRemovesOnlyExpired();
    void statsAndReset();
    void concurrentUse();

private:
    qint64 m_now = 1000;
    TtlLruCache<QString, int>::Clock clock()
    {
        return [this] {
            return m_now;
        };
    }
};

void tst_TtlCache::freshThenExpired()
{
    TtlLruCache<QString, int> cache(10, 0, clock());
    cache.put(QStringLiteral("a"), 1, 100);
    QCOMPARE(cache.get(QStringLiteral("a")).value_or(-1), 1);
    m_now += 99;
    QVERIFY(cache.contains(QStringLiteral("a")));
    m_now += 1;
    QVERIFY(!cache.get(QStringLiteral("a")).has_value());
    QVERIFY(!cache.contains(QStringLiteral("a")));
}

void tst_TtlCache::staleLookup()
{
    TtlLruCache<QString, int> cache(10, 0, clock());
    cache.put(QStringLiteral("a"), 7, 50);
    m_now += 80;
    const auto hit = cache.lookup(QStringLiteral("a"), true);
    QVERIFY(hit.has_value());
    QVERIFY(hit->stale);
    QCOMPARE(hit->value, 7);
    QCOMPARE(hit->ageMs, 80);
    QCOMPARE(hit->expiresInMs, -30);
    QVERIFY(!cache.lookup(QStringLiteral("a"), false).has_value());
    QCOMPARE(cache.stats().staleHits, 1u);
    QCOMPARE(cache.stats().misses, 2u);
}

void tst_TtlCache::lruOrderAndEviction()
{
    TtlLruCache<QString, int> cache(3, 0, clock());
    cache.put(QStringLiteral("a"), 1, 1000);
    cache.put(QStringLiteral("b"), 2, 1000);
    cache.put(QStringLiteral("c"), 3, 1000);
    QCOMPARE(cache.keys(), (QList<QString>{u"c"_s, u"b"_s, u"a"_s}));
    cache.put(QStringLiteral("d"), 4, 1000);
    QCOMPARE(cache.keys(), (QList<QString>{u"d"_s, u"c"_s, u"b"_s}));
    QCOMPARE(cache.stats().evictions, 1u);
    QVERIFY(!cache.peek(QStringLiteral("a")).has_value());
}

void tst_TtlCache::getTouchesRecency()
{
    TtlLruCache<QString, int> cache(3, 0, clock());
    cache.put(QStringLiteral("a"), 1, 1000);
    cache.put(QStringLiteral("b"), 2, 1000);
    cache.put(QStringLiteral("c"), 3, 1000);
    QVERIFY(cache.get(QStringLiteral("a")).has_value()); // a becomes most recent
    cache.put(QStringLiteral("d"), 4, 1000);             // so b is the victim
    QVERIFY(cache.peek(QStringLiteral("a")).has_value());
    QVERIFY(!cache.peek(QStringLiteral("b")).has_value());
    // peek does not touch recency: c stays the oldest and goes next.
    QVERIFY(cache.peek(QStringLiteral("c")).has_value());
    cache.put(QStringLiteral("e"), 5, 1000);
    QVERIFY(!cache.peek(QStringLiteral("c")).has_value());
}

void tst_TtlCache::costBudgetEvicts()
{
    TtlLruCache<QString, int> cache(100, 100, clock());
    cache.put(QStringLiteral("a"), 1, 1000, 40);
    cache.put(QStringLiteral("b"), 2, 1000, 40);
    QCOMPARE(cache.stats().cost, 80);
    cache.put(QStringLiteral("c"), 3, 1000, 40); // 120 > 100: a goes
    QCOMPARE(cache.stats().cost, 80);
    QCOMPARE(cache.stats().evictions, 1u);
    QVERIFY(!cache.peek(QStringLiteral("a")).has_value());
    QCOMPARE(cache.size(), 2);
    cache.setCostBudget(50);
    QCOMPARE(cache.size(), 1);
    QVERIFY(cache.peek(QStringLiteral("c")).has_value());
}

void tst_TtlCache::oversizedEntryRejected()
{
    TtlLruCache<QString, int> cache(10, 100, clock());
    cache.put(QStringLiteral("a"), 1, 1000, 10);
    QVERIFY(!cache.put(QStringLiteral("big"), 2, 1000, 101));
    QVERIFY(!cache.peek(QStringLiteral("big")).has_value());
    QVERIFY(cache.peek(QStringLiteral("a")).has_value());
    QCOMPARE(cache.stats().cost, 10);
}

void tst_TtlCache::replaceKeepsCostExact()
{
    TtlLruCache<QString, int> cache(10, 0, clock());
    cache.put(QStringLiteral("a"), 1, 1000, 30);
    cache.put(QStringLiteral("a"), 2, 1000, 5);
    QCOMPARE(cache.size(), 1);
    QCOMPARE(cache.stats().cost, 5);
    QCOMPARE(cache.get(QStringLiteral("a")).value_or(-1), 2);
    QVERIFY(cache.erase(QStringLiteral("a")));
    QCOMPARE(cache.stats().cost, 0);
    QVERIFY(!cache.erase(QStringLiteral("a")));
}

void tst_TtlCache::sweepRemovesOnlyExpired()
{
    TtlLruCache<QString, int> cache(10, 0, clock());
    cache.put(QStringLiteral("short"), 1, 10);
    cache.put(QStringLiteral("long"), 2, 1000);
    cache.put(QStringLiteral("zero"), 3, 0);
    m_now += 20;
    QCOMPARE(cache.sweepExpired(), 2);
    QCOMPARE(cache.keys(), QList<QString>{u"long"_s});
    QCOMPARE(cache.stats().expirations, 2u);
    QCOMPARE(cache.stats().evictions, 0u);
}

void tst_TtlCache::statsAndReset()
{
    TtlLruCache<QString, int> cache(10, 0, clock());
    cache.put(QStringLiteral("a"), 1, 1000);
    cache.get(QStringLiteral("a"));
    cache.get(QStringLiteral("a"));
    cache.get(QStringLiteral("a"));
    cache.get(QStringLiteral("missing"));
    cache.recordLoadTime(10);
    cache.recordLoadTime(30);
    auto stats = cache.stats();
    QCOMPARE(stats.hits, 3u);
    QCOMPARE(stats.misses, 1u);
    QCOMPARE(stats.hitRate, 0.75);
    QCOMPARE(stats.meanLoadMs, 20.0);
    QCOMPARE(stats.size, 1);
    QCOMPARE(stats.capacity, 10);
    QCOMPARE(stats.toJson().value(u"hit_rate").toDouble(), 0.75);

    cache.resetStats();
    stats = cache.stats();
    QCOMPARE(stats.hits, 0u);
    QCOMPARE(stats.misses, 0u);
    QCOMPARE(stats.hitRate, 0.0);
    QCOMPARE(stats.meanLoadMs, 0.0);
    QCOMPARE(stats.size, 1); // entries stay
}

void tst_TtlCache::concurrentUse()
{
    TtlLruCache<int, int> cache(64);
    QList<int> seeds;
    for (int i = 0; i < 4; ++i)
        seeds.append(i);
    QtConcurrent::blockingMap(seeds, [&cache](int seed) {
        for (int i = 0; i < 20000; ++i) {
            const int key = (i * 7 + seed) % 200;
            if (i % 3 == 0)
                cache.put(key, i, 1000);
            else if (i % 7 == 0)
                cache.erase(key);
            else
                cache.get(key);
        }
    });
    QVERIFY(cache.size() <= 64);
    const auto stats = cache.stats();
    QCOMPARE(stats.size, qint64(cache.keys().size()));
}

QTEST_GUILESS_MAIN(tst_TtlCache)
#include "tst_ttlcache.moc"

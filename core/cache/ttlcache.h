// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>

#include <chrono>
#include <functional>
#include <list>
#include <optional>
#include <utility>

namespace Mouse {

// A snapshot of one cache's counters, as /health and the dashboard show them.
struct CacheStats
{
    quint64 hits = 0;
    quint64 misses = 0;
    quint64 staleHits = 0; // expired entries served through lookup(..., allowStale)
    double hitRate = 0;    // hits / (hits + misses), 0 when nothing was asked
    quint64 evictions = 0; // removed for capacity or cost, before expiry
    quint64 expirations = 0;
    double meanLoadMs = 0; // mean of recordLoadTime() samples
    qint64 size = 0;
    qint64 capacity = 0;
    qint64 cost = 0;
    qint64 costBudget = 0; // 0: no cost budget

    QJsonObject toJson() const
    {
        return {{QStringLiteral("hits"), qint64(hits)},
                {QStringLiteral("misses"), qint64(misses)},
                {QStringLiteral("stale_hits"), qint64(staleHits)},
                {QStringLiteral("hit_rate"), hitRate},
                {QStringLiteral("evictions"), qint64(evictions)},
                {QStringLiteral("expirations"), qint64(expirations)},
                {QStringLiteral("mean_load_ms"), meanLoadMs},
                {QStringLiteral("size"), size},
                {QStringLiteral("capacity"), capacity},
                {QStringLiteral("cost"), cost},
                {QStringLiteral("cost_budget"), costBudget}};
    }
};

// A thread-safe LRU cache with a TTL per entry, bounded by an entry count and optionally by
// a cost budget (e.g. bytes). get/put/erase are O(1): a hash of list iterators over a list
// kept in recency order (front = most recent). Expired entries stay until swept, evicted or
// replaced, so lookup(key, true) can still serve them flagged stale.
//
// The clock returns monotonic milliseconds; tests inject their own.
template<class Key, class Value>
class TtlLruCache
{
public:
    using Clock = std::function<qint64()>;

    struct Hit
    {
        Value value;
        bool stale = false;     // past its TTL
        qint64 ageMs = 0;       // since put
        qint64 expiresInMs = 0; // negative when stale
    };

    explicit TtlLruCache(qint64 capacity, qint64 costBudget = 0, Clock clock = {})
        : m_capacity(qMax<qint64>(1, capacity))
        , m_costBudget(qMax<qint64>(0, costBudget))
        , m_clock(clock ? std::move(clock) : Clock(&steadyMs))
    {}

    Q_DISABLE_COPY_MOVE(TtlLruCache)

    static qint64 steadyMs()
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }

    qint64 now() const { return m_clock(); }

    // Inserts or replaces. Returns false (and stores nothing) when the cost alone exceeds the
    // budget. Evicts least recently used entries until count and cost fit.
    bool put(const Key &key, Value value, qint64 ttlMs, qint64 cost = 1)
    {
        QMutexLocker lock(&m_mutex);
        cost = qMax<qint64>(0, cost);
        if (m_costBudget > 0 && cost > m_costBudget) {
            removeLocked(key);
            return false;
        }
        const qint64 t = m_clock();
        const auto found = m_index.constFind(key);
        if (found != m_index.constEnd()) {
            auto it = found.value();
            m_cost += cost - it->cost;
            it->value = std::move(value);
            it->cost = cost;
            it->storedAt = t;
            it->expiresAt = t + ttlMs;
            m_order.splice(m_order.begin(), m_order, it);
        } else {
            m_order.push_front(Node{key, std::move(value), cost, t, t + ttlMs});
            m_index.insert(key, m_order.begin());
            m_cost += cost;
        }
        evictLocked();
        return true;
    }

    // A fresh entry (counts a hit), or nothing (counts a miss). Touches recency on a hit.
    std::optional<Value> get(const Key &key)
    {
        std::optional<Hit> hit = lookup(key, false);
        if (!hit)
            return std::nullopt;
        return std::move(hit->value);
    }

    // Like get(), but with allowStale an expired entry is returned flagged stale (counted as
    // a stale hit and a miss: the caller should refresh it).
    std::optional<Hit> lookup(const Key &key, bool allowStale)
    {
        QMutexLocker lock(&m_mutex);
        const auto found = m_index.constFind(key);
        if (found == m_index.constEnd()) {
            ++m_misses;
            return std::nullopt;
        }
        auto it = found.value();
        const qint64 t = m_clock();
        const bool stale = t >= it->expiresAt;
        if (stale) {
            ++m_misses;
            if (!allowStale)
                return std::nullopt;
            ++m_staleHits;
        } else {
            ++m_hits;
        }
        m_order.splice(m_order.begin(), m_order, it);
        return Hit{it->value, stale, t - it->storedAt, it->expiresAt - t};
    }

    // Reads without touching statistics or recency (for snapshots and the dashboard).
    std::optional<Hit> peek(const Key &key) const
    {
        QMutexLocker lock(&m_mutex);
        const auto found = m_index.constFind(key);
        if (found == m_index.constEnd())
            return std::nullopt;
        const auto it = found.value();
        const qint64 t = m_clock();
        return Hit{it->value, t >= it->expiresAt, t - it->storedAt, it->expiresAt - t};
    }

    bool contains(const Key &key) const
    {
        QMutexLocker lock(&m_mutex);
        const auto found = m_index.constFind(key);
        return found != m_index.constEnd() && m_clock() < found.value()->expiresAt;
    }

    bool erase(const Key &key)
    {
        QMutexLocker lock(&m_mutex);
        return removeLocked(key);
    }

    // Removes every expired entry; returns how many.
    int sweepExpired()
    {
        QMutexLocker lock(&m_mutex);
        const qint64 t = m_clock();
        int removed = 0;
        for (auto it = m_order.begin(); it != m_order.end();) {
            if (t >= it->expiresAt) {
                m_cost -= it->cost;
                m_index.remove(it->key);
                it = m_order.erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
        m_expirations += removed;
        return removed;
    }

    void clear()
    {
        QMutexLocker lock(&m_mutex);
        m_order.clear();
        m_index.clear();
        m_cost = 0;
    }

    void setCapacity(qint64 capacity)
    {
        QMutexLocker lock(&m_mutex);
        m_capacity = qMax<qint64>(1, capacity);
        evictLocked();
    }

    void setCostBudget(qint64 budget)
    {
        QMutexLocker lock(&m_mutex);
        m_costBudget = qMax<qint64>(0, budget);
        evictLocked();
    }

    void recordLoadTime(double ms)
    {
        QMutexLocker lock(&m_mutex);
        m_loadCount += 1;
        m_loadTotalMs += ms;
    }

    qint64 size() const
    {
        QMutexLocker lock(&m_mutex);
        return qint64(m_order.size());
    }

    // Keys from most to least recently used.
    QList<Key> keys() const
    {
        QMutexLocker lock(&m_mutex);
        QList<Key> result;
        result.reserve(qsizetype(m_order.size()));
        for (const Node &node : m_order)
            result.append(node.key);
        return result;
    }

    CacheStats stats() const
    {
        QMutexLocker lock(&m_mutex);
        CacheStats s;
        s.hits = m_hits;
        s.misses = m_misses;
        s.staleHits = m_staleHits;
        const quint64 asked = m_hits + m_misses;
        s.hitRate = asked ? double(m_hits) / double(asked) : 0.0;
        s.evictions = m_evictions;
        s.expirations = m_expirations;
        s.meanLoadMs = m_loadCount ? m_loadTotalMs / double(m_loadCount) : 0.0;
        s.size = qint64(m_order.size());
        s.capacity = m_capacity;
        s.cost = m_cost;
        s.costBudget = m_costBudget;
        return s;
    }

    // Zeroes the counters; the entries stay.
    void resetStats()
    {
        QMutexLocker lock(&m_mutex);
        m_hits = m_misses = m_staleHits = m_evictions = m_expirations = 0;
        m_loadCount = 0;
        m_loadTotalMs = 0;
    }

private:
    struct Node
    {
        Key key;
        Value value;
        qint64 cost = 0;
        qint64 storedAt = 0;
        qint64 expiresAt = 0;
    };
    using List = std::list<Node>;

    bool removeLocked(const Key &key)
    {
        const auto found = m_index.constFind(key);
        if (found == m_index.constEnd())
            return false;
        m_cost -= found.value()->cost;
        m_order.erase(found.value());
        m_index.erase(found);
        return true;
    }

    void evictLocked()
    {
        while (!m_order.empty()
               && (qint64(m_order.size()) > m_capacity
                   || (m_costBudget > 0 && m_cost > m_costBudget))) {
            const Node &victim = m_order.back();
            m_cost -= victim.cost;
            m_index.remove(victim.key);
            m_order.pop_back();
            ++m_evictions;
        }
    }

    mutable QMutex m_mutex;
    List m_order;
    QHash<Key, typename List::iterator> m_index;
    qint64 m_capacity = 1;
    qint64 m_costBudget = 0;
    qint64 m_cost = 0;
    Clock m_clock;
    quint64 m_hits = 0;
    quint64 m_misses = 0;
    quint64 m_staleHits = 0;
    quint64 m_evictions = 0;
    quint64 m_expirations = 0;
    quint64 m_loadCount = 0;
    double m_loadTotalMs = 0;
};

} // namespace Mouse

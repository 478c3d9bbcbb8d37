// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/cache/ttlcache.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

namespace Mouse {

class Settings;

// What the gateway knows about one Orgo computer.
struct VmStatus
{
    QString vmId;
    QString status; // normalized Orgo status: running, stopped, ..., unknown
    QString name;
    QString workspaceId;
    QString url;
    qint64 fetchedAtMs = 0; // wall clock, ms since the epoch, when Orgo said so
};

// The VM status cache: a TtlLruCache whose TTL follows the VM's state (cache/vm_ttl, e.g.
// running 15 s, stopped 60 s, transitional states 5 s), bounded by cache/vm_capacity, swept
// every cache/sweep_interval_ms on a timer of the thread that owns it. Thread-safe.
class VmStatusCache final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VmStatusCache)

public:
    using Cache = TtlLruCache<QString, VmStatus>;
    using Hit = Cache::Hit;

    explicit VmStatusCache(const Settings &settings,
                           Cache::Clock clock = {},
                           QObject *parent = nullptr);

    // Parses "running=15,stopped=60,...,default=10" (seconds); nullopt and *error if invalid.
    static std::optional<QHash<QString, qint64>> parseTtlMap(const QString &text, QString *error);

    qint64 ttlMsFor(const QString &status) const;

    void put(const VmStatus &status);
    std::optional<Hit> lookup(const QString &vmId, bool allowStale)
    {
        return m_cache.lookup(vmId, allowStale);
    }
    std::optional<Hit> peek(const QString &vmId) const { return m_cache.peek(vmId); }
    bool invalidate(const QString &vmId);
    void clear() { m_cache.clear(); }
    int sweep();

    void recordLoadTime(double ms) { m_cache.recordLoadTime(ms); }
    CacheStats stats() const { return m_cache.stats(); }
    void resetStats() { m_cache.resetStats(); }
    QList<QString> keys() const { return m_cache.keys(); }
    Cache &raw() { return m_cache; }

signals:
    void swept(int removed);
    void invalidated(const QString &vmId);

private:
    QHash<QString, qint64> m_ttlMs; // by status; "default" for anything else
    qint64 m_defaultTtlMs = 10000;
    Cache m_cache;
    QTimer m_sweepTimer;
};

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/vmstatuscache.h"

#include "core/config/settings.h"
#include "core/logging.h"

namespace Mouse {

namespace {

// Used when cache/vm_ttl cannot be parsed (Settings validates strings only loosely).
const char DefaultTtlMap[] = "running=15,stopped=60,creating=5,starting=5,stopping=5,"
                             "restarting=5,error=30,unknown=5,default=10";

} // namespace

VmStatusCache::VmStatusCache(const Settings &settings, Cache::Clock clock, QObject *parent)
    : QObject(parent)
    , m_cache(settings.integer(QStringLiteral("cache/vm_capacity")), 0, std::move(clock))
{
    QString error;
    auto map = parseTtlMap(settings.string(QStringLiteral("cache/vm_ttl")), &error);
    if (!map) {
        qCWarning(lcCache) << "cache/vm_ttl is invalid, using the defaults:" << error;
        map = parseTtlMap(QLatin1String(DefaultTtlMap), &error);
    }
    m_ttlMs = *map;
    m_defaultTtlMs = m_ttlMs.value(QStringLiteral("default"), 10000);

    m_sweepTimer.setInterval(int(settings.integer(QStringLiteral("cache/sweep_interval_ms"))));
    connect(&m_sweepTimer, &QTimer::timeout, this, [this] { sweep(); });
    m_sweepTimer.start();
}

std::optional<QHash<QString, qint64>> VmStatusCache::parseTtlMap(const QString &text,
                                                                 QString *error)
{
    QHash<QString, qint64> map;
    for (const QString &item : text.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = item.indexOf(u'=');
        const QString state = item.left(eq).trimmed();
        bool ok = false;
        const double seconds = eq > 0 ? item.mid(eq + 1).trimmed().toDouble(&ok) : 0;
        if (eq <= 0 || state.isEmpty() || !ok || seconds < 0 || seconds > 86400) {
            *error = QStringLiteral("expected state=seconds, got '%1'").arg(item.trimmed());
            return std::nullopt;
        }
        map.insert(state, qint64(seconds * 1000));
    }
    if (!map.contains(QStringLiteral("default")))
        map.insert(QStringLiteral("default"), 10000);
    return map;
}

qint64 VmStatusCache::ttlMsFor(const QString &status) const
{
    return m_ttlMs.value(status, m_defaultTtlMs);
}

void VmStatusCache::put(const VmStatus &status)
{
    m_cache.put(status.vmId, status, ttlMsFor(status.status));
}

bool VmStatusCache::invalidate(const QString &vmId)
{
    const bool removed = m_cache.erase(vmId);
    emit invalidated(vmId);
    return removed;
}

int VmStatusCache::sweep()
{
    const int removed = m_cache.sweepExpired();
    if (removed > 0)
        qCDebug(lcCache) << "vm status sweep removed" << removed;
    emit swept(removed);
    return removed;
}

} // namespace Mouse

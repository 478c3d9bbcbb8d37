// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMutex>
#include <QString>

#include <functional>
#include <map>

namespace Mouse::Metrics {

// Sections of GET /health and GET /admin/performance/metrics, contributed by each module
// (e.g. "caches", "queues", "orgo"). A snapshot function must answer from memory at once:
// it never waits on an upstream or the database. A section that sets "degraded": true makes
// the overall status "degraded". Thread-safe.
class HealthBoard final
{
public:
    using Snapshot = std::function<QJsonObject()>;

    // Adds or replaces a key inside a section, e.g. ("caches", "vm_status", fn).
    void add(const QString &section, const QString &key, Snapshot snapshot);
    void remove(const QString &section, const QString &key);

    // {"section":{"key":{...}}, ...} and whether any part reported "degraded": true.
    QJsonObject snapshot(bool *degraded = nullptr) const;

private:
    mutable QMutex m_mutex;
    std::map<QString, std::map<QString, Snapshot>> m_sections;
};

} // namespace Mouse::Metrics

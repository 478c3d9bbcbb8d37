// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/metrics/healthboard.h"

namespace Mouse::Metrics {

void HealthBoard::add(const QString &section, const QString &key, Snapshot snapshot)
{
    QMutexLocker lock(&m_mutex);
    m_sections[section][key] = std::move(snapshot);
}

void HealthBoard::remove(const QString &section, const QString &key)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_sections.find(section);
    if (it == m_sections.end())
        return;
    it->second.erase(key);
    if (it->second.empty())
        m_sections.erase(it);
}

QJsonObject HealthBoard::snapshot(bool *degraded) const
{
    // Copy the callbacks first so that a slow one never holds the lock.
    std::map<QString, std::map<QString, Snapshot>> sections;
    {
        QMutexLocker lock(&m_mutex);
        sections = m_sections;
    }
    bool anyDegraded = false;
    QJsonObject result;
    for (const auto &[section, parts] : sections) {
        QJsonObject object;
        for (const auto &[key, snapshot] : parts) {
            const QJsonObject part = snapshot();
            anyDegraded = anyDegraded || part.value(QStringLiteral("degraded")).toBool();
            object.insert(key, part);
        }
        result.insert(section, object);
    }
    if (degraded)
        *degraded = anyDegraded;
    return result;
}

} // namespace Mouse::Metrics

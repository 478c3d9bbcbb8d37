// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <random>

namespace Mouse {

// One sandbox computer. `status` is what was last settled; a pending transition (e.g.
// starting -> running) completes at transitionEndsMs and is applied lazily when read.
struct SandboxComputer
{
    QString id;         // UUID
    QString instanceId; // 8 hex characters
    QString name;
    QString os = QStringLiteral("linux");
    int ram = 4;
    int cpu = 1;
    int diskGb = 8;
    QString resolution = QStringLiteral("1280x720x24");
    qint64 createdAtMs = 0;
    QString vncPassword; // 16 hex characters, rotated on every restart
    QString status;
    QString target; // empty: no transition pending
    qint64 transitionEndsMs = 0;
    quint32 look = 0; // picks the desktop's colours and windows
};

// The sandbox's computers and their state machine, in one workspace. Deterministic from its
// seed. Not thread-safe: it belongs to the SandboxServer's thread.
class SandboxFleet final
{
public:
    enum class Outcome { Ok, NotFound, Conflict, Invalid };
    enum class Action { Start, Stop, Restart };

    SandboxFleet(QString workspaceId, quint64 seed, int count, qint64 nowMs);

    void setTransitionMs(int ms) { m_transitionMs = ms; }
    int transitionMs() const { return m_transitionMs; }

    QString workspaceId() const { return m_workspaceId; }
    QString workspaceName() const { return m_workspaceName; }
    qint64 createdAtMs() const { return m_createdAtMs; }
    int size() const { return int(m_computers.size()); }

    // Settles due transitions first, so the answer is the state as of nowMs.
    const SandboxComputer *find(const QString &id, qint64 nowMs);
    QList<const SandboxComputer *> all(qint64 nowMs);

    // start: only when stopped or suspended; stop and restart: only when running
    // (Orgo answers 409 otherwise). *status gets the new (or, on conflict, the current) state.
    Outcome act(const QString &id, Action action, qint64 nowMs, QString *status);

    // POST /computers: *error says why on Invalid/Conflict.
    Outcome
    create(const QJsonObject &body, qint64 nowMs, const SandboxComputer **created, QString *error);
    bool remove(const QString &id);

    // One spontaneous change (restart, stop, or a stopped computer starting); the id changed,
    // or empty when nothing could change.
    QString drift(qint64 nowMs);

    // The full computer object of GET /computers/{id}; `origin` is e.g. http://127.0.0.1:PORT.
    QJsonObject toJson(const SandboxComputer &computer, const QString &origin) const;
    // The subset listed in a workspace's "desktops".
    QJsonObject toSummaryJson(const SandboxComputer &computer) const;
    // The workspace object, with "desktops" (and the older "computer_count").
    QJsonObject workspaceJson(qint64 nowMs);

    static bool isKnownStatus(const QString &status);

private:
    void settle(SandboxComputer &computer, qint64 nowMs) const;
    SandboxComputer makeComputer(const QString &name, qint64 nowMs);
    QString uuid();
    QString hex(int digits);
    int indexOf(const QString &id) const;
    void reindex();

    QString m_workspaceId;
    QString m_workspaceName;
    qint64 m_createdAtMs = 0;
    std::mt19937_64 m_random;
    int m_transitionMs = 3000;
    QList<SandboxComputer> m_computers;
    QHash<QString, int> m_index; // id -> position in m_computers
};

} // namespace Mouse

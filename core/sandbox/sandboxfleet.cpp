// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sandbox/sandboxfleet.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUrl>

#include <array>

namespace Mouse {

namespace {

const std::array<const char *, 12> Teams = {"sales",
                                            "support",
                                            "finance",
                                            "design",
                                            "ops",
                                            "research",
                                            "legal",
                                            "marketing",
                                            "data",
                                            "qa",
                                            "hr",
                                            "dev"};
const std::array<const char *, 24> People
        = {"maria", "james",  "aiko",  "omar",  "lena",  "ravi",  "sofia", "noah",
           "chen",  "fatima", "lucas", "amara", "jonas", "priya", "mateo", "yuki",
           "elena", "kwame",  "ines",  "tomas", "hana",  "diego", "zara",  "felix"};

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

SandboxFleet::SandboxFleet(QString workspaceId, quint64 seed, int count, qint64 nowMs)
    : m_workspaceId(std::move(workspaceId))
    , m_workspaceName(QStringLiteral("sandbox"))
    , m_createdAtMs(nowMs - 90LL * 24 * 3600 * 1000)
    , m_random(seed)
{
    m_computers.reserve(count);
    for (int i = 0; i < count; ++i) {
        // Drawn one by one: the order of evaluation of function arguments is unspecified.
        const char *team = Teams[m_random() % Teams.size()];
        const char *person = People[m_random() % People.size()];
        const QString name = QStringLiteral("%1-%2-%3")
                                     .arg(QLatin1String(team), QLatin1String(person))
                                     .arg(i + 1, 2, 10, QLatin1Char('0'));
        SandboxComputer computer = makeComputer(name, nowMs);
        computer.createdAtMs = nowMs - qint64(m_random() % (60LL * 24 * 3600)) * 1000;

        // Mostly running, as a real fleet during office hours.
        const int roll = int(m_random() % 100);
        if (roll < 80) {
            computer.status = QStringLiteral("running");
        } else if (roll < 92) {
            computer.status = QStringLiteral("stopped");
        } else if (roll < 95) {
            computer.status = QStringLiteral("suspended");
        } else if (roll < 97) {
            computer.status = QStringLiteral("error");
        } else {
            computer.status = QStringLiteral("starting");
            computer.target = QStringLiteral("running");
            computer.transitionEndsMs = nowMs + m_transitionMs;
        }
        m_computers.append(computer);
    }
    reindex();
}

SandboxComputer SandboxFleet::makeComputer(const QString &name, qint64 nowMs)
{
    static constexpr std::array<int, 3> Rams = {4, 8, 16};
    static constexpr std::array<int, 3> Cpus = {1, 2, 4};
    SandboxComputer computer;
    computer.id = uuid();
    computer.instanceId = hex(8);
    computer.name = name;
    computer.ram = Rams[m_random() % Rams.size()];
    computer.cpu = Cpus[m_random() % Cpus.size()];
    computer.diskGb = computer.ram >= 16 ? 32 : 8;
    computer.createdAtMs = nowMs;
    computer.vncPassword = hex(16);
    computer.look = quint32(m_random());
    return computer;
}

QString SandboxFleet::uuid()
{
    // A version-4 UUID drawn from the seeded generator, so ids repeat from run to run.
    quint64 high = m_random();
    quint64 low = m_random();
    high = (high & ~0xF000ULL) | 0x4000ULL;
    low = (low & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
    const QString h = QStringLiteral("%1").arg(high, 16, 16, QLatin1Char('0'));
    const QString l = QStringLiteral("%1").arg(low, 16, 16, QLatin1Char('0'));
    return QStringLiteral("%1-%2-%3-%4-%5")
            .arg(h.left(8), h.mid(8, 4), h.mid(12, 4), l.left(4), l.mid(4));
}

QString SandboxFleet::hex(int digits)
{
    QString text;
    while (text.size() < digits)
        text += QStringLiteral("%1").arg(m_random(), 16, 16, QLatin1Char('0'));
    return text.left(digits);
}

void SandboxFleet::reindex()
{
    m_index.clear();
    m_index.reserve(m_computers.size());
    for (int i = 0; i < m_computers.size(); ++i)
        m_index.insert(m_computers.at(i).id, i);
}

int SandboxFleet::indexOf(const QString &id) const
{
    return m_index.value(id, -1);
}

void SandboxFleet::settle(SandboxComputer &computer, qint64 nowMs) const
{
    if (computer.target.isEmpty() || nowMs < computer.transitionEndsMs)
        return;
    computer.status = computer.target;
    computer.target.clear();
}

const SandboxComputer *SandboxFleet::find(const QString &id, qint64 nowMs)
{
    const int index = indexOf(id);
    if (index < 0)
        return nullptr;
    SandboxComputer &computer = m_computers[index];
    settle(computer, nowMs);
    return &computer;
}

QList<const SandboxComputer *> SandboxFleet::all(qint64 nowMs)
{
    QList<const SandboxComputer *> result;
    result.reserve(m_computers.size());
    for (SandboxComputer &computer : m_computers) {
        settle(computer, nowMs);
        result.append(&computer);
    }
    return result;
}

SandboxFleet::Outcome
SandboxFleet::act(const QString &id, Action action, qint64 nowMs, QString *status)
{
    const int index = indexOf(id);
    if (index < 0)
        return Outcome::NotFound;
    SandboxComputer &computer = m_computers[index];
    settle(computer, nowMs);

    QString transient;
    switch (action) {
    case Action::Start:
        if (computer.status == u"stopped" || computer.status == u"suspended")
            transient = QStringLiteral("starting");
        break;
    case Action::Stop:
        if (computer.status == u"running")
            transient = QStringLiteral("stopping");
        break;
    case Action::Restart:
        // Orgo documents no state that refuses a restart; it is how a VM in error recovers.
        if (computer.status == u"running" || computer.status == u"error")
            transient = QStringLiteral("restarting");
        break;
    }
    if (transient.isEmpty()) {
        *status = computer.status;
        return Outcome::Conflict;
    }

    computer.status = transient;
    computer.target
            = action == Action::Stop ? QStringLiteral("stopped") : QStringLiteral("running");
    computer.transitionEndsMs = nowMs + m_transitionMs;
    if (action != Action::Stop)
        computer.vncPassword = hex(16);
    *status = transient;
    return Outcome::Ok;
}

SandboxFleet::Outcome SandboxFleet::create(const QJsonObject &body,
                                           qint64 nowMs,
                                           const SandboxComputer **created,
                                           QString *error)
{
    const QString workspace
            = body.value(QStringLiteral("workspace_id"))
                      .toString(body.value(QStringLiteral("project_id")).toString());
    const QString name = body.value(QStringLiteral("name")).toString().trimmed();
    if (workspace.isEmpty() || name.isEmpty()) {
        *error = QStringLiteral("workspace_id and name are required");
        return Outcome::Invalid;
    }
    if (workspace != m_workspaceId) {
        *error = QStringLiteral("Workspace not found");
        return Outcome::NotFound;
    }
    for (const SandboxComputer &computer : std::as_const(m_computers)) {
        if (computer.name == name) {
            *error = QStringLiteral("A computer named '%1' already exists in this workspace")
                             .arg(name);
            return Outcome::Conflict;
        }
    }

    static constexpr std::array<int, 5> Rams = {4, 8, 16, 32, 64};
    static constexpr std::array<int, 5> Cpus = {1, 2, 4, 8, 16};
    const int ram = body.value(QStringLiteral("ram")).toInt(4);
    const int cpu = body.value(QStringLiteral("cpu")).toInt(1);
    if (std::find(Rams.begin(), Rams.end(), ram) == Rams.end()
        || std::find(Cpus.begin(), Cpus.end(), cpu) == Cpus.end()) {
        *error = QStringLiteral(
                "ram must be one of 4, 8, 16, 32, 64 and cpu one of 1, 2, 4, 8, 16");
        return Outcome::Invalid;
    }
    const QString os = body.value(QStringLiteral("os")).toString(QStringLiteral("linux"));
    if (os != u"linux") {
        *error = QStringLiteral("os must be linux");
        return Outcome::Invalid;
    }

    SandboxComputer computer = makeComputer(name, nowMs);
    computer.ram = ram;
    computer.cpu = cpu;
    computer.diskGb = body.value(QStringLiteral("disk_size_gb")).toInt(8);
    computer.resolution
            = body.value(QStringLiteral("resolution")).toString(QStringLiteral("1280x720x24"));
    computer.status = QStringLiteral("creating");
    computer.target = QStringLiteral("running");
    computer.transitionEndsMs = nowMs + m_transitionMs;
    m_computers.append(computer);
    m_index.insert(computer.id, int(m_computers.size() - 1));
    *created = &m_computers.last();
    return Outcome::Ok;
}

bool SandboxFleet::remove(const QString &id)
{
    const int index = indexOf(id);
    if (index < 0)
        return false;
    m_computers.removeAt(index);
    reindex();
    return true;
}

QString SandboxFleet::drift(qint64 nowMs)
{
    if (m_computers.isEmpty())
        return {};
    SandboxComputer &computer = m_computers[int(m_random() % m_computers.size())];
    settle(computer, nowMs);
    if (!computer.target.isEmpty())
        return {};

    QString status;
    Action action = Action::Start;
    if (computer.status == u"running")
        action = m_random() % 100 < 65 ? Action::Restart : Action::Stop;
    else if (computer.status == u"error")
        computer.status = QStringLiteral("stopped"); // recovers through a start
    if (act(computer.id, action, nowMs, &status) != Outcome::Ok)
        return {};
    return computer.id;
}

QJsonObject SandboxFleet::toJson(const SandboxComputer &computer, const QString &origin) const
{
    return QJsonObject{
            {QStringLiteral("id"), computer.id},
            {QStringLiteral("name"), computer.name},
            {QStringLiteral("project_name"), m_workspaceName},
            {QStringLiteral("workspace_id"), m_workspaceId},
            {QStringLiteral("os"), computer.os},
            {QStringLiteral("ram"), computer.ram},
            {QStringLiteral("cpu"), computer.cpu},
            {QStringLiteral("gpu"), QStringLiteral("none")},
            {QStringLiteral("disk_size_gb"), computer.diskGb},
            {QStringLiteral("resolution"), computer.resolution},
            {QStringLiteral("status"), computer.status},
            {QStringLiteral("url"), QString(origin + QStringLiteral("/workspaces/") + computer.id)},
            {QStringLiteral("created_at"), isoTime(computer.createdAtMs)},
            {QStringLiteral("instance_id"), computer.instanceId},
            {QStringLiteral("fly_instance_id"), computer.instanceId},
            {QStringLiteral("hostname"), QUrl(origin).authority()},
            {QStringLiteral("connection_url"),
             QString(origin + QStringLiteral("/desktops/") + computer.instanceId)},
            {QStringLiteral("vnc_password"), computer.vncPassword},
            {QStringLiteral("auto_stop_minutes"), 0},
    };
}

QJsonObject SandboxFleet::toSummaryJson(const SandboxComputer &computer) const
{
    return QJsonObject{
            {QStringLiteral("id"), computer.id},
            {QStringLiteral("name"), computer.name},
            {QStringLiteral("os"), computer.os},
            {QStringLiteral("ram"), computer.ram},
            {QStringLiteral("cpu"), computer.cpu},
            {QStringLiteral("status"), computer.status},
            {QStringLiteral("instance_id"), computer.instanceId},
            {QStringLiteral("created_at"), isoTime(computer.createdAtMs)},
    };
}

QJsonObject SandboxFleet::workspaceJson(qint64 nowMs)
{
    QJsonArray desktops;
    for (const SandboxComputer *computer : all(nowMs))
        desktops.append(toSummaryJson(*computer));
    return QJsonObject{
            {QStringLiteral("id"), m_workspaceId},
            {QStringLiteral("name"), m_workspaceName},
            {QStringLiteral("user_id"), QStringLiteral("user-sandbox")},
            {QStringLiteral("status"), QStringLiteral("active")},
            {QStringLiteral("icon_url"), QJsonValue(QJsonValue::Null)},
            {QStringLiteral("created_at"), isoTime(m_createdAtMs)},
            {QStringLiteral("updated_at"), isoTime(nowMs)},
            {QStringLiteral("computer_count"), int(m_computers.size())},
            {QStringLiteral("desktops"), desktops},
    };
}

bool SandboxFleet::isKnownStatus(const QString &status)
{
    static const QStringList Known = {QStringLiteral("creating"),
                                      QStringLiteral("starting"),
                                      QStringLiteral("running"),
                                      QStringLiteral("stopping"),
                                      QStringLiteral("stopped"),
                                      QStringLiteral("restarting"),
                                      QStringLiteral("suspended"),
                                      QStringLiteral("deleting"),
                                      QStringLiteral("error")};
    return Known.contains(status);
}

} // namespace Mouse

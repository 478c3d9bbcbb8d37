// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/queue/taskqueue.h"

#include "core/config/settings.h"
#include "core/storage/database.h"

namespace Mouse {

// TODO(#3): the real queue; remove this stub when it lands (within the hour).
struct TaskQueue::Entry
{};
struct TaskQueue::Private
{};

QJsonObject QueueMetricsSnapshot::toJson() const
{
    return {};
}

TaskQueue::Options TaskQueue::Options::fromSettings(const Settings &settings)
{
    Options o;
    o.paymentWorkers = int(settings.integer(QStringLiteral("queue/payment_workers")));
    o.backgroundWorkers = int(settings.integer(QStringLiteral("queue/background_workers")));
    o.maxRetries = int(settings.integer(QStringLiteral("queue/max_retries")));
    o.retryBaseMs = settings.integer(QStringLiteral("queue/retry_base_ms"));
    o.retryCapMs = settings.integer(QStringLiteral("queue/retry_cap_ms"));
    o.maxBacklog = settings.integer(QStringLiteral("queue/max_backlog"));
    o.retentionDays = int(settings.integer(QStringLiteral("queue/retention_days")));
    o.retentionCount = settings.integer(QStringLiteral("queue/retention_count"));
    return o;
}

TaskQueue::TaskQueue(Database &database,
                     Options options,
                     EventLog *eventLog,
                     Metrics::Registry *,
                     QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_options(std::move(options))
    , m_eventLog(eventLog)
    , d(std::make_unique<Private>())
{}

TaskQueue::~TaskQueue() = default;
void TaskQueue::registerHandler(const QString &, TaskHandler, TaskPool) {}
bool TaskQueue::start(QString *)
{
    return true;
}
void TaskQueue::stop(int) {}
QString TaskQueue::enqueue(const NewTask &)
{
    return {};
}
QString TaskQueue::insert(QSqlDatabase &, const NewTask &, qint64)
{
    return {};
}
void TaskQueue::announce(const QStringList &) {}
qint64 TaskQueue::backlog() const
{
    return 0;
}
bool TaskQueue::isBacklogFull(qint64) const
{
    return false;
}
void TaskQueue::pause() {}
void TaskQueue::resume() {}
bool TaskQueue::isPaused() const
{
    return false;
}
bool TaskQueue::retryDead(const QString &)
{
    return false;
}
bool TaskQueue::discardDead(const QString &)
{
    return false;
}
QString TaskQueue::replay(const NewTask &)
{
    return {};
}
QJsonObject TaskQueue::deadTasks(int) const
{
    return {};
}
QJsonObject TaskQueue::task(const QString &) const
{
    return {};
}
qint64 TaskQueue::pruneNow()
{
    return 0;
}
void TaskQueue::processDueRetries() {}
bool TaskQueue::waitForIdle(int)
{
    return true;
}
QueueMetricsSnapshot TaskQueue::metricsSnapshot() const
{
    return {};
}
qint64 TaskQueue::backoffMs(int) const
{
    return 0;
}

} // namespace Mouse

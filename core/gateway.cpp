// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/billing/billing.h"
#include "core/cache/vmstatuscache.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/http/httpserver.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/metrics/metrics.h"
#include "core/orgo/orgoclient.h"
#include "core/queue/taskqueue.h"
#include "core/sandbox/sandboxserver.h"
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"
#include "core/storage/database.h"
#include "core/storage/instancelock.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTimer>

namespace Mouse {

namespace {

QString generateToken()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / 4);
    return QStringLiteral("mgw_admin_")
           + QString::fromLatin1(
                   bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

Gateway::Gateway(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_eventLog(std::make_unique<EventLog>())
    , m_metrics(std::make_unique<Metrics::Registry>())
    , m_health(std::make_unique<Metrics::HealthBoard>())
    , m_router(std::make_unique<Http::Router>())
{
    m_adminToken = m_settings.string(QStringLiteral("server/admin_token"));
    if (m_adminToken.isEmpty()) {
        m_adminToken = generateToken();
        m_adminTokenGenerated = true;
    }
}

Gateway::~Gateway()
{
    stop();
}

bool Gateway::isSandbox() const
{
    return m_settings.string(QStringLiteral("orgo/api_key")).isEmpty();
}

QString Gateway::adminToken() const
{
    return m_adminToken;
}

bool Gateway::start(QString *error)
{
    Q_ASSERT(!m_running);
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_running = true;

    const bool ok = startStorage(error) && startFleet(error) && startPayments(error)
                    && startScreens(error) && startHttp(error);
    if (!ok) {
        m_eventLog->error(QStringLiteral("gateway"),
                          QStringLiteral("The gateway could not start: %1").arg(*error));
        stop();
        return false;
    }
    m_eventLog->info(
            QStringLiteral("gateway"),
            QStringLiteral("Gateway started on %1 with %2 Orgo")
                    .arg(serverUrl().toString(),
                         isSandbox() ? QStringLiteral("the sandbox") : QStringLiteral("the real")));
    emit started();
    return true;
}

void Gateway::stop()
{
    if (!m_running)
        return;
    m_running = false;
    emit stopping();

    // No new connections; what waits on a screenshot is told the gateway is stopping, and
    // those answers (and the viewers' close frames) get server/drain_ms to reach the clients.
    if (m_http)
        m_http->stopListening();
    goAwayScreens();
    drainConnections();

    // Reverse order of start: the connections first, storage last.
    stopHttp();
    stopScreens();
    stopPayments();
    stopFleet();
    m_database.reset();
    m_instanceLock.reset();
}

// Runs the event loop until nothing is owed to a client or server/drain_ms has passed. The
// caller's loop may have ended already (the dashboard stops after exec() returns), hence
// processEvents rather than a QEventLoop.
bool Gateway::drainConnections()
{
    const auto inFlight = [this] {
        const int http = m_http ? m_http->connectionsInFlight() : 0;
        const StreamHub *hub = m_screens ? m_screens->findChild<StreamHub *>() : nullptr;
        return http + (hub ? hub->openSockets() : 0);
    };
    if (!QCoreApplication::instance())
        return inFlight() == 0;
    // Requests that reached the sockets before the stop but that the loop has not read yet
    // (the signal's notifier can come first in the same poll) are owed an answer too: one
    // pass reads them, and they are answered with Connection: close. Without it every
    // keep-alive client with a request on the wire got a reset (8 of 8 busy pollers).
    QCoreApplication::processEvents();
    if (inFlight() == 0)
        return true;
    const qint64 budgetMs = m_settings.integer(QStringLiteral("server/drain_ms"));
    QDeadlineTimer deadline(budgetMs);
    QTimer wake; // processEvents waits for an event; this bounds each wait
    wake.start(10);
    while (inFlight() > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    const int left = inFlight();
    if (left > 0)
        qCWarning(lcHttp) << left << "connections still busy after" << budgetMs
                          << "ms (server/drain_ms); closing them";
    return left == 0;
}

bool Gateway::startStorage(QString *error)
{
    QString location = m_settings.string(QStringLiteral("storage/database"));
    if (location.isEmpty())
        location = Database::defaultLocation();
    m_database = std::make_unique<Database>(location);
    // Before the database is opened or migrated: a second gateway on the same file must not
    // touch it (migrations, the queue's restart recovery of the first one's running tasks).
    if (m_database->kind() == Database::Kind::Sqlite && location != u"sqlite::memory:") {
        const QFileInfo file(location);
        QDir().mkpath(file.absolutePath()); // Database::open() reports a failure
        const QString canonical = file.canonicalFilePath();
        m_instanceLock = std::make_unique<InstanceLock>(
                InstanceLock::pathFor(canonical.isEmpty() ? file.absoluteFilePath() : canonical));
        if (!m_instanceLock->acquire(error))
            return false;
    }
    if (!m_database->open(error))
        return false;
    qCInfo(lcStorage) << "storage ready, schema version" << m_database->schemaVersion();
    return true;
}

} // namespace Mouse

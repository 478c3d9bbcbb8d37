// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/metrics/metrics.h"
#include "core/orgo/orgoclient.h"
#include "core/screens/screenshotroutes.h"
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

// The stream hub is owned by the service (a QObject child), so the gateway needs no new member.
StreamHub *hubOf(ScreenshotService *service)
{
    return service ? service->findChild<StreamHub *>() : nullptr;
}

// Orgo's failure, in the screens module's terms (the HTTP status follows from it).
UpstreamBody fromOrgo(const Orgo::BytesResult &result)
{
    if (result.ok())
        return {result.body, std::nullopt};
    ScreenError error{ScreenError::Kind::Upstream,
                      QStringLiteral("upstream_error"),
                      QStringLiteral("Orgo could not provide the screenshot."),
                      result.error.httpStatus};
    switch (result.error.kind) {
    case Orgo::ErrorKind::Timeout:
        error.code = QStringLiteral("upstream_timeout");
        break;
    case Orgo::ErrorKind::RateLimited:
    case Orgo::ErrorKind::CircuitOpen:
    case Orgo::ErrorKind::Unavailable:
        error.code = QStringLiteral("upstream_unavailable");
        break;
    default:
        break;
    }
    return {{}, error};
}

// Orgo refuses the screenshot of a VM without a desktop (400 "Desktop instance not available",
// or 409 from the desktop side) without saying which state it is in.
bool mayBeNotRunning(const Orgo::BytesResult &result)
{
    return result.error.kind == Orgo::ErrorKind::Http
           && (result.error.httpStatus == 400 || result.error.httpStatus == 409);
}

// The screenshot's failure, or "not running" when the VM's own record says so: a stopped VM is
// the client's business (409), not Orgo failing (502).
UpstreamBody withVmState(const Orgo::BytesResult &screenshot, const Orgo::ComputerResult &vm)
{
    UpstreamBody body = fromOrgo(screenshot);
    const QString &status = vm.computer.status;
    if (!vm.ok() || status == u"running" || status == u"unknown" || status.isEmpty())
        return body;
    body.error->kind = ScreenError::Kind::NotRunning;
    body.error->code = QStringLiteral("vm_not_running");
    body.error->message = QStringLiteral("The VM is not running (its state is %1).").arg(status);
    body.error->vmStatus = status;
    return body;
}

QFuture<UpstreamBody> screenshotOf(OrgoClient *orgo, const QString &vm)
{
    return orgo->screenshot(vm)
            .then(orgo,
                  [orgo, vm](const Orgo::BytesResult &result) {
                      if (!mayBeNotRunning(result))
                          return QtFuture::makeReadyFuture(fromOrgo(result));
                      return orgo->computer(vm).then(
                              orgo, [result](const Orgo::ComputerResult &computer) {
                                  return withVmState(result, computer);
                              });
                  })
            .unwrap();
}

ScreenshotUpstream upstreamOf(OrgoClient *orgo)
{
    ScreenshotUpstream upstream;
    if (!orgo)
        return upstream;
    // OrgoClient completes its futures on its own (the main) thread, so do these.
    upstream.screenshotJson = [orgo](const QString &vm) {
        return screenshotOf(orgo, vm);
    };
    upstream.fetchBytes = [orgo](const QUrl &url) {
        return orgo->fetchBytes(url).then(orgo, &fromOrgo);
    };
    return upstream;
}

} // namespace

bool Gateway::startScreens(QString *error)
{
    std::optional<ScreenshotServiceOptions> options
            = ScreenshotServiceOptions::fromSettings(m_settings, error);
    if (!options)
        return false;

    m_screens = std::make_unique<ScreenshotService>(*options, upstreamOf(m_orgo.get()));
    auto *hub = new StreamHub(*m_screens, options->streamIntervalMs, m_screens.get());
    hub->setViewerLimits(ViewerLimits::fromSettings(m_settings));
    // In the registry, which outlives the hub: a scrape after the screens stopped reads them.
    const auto dropped = [this](const QString &reason) {
        return &m_metrics->counter(u"mouse_screens_viewers_dropped_total"_s,
                                   u"WebSocket viewers closed by the gateway, by reason"_s,
                                   {{u"reason"_s, reason}});
    };
    hub->setDropCounters(dropped(u"write_stall"_s), dropped(u"pong_timeout"_s));
    m_screens->registerHealth(*m_health);

    // A VM is the customer's when one of its employees runs on it; anything else is a 404,
    // never another customer's screen.
    Directory *directory = m_directory.get();
    VmOwnership ownsVm = [directory](const QString &customerId, const QString &vmId) {
        if (!directory)
            return false;
        const std::optional<Employee> employee = directory->employeeByVm(vmId);
        return employee && employee->customerId == customerId;
    };
    registerScreenshotRoutes(*m_router, *m_screens, *hub, std::move(ownsVm));
    // A deleted VM's live viewers are told and let go (ownership was checked when they came).
    if (m_fleet) {
        connect(m_fleet.get(), &FleetService::vmDeleted, hub, [hub](const QString &vmId) {
            hub->endStream(
                    vmId, QStringLiteral("vm_deleted"), QStringLiteral("The VM was deleted."));
        });
    }
    qCInfo(lcScreens) << "screenshots ready," << m_screens->encodePool()->maxThreadCount()
                      << "encode threads";
    return true;
}

void Gateway::goAwayScreens()
{
    if (StreamHub *hub = hubOf(m_screens.get()))
        hub->goAway(QStringLiteral("The gateway is shutting down."));
    // Everyone waiting on a screenshot or a batch is answered 503 shutting_down now, while
    // the connections are still open.
    if (m_screens)
        m_screens->shutdown();
}

void Gateway::stopScreens()
{
    if (StreamHub *hub = hubOf(m_screens.get()))
        delete hub; // closes the viewers' sockets before the service goes
    m_screens.reset();
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/gateway.h"

#include "core/log/eventlog.h"
#include "core/logging.h"
#include "core/metrics/healthboard.h"
#include "core/screens/screenshotroutes.h"
#include "core/screens/screenshotservice.h"
#include "core/screens/streamhub.h"

namespace Mouse {

namespace {

// The stream hub is owned by the service (a QObject child), so the gateway needs no new member.
StreamHub *hubOf(ScreenshotService *service)
{
    return service ? service->findChild<StreamHub *>() : nullptr;
}

} // namespace

bool Gateway::startScreens(QString *error)
{
    std::optional<ScreenshotServiceOptions> options
            = ScreenshotServiceOptions::fromSettings(m_settings, error);
    if (!options)
        return false;

    // TODO(#4): wire OrgoClient::screenshot(id) and fetchBytes(url) here; remove when the
    // Fleet engineer's OrgoClient lands on main (until then every screenshot answers 502).
    ScreenshotUpstream upstream;

    m_screens = std::make_unique<ScreenshotService>(*options, std::move(upstream));
    auto *hub = new StreamHub(*m_screens, options->streamIntervalMs, m_screens.get());
    m_screens->registerHealth(*m_health);

    // TODO(#4): Directory::employeeByVm for ownership; remove when Directory lands on main.
    // Until then no VM is anyone's: 404, never another customer's screen.
    VmOwnership ownsVm = [](const QString &, const QString &) {
        return false;
    };
    registerScreenshotRoutes(*m_router, *m_screens, *hub, std::move(ownsVm));
    qCInfo(lcScreens) << "screenshots ready," << m_screens->encodePool()->maxThreadCount()
                      << "encode threads";
    return true;
}

void Gateway::stopScreens()
{
    if (StreamHub *hub = hubOf(m_screens.get()))
        delete hub; // closes the viewers' sockets before the service goes
    m_screens.reset();
}

} // namespace Mouse

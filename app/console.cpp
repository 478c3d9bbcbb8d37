// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/console.h"

#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/version.h"

#include <cstdio>

namespace Mouse::App {

namespace {

void printDemoKeys(const Gateway &gateway, const QList<FleetService::DemoCredential> &demo)
{
    QString text = QStringLiteral("Demo customers (shown once; keys are stored hashed):\n");
    for (const FleetService::DemoCredential &credential : demo) {
        text += QStringLiteral("  %1 (%2): %3\n")
                        .arg(credential.companyName,
                             credential.customerId,
                             QString::fromLatin1(credential.apiKey));
    }
    if (!demo.isEmpty()) {
        text += QStringLiteral("  try:     curl -H 'Authorization: Bearer %1' "
                               "%2/api/v1/customers/%3/vms\n")
                        .arg(QString::fromLatin1(demo.constFirst().apiKey),
                             gateway.serverUrl().toString(),
                             demo.constFirst().customerId);
    }
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

} // namespace

void printWelcome(const Gateway &gateway)
{
    const QString url = gateway.serverUrl().toString();
    QString text = QStringLiteral("Mouse Gateway %1 is serving on %2 (Orgo: %3)\n")
                           .arg(QLatin1String(Mouse::Version),
                                url,
                                gateway.isSandbox() ? QStringLiteral("built-in sandbox fleet")
                                                    : QStringLiteral("real API"));
    text += QStringLiteral("  health:  curl %1/health\n").arg(url);
    if (gateway.adminTokenGenerated()) {
        text += QStringLiteral("  admin:   curl -H 'Authorization: Bearer %1' %2/admin/vms/status\n"
                               "           (a one-time token for this run; set MOUSE_ADMIN_TOKEN "
                               "to choose your own)\n")
                        .arg(gateway.adminToken(), url);
    } else {
        text += QStringLiteral("  admin:   curl -H \"Authorization: Bearer $MOUSE_ADMIN_TOKEN\" "
                               "%1/admin/vms/status\n")
                        .arg(url);
    }
    text += QStringLiteral("  stop:    Ctrl+C\n");
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

void printDemoKeysWhenSeeded(Gateway &gateway)
{
    // The fleet exists once the gateway has started; its demo seed follows.
    QObject::connect(&gateway, &Gateway::started, &gateway, [&gateway] {
        if (!gateway.fleet())
            return;
        QObject::connect(gateway.fleet(),
                         &FleetService::demoSeeded,
                         gateway.fleet(),
                         [&gateway](const QList<FleetService::DemoCredential> &demo) {
                             printDemoKeys(gateway, demo);
                         });
    });
}

} // namespace Mouse::App

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/faces.h"
#include "app/unixsignals.h"

#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "core/version.h"

#include <QCoreApplication>

#include <cstdio>

namespace Mouse::App {

namespace {

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

int runServer(int argc, char **argv, const Settings &settings)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mouse-gateway"));
    QCoreApplication::setApplicationVersion(QLatin1String(Mouse::Version));

    Gateway gateway(settings);
    gateway.eventLog()->setEchoToStderr(true);
    QObject::connect(&gateway, &Gateway::started, &app, [&gateway] {
        if (!gateway.fleet())
            return;
        QObject::connect(gateway.fleet(),
                         &FleetService::demoSeeded,
                         gateway.fleet(),
                         [&gateway](const QList<FleetService::DemoCredential> &demo) {
                             printDemoKeys(gateway, demo);
                         });
    });
    QString error;
    if (!gateway.start(&error)) {
        std::fprintf(stderr, "mouse-gateway: %s\n", qPrintable(error));
        return 1;
    }
    printWelcome(gateway);

    UnixSignals signals_;
    QObject::connect(&signals_, &UnixSignals::terminationRequested, &app, [&gateway] {
        gateway.eventLog()->info(QStringLiteral("gateway"), QStringLiteral("Stopping on request"));
        gateway.stop();
        QCoreApplication::quit();
    });
    return app.exec();
}

} // namespace Mouse::App

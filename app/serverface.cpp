// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/console.h"
#include "app/faces.h"
#include "app/unixsignals.h"

#include "core/gateway.h"
#include "core/log/eventlog.h"
#include "core/version.h"

#include <QCoreApplication>

#include <cstdio>

namespace Mouse::App {

int runServer(int argc, char **argv, const Settings &settings)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mouse-gateway"));
    QCoreApplication::setApplicationVersion(QLatin1String(Mouse::Version));

    // Before start(): a signal during start-up (opening storage, reserving the WAL) is then
    // queued and handled by an orderly stop once the event loop runs, instead of killing the
    // process half way.
    UnixSignals signals_;
    Gateway gateway(settings);
    gateway.eventLog()->setEchoToStderr(true);
    printDemoKeysWhenSeeded(gateway);
    QString error;
    if (!gateway.start(&error)) {
        std::fprintf(stderr, "mouse-gateway: %s\n", qPrintable(error));
        return 1;
    }
    printWelcome(gateway);

    QObject::connect(&signals_, &UnixSignals::terminationRequested, &app, [&gateway] {
        gateway.eventLog()->info(QStringLiteral("gateway"), QStringLiteral("Stopping on request"));
        gateway.stop();
        QCoreApplication::quit();
    });
    return app.exec();
}

} // namespace Mouse::App

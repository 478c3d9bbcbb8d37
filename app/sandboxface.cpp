// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/faces.h"
#include "app/unixsignals.h"

#include "core/sandbox/sandboxserver.h"
#include "core/version.h"

#include <QCoreApplication>

#include <cstdio>

namespace Mouse::App {

namespace {

void printWelcome(const SandboxServer &sandbox, const Settings &settings)
{
    const QString url = sandbox.baseUrl().toString();
    const SandboxServer::Config config = sandbox.config();
    QString text = QStringLiteral("Mouse Gateway %1: Orgo sandbox fleet of %2 computers on %3\n")
                           .arg(QLatin1String(Mouse::Version))
                           .arg(sandbox.computers().size())
                           .arg(url);
    text += QStringLiteral("  workspace: %1\n").arg(sandbox.workspaceId());
    text += QStringLiteral("  latency:   %1 ms + 0..%2 ms; faults: 429 %3, 503 %4, hang %5\n")
                    .arg(config.latencyMs)
                    .arg(config.jitterMs)
                    .arg(config.fault429)
                    .arg(config.fault503)
                    .arg(config.faultHang);
    if (settings.sourceOf(QStringLiteral("sandbox/api_key")) == u"default") {
        text += QStringLiteral("  try:       curl -H 'Authorization: Bearer %1' %2/workspaces/%3\n")
                        .arg(sandbox.apiKey(), url, sandbox.workspaceId());
        text += QStringLiteral("  gateway:   ORGO_API_URL=%1 ORGO_API_KEY=%2 ORGO_WORKSPACE_ID=%3 "
                               "mouse-gateway --server\n")
                        .arg(url, sandbox.apiKey(), sandbox.workspaceId());
    } else {
        // A key the operator chose is theirs to know; it is not echoed.
        text += QStringLiteral("  try:       curl -H \"Authorization: Bearer $KEY\" "
                               "%1/workspaces/%2   (KEY = your sandbox/api_key)\n")
                        .arg(url, sandbox.workspaceId());
        text += QStringLiteral(
                        "  gateway:   ORGO_API_URL=%1 ORGO_API_KEY=$KEY ORGO_WORKSPACE_ID=%2 "
                        "mouse-gateway --server\n")
                        .arg(url, sandbox.workspaceId());
    }
    text += QStringLiteral("  control:   GET %1/_sandbox/stats, POST %1/_sandbox/stats/reset, "
                           "POST %1/_sandbox/config\n")
                    .arg(url);
    text += QStringLiteral("  stop:      Ctrl+C\n");
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

} // namespace

int runSandbox(int argc, char **argv, const Settings &settings)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mouse-gateway"));
    QCoreApplication::setApplicationVersion(QLatin1String(Mouse::Version));

    // `--sandbox --listen ADDR:PORT` means the sandbox's own address.
    const QString listenKey = QStringLiteral("sandbox/listen");
    const Settings effective
            = settings.sourceOf(QStringLiteral("server/listen")) == u"command line"
                              && settings.sourceOf(listenKey) == u"default"
                      ? settings.withValue(listenKey,
                                           settings.string(QStringLiteral("server/listen")))
                      : settings;
    SandboxServer sandbox(effective);
    QString error;
    if (!sandbox.start(&error)) {
        std::fprintf(stderr, "mouse-gateway: %s\n", qPrintable(error));
        return 1;
    }
    printWelcome(sandbox, effective);

    UnixSignals signals_;
    QObject::connect(&signals_, &UnixSignals::terminationRequested, &app, [&sandbox] {
        std::fputs("Stopping the sandbox fleet.\n", stdout);
        std::fflush(stdout);
        sandbox.stop();
        QCoreApplication::quit();
    });
    return app.exec();
}

} // namespace Mouse::App

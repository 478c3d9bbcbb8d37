// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/console.h"
#include "app/faces.h"
#include "app/unixsignals.h"

#include "core/gateway.h"
#include "core/version.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTimer>
#include <QTranslator>

namespace Mouse::App {

namespace {

void installTranslations(QApplication &app)
{
    auto *qt = new QTranslator(&app);
    if (qt->load(QLocale(),
                 QStringLiteral("qtbase"),
                 QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(qt);
    // English plural forms ("1 VM", "2 VMs") for every language; a language's own file,
    // installed later, is searched first.
    auto *plurals = new QTranslator(&app);
    if (plurals->load(QStringLiteral("mouse-gateway_en"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(plurals);
    auto *own = new QTranslator(&app);
    if (own->load(QLocale(),
                  QStringLiteral("mouse-gateway"),
                  QStringLiteral("_"),
                  QStringLiteral(":/i18n")))
        QApplication::installTranslator(own);
}

} // namespace

int runDashboard(int argc, char **argv, const Settings &settings, const QString &screenshotPath)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("mouse-gateway"));
    QApplication::setApplicationDisplayName(QStringLiteral("Mouse Gateway"));
    QApplication::setApplicationVersion(QLatin1String(Mouse::Version));
    QApplication::setDesktopFileName(QStringLiteral("mouse-gateway"));
    installTranslations(app);

    Gateway gateway(settings);
    printDemoKeysWhenSeeded(gateway);
    QString error;
    if (!gateway.start(&error)) {
        QMessageBox::critical(nullptr,
                              QObject::tr("Mouse Gateway"),
                              QObject::tr("The gateway could not start:\n%1").arg(error));
        return 1;
    }
    printWelcome(gateway);

    Ui::MainWindow window(&gateway);
    window.show();
    if (!screenshotPath.isEmpty()) {
        // A longer delay lets the charts collect samples (docs/dashboard.md's images).
        const int delayMs = int(settings.integer(QStringLiteral("ui/screenshot_delay_ms")));
        QObject::connect(
                &window, &Ui::MainWindow::fleetShown, &window, [&window, screenshotPath, delayMs] {
                    QTimer::singleShot(delayMs, &window, [&window, screenshotPath] {
                        window.grab().save(screenshotPath);
                        QApplication::quit();
                    });
                });
    }

    UnixSignals signals_;
    QObject::connect(&signals_, &UnixSignals::terminationRequested, &app, &QApplication::quit);
    const int code = app.exec();
    gateway.stop();
    return code;
}

} // namespace Mouse::App

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/commandline.h"

#include "core/version.h"

#include <QCommandLineParser>
#include <QLoggingCategory>

namespace Mouse::App {

namespace {

QStringList argumentsOf(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

CommandLine exitWith(int code, const QString &output)
{
    CommandLine result;
    result.exitCode = code;
    result.output = output.endsWith(u'\n') ? output : output + u'\n';
    return result;
}

} // namespace

CommandLine parseCommandLine(int argc, char **argv)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "Mouse Gateway: the Mouse platform's API gateway and its admin dashboard.\n"
            "Without a flag it opens the dashboard on an embedded gateway."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help and the configuration keys."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Show the version."));
    const QCommandLineOption server(QStringLiteral("server"),
                                    QStringLiteral("Run the gateway headless (no display)."));
    const QCommandLineOption sandbox(QStringLiteral("sandbox"),
                                     QStringLiteral("Run only the Orgo-compatible sandbox fleet."));
    const QCommandLineOption config(QStringLiteral("config"),
                                    QStringLiteral("Read settings from the INI file <file>."),
                                    QStringLiteral("file"));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Serve on <address:port> (127.0.0.1:8000)."),
                                    QStringLiteral("address:port"));
    const QCommandLineOption set(QStringLiteral("set"),
                                 QStringLiteral("Override one setting, e.g. orgo/batch_limit=20."),
                                 QStringLiteral("key=value"));
    const QCommandLineOption logRules(QStringLiteral("log-rules"),
                                      QStringLiteral("Logging rules, e.g. \"mouse.*.debug=true\"."),
                                      QStringLiteral("rules"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Dashboard: save the window to <png> "
                                                       "once the fleet is shown, then quit."),
                                        QStringLiteral("png"));
    parser.addOptions({help, version, server, sandbox, config, listen, set, logRules, screenshot});

    if (!parser.parse(argumentsOf(argc, argv)))
        return exitWith(2, parser.errorText() + QStringLiteral("\nTry --help."));
    if (parser.isSet(help)) {
        // No application object exists yet, so Qt cannot know the executable's name.
        QString text = parser.helpText();
        text.replace(QStringLiteral("<executable_name>"), QStringLiteral("mouse-gateway"));
        return exitWith(0,
                        text + QStringLiteral("\nConfiguration keys:\n")
                                + Settings::describeKeys().join(u'\n'));
    }
    if (parser.isSet(version))
        return exitWith(0, QStringLiteral("mouse-gateway %1").arg(QLatin1String(Mouse::Version)));
    if (parser.isSet(server) && parser.isSet(sandbox))
        return exitWith(2, QStringLiteral("--server and --sandbox cannot be combined."));
    if (!parser.positionalArguments().isEmpty()) {
        return exitWith(2,
                        QStringLiteral("unexpected argument '%1'; try --help.")
                                .arg(parser.positionalArguments().constFirst()));
    }
    if (parser.isSet(logRules))
        QLoggingCategory::setFilterRules(parser.value(logRules).replace(u';', u'\n'));

    Settings::Sources sources;
    sources.configFile = parser.value(config);
    sources.environment = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : parser.values(set)) {
        const int equals = assignment.indexOf(u'=');
        if (equals <= 0)
            return exitWith(2, QStringLiteral("--set expects key=value, got '%1'").arg(assignment));
        sources.flags.append({assignment.left(equals), assignment.mid(equals + 1)});
    }
    // After the --set flags, so it wins over --set server/listen=, which is still validated.
    if (parser.isSet(listen))
        sources.flags.append({QStringLiteral("server/listen"), parser.value(listen)});

    QString error;
    std::optional<Settings> settings = Settings::load(sources, &error);
    if (!settings)
        return exitWith(2, QStringLiteral("mouse-gateway: %1").arg(error));

    CommandLine result;
    result.settings = *settings;
    result.screenshot = parser.value(screenshot);
    result.face = parser.isSet(server)    ? Face::Server
                  : parser.isSet(sandbox) ? Face::Sandbox
                                          : Face::Dashboard;
    return result;
}

} // namespace Mouse::App

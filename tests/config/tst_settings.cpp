// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/settings.h"

#include <QTemporaryDir>
#include <QTest>

using Mouse::Settings;

class tst_Settings : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void precedence();
    void invalidValueNamesKeyAndSource_data();
    void invalidValueNamesKeyAndSource();
    void secretsAreNotEchoed();
    void shortAdminTokenIsRefused_data();
    void shortAdminTokenIsRefused();
    void overriddenInvalidValueStillStops_data();
    void overriddenInvalidValueStillStops();
    void laterFlagWins();
    void unreadableFile();
    void listItemsAreChecked_data();
    void listItemsAreChecked();
    void validProxiesAndOrigins();
    void semicolonInAFileValueIsRefused();

private:
    QString writeIni(const QByteArray &content);
    QTemporaryDir m_dir;
};

QString tst_Settings::writeIni(const QByteArray &content)
{
    const QString path = m_dir.filePath(QStringLiteral("gateway.ini"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(content);
    return path;
}

void tst_Settings::defaults()
{
    const Settings settings = Settings::defaults();
    QCOMPARE(settings.string(QStringLiteral("server/listen")), QStringLiteral("127.0.0.1:8000"));
    QCOMPARE(settings.integer(QStringLiteral("orgo/batch_limit")), 10);
    QCOMPARE(settings.sourceOf(QStringLiteral("orgo/batch_limit")), QStringLiteral("default"));
    QVERIFY(settings.list(QStringLiteral("stripe/webhook_secret")).isEmpty());
}

void tst_Settings::precedence()
{
    Settings::Sources sources;
    sources.configFile = writeIni("[orgo]\nbatch_limit=12\nworkspace_id=ws-file\n"
                                  "api_url=https://file.example/api\n");
    sources.environment.insert(QStringLiteral("ORGO_WORKSPACE_ID"), QStringLiteral("ws-env"));
    sources.environment.insert(QStringLiteral("ORGO_API_URL"),
                               QStringLiteral("https://env.example"));
    sources.flags.append({QStringLiteral("orgo/api_url"), QStringLiteral("http://127.0.0.1:9")});

    QString error;
    const auto settings = Settings::load(sources, &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->integer(QStringLiteral("orgo/batch_limit")), 12); // file over default
    QCOMPARE(settings->string(QStringLiteral("orgo/workspace_id")), QStringLiteral("ws-env"));
    QCOMPARE(settings->string(QStringLiteral("orgo/api_url")),
             QStringLiteral("http://127.0.0.1:9"));
    QCOMPARE(settings->sourceOf(QStringLiteral("orgo/api_url")), QStringLiteral("command line"));
}

void tst_Settings::invalidValueNamesKeyAndSource_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not a number") << "orgo/batch_limit"
                                  << "ten"
                                  << "orgo/batch_limit";
    QTest::newRow("out of range") << "orgo/batch_limit"
                                  << "0"
                                  << "between 1 and 256";
    QTest::newRow("listen") << "server/listen"
                            << "localhost"
                            << "ADDRESS:PORT";
    QTest::newRow("url") << "orgo/api_url"
                         << "ftp://x"
                         << "http";
    QTest::newRow("unknown key") << "orgo/no_such_key"
                                 << "1"
                                 << "unknown setting";
    QTest::newRow("probability") << "sandbox/fault_503"
                                 << "1.5"
                                 << "between 0 and 1";
}

void tst_Settings::invalidValueNamesKeyAndSource()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    Settings::Sources sources;
    sources.flags.append({key, value});
    QString error;
    QVERIFY(!Settings::load(sources, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("command line")), qPrintable(error));
}

void tst_Settings::secretsAreNotEchoed()
{
    Settings::Sources sources;
    const QString token = QStringLiteral("s3cret-admin-token-0123");
    sources.environment.insert(QStringLiteral("MOUSE_ADMIN_TOKEN"), token);
    QString error;
    const auto settings = Settings::load(sources, &error);
    QVERIFY(settings);
    QCOMPARE(settings->string(QStringLiteral("server/admin_token")), token);

    // An invalid non-secret value is quoted back; make sure a secret never would be.
    sources.flags.append({QStringLiteral("orgo/batch_limit"), QStringLiteral("s3cret")});
    QVERIFY(!Settings::load(sources, &error));
    QVERIFY(error.contains(QStringLiteral("orgo/batch_limit")));
}

void tst_Settings::shortAdminTokenIsRefused_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("one character") << "x" << false;
    QTest::newRow("fifteen") << "tooShort-7f3a9b" << false;
    QTest::newRow("sixteen") << "longEnough-7f3a9" << true;
    QTest::newRow("empty: generated") << "" << true;
}

// A one-character admin token was accepted. The error names the key and the variable, and
// never the token.
void tst_Settings::shortAdminTokenIsRefused()
{
    QFETCH(QString, token);
    QFETCH(bool, accepted);
    Settings::Sources sources;
    sources.environment.insert(QStringLiteral("MOUSE_ADMIN_TOKEN"), token);
    QString error;
    const auto settings = Settings::load(sources, &error);
    QCOMPARE(bool(settings), accepted);
    if (accepted) {
        QCOMPARE(settings->string(QStringLiteral("server/admin_token")), token);
        return;
    }
    QVERIFY2(error.contains(QStringLiteral("'server/admin_token'")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("MOUSE_ADMIN_TOKEN")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("at least 16 characters")), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("'%1'").arg(token)), qPrintable(error));
    if (token.size() > 1)
        QVERIFY2(!error.contains(token), qPrintable(error));
}

void tst_Settings::overriddenInvalidValueStillStops_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QStringList>("setFlags"); // key=value, in command-line order
    QTest::addColumn<QString>("expected");
    const QString listen = QStringLiteral("server/listen=127.0.0.1:0");
    QTest::newRow("file") << QByteArray("[server]\nlisten=nowhere\n") << QStringList{listen}
                          << "'nowhere' for 'server/listen' (from file";
    QTest::newRow("earlier flag") << QByteArray()
                                  << QStringList{QStringLiteral("server/listen=nowhere"), listen}
                                  << "'nowhere' for 'server/listen' (from command line)";
}

// The command line wins, but a value it overrides is still checked: the --listen flag used to
// drop an invalid --set server/listen= without a word.
void tst_Settings::overriddenInvalidValueStillStops()
{
    QFETCH(QByteArray, ini);
    QFETCH(QStringList, setFlags);
    QFETCH(QString, expected);
    Settings::Sources sources;
    if (!ini.isEmpty())
        sources.configFile = writeIni(ini);
    for (const QString &flag : setFlags)
        sources.flags.append({flag.section(u'=', 0, 0), flag.section(u'=', 1)});
    QString error;
    QVERIFY(!Settings::load(sources, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void tst_Settings::laterFlagWins()
{
    Settings::Sources sources;
    sources.configFile = writeIni("[server]\nlisten=127.0.0.1:8001\n");
    sources.flags.append({QStringLiteral("server/listen"), QStringLiteral("127.0.0.1:8002")});
    sources.flags.append({QStringLiteral("server/listen"), QStringLiteral("127.0.0.1:8003")});
    QString error;
    const auto settings = Settings::load(sources, &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->string(QStringLiteral("server/listen")), QStringLiteral("127.0.0.1:8003"));
    QCOMPARE(settings->sourceOf(QStringLiteral("server/listen")), QStringLiteral("command line"));
}

void tst_Settings::unreadableFile()
{
    Settings::Sources sources;
    sources.configFile = m_dir.filePath(QStringLiteral("missing.ini"));
    QString error;
    QVERIFY(!Settings::load(sources, &error));
    QVERIFY(error.contains(QStringLiteral("missing.ini")));
}

// Each item of server/trusted_proxies and server/cors_origins is checked at start-up: an item
// the server cannot use used to be dropped without a word (a proxy left untrusted, an origin that
// never matches an Origin header).
void tst_Settings::listItemsAreChecked_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("source");
    const QString proxies = QStringLiteral("server/trusted_proxies");
    const QString origins = QStringLiteral("server/cors_origins");
    QTest::newRow("proxy host name") << proxies << "proxy.internal"
                                     << "flag";
    QTest::newRow("proxy with port") << proxies << "10.0.0.1:8080"
                                     << "flag";
    QTest::newRow("proxy prefix 33") << proxies << "10.0.0.0/33"
                                     << "flag";
    QTest::newRow("second proxy bad") << proxies << "10.0.0.1, 10.0.0.256"
                                      << "file";
    QTest::newRow("origin wildcard") << origins << "*"
                                     << "flag";
    QTest::newRow("origin trailing slash") << origins << "https://app.example/"
                                           << "flag";
    QTest::newRow("origin with path") << origins << "https://app.example/app"
                                      << "flag";
    QTest::newRow("origin upper case") << origins << "https://App.example"
                                       << "flag";
    QTest::newRow("origin default port") << origins << "https://app.example:443"
                                         << "flag";
    QTest::newRow("origin no scheme") << origins << "app.example"
                                      << "file";
    QTest::newRow("origin null") << origins << "null"
                                 << "flag";
}

void tst_Settings::listItemsAreChecked()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, source);
    Settings::Sources sources;
    if (source == QLatin1String("file")) {
        const QString name = key.section(u'/', 1);
        sources.configFile = writeIni("[server]\n" + name.toUtf8() + '=' + value.toUtf8() + '\n');
    } else {
        sources.flags.append({key, value});
    }
    QString error;
    QVERIFY2(!Settings::load(sources, &error), qPrintable(value));
    QVERIFY2(error.contains(key), qPrintable(error));
}

void tst_Settings::validProxiesAndOrigins()
{
    Settings::Sources sources;
    sources.configFile = writeIni("[server]\ntrusted_proxies=10.0.0.0/8, 192.168.1.7, ::1, "
                                  "fd00::/8\ncors_origins=https://app.example, "
                                  "http://127.0.0.1:3000, https://xn--bcher-kva.example:8443\n");
    QString error;
    const auto settings = Settings::load(sources, &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->list(QStringLiteral("server/trusted_proxies")).size(), 4);
    QCOMPARE(settings->list(QStringLiteral("server/cors_origins")),
             QStringList({QStringLiteral("https://app.example"),
                          QStringLiteral("http://127.0.0.1:3000"),
                          QStringLiteral("https://xn--bcher-kva.example:8443")}));
}

// QSettings cuts an unquoted INI value at ';' (a comment): an admin token "Xk3;9f..." in the
// file became "Xk3" without a word. Refused now, without echoing the value; quoted, it is kept.
void tst_Settings::semicolonInAFileValueIsRefused()
{
    Settings::Sources sources;
    sources.configFile = writeIni("\xEF\xBB\xBF; a comment; with semicolons\r\n[server]\r\n"
                                  "listen=127.0.0.1:8000 \r\nadmin_token=Xk3;9fSecretTail\r\n");
    QString error;
    QVERIFY(!Settings::load(sources, &error));
    QVERIFY2(error.contains(QStringLiteral("server/admin_token")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("line 4")), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("Xk3")) && !error.contains(QStringLiteral("9f")),
             qPrintable(error));

    // A secret's spaces beside a comma were dropped (read as a list, joined back with ',').
    sources.configFile = writeIni("[orgo]\napi_key=part one, part two\n");
    QVERIFY(!Settings::load(sources, &error));
    QVERIFY2(error.contains(QStringLiteral("orgo/api_key")), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("part")), qPrintable(error));

    sources.configFile = writeIni("[server]\nadmin_token=\"Xk3;9fSecretTail\"\n");
    const auto settings = Settings::load(sources, &error);
    QVERIFY2(settings, qPrintable(error));
    QCOMPARE(settings->string(QStringLiteral("server/admin_token")),
             QStringLiteral("Xk3;9fSecretTail"));
}

QTEST_GUILESS_MAIN(tst_Settings)
#include "tst_settings.moc"

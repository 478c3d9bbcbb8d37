// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "harness.h"
#include "rawclient.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using Mouse::Settings;

class tst_HttpTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void servesHttpsWhenConfigured();
    void plainHttpWhenNotConfigured();
    void plainClientOnTlsPortGetsNoAnswer();
    void limitsStillApplyOverTls();
    void badCertificateFailsListen();

private:
    Settings tlsSettings() const
    {
        return Settings::defaults()
                .withValue(QStringLiteral("server/tls_cert"),
                           m_dir.filePath(QStringLiteral("cert.pem")))
                .withValue(QStringLiteral("server/tls_key"),
                           m_dir.filePath(QStringLiteral("key.pem")));
    }

    QTemporaryDir m_dir;
};

void tst_HttpTls::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty())
        QSKIP("openssl is not installed (make deps installs it)");
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(openssl,
                  {QStringLiteral("req"),
                   QStringLiteral("-x509"),
                   QStringLiteral("-newkey"),
                   QStringLiteral("ec"),
                   QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:prime256v1"),
                   QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"),
                   QStringLiteral("key.pem"),
                   QStringLiteral("-out"),
                   QStringLiteral("cert.pem"),
                   QStringLiteral("-days"),
                   QStringLiteral("2"),
                   QStringLiteral("-subj"),
                   QStringLiteral("/CN=127.0.0.1")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
}

void tst_HttpTls::servesHttpsWhenConfigured()
{
    Harness h(tlsSettings());
    QVERIFY(h.start());
    QVERIFY(h.server->isTls());
    QCOMPARE(h.server->url().scheme(), QStringLiteral("https"));
    RawClient client(h.port(), true);
    QVERIFY(client.waitConnected());
    auto response = client.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.request(get("/admin/thing", bearer("admin-secret-for-tests")));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    response = client.request(get("/public", "Connection: close\r\n"));
    QVERIFY(response);
    QVERIFY(client.waitClosed());
}

void tst_HttpTls::plainHttpWhenNotConfigured()
{
    Harness h;
    QVERIFY(h.start());
    QVERIFY(!h.server->isTls());
    QCOMPARE(h.server->url().scheme(), QStringLiteral("http"));
    RawClient client(h.port());
    const auto response = client.request(get("/public"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void tst_HttpTls::plainClientOnTlsPortGetsNoAnswer()
{
    Harness h(tlsSettings().withValue(QStringLiteral("server/request_timeout_ms"),
                                      QStringLiteral("500")));
    QVERIFY(h.start());
    RawClient client(h.port());
    client.send(get("/public"));
    QVERIFY(client.waitClosed(5000));
    QVERIFY(!client.buffer().startsWith("HTTP/1.1 200"));
}

void tst_HttpTls::limitsStillApplyOverTls()
{
    Harness h(tlsSettings());
    QVERIFY(h.start());
    RawClient client(h.port(), true);
    QVERIFY(client.waitConnected());
    const auto response = client.request(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\nabc");
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QVERIFY(client.waitClosed());
    QCOMPARE(h.echoCalls, 0);
}

void tst_HttpTls::badCertificateFailsListen()
{
    QFile bogus(m_dir.filePath(QStringLiteral("bogus.pem")));
    QVERIFY(bogus.open(QIODevice::WriteOnly));
    bogus.write("not a certificate");
    bogus.close();
    const Settings settings
            = tlsSettings().withValue(QStringLiteral("server/tls_cert"), bogus.fileName());
    Harness h(settings);
    QVERIFY(!h.start());
}

QTEST_GUILESS_MAIN(tst_HttpTls)
#include "tst_httptls.moc"

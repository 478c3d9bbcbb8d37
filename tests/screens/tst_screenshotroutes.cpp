// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// The screenshot route over real HTTP on a whole gateway with its in-process sandbox fleet:
// what a customer is told when its VM has no screen.
#include "core/config/settings.h"
#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/gateway.h"
#include "core/sandbox/sandboxserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse;

class tst_ScreenshotRoutes : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void runningVmHasAScreenshot();
    void notRunningVmIsAConflict_data();
    void notRunningVmIsAConflict();
    void vmStoppedThroughTheGateway();
    void vmStillCreatingIsAConflict();
    void badVariantIsRefused_data();
    void badVariantIsRefused();

private:
    struct Answer
    {
        int status = 0;
        QByteArray contentType;
        QJsonObject json;
    };
    Answer call(const QByteArray &method, const QString &path, const QString &vm);
    QString vmIn(const QString &status, bool last = false) const;
    QString screenshotPath(const QString &vm) const;

    std::unique_ptr<Gateway> m_gateway;
    QNetworkAccessManager m_nam;
    QHash<QString, QByteArray> m_keys; // customer id -> key
};

void tst_ScreenshotRoutes::initTestCase()
{
    // No drift and slow transitions: each VM keeps its seeded state through the test.
    const Settings settings
            = Settings::defaults()
                      .withValue(u"storage/database"_s, u"sqlite::memory:"_s)
                      .withValue(u"server/listen"_s, u"127.0.0.1:0"_s)
                      .withValue(u"server/admin_token"_s, u"admin-secret-for-tests"_s)
                      .withValue(u"sandbox/latency_ms"_s, u"0"_s)
                      .withValue(u"sandbox/jitter_ms"_s, u"0"_s)
                      .withValue(u"sandbox/drift_ms"_s, u"0"_s)
                      .withValue(u"sandbox/transition_ms"_s, u"600000"_s);
    m_gateway = std::make_unique<Gateway>(settings);
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    QSignalSpy seeded(m_gateway->fleet(), &FleetService::demoSeeded);
    QTRY_COMPARE_WITH_TIMEOUT(seeded.size(), 1, 10000);
    const auto credentials = seeded.first().first().value<QList<FleetService::DemoCredential>>();
    for (const FleetService::DemoCredential &credential : credentials)
        m_keys.insert(credential.customerId, credential.apiKey);
    QVERIFY(m_gateway->sandbox());
}

void tst_ScreenshotRoutes::cleanupTestCase()
{
    m_gateway.reset();
}

tst_ScreenshotRoutes::Answer
tst_ScreenshotRoutes::call(const QByteArray &method, const QString &path, const QString &vm)
{
    const std::optional<Employee> employee = m_gateway->directory()->employeeByVm(vm);
    if (!employee)
        qFatal("the VM has no employee");
    QNetworkRequest request(QUrl(m_gateway->serverUrl().toString() + path));
    request.setRawHeader("Authorization", "Bearer " + m_keys.value(employee->customerId));
    QNetworkReply *reply = m_nam.sendCustomRequest(request, method);
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
        qFatal("no answer");
    Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    answer.json = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return answer;
}

// The first (or last) VM in that state that an employee runs on.
QString tst_ScreenshotRoutes::vmIn(const QString &status, bool last) const
{
    QString found;
    for (const SandboxServer::Computer &computer : m_gateway->sandbox()->computers()) {
        if (computer.status != status || !m_gateway->directory()->employeeByVm(computer.id))
            continue;
        found = computer.id;
        if (!last)
            break;
    }
    return found;
}

QString tst_ScreenshotRoutes::screenshotPath(const QString &vm) const
{
    const QString customer = m_gateway->directory()->employeeByVm(vm)->customerId;
    return u"/api/v1/customers/%1/vms/%2/screenshot"_s.arg(customer, vm);
}

void tst_ScreenshotRoutes::runningVmHasAScreenshot()
{
    const QString vm = vmIn(u"running"_s);
    QVERIFY(!vm.isEmpty());
    const Answer answer = call("GET", screenshotPath(vm), vm);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.contentType, QByteArray("image/jpeg"));
}

void tst_ScreenshotRoutes::notRunningVmIsAConflict_data()
{
    QTest::addColumn<QString>("status");
    for (const char *status : {"stopped", "suspended", "error", "starting"})
        QTest::newRow(status) << QString::fromLatin1(status);
}

void tst_ScreenshotRoutes::notRunningVmIsAConflict()
{
    QFETCH(QString, status);
    const QString vm = vmIn(status);
    if (vm.isEmpty())
        QSKIP("the seeded sandbox fleet has no VM in this state");
    const Answer answer = call("GET", screenshotPath(vm), vm);
    QCOMPARE(answer.status, 409);
    const QJsonObject error = answer.json.value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), u"vm_not_running"_s);
    QVERIFY2(error.value(u"message").toString().contains(status),
             qPrintable(error.value(u"message").toString()));
    QCOMPARE(error.value(u"details").toObject().value(u"vm_status").toString(), status);
}

void tst_ScreenshotRoutes::vmStoppedThroughTheGateway()
{
    const QString vm = vmIn(u"running"_s, true); // not the one whose screenshot is cached
    QVERIFY(vm != vmIn(u"running"_s));
    QVERIFY(!vm.isEmpty());
    const QString customer = m_gateway->directory()->employeeByVm(vm)->customerId;
    const Answer stopped
            = call("POST", u"/api/v1/customers/%1/vms/%2/stop"_s.arg(customer, vm), vm);
    QCOMPARE(stopped.status, 202);

    const Answer answer = call("GET", screenshotPath(vm), vm);
    QCOMPARE(answer.status, 409);
    const QJsonObject error = answer.json.value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), u"vm_not_running"_s);
    QCOMPARE(error.value(u"details").toObject().value(u"vm_status").toString(), u"stopping"_s);
}

// A VM deployed a moment ago is still being created at Orgo (the sandbox's transitions are
// slow here): its screenshot is the client's 409, like any VM that is not running.
void tst_ScreenshotRoutes::vmStillCreatingIsAConflict()
{
    const QString customer = m_keys.keys().first();
    QFuture<FleetOutcome> deployed
            = m_gateway->fleet()->deploy(customer, DeploySpec{u"Nova"_s, u"ops"_s, {}});
    QTRY_VERIFY_WITH_TIMEOUT(deployed.isFinished(), 10000);
    QVERIFY2(deployed.result().ok(), qPrintable(deployed.result().message));
    const QString vm = deployed.result().employee.vmId;
    QCOMPARE(deployed.result().vm.status, u"creating"_s);

    const Answer answer = call("GET", screenshotPath(vm), vm);
    QCOMPARE(answer.status, 409);
    const QJsonObject error = answer.json.value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), u"vm_not_running"_s);
    QCOMPARE(error.value(u"details").toObject().value(u"vm_status").toString(), u"creating"_s);
}

void tst_ScreenshotRoutes::badVariantIsRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("code");
    QTest::newRow("unknown quality") << u"quality=ultra"_s << u"invalid_quality"_s;
    QTest::newRow("unknown format") << u"format=gif"_s << u"invalid_format"_s;
    // Two values: which one was meant is unknown, so neither is taken.
    QTest::newRow("quality twice") << u"quality=low&quality=high"_s << u"invalid_quality"_s;
    QTest::newRow("format twice") << u"format=png&format=webp"_s << u"invalid_format"_s;
}

void tst_ScreenshotRoutes::badVariantIsRefused()
{
    QFETCH(QString, query);
    QFETCH(QString, code);
    const QString vm = vmIn(u"running"_s);
    QVERIFY(!vm.isEmpty());
    const Answer answer = call("GET", screenshotPath(vm) + u'?' + query, vm);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.json[u"error"_s][u"code"_s].toString(), code);
}

QTEST_GUILESS_MAIN(tst_ScreenshotRoutes)
#include "tst_screenshotroutes.moc"

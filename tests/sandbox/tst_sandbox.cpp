// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sandbox/bitmapfont.h"
#include "core/sandbox/desktoprenderer.h"
#include "core/sandbox/pngencoder.h"
#include "core/sandbox/sandboxserver.h"

#include <QEventLoop>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>

#include <memory>

using namespace Mouse;

namespace {

struct Response
{
    int status = 0;
    QByteArray body;
    QByteArray retryAfter;
    QByteArray contentType;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Settings for a quiet, fast sandbox: no latency, no drift, a few computers.
Settings quietSettings(int vms = 12)
{
    return Settings::defaults()
            .withValue(QStringLiteral("sandbox/vms"), QString::number(vms))
            .withValue(QStringLiteral("sandbox/latency_ms"), QStringLiteral("0"))
            .withValue(QStringLiteral("sandbox/jitter_ms"), QStringLiteral("0"))
            .withValue(QStringLiteral("sandbox/drift_ms"), QStringLiteral("0"))
            .withValue(QStringLiteral("sandbox/seed"), QStringLiteral("7"));
}

} // namespace

class TestSandbox final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<SandboxServer> m_sandbox;
    QNetworkAccessManager m_network;
    qint64 m_now = 1'800'000'000'000; // the injected clock, ms since the epoch

    void startSandbox(const Settings &settings)
    {
        m_sandbox = std::make_unique<SandboxServer>(settings);
        m_sandbox->setClock([this] { return m_now; });
        QString error;
        QVERIFY2(m_sandbox->start(&error), qPrintable(error));
    }

    QNetworkRequest request(const QString &path, const QByteArray &key) const
    {
        QNetworkRequest request(QUrl(m_sandbox->baseUrl().toString() + path));
        if (!key.isNull())
            request.setRawHeader("Authorization", "Bearer " + key);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        return request;
    }

    static Response wait(QNetworkReply *reply)
    {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Response response;
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.body = reply->readAll();
        response.retryAfter = reply->rawHeader("Retry-After");
        response.contentType = reply->rawHeader("Content-Type");
        reply->deleteLater();
        return response;
    }

    Response call(const QByteArray &method,
                  const QString &path,
                  const QByteArray &body = {},
                  const QByteArray &key = QByteArrayLiteral("sandbox-key"))
    {
        return wait(m_network.sendCustomRequest(request(path, key), method, body));
    }

    QString firstWithStatus(const QString &status)
    {
        const QJsonArray desktops = call("GET", QStringLiteral("/workspaces/ws-sandbox"))
                                            .json()
                                            .value(u"desktops")
                                            .toArray();
        for (const QJsonValue &desktop : desktops) {
            if (desktop[u"status"].toString() == status)
                return desktop[u"id"].toString();
        }
        return {};
    }

    QString statusOf(const QString &id)
    {
        return call("GET", QStringLiteral("/computers/") + id).json().value(u"status").toString();
    }

    QImage screenshotImage(const QJsonObject &body)
    {
        const QString image = body.value(u"image").toString();
        QByteArray png;
        if (image.startsWith(u"data:image/png;base64,"))
            png = QByteArray::fromBase64(image.mid(22).toLatin1());
        else if (image.startsWith(u"http://"))
            png = wait(m_network.get(QNetworkRequest(QUrl(image)))).body;
        else
            png = QByteArray::fromBase64(image.toLatin1());
        return QImage::fromData(png, "PNG");
    }

private slots:
    void cleanup() { m_sandbox.reset(); }

    void bearerCheck()
    {
        startSandbox(quietSettings());
        const Response missing = call("GET", QStringLiteral("/workspaces"), {}, QByteArray());
        QCOMPARE(missing.status, 401);
        QVERIFY(!missing.json().value(u"error").toString().isEmpty());
        QVERIFY(!missing.json().value(u"request_id").toString().isEmpty());
        QVERIFY(missing.contentType.startsWith("application/json"));

        QCOMPARE(call("GET", QStringLiteral("/workspaces"), {}, "sandbox-kez").status, 401);
        QCOMPARE(call("GET", QStringLiteral("/workspaces"), {}, "sandbox-key-longer").status, 401);
        QCOMPARE(call("GET", QStringLiteral("/_sandbox/stats"), {}, "wrong").status, 401);
        QCOMPARE(call("GET", QStringLiteral("/workspaces")).status, 200);
        QCOMPARE(m_sandbox->stats().value(u"unauthorized").toInt(), 3);
    }

    void listingWithDesktops()
    {
        startSandbox(quietSettings(12));
        const QJsonObject workspace = call("GET", QStringLiteral("/workspaces/ws-sandbox")).json();
        QCOMPARE(workspace.value(u"id").toString(), QStringLiteral("ws-sandbox"));
        const QJsonArray desktops = workspace.value(u"desktops").toArray();
        QCOMPARE(desktops.size(), 12);
        QSet<QString> names;
        for (const QJsonValue &desktop : desktops) {
            QCOMPARE(desktop[u"id"].toString().size(), 36);
            QVERIFY(!desktop[u"status"].toString().isEmpty());
            names.insert(desktop[u"name"].toString());
        }
        QCOMPARE(names.size(), 12);

        const QJsonArray all
                = call("GET", QStringLiteral("/workspaces")).json().value(u"workspaces").toArray();
        QCOMPARE(all.size(), 1);
        QCOMPARE(all.at(0)[u"desktops"].toArray().size(), 12);
        QCOMPARE(call("GET", QStringLiteral("/workspaces/nope")).status, 404);
        QCOMPARE(call("GET", QStringLiteral("/computers/nope")).status, 404);
        QCOMPARE(call("GET", QStringLiteral("/nothing-here")).status, 404);
        QCOMPARE(call("PUT", QStringLiteral("/workspaces")).status, 405);

        // The full object of one computer.
        const QString id = desktops.at(0)[u"id"].toString();
        const QJsonObject computer = call("GET", QStringLiteral("/computers/") + id).json();
        QCOMPARE(computer.value(u"id").toString(), id);
        QCOMPARE(computer.value(u"workspace_id").toString(), QStringLiteral("ws-sandbox"));
        QCOMPARE(computer.value(u"instance_id").toString().size(), 8);
        QCOMPARE(computer.value(u"vnc_password").toString().size(), 16);

        // The same seed gives the same fleet; another seed another one.
        SandboxServer same(quietSettings(12));
        QCOMPARE(same.computers().at(0).id, id);
        SandboxServer other(
                quietSettings(12).withValue(QStringLiteral("sandbox/seed"), QStringLiteral("8")));
        QVERIFY(other.computers().at(0).id != id);
    }

    void stateTransitions()
    {
        startSandbox(quietSettings(40).withValue(QStringLiteral("sandbox/transition_ms"),
                                                 QStringLiteral("3000")));
        const QString id = firstWithStatus(QStringLiteral("running"));
        QVERIFY(!id.isEmpty());

        Response stop = call("POST", QStringLiteral("/computers/%1/stop").arg(id));
        QCOMPARE(stop.status, 200);
        QCOMPARE(stop.json().value(u"status").toString(), QStringLiteral("stopping"));
        QCOMPARE(statusOf(id), QStringLiteral("stopping"));
        m_now += 2999;
        QCOMPARE(statusOf(id), QStringLiteral("stopping"));
        m_now += 1;
        QCOMPARE(statusOf(id), QStringLiteral("stopped"));

        QCOMPARE(call("POST", QStringLiteral("/computers/%1/start").arg(id))
                         .json()[u"status"]
                         .toString(),
                 QStringLiteral("starting"));
        m_now += 3000;
        QCOMPARE(statusOf(id), QStringLiteral("running"));

        const QString password = call("GET", QStringLiteral("/computers/") + id)
                                         .json()[u"vnc_password"]
                                         .toString();
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/restart").arg(id))
                         .json()[u"status"]
                         .toString(),
                 QStringLiteral("restarting"));
        QCOMPARE(statusOf(id), QStringLiteral("restarting"));
        m_now += 3000;
        QCOMPARE(statusOf(id), QStringLiteral("running"));
        QVERIFY(call("GET", QStringLiteral("/computers/") + id).json()[u"vnc_password"].toString()
                != password);
    }

    void conflicts()
    {
        startSandbox(quietSettings(40));
        const QString running = firstWithStatus(QStringLiteral("running"));
        const QString stopped = firstWithStatus(QStringLiteral("stopped"));
        QVERIFY(!running.isEmpty() && !stopped.isEmpty());

        const Response start = call("POST", QStringLiteral("/computers/%1/start").arg(running));
        QCOMPARE(start.status, 409);
        QVERIFY(!start.json().value(u"request_id").toString().isEmpty());
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/stop").arg(stopped)).status, 409);
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/restart").arg(stopped)).status, 409);
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/stop").arg(running)).status, 200);
        // Moving to a state blocks the next action until it settles.
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/stop").arg(running)).status, 409);
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/start").arg(running)).status, 409);
        QCOMPARE(call("POST", QStringLiteral("/computers/nope/start")).status, 404);
        QCOMPARE(call("GET", QStringLiteral("/computers/%1/start").arg(running)).status, 405);
    }

    // The dashboard tells operators to restart a VM in error: that must be possible.
    void restartRecoversAComputerInError()
    {
        startSandbox(quietSettings(100));
        const QString broken = firstWithStatus(QStringLiteral("error"));
        QVERIFY(!broken.isEmpty());

        const Response restart = call("POST", QStringLiteral("/computers/%1/restart").arg(broken));
        QCOMPARE(restart.status, 200);
        QCOMPARE(restart.json().value(u"status").toString(), QStringLiteral("restarting"));
        m_now += 60'000;
        QCOMPARE(statusOf(broken), QStringLiteral("running"));
    }

    void createAndDelete()
    {
        startSandbox(quietSettings(3));
        const QByteArray body
                = R"({"workspace_id":"ws-sandbox","name":"qa-new-01","ram":8,"cpu":2})";
        const Response created = call("POST", QStringLiteral("/computers"), body);
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id").toString();
        QCOMPARE(created.json().value(u"status").toString(), QStringLiteral("creating"));
        QCOMPARE(created.json().value(u"ram").toInt(), 8);
        QCOMPARE(call("POST", QStringLiteral("/computers"), body).status, 409); // same name
        QCOMPARE(call("POST", QStringLiteral("/computers"), R"({"workspace_id":"ws-sandbox"})")
                         .status,
                 400);
        QCOMPARE(call("POST", QStringLiteral("/computers"), "not json").status, 400);
        QCOMPARE(call("POST",
                      QStringLiteral("/computers"),
                      R"({"workspace_id":"ws-sandbox","name":"x","ram":3})")
                         .status,
                 400);
        QCOMPARE(
                call("POST", QStringLiteral("/computers"), R"({"workspace_id":"other","name":"y"})")
                        .status,
                404);

        m_now += 3000;
        QCOMPARE(statusOf(id), QStringLiteral("running"));
        QCOMPARE(call("GET", QStringLiteral("/workspaces/ws-sandbox"))
                         .json()[u"desktops"]
                         .toArray()
                         .size(),
                 4);
        QCOMPARE(call("DELETE", QStringLiteral("/computers/") + id).status, 200);
        QCOMPARE(call("GET", QStringLiteral("/computers/") + id).status, 404);
        QCOMPARE(call("DELETE", QStringLiteral("/computers/") + id).status, 404);
        QCOMPARE(m_sandbox->computers().size(), 3);
    }

    void driftChangesAComputer()
    {
        startSandbox(quietSettings(20));
        const QList<SandboxServer::Computer> before = m_sandbox->computers();
        for (int i = 0; i < 5; ++i)
            m_sandbox->driftOnce();
        const QList<SandboxServer::Computer> after = m_sandbox->computers();
        int changed = 0;
        for (int i = 0; i < before.size(); ++i)
            changed += before[i].status != after[i].status ? 1 : 0;
        QVERIFY(changed >= 1);
    }

    void faultRates()
    {
        startSandbox(
                quietSettings(5)
                        .withValue(QStringLiteral("sandbox/fault_503"), QStringLiteral("0.2"))
                        .withValue(QStringLiteral("sandbox/fault_429"), QStringLiteral("0.1")));
        const int total = 400;
        int served503 = 0;
        int served429 = 0;
        int ok = 0;
        // In flight together, 40 at a time.
        for (int batch = 0; batch < total / 40; ++batch) {
            QList<QNetworkReply *> replies;
            for (int i = 0; i < 40; ++i)
                replies.append(
                        m_network.get(request(QStringLiteral("/workspaces"), "sandbox-key")));
            for (QNetworkReply *reply : replies) {
                const Response response = wait(reply);
                if (response.status == 503) {
                    ++served503;
                    QVERIFY(!response.json().value(u"request_id").toString().isEmpty());
                } else if (response.status == 429) {
                    ++served429;
                    QCOMPARE(response.retryAfter, QByteArray("1"));
                } else if (response.status == 200) {
                    ++ok;
                }
            }
        }
        QCOMPARE(served503 + served429 + ok, total);
        // Stratified draws: exactly 20% and 10% of every 100 requests.
        QCOMPARE(served503, 80);
        QCOMPARE(served429, 40);
        const QJsonObject faults = m_sandbox->stats().value(u"faults").toObject();
        QCOMPARE(faults.value(u"503").toInt(), served503);
        QCOMPARE(faults.value(u"429").toInt(), served429);
    }

    void faultsRepeatWithTheSeed()
    {
        const auto sequence = [this](const QString &seed) {
            startSandbox(
                    quietSettings(5)
                            .withValue(QStringLiteral("sandbox/seed"), seed)
                            .withValue(QStringLiteral("sandbox/fault_503"), QStringLiteral("0.1")));
            QList<int> statuses;
            for (int i = 0; i < 150; ++i)
                statuses.append(call("GET", QStringLiteral("/workspaces")).status);
            cleanup();
            return statuses;
        };
        const QList<int> first = sequence(QStringLiteral("11"));
        QCOMPARE(first.count(503), 15);
        QCOMPARE(sequence(QStringLiteral("11")), first);
        QVERIFY(sequence(QStringLiteral("12")) != first);
    }

    void hangThenDisconnect()
    {
        startSandbox(quietSettings(5).withValue(QStringLiteral("sandbox/fault_hang"),
                                                QStringLiteral("1")));
        QNetworkReply *reply = m_network.get(request(QStringLiteral("/workspaces"), "sandbox-key"));
        QTRY_COMPARE(m_sandbox->stats().value(u"in_flight").toInt(), 1);
        QCOMPARE(m_sandbox->stats().value(u"faults").toObject().value(u"hang").toInt(), 1);
        QTest::qWait(100);
        QVERIFY(!reply->isFinished());

        reply->abort();
        reply->deleteLater();
        QTRY_COMPARE(m_sandbox->stats().value(u"in_flight").toInt(), 0);
        QCOMPARE(m_sandbox->stats().value(u"faults").toObject().value(u"hang_dropped").toInt(), 1);

        // Nothing was harmed: the next requests are served.
        const Response config
                = call("POST", QStringLiteral("/_sandbox/config"), R"({"fault_hang":0})");
        QCOMPARE(config.status, 200);
        QCOMPARE(call("GET", QStringLiteral("/workspaces")).status, 200);

        // Stopping with a request still hanging is clean too.
        call("POST", QStringLiteral("/_sandbox/config"), R"({"fault_hang":1})");
        QNetworkReply *left = m_network.get(request(QStringLiteral("/workspaces"), "sandbox-key"));
        QTRY_COMPARE(m_sandbox->stats().value(u"in_flight").toInt(), 1);
        m_sandbox->stop();
        wait(left);
        QCOMPARE(m_sandbox->stats().value(u"in_flight").toInt(), 0);
    }

    void manyInFlightAtOnce()
    {
        // A long latency, so that all of them have arrived before the first is answered.
        startSandbox(quietSettings(5).withValue(QStringLiteral("sandbox/latency_ms"),
                                                QStringLiteral("2000")));
        // Separate managers, because one opens at most 6 connections per host.
        std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 20; ++i) {
            managers.push_back(std::make_unique<QNetworkAccessManager>());
            for (int j = 0; j < 5; ++j)
                replies.append(managers.back()->get(
                        request(QStringLiteral("/workspaces"), "sandbox-key")));
        }
        for (QNetworkReply *reply : replies)
            QCOMPARE(wait(reply).status, 200);
        const QJsonObject stats = m_sandbox->stats();
        QCOMPARE(stats.value(u"max_in_flight").toInt(), 100);
        QCOMPARE(stats.value(u"requests").toObject().value(u"workspaces").toInt(), 100);
        QCOMPARE(stats.value(u"in_flight").toInt(), 0);

        const Response reset = call("POST", QStringLiteral("/_sandbox/stats/reset"));
        QCOMPARE(reset.status, 200);
        QCOMPARE(reset.json().value(u"max_in_flight").toInt(), 0);
        QCOMPARE(reset.json().value(u"requests").toObject().value(u"total").toInt(), 0);
    }

    void screenshotChangesOverTime()
    {
        startSandbox(quietSettings(10));
        const QString id = firstWithStatus(QStringLiteral("running"));
        const Response first = call("GET", QStringLiteral("/computers/%1/screenshot").arg(id));
        QCOMPARE(first.status, 200);
        const QImage image = screenshotImage(first.json());
        QCOMPARE(image.size(), QSize(1280, 720));

        // Same second: the cached PNG; next second: a new picture (the clock moved).
        const Response again = call("GET", QStringLiteral("/computers/%1/screenshot").arg(id));
        QCOMPARE(again.body, first.body);
        m_now += 1000;
        const Response later = call("GET", QStringLiteral("/computers/%1/screenshot").arg(id));
        QVERIFY(later.body != first.body);
        QVERIFY(screenshotImage(later.json()) != image);
        const QJsonObject shots = m_sandbox->stats().value(u"screenshots").toObject();
        QCOMPARE(shots.value(u"rendered").toInt(), 2);
        QCOMPARE(shots.value(u"cache_hits").toInt(), 1);

        // A desktop that is not running has no screen: Orgo's desktop-side refusal.
        const QString stopped = firstWithStatus(QStringLiteral("stopped"));
        QVERIFY(!stopped.isEmpty());
        const Response refused
                = call("GET", QStringLiteral("/computers/%1/screenshot").arg(stopped));
        QCOMPARE(refused.status, 409);
        QVERIFY(refused.json().value(u"error").toString().contains(u"stopped"));
        QVERIFY(!refused.json().value(u"request_id").toString().isEmpty());
        QCOMPARE(refused.json().value(u"upstream_status").toInt(), 409);
    }

    // A computer still being created has no desktop: its screenshot is refused as Orgo does
    // (400 "Desktop instance not available"), and so is a storage URL made up for it, which
    // was drawn and served. Storage holds only the captures that were taken.
    void noScreenWhileCreating()
    {
        startSandbox(quietSettings(3).withValue(QStringLiteral("sandbox/screenshot_form"),
                                                QStringLiteral("url")));
        const Response created = call("POST",
                                      QStringLiteral("/computers"),
                                      R"({"workspace_id":"ws-sandbox","name":"n1"})");
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id").toString();
        QCOMPARE(statusOf(id), QStringLiteral("creating"));

        const Response shot = call("GET", QStringLiteral("/computers/%1/screenshot").arg(id));
        QCOMPARE(shot.status, 400);
        QVERIFY(shot.json().value(u"error").toString().startsWith(
                u"Desktop instance not available"));
        QVERIFY(!shot.json().value(u"request_id").toString().isEmpty());

        const QString origin = m_sandbox->baseUrl().adjusted(QUrl::RemovePath).toString();
        const auto storage = [&](qint64 second) {
            return wait(m_network.get(QNetworkRequest(
                    QUrl(origin
                         + QStringLiteral("/storage/screenshots/%1/%2.png").arg(id).arg(second)))));
        };
        const Response madeUp = storage(m_now / 1000);
        QCOMPARE(madeUp.status, 400);
        QVERIFY(madeUp.contentType.startsWith("application/json"));
        QVERIFY(!madeUp.json().value(u"request_id").toString().isEmpty());

        // Running: a capture is kept and served, a second never captured is not there.
        m_now += 3000;
        QCOMPARE(statusOf(id), QStringLiteral("running"));
        const Response running = call("GET", QStringLiteral("/computers/%1/screenshot").arg(id));
        QCOMPARE(running.status, 200);
        const QUrl url(running.json().value(u"image").toString());
        QCOMPARE(wait(m_network.get(QNetworkRequest(url))).status, 200);
        QCOMPARE(storage(m_now / 1000 - 1).status, 404);

        // Stopped later, the capture taken while it ran is still in storage.
        QCOMPARE(call("POST", QStringLiteral("/computers/%1/stop").arg(id)).status, 200);
        const Response kept = wait(m_network.get(QNetworkRequest(url)));
        QCOMPARE(kept.status, 200);
        QCOMPARE(kept.contentType, QByteArray("image/png"));
        QCOMPARE(storage(m_now / 1000 - 2).status, 409);
    }

    void screenshotForms_data()
    {
        QTest::addColumn<QString>("form");
        QTest::newRow("dataurl") << QStringLiteral("dataurl");
        QTest::newRow("base64") << QStringLiteral("base64");
        QTest::newRow("url") << QStringLiteral("url");
    }

    void screenshotForms()
    {
        QFETCH(QString, form);
        startSandbox(quietSettings(10).withValue(QStringLiteral("sandbox/screenshot_form"), form));
        const QString id = firstWithStatus(QStringLiteral("running"));
        const QJsonObject body
                = call("GET", QStringLiteral("/computers/%1/screenshot").arg(id)).json();
        const QString image = body.value(u"image").toString();
        if (form == u"dataurl")
            QVERIFY(image.startsWith(u"data:image/png;base64,iVBOR"));
        else if (form == u"base64")
            QVERIFY(image.startsWith(u"iVBOR"));
        else
            QVERIFY(image.startsWith(m_sandbox->baseUrl().adjusted(QUrl::RemovePath).toString()));
        QCOMPARE(screenshotImage(body).size(), QSize(1280, 720));

        if (form == u"url") {
            QVERIFY(body.value(u"metadata").toObject().value(u"size").toInt() > 1000);
            // A capture expires after an hour, and a future one does not exist.
            const QUrl url(image);
            m_now += 3601 * 1000;
            QCOMPARE(wait(m_network.get(QNetworkRequest(url))).status, 404);
            const QString future
                    = image.section(u'/', 0, -2) + QStringLiteral("/%1.png").arg(m_now / 1000 + 10);
            QCOMPARE(wait(m_network.get(QNetworkRequest(QUrl(future)))).status, 404);
        }
    }

    void controlSurface()
    {
        startSandbox(quietSettings(4));
        Response config
                = call("POST",
                       QStringLiteral("/_sandbox/config"),
                       R"({"latency_ms":5,"jitter_ms":1,"fault_503":0.5,"screenshot_form":"url"})");
        QCOMPARE(config.status, 200);
        const QJsonObject applied = config.json().value(u"config").toObject();
        QCOMPARE(applied.value(u"latency_ms").toInt(), 5);
        QCOMPARE(applied.value(u"fault_503").toDouble(), 0.5);
        QCOMPARE(m_sandbox->config().screenshotForm, QStringLiteral("url"));

        QCOMPARE(call("POST", QStringLiteral("/_sandbox/config"), R"({"fault_503":2})").status,
                 400);
        QCOMPARE(call("POST", QStringLiteral("/_sandbox/config"), R"({"screenshot_form":"gif"})")
                         .status,
                 400);
        QCOMPARE(call("POST", QStringLiteral("/_sandbox/config"), "[1]").status, 400);
        QCOMPARE(m_sandbox->config().fault503, 0.5); // rejected changes change nothing
        // Served at the root and under the base URL alike.
        QNetworkRequest root(QUrl(m_sandbox->baseUrl().adjusted(QUrl::RemovePath).toString()
                                  + QStringLiteral("/_sandbox/stats")));
        root.setRawHeader("Authorization", "Bearer sandbox-key");
        QCOMPARE(wait(m_network.get(root)).status, 200);

        const QJsonObject health = m_sandbox->healthSnapshot();
        QCOMPARE(health.value(u"mode").toString(), QStringLiteral("sandbox"));
        QCOMPARE(health.value(u"computers").toInt(), 4);
    }

    void pngEncoderRoundTrip_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("desktop") << QSize(1280, 720);
        QTest::newRow("one pixel") << QSize(1, 1);
        QTest::newRow("odd") << QSize(7, 3);
    }

    void pngEncoderRoundTrip()
    {
        QFETCH(QSize, size);
        QImage image = DesktopRenderer::render(DesktopScene{QStringLiteral("qa-lena-03"),
                                                            QStringLiteral("0badf00d"),
                                                            42},
                                               1'800'000'123)
                               .copy(QRect(QPoint(600, 300), size));
        const QByteArray png = PngEncoder::encode(image);
        QVERIFY(png.startsWith("\x89PNG\r\n\x1a\n"));
        const QImage back = QImage::fromData(png, "PNG");
        QCOMPARE(back.size(), size);
        QCOMPARE(back.convertToFormat(QImage::Format_RGB32), image);
    }

    void bitmapFontDrawsAndClips()
    {
        QImage image(20, 10, QImage::Format_RGB32);
        image.fill(Qt::black);
        const int end = BitmapFont::draw(image, 1, 1, "H", qRgb(255, 255, 255));
        QCOMPARE(end, 1 + BitmapFont::CellWidth);
        // 'H': two full columns of 7 and the bar of 3 between them.
        int lit = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                lit += image.pixel(x, y) == qRgb(255, 255, 255) ? 1 : 0;
        QCOMPARE(lit, 17);
        QCOMPARE(image.pixel(1, 1), qRgb(255, 255, 255));
        QCOMPARE(image.pixel(2, 1), qRgb(0, 0, 0));

        // Partly outside on every side, and non-ASCII: clipped, never out of bounds.
        BitmapFont::draw(image, -7, -5, "Wide text \xc3\xa9", qRgb(1, 2, 3), 3);
        BitmapFont::draw(image, 15, 8, "xyz", qRgb(1, 2, 3), 2);
        QCOMPARE(BitmapFont::width("abc", 2), 36);
    }

    void listensOnLoopbackOnly()
    {
        SandboxServer sandbox(quietSettings().withValue(QStringLiteral("sandbox/listen"),
                                                        QStringLiteral("0.0.0.0:0")));
        QString error;
        QVERIFY(!sandbox.start(&error));
        QVERIFY(error.contains(u"127.0.0.1"));

        SandboxServer wrongForm(quietSettings().withValue(QStringLiteral("sandbox/screenshot_form"),
                                                          QStringLiteral("jpeg")));
        QVERIFY(!wrongForm.start(&error));
        QVERIFY(error.contains(u"screenshot_form"));
    }
};

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"

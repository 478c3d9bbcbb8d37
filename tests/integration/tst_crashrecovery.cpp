// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Crash test: 1,000 signed Stripe events (some twice) over several connections to a real
// `mouse-gateway --server`, kill -9 mid-burst, restart, resend what was not acknowledged; then
// every event is processed exactly once, the ledger holds exactly the expected credits, and no
// task is left pending.
#include "crashhttp.h"

#include "core/billing/stripesignature.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>
#include <vector>

using namespace Mouse;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kEvents = 1000;
constexpr int kCustomers = 10;
constexpr int kConnections = 8;
constexpr qint64 kTokensPerEvent = 4000; // the starter package
const QByteArray kSecret = "whsec_crash_test_secret";
const QByteArray kAdminToken = "crash-test-admin-token";

QString customerId(int i)
{
    return u"cust_crash_%1"_s.arg(i % kCustomers);
}

QByteArray eventBody(int i)
{
    return u"{\"id\":\"evt_crash_%1\",\"object\":\"event\",\"type\":\"checkout.session.completed\","
           "\"created\":1700000000,\"livemode\":false,\"data\":{\"object\":{\"id\":\"cs_crash_%1\","
           "\"object\":\"checkout.session\",\"mode\":\"payment\",\"status\":\"complete\","
           "\"payment_status\":\"paid\",\"amount_total\":1900,\"currency\":\"usd\","
           "\"metadata\":{\"customer_id\":\"%2\",\"package_slug\":\"starter\","
           "\"token_amount\":\"4000\"}}}}"_s.arg(i)
                   .arg(customerId(i))
                   .toUtf8();
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

qint64 scalar(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace

class TestCrashRecovery final : public QObject
{
    Q_OBJECT

private:
    QString m_location;
    quint16 m_port = 0;

    void startServer(QProcess &process)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"STRIPE_WEBHOOK_SECRET"_s, QString::fromLatin1(kSecret));
        env.insert(u"MOUSE_DATABASE"_s, m_location);
        env.insert(u"MOUSE_ADMIN_TOKEN"_s, QString::fromLatin1(kAdminToken));
        env.insert(u"ORGO_API_KEY"_s, QString());
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.setStandardOutputFile(QProcess::nullDevice());
        process.start(qEnvironmentVariable("MOUSE_GATEWAY_BIN"),
                      {u"--server"_s,
                       u"--listen"_s,
                       u"127.0.0.1:%1"_s.arg(m_port),
                       u"--set"_s,
                       u"storage/seed_demo=false"_s});
        QVERIFY(process.waitForStarted(10000));
        CrashHttpClient client(m_port);
        for (int i = 0; i < 200; ++i) {
            if (client.request("GET", "/health").status == 200)
                return;
            QThread::msleep(50);
        }
        QFAIL("the gateway did not answer /health");
    }

    // Sends the given event numbers over several connections; marks those answered 202/200.
    // afterAck, when given, runs on the sending thread with the number of acks so far.
    void send(const std::vector<int> &numbers,
              std::vector<std::atomic<int>> &answered,
              std::atomic<int> &acks,
              std::atomic<int> &duplicates,
              const std::function<void(int)> &afterAck = {})
    {
        std::atomic<size_t> next{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < kConnections; ++c) {
            threads.emplace_back([&, c] {
                CrashHttpClient client(m_port);
                for (;;) {
                    const size_t index = next.fetch_add(1);
                    if (index >= numbers.size())
                        return;
                    const int n = numbers[index];
                    const QByteArray body = eventBody(n);
                    const QByteArray signature = makeStripeSignatureHeader(
                            {kSecret}, QDateTime::currentSecsSinceEpoch(), body);
                    const auto response = client.request(
                            "POST",
                            "/webhooks/stripe",
                            {{"Content-Type", "application/json"}, {"Stripe-Signature", signature}},
                            body);
                    if (response.status == 202 || response.status == 200) {
                        answered[n].store(1);
                        const int acked = acks.fetch_add(1) + 1;
                        if (response.status == 200)
                            duplicates.fetch_add(1);
                        if (afterAck)
                            afterAck(acked);
                    } else if (response.status == 0) {
                        // The server is gone: this connection stops; the rest is resent later.
                        return;
                    }
                }
                Q_UNUSED(c);
            });
        }
        for (std::thread &thread : threads)
            thread.join();
    }

private slots:
    void killMidBurstLosesAndDoublesNothing()
    {
        if (qEnvironmentVariableIsEmpty("MOUSE_GATEWAY_BIN"))
            QSKIP("MOUSE_GATEWAY_BIN is not set");
        QTemporaryDir dir;
        m_location = dir.filePath(u"crash.sqlite"_s);
        m_port = freePort();
        {
            // The customers the events credit, created before the gateway ever runs.
            Database db(m_location);
            QString error;
            QVERIFY2(db.open(&error), qPrintable(error));
            QSqlDatabase connection = db.connection();
            for (int c = 0; c < kCustomers; ++c) {
                QSqlQuery insert(connection);
                insert.prepare(u"INSERT INTO customers (id, company_name, email, created_at) "
                               "VALUES (?, ?, ?, 0)"_s);
                insert.addBindValue(customerId(c));
                insert.addBindValue(u"Crash Co %1"_s.arg(c));
                insert.addBindValue(u"crash%1@example.test"_s.arg(c));
                QVERIFY(insert.exec());
            }
        }

        // The burst: every event once, and every tenth a second time right after.
        std::vector<int> burst;
        for (int i = 0; i < kEvents; ++i) {
            burst.push_back(i);
            if (i % 10 == 5)
                burst.push_back(i - 3);
        }
        std::vector<std::atomic<int>> answered(kEvents);
        std::atomic<int> acks{0};
        std::atomic<int> duplicates{0};

        QProcess first;
        startServer(first);
        if (QTest::currentTestFailed())
            return;
        // The sender whose answer makes two fifths kills the server there and then: a separate
        // killer thread polling the count could be scheduled too late on a loaded machine, after
        // the whole burst was answered (then nothing was cut short).
        const int killAt = int(burst.size()) * 2 / 5;
        const auto pid = pid_t(first.processId());
        send(burst, answered, acks, duplicates, [killAt, pid](int acked) {
            if (acked == killAt)
                ::kill(pid, SIGKILL);
        });
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);
        const int acknowledgedBeforeCrash = acks.load();
        qInfo("acknowledged before the kill: %d of %d sends (%d duplicates)",
              acknowledgedBeforeCrash,
              int(burst.size()),
              duplicates.load());
        QVERIFY(acknowledgedBeforeCrash < int(burst.size()));

        // Restart on the same database; resend everything whose answer never arrived.
        QProcess second;
        startServer(second);
        if (QTest::currentTestFailed())
            return;
        std::vector<int> resend;
        for (int i = 0; i < kEvents; ++i) {
            if (!answered[i].load())
                resend.push_back(i);
        }
        const int duplicatesBefore = duplicates.load();
        send(resend, answered, acks, duplicates);
        for (int i = 0; i < kEvents; ++i)
            QVERIFY2(answered[i].load(), qPrintable(u"event %1 never acknowledged"_s.arg(i)));
        qInfo("resent %d events after the restart; %d were already stored",
              int(resend.size()),
              duplicates.load() - duplicatesBefore);

        // Drained: nothing pending, running or dead.
        CrashHttpClient admin(m_port);
        QJsonObject queue;
        for (int i = 0; i < 600; ++i) {
            const auto response = admin.request(
                    "GET", "/admin/queue", {{"Authorization", "Bearer " + kAdminToken}});
            QCOMPARE(response.status, 200);
            queue = QJsonDocument::fromJson(response.body).object();
            if (queue.value(u"backlog"_s).toInteger() == 0)
                break;
            QThread::msleep(50);
        }
        QCOMPARE(queue.value(u"backlog"_s).toInteger(), 0);
        QCOMPARE(queue.value(u"dead"_s).toInteger(), 0);
        second.terminate();
        QVERIFY(second.waitForFinished(20000));

        Database db(m_location);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        QSqlDatabase c = db.connection();
        QCOMPARE(scalar(c, u"SELECT COUNT(*) FROM stripe_events"_s), kEvents);
        QCOMPARE(scalar(c, u"SELECT COUNT(*) FROM stripe_events WHERE status = 'processed'"_s),
                 kEvents);
        QCOMPARE(scalar(c, u"SELECT COUNT(*) FROM tasks WHERE status <> 'done'"_s), 0);
        // One task per event, each done once.
        QCOMPARE(scalar(c, u"SELECT COUNT(*) FROM tasks WHERE type = 'stripe.event'"_s), kEvents);
        QCOMPARE(scalar(c, u"SELECT COUNT(DISTINCT reference) FROM tasks"_s), kEvents);
        // The ledger: each session credited once, nothing else.
        QCOMPARE(scalar(c, u"SELECT COUNT(*) FROM token_transactions WHERE type = 'purchase'"_s),
                 kEvents);
        QCOMPARE(scalar(c, u"SELECT COUNT(DISTINCT reference_id) FROM token_transactions"_s),
                 kEvents);
        QCOMPARE(scalar(c, u"SELECT SUM(balance) FROM token_balances"_s),
                 kEvents * kTokensPerEvent);
        for (int customer = 0; customer < kCustomers; ++customer) {
            QCOMPARE(scalar(c,
                            u"SELECT balance FROM token_balances WHERE customer_id = '%1'"_s.arg(
                                    customerId(customer))),
                     kEvents / kCustomers * kTokensPerEvent);
        }
    }
};

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crashrecovery.moc"

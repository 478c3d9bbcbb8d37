// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/orgo/circuitbreaker.h"

#include <QTest>

using Mouse::Orgo::CircuitBreaker;
using State = CircuitBreaker::State;

class tst_CircuitBreaker : public QObject
{
    Q_OBJECT

private slots:
    void opensAfterConsecutiveFailures();
    void successResetsTheCount();
    void halfOpenLetsOneProbe();
    void failedProbeReopens();
    void neutralProbeCloses();
};

void tst_CircuitBreaker::opensAfterConsecutiveFailures()
{
    qint64 now = 0;
    QList<State> changes;
    CircuitBreaker breaker(3, 1000, [&now] { return now; });
    breaker.onStateChanged = [&changes](State s) {
        changes.append(s);
    };
    for (int i = 0; i < 2; ++i) {
        QVERIFY(breaker.allow());
        breaker.recordFailure();
    }
    QCOMPARE(breaker.state(), State::Closed);
    QVERIFY(breaker.allow());
    breaker.recordFailure();
    QCOMPARE(breaker.state(), State::Open);
    QVERIFY(!breaker.allow());
    now = 999;
    QVERIFY(!breaker.allow());
    QCOMPARE(breaker.remainingCooldownMs(), 1);
    QCOMPARE(changes, QList<State>{State::Open});
}

void tst_CircuitBreaker::successResetsTheCount()
{
    qint64 now = 0;
    CircuitBreaker breaker(2, 1000, [&now] { return now; });
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    QCOMPARE(breaker.state(), State::Closed);
    breaker.recordFailure();
    QCOMPARE(breaker.state(), State::Open);
}

void tst_CircuitBreaker::halfOpenLetsOneProbe()
{
    qint64 now = 0;
    CircuitBreaker breaker(1, 100, [&now] { return now; });
    breaker.recordFailure();
    now = 100;
    QVERIFY(breaker.allow()); // the probe
    QCOMPARE(breaker.state(), State::HalfOpen);
    QVERIFY(!breaker.allow()); // everybody else still fails fast
    QVERIFY(!breaker.allow());
    breaker.recordSuccess();
    QCOMPARE(breaker.state(), State::Closed);
    QVERIFY(breaker.allow());
    QVERIFY(breaker.allow());
}

void tst_CircuitBreaker::failedProbeReopens()
{
    qint64 now = 0;
    CircuitBreaker breaker(1, 100, [&now] { return now; });
    breaker.recordFailure();
    now = 150;
    QVERIFY(breaker.allow());
    breaker.recordFailure();
    QCOMPARE(breaker.state(), State::Open);
    now = 200; // cool-down counts from the failed probe
    QVERIFY(!breaker.allow());
    now = 250;
    QVERIFY(breaker.allow());
}

void tst_CircuitBreaker::neutralProbeCloses()
{
    qint64 now = 0;
    CircuitBreaker breaker(1, 10, [&now] { return now; });
    breaker.recordFailure();
    now = 10;
    QVERIFY(breaker.allow());
    breaker.recordNeutral();
    QCOMPARE(breaker.state(), State::Closed);
}

QTEST_GUILESS_MAIN(tst_CircuitBreaker)
#include "tst_circuitbreaker.moc"

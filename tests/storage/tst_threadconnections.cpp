// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/storage/database.h"

#include <QScopeGuard>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>

using Mouse::Database;

namespace {

// Thread-local objects of the test's own: C++ destroys a thread's thread_local objects in the
// reverse order of their construction, after the thread's function has returned.
struct SignalsWhenDestroyed
{
    QSemaphore *done = nullptr;
    ~SignalsWhenDestroyed()
    {
        if (done)
            done->release();
    }
};

struct WaitsWhenDestroyed
{
    QSemaphore *gate = nullptr;
    ~WaitsWhenDestroyed()
    {
        if (gate)
            gate->acquire();
    }
};

thread_local SignalsWhenDestroyed t_signals;
thread_local WaitsWhenDestroyed t_waits;

} // namespace

// A pool's (or a QThread's) thread must have closed and removed its database connections by the
// time QThread::wait() returns: the process exits right after the last pool is joined, and
// Qt SQL's connection registry goes with it. When the connections were removed by a C++
// thread_local destructor, that ran after wait() had returned, so a worker could still be
// inside QSqlDatabase::contains() while exit() destroyed the registry: "free(): invalid
// pointer" and SIGABRT in about 1 stop of `--server` in 50 on a loaded machine.
class tst_ThreadConnections : public QObject
{
    Q_OBJECT

private slots:
    void connectionsAreGoneWhenTheThreadIsJoined();
};

void tst_ThreadConnections::connectionsAreGoneWhenTheThreadIsJoined()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Database database(dir.filePath(QStringLiteral("threads.sqlite")));
    QString error;
    QVERIFY2(database.open(&error), qPrintable(error));

    QSemaphore gate;
    QSemaphore done;
    QString name;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        t_signals.done = &done; // destroyed after anything the thread constructs later
        const QSqlDatabase db = database.connection();
        name = db.connectionName();
        t_waits.gate = &gate; // destroyed first: holds the thread's thread_local destructors
    }));
    thread->start();
    // Let the thread end in every case, also when a check below fails.
    const auto release = qScopeGuard([&] {
        gate.release();
        done.acquire();
    });
    QVERIFY(thread->wait());
    QVERIFY(!name.isEmpty());
    QVERIFY2(!QSqlDatabase::contains(name), "the thread's connection outlived QThread::wait()");
}

QTEST_GUILESS_MAIN(tst_ThreadConnections)
#include "tst_threadconnections.moc"

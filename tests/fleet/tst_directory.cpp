// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fleet/directory.h"

#include "core/storage/database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace Mouse;

class tst_Directory : public QObject
{
    Q_OBJECT

private slots:
    void keysAreHashedAndRevocable();
    void persistsAndReloads();
    void employeesByCustomerAndVm();
};

void tst_Directory::keysAreHashedAndRevocable()
{
    Database db(u"sqlite::memory:"_s);
    QString error;
    StorageError why;
    QVERIFY(db.open(&error));
    Directory directory(&db);
    QVERIFY(directory.load(&error));
    const auto customer = directory.createCustomer(u"Acme"_s, u"a@x.example"_s, &why);
    QVERIFY(customer);
    QVERIFY(customer->id.startsWith(u"cst_"));
    const auto key = directory.issueApiKey(customer->id, u"ci"_s, &why);
    QVERIFY(key);
    QVERIFY(key->startsWith("mk_"));
    QCOMPARE(directory.customerForApiKey(*key), customer->id);
    QVERIFY(!directory.customerForApiKey(*key + "x"));
    QVERIFY(!directory.customerForApiKey(QByteArray()));

    // Only the hash is stored.
    QSqlQuery query(db.connection());
    QVERIFY(query.exec(u"SELECT key_hash, prefix FROM api_keys"_s));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString().toLatin1(), Directory::hashKey(*key));
    QVERIFY(!query.value(0).toString().contains(QString::fromLatin1(*key)));

    QVERIFY(directory.revokeApiKey(query.value(1).toString(), &why));
    QVERIFY(!directory.customerForApiKey(*key));
}

void tst_Directory::persistsAndReloads()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"d.sqlite"_s);
    QString error;
    StorageError why;
    QByteArray key;
    QString customerId;
    {
        Database db(path);
        QVERIFY(db.open(&error));
        Directory directory(&db);
        QVERIFY(directory.load(&error));
        customerId = directory.createCustomer(u"Acme"_s, u"a@x.example"_s, &why)->id;
        key = *directory.issueApiKey(customerId, {}, &why);
        Employee e;
        e.customerId = customerId;
        e.name = u"Ann"_s;
        e.role = u"ops"_s;
        e.vmId = u"vm-1"_s;
        QVERIFY(directory.addEmployee(e, &why));
    }
    Database db(path);
    QVERIFY(db.open(&error));
    Directory directory(&db);
    QVERIFY(directory.load(&error));
    QCOMPARE(directory.customerForApiKey(key), customerId);
    QCOMPARE(directory.employeeByVm(u"vm-1"_s)->name, u"Ann"_s);
    QVERIFY(!directory.isEmpty());
}

void tst_Directory::employeesByCustomerAndVm()
{
    Database db(u"sqlite::memory:"_s);
    QString error;
    StorageError why;
    QVERIFY(db.open(&error));
    Directory directory(&db);
    QVERIFY(directory.load(&error));
    const QString a = directory.createCustomer(u"A"_s, u"a@x.example"_s, &why)->id;
    const QString b = directory.createCustomer(u"B"_s, u"b@x.example"_s, &why)->id;
    QVERIFY(!directory.createCustomer(u"A2"_s, u"a@x.example"_s, &why)); // unique email
    const quint64 generation = directory.generation();
    for (int i = 0; i < 3; ++i) {
        Employee e;
        e.customerId = i < 2 ? a : b;
        e.name = u"E%1"_s.arg(i);
        e.role = u"r"_s;
        e.vmId = u"vm%1"_s.arg(i);
        QVERIFY(directory.addEmployee(e, &why));
    }
    QVERIFY(directory.generation() > generation);
    QCOMPARE(directory.employeesOf(a).size(), 2);
    QCOMPARE(directory.employeeCount(b), 1);
    QCOMPARE(directory.employeeByVm(u"vm2"_s)->customerId, b);

    Employee moved = *directory.employeeByVm(u"vm0"_s);
    moved.vmId.clear();
    moved.status = u"deleted"_s;
    QVERIFY(directory.updateEmployee(moved, &why));
    QVERIFY(!directory.employeeByVm(u"vm0"_s));
    QCOMPARE(directory.employeesOf(a).first().status, u"deleted"_s); // order kept
    QVERIFY(directory.removeEmployee(moved.id, &why));
    QCOMPARE(directory.employeesOf(a).size(), 1);
}

QTEST_GUILESS_MAIN(tst_Directory)
#include "tst_directory.moc"

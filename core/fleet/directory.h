// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QReadWriteLock>
#include <QString>

#include <atomic>
#include <optional>

namespace Mouse {

class Database;
struct StorageError;

struct Customer
{
    QString id; // "cst_" + 12 hex
    QString companyName;
    QString email;
    QString planTier = QStringLiteral("token_based");
    QString status = QStringLiteral("active");
    qint64 createdAt = 0; // ms since the epoch
};

// An AI employee and the Orgo computer it works on.
// status: deploying, starting, active, stopped, failed, deleted.
struct Employee
{
    QString id; // "emp_" + 12 hex
    QString customerId;
    QString name;
    QString role;
    QString status = QStringLiteral("active");
    QString currentTask;
    QString vmId; // empty once the computer is deleted
    QString vmUrl;
    QString workspaceId;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// The in-memory, thread-safe view of customers, employees and API keys, backed by the
// database (tables of migration 0001). Reads never touch the database. Writes go to the
// database first, on the calling thread's connection (so call them from a worker pool, not
// from the main thread), and change memory only once the database has accepted them.
class Directory final
{
public:
    explicit Directory(Database *database);
    Q_DISABLE_COPY_MOVE(Directory)

    // Loads everything from the database; call once after the database opened.
    bool load(QString *error);

    // The customer an API key belongs to. Keys are stored as SHA-256 hex and compared in
    // constant time; revoked keys match nothing.
    std::optional<QString> customerForApiKey(const QByteArray &key) const;

    bool hasCustomer(const QString &id) const;
    std::optional<Customer> customer(const QString &id) const;
    QList<Customer> customers() const; // by creation time
    bool isEmpty() const;

    QList<Employee> employeesOf(const QString &customerId) const; // by creation time
    QList<Employee> employees() const;
    std::optional<Employee> employee(const QString &id) const;
    std::optional<Employee> employeeByVm(const QString &vmId) const;
    int employeeCount(const QString &customerId) const;

    // Bumped on every change; lets caches of derived answers notice.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }

    // ---- Writes (database first). *error holds a message safe for logs, not for clients,
    // and whether the store was unavailable (locked, full, read-only, connection lost).
    std::optional<Customer>
    createCustomer(const QString &companyName, const QString &email, StorageError *error);
    // A customer together with its first key, in one transaction: both or neither, so a
    // failed key write never leaves a customer nobody can use (and a retry can succeed).
    struct CustomerWithKey
    {
        Customer customer;
        QByteArray apiKey; // plaintext, shown once
    };
    std::optional<CustomerWithKey> createCustomerWithKey(const QString &companyName,
                                                         const QString &email,
                                                         const QString &keyLabel,
                                                         StorageError *error);
    // A new key "mk_..." returned in plaintext once; only its hash is kept.
    std::optional<QByteArray>
    issueApiKey(const QString &customerId, const QString &label, StorageError *error);
    // By the key's prefix (shown to operators) or its full hash. False if nothing matched.
    bool revokeApiKey(const QString &prefixOrHash, StorageError *error);

    // Inserts the employee (id and times filled in when empty); returns it as stored.
    std::optional<Employee> addEmployee(Employee employee, StorageError *error);
    bool updateEmployee(const Employee &employee, StorageError *error);
    bool removeEmployee(const QString &employeeId, StorageError *error);

    // Everything in one transaction (the demo seed).
    bool addCustomersAndEmployees(const QList<Customer> &customers,
                                  const QList<Employee> &employees,
                                  StorageError *error);

    static QString newId(const QString &prefix);
    static QByteArray hashKey(const QByteArray &key); // SHA-256, lower-case hex

private:
    struct KeyEntry
    {
        QByteArray hash;
        QString customerId;
        QString prefix;
        bool revoked = false;
    };
    struct NewKey
    {
        QByteArray key;
        KeyEntry entry;
    };
    static NewKey newKey(const QString &customerId);
    bool insertKey(const NewKey &key, const QString &label, StorageError *error);
    static Customer newCustomer(const QString &companyName, const QString &email);
    bool insertCustomer(const Customer &customer, StorageError *error);
    void insertEmployeeLocked(const Employee &employee);
    void removeEmployeeLocked(const QString &employeeId);
    void bump() { m_generation.fetch_add(1, std::memory_order_acq_rel); }

    Database *m_database = nullptr;
    mutable QReadWriteLock m_lock;
    QHash<QString, Customer> m_customers;
    QList<QString> m_customerOrder;
    QHash<QString, Employee> m_employees;
    QHash<QString, QList<QString>> m_employeesByCustomer; // ids by creation
    QHash<QString, QString> m_employeeByVm;
    QHash<QByteArray, KeyEntry> m_keys; // by hash
    std::atomic<quint64> m_generation{1};
};

} // namespace Mouse

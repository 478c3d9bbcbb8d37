// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fleet/directory.h"

#include "core/logging.h"
#include "core/storage/database.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Mouse {

namespace {

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

QVariant nullable(const QString &value)
{
    return value.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(value);
}

// The driver text stays in the logs; callers turn failures into generic answers, 503 when
// the store could not take the write now.
bool fail(const Database &database, const QSqlQuery &query, StorageError *error)
{
    const QSqlError sqlError = query.lastError();
    qCWarning(lcFleet) << "directory write failed:" << sqlError.text();
    *error = {
            QStringLiteral("the database refused the change (%1)").arg(sqlError.nativeErrorCode()),
            database.isUnavailable(sqlError)};
    return false;
}

bool prepare(const Database &database, QSqlQuery &query, const QString &sql, StorageError *error)
{
    return query.prepare(sql) || fail(database, query, error);
}

bool run(const Database &database, QSqlQuery &query, StorageError *error)
{
    return query.exec() || fail(database, query, error);
}

void bindEmployee(QSqlQuery &query, const Employee &e)
{
    query.bindValue(QStringLiteral(":id"), e.id);
    query.bindValue(QStringLiteral(":customer"), e.customerId);
    query.bindValue(QStringLiteral(":name"), e.name);
    query.bindValue(QStringLiteral(":role"), e.role);
    query.bindValue(QStringLiteral(":status"), e.status);
    query.bindValue(QStringLiteral(":task"), nullable(e.currentTask));
    query.bindValue(QStringLiteral(":vm"), nullable(e.vmId));
    query.bindValue(QStringLiteral(":url"), nullable(e.vmUrl));
    query.bindValue(QStringLiteral(":ws"), nullable(e.workspaceId));
    query.bindValue(QStringLiteral(":created"), e.createdAt);
    query.bindValue(QStringLiteral(":updated"), e.updatedAt);
}

const char InsertEmployee[]
        = "INSERT INTO employees (id, customer_id, name, role, status, current_task, vm_id, "
          "vm_url, "
          "workspace_id, created_at, updated_at) VALUES (:id, :customer, :name, :role, :status, "
          ":task, :vm, :url, :ws, :created, :updated)";
const char InsertCustomer[]
        = "INSERT INTO customers (id, company_name, email, plan_tier, status, created_at) "
          "VALUES (:id, :name, :email, :plan, :status, :created)";

void bindCustomer(QSqlQuery &query, const Customer &c)
{
    query.bindValue(QStringLiteral(":id"), c.id);
    query.bindValue(QStringLiteral(":name"), c.companyName);
    query.bindValue(QStringLiteral(":email"), c.email);
    query.bindValue(QStringLiteral(":plan"), c.planTier);
    query.bindValue(QStringLiteral(":status"), c.status);
    query.bindValue(QStringLiteral(":created"), c.createdAt);
}

} // namespace

Directory::Directory(Database *database)
    : m_database(database)
{}

QString Directory::newId(const QString &prefix)
{
    quint32 words[2];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray bytes(reinterpret_cast<const char *>(words), 6);
    return prefix + QString::fromLatin1(bytes.toHex());
}

QByteArray Directory::hashKey(const QByteArray &key)
{
    return QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
}

bool Directory::load(QString *error)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QHash<QString, Customer> customers;
    QList<QString> order;
    if (!query.exec(QStringLiteral("SELECT id, company_name, email, plan_tier, status, created_at "
                                   "FROM customers ORDER BY created_at, id"))) {
        *error = QStringLiteral("cannot read customers: %1").arg(query.lastError().text());
        return false;
    }
    while (query.next()) {
        Customer c{query.value(0).toString(),
                   query.value(1).toString(),
                   query.value(2).toString(),
                   query.value(3).toString(),
                   query.value(4).toString(),
                   query.value(5).toLongLong()};
        order.append(c.id);
        customers.insert(c.id, c);
    }

    QList<Employee> employees;
    if (!query.exec(
                QStringLiteral("SELECT id, customer_id, name, role, status, current_task, vm_id, "
                               "vm_url, workspace_id, created_at, updated_at FROM employees "
                               "ORDER BY created_at, id"))) {
        *error = QStringLiteral("cannot read employees: %1").arg(query.lastError().text());
        return false;
    }
    while (query.next()) {
        Employee e;
        e.id = query.value(0).toString();
        e.customerId = query.value(1).toString();
        e.name = query.value(2).toString();
        e.role = query.value(3).toString();
        e.status = query.value(4).toString();
        e.currentTask = query.value(5).toString();
        e.vmId = query.value(6).toString();
        e.vmUrl = query.value(7).toString();
        e.workspaceId = query.value(8).toString();
        e.createdAt = query.value(9).toLongLong();
        e.updatedAt = query.value(10).toLongLong();
        employees.append(e);
    }

    QHash<QByteArray, KeyEntry> keys;
    if (!query.exec(
                QStringLiteral("SELECT key_hash, customer_id, prefix, revoked_at FROM api_keys"))) {
        *error = QStringLiteral("cannot read API keys: %1").arg(query.lastError().text());
        return false;
    }
    while (query.next()) {
        KeyEntry k{query.value(0).toString().toLatin1(),
                   query.value(1).toString(),
                   query.value(2).toString(),
                   !query.value(3).isNull()};
        keys.insert(k.hash, k);
    }

    QWriteLocker lock(&m_lock);
    m_customers = customers;
    m_customerOrder = order;
    m_employees.clear();
    m_employeesByCustomer.clear();
    m_employeeByVm.clear();
    for (const Employee &e : employees)
        insertEmployeeLocked(e);
    m_keys = keys;
    bump();
    return true;
}

std::optional<QString> Directory::customerForApiKey(const QByteArray &key) const
{
    if (key.isEmpty() || key.size() > 256)
        return std::nullopt;
    const QByteArray hash = hashKey(key);
    QReadLocker lock(&m_lock);
    const auto it = m_keys.constFind(hash);
    if (it == m_keys.constEnd() || it->revoked || !constantTimeEquals(it->hash, hash))
        return std::nullopt;
    return it->customerId;
}

bool Directory::hasCustomer(const QString &id) const
{
    QReadLocker lock(&m_lock);
    return m_customers.contains(id);
}

std::optional<Customer> Directory::customer(const QString &id) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_customers.constFind(id);
    if (it == m_customers.constEnd())
        return std::nullopt;
    return *it;
}

QList<Customer> Directory::customers() const
{
    QReadLocker lock(&m_lock);
    QList<Customer> result;
    result.reserve(m_customerOrder.size());
    for (const QString &id : m_customerOrder)
        result.append(m_customers.value(id));
    return result;
}

bool Directory::isEmpty() const
{
    QReadLocker lock(&m_lock);
    return m_customers.isEmpty();
}

QList<Employee> Directory::employeesOf(const QString &customerId) const
{
    QReadLocker lock(&m_lock);
    QList<Employee> result;
    const QList<QString> ids = m_employeesByCustomer.value(customerId);
    result.reserve(ids.size());
    for (const QString &id : ids)
        result.append(m_employees.value(id));
    return result;
}

QList<Employee> Directory::employees() const
{
    QReadLocker lock(&m_lock);
    QList<Employee> result;
    result.reserve(m_employees.size());
    for (const QString &customerId : m_customerOrder) {
        for (const QString &id : m_employeesByCustomer.value(customerId))
            result.append(m_employees.value(id));
    }
    return result;
}

std::optional<Employee> Directory::employee(const QString &id) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_employees.constFind(id);
    if (it == m_employees.constEnd())
        return std::nullopt;
    return *it;
}

std::optional<Employee> Directory::employeeByVm(const QString &vmId) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_employeeByVm.constFind(vmId);
    if (it == m_employeeByVm.constEnd())
        return std::nullopt;
    return m_employees.value(*it);
}

int Directory::employeeCount(const QString &customerId) const
{
    QReadLocker lock(&m_lock);
    return int(m_employeesByCustomer.value(customerId).size());
}

Customer Directory::newCustomer(const QString &companyName, const QString &email)
{
    Customer c;
    c.id = newId(QStringLiteral("cst_"));
    c.companyName = companyName;
    c.email = email;
    c.createdAt = QDateTime::currentMSecsSinceEpoch();
    return c;
}

bool Directory::insertCustomer(const Customer &customer, StorageError *error)
{
    QSqlQuery query(m_database->connection());
    if (!prepare(*m_database, query, QLatin1String(InsertCustomer), error))
        return false;
    bindCustomer(query, customer);
    return run(*m_database, query, error);
}

Directory::NewKey Directory::newKey(const QString &customerId)
{
    quint32 words[6];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray key
            = "mk_"
              + QByteArray(reinterpret_cast<const char *>(words), sizeof(words))
                        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return {key, KeyEntry{hashKey(key), customerId, QString::fromLatin1(key.left(10)), false}};
}

bool Directory::insertKey(const NewKey &key, const QString &label, StorageError *error)
{
    QSqlQuery query(m_database->connection());
    if (!prepare(*m_database,
                 query,
                 QStringLiteral("INSERT INTO api_keys (key_hash, customer_id, prefix, label, "
                                "created_at) VALUES (:hash, :customer, :prefix, :label, :at)"),
                 error))
        return false;
    query.bindValue(QStringLiteral(":hash"), QString::fromLatin1(key.entry.hash));
    query.bindValue(QStringLiteral(":customer"), key.entry.customerId);
    query.bindValue(QStringLiteral(":prefix"), key.entry.prefix);
    query.bindValue(QStringLiteral(":label"), nullable(label));
    query.bindValue(QStringLiteral(":at"), QDateTime::currentMSecsSinceEpoch());
    return run(*m_database, query, error);
}

std::optional<Customer>
Directory::createCustomer(const QString &companyName, const QString &email, StorageError *error)
{
    const Customer c = newCustomer(companyName, email);
    if (!insertCustomer(c, error))
        return std::nullopt;
    QWriteLocker lock(&m_lock);
    m_customers.insert(c.id, c);
    m_customerOrder.append(c.id);
    bump();
    return c;
}

std::optional<Directory::CustomerWithKey>
Directory::createCustomerWithKey(const QString &companyName,
                                 const QString &email,
                                 const QString &keyLabel,
                                 StorageError *error)
{
    const Customer c = newCustomer(companyName, email);
    const NewKey key = newKey(c.id);
    QSqlDatabase db = m_database->connection();
    // BEGIN and COMMIT as statements, so that a failure keeps the driver's code (see
    // addCustomersAndEmployees).
    QSqlQuery control(db);
    if (!control.exec(QStringLiteral("BEGIN"))) {
        fail(*m_database, control, error);
        return std::nullopt;
    }
    bool written = insertCustomer(c, error) && insertKey(key, keyLabel, error);
    if (written && !control.exec(QStringLiteral("COMMIT")))
        written = fail(*m_database, control, error);
    if (!written) {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return std::nullopt;
    }
    QWriteLocker lock(&m_lock);
    m_customers.insert(c.id, c);
    m_customerOrder.append(c.id);
    m_keys.insert(key.entry.hash, key.entry);
    bump();
    return CustomerWithKey{c, key.key};
}

std::optional<QByteArray>
Directory::issueApiKey(const QString &customerId, const QString &label, StorageError *error)
{
    const NewKey key = newKey(customerId);
    if (!insertKey(key, label, error))
        return std::nullopt;
    QWriteLocker lock(&m_lock);
    m_keys.insert(key.entry.hash, key.entry);
    bump();
    return key.key;
}

bool Directory::revokeApiKey(const QString &prefixOrHash, StorageError *error)
{
    QList<QByteArray> hashes;
    {
        QReadLocker lock(&m_lock);
        for (const KeyEntry &k : std::as_const(m_keys)) {
            if (!k.revoked && (k.prefix == prefixOrHash || QLatin1String(k.hash) == prefixOrHash))
                hashes.append(k.hash);
        }
    }
    if (hashes.isEmpty())
        return false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QByteArray &hash : hashes) {
        QSqlQuery query(m_database->connection());
        if (!prepare(*m_database,
                     query,
                     QStringLiteral("UPDATE api_keys SET revoked_at = :at WHERE key_hash = :h"),
                     error))
            return false;
        query.bindValue(QStringLiteral(":at"), now);
        query.bindValue(QStringLiteral(":h"), QString::fromLatin1(hash));
        if (!run(*m_database, query, error))
            return false;
    }
    QWriteLocker lock(&m_lock);
    for (const QByteArray &hash : hashes)
        m_keys[hash].revoked = true;
    bump();
    return true;
}

void Directory::insertEmployeeLocked(const Employee &e)
{
    const auto existing = m_employees.find(e.id);
    if (existing != m_employees.end() && existing->customerId == e.customerId) {
        // An update keeps the employee's place in its customer's list.
        if (!existing->vmId.isEmpty())
            m_employeeByVm.remove(existing->vmId);
        *existing = e;
        if (!e.vmId.isEmpty())
            m_employeeByVm.insert(e.vmId, e.id);
        return;
    }
    if (existing != m_employees.end())
        removeEmployeeLocked(e.id);
    m_employees.insert(e.id, e);
    m_employeesByCustomer[e.customerId].append(e.id);
    if (!e.vmId.isEmpty())
        m_employeeByVm.insert(e.vmId, e.id);
}

void Directory::removeEmployeeLocked(const QString &employeeId)
{
    const auto it = m_employees.constFind(employeeId);
    if (it == m_employees.constEnd())
        return;
    if (!it->vmId.isEmpty())
        m_employeeByVm.remove(it->vmId);
    m_employeesByCustomer[it->customerId].removeAll(employeeId);
    m_employees.erase(it);
}

std::optional<Employee> Directory::addEmployee(Employee employee, StorageError *error)
{
    if (employee.id.isEmpty())
        employee.id = newId(QStringLiteral("emp_"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (employee.createdAt == 0)
        employee.createdAt = now;
    employee.updatedAt = now;
    QSqlQuery query(m_database->connection());
    if (!prepare(*m_database, query, QLatin1String(InsertEmployee), error))
        return std::nullopt;
    bindEmployee(query, employee);
    if (!run(*m_database, query, error))
        return std::nullopt;
    QWriteLocker lock(&m_lock);
    insertEmployeeLocked(employee);
    bump();
    return employee;
}

bool Directory::updateEmployee(const Employee &input, StorageError *error)
{
    Employee employee = input;
    employee.updatedAt = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery query(m_database->connection());
    if (!prepare(*m_database,
                 query,
                 QStringLiteral("UPDATE employees SET name = :name, role = :role, status = "
                                ":status, current_task = :task, vm_id = :vm, vm_url = :url, "
                                "workspace_id = :ws, updated_at = :updated, customer_id = "
                                ":customer, created_at = :created WHERE id = :id"),
                 error))
        return false;
    bindEmployee(query, employee);
    if (!run(*m_database, query, error))
        return false;
    if (query.numRowsAffected() == 0) {
        *error = {QStringLiteral("no employee %1").arg(employee.id), false};
        return false;
    }
    QWriteLocker lock(&m_lock);
    insertEmployeeLocked(employee);
    bump();
    return true;
}

bool Directory::removeEmployee(const QString &employeeId, StorageError *error)
{
    QSqlQuery query(m_database->connection());
    if (!prepare(*m_database, query, QStringLiteral("DELETE FROM employees WHERE id = :id"), error))
        return false;
    query.bindValue(QStringLiteral(":id"), employeeId);
    if (!run(*m_database, query, error))
        return false;
    QWriteLocker lock(&m_lock);
    removeEmployeeLocked(employeeId);
    bump();
    return true;
}

bool Directory::addCustomersAndEmployees(const QList<Customer> &customers,
                                         const QList<Employee> &employees,
                                         StorageError *error)
{
    QSqlDatabase db = m_database->connection();
    // BEGIN and COMMIT through a query: QSqlDatabase::transaction() and commit() drop the
    // driver's error code, and with it whether the store was only unavailable.
    QSqlQuery control(db);
    if (!control.exec(QStringLiteral("BEGIN")))
        return fail(*m_database, control, error);
    QSqlQuery query(db);
    const auto rollBack = [&] {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return false;
    };
    if (!prepare(*m_database, query, QLatin1String(InsertCustomer), error))
        return rollBack();
    for (const Customer &c : customers) {
        bindCustomer(query, c);
        if (!run(*m_database, query, error))
            return rollBack();
    }
    if (!prepare(*m_database, query, QLatin1String(InsertEmployee), error))
        return rollBack();
    for (const Employee &e : employees) {
        bindEmployee(query, e);
        if (!run(*m_database, query, error))
            return rollBack();
    }
    query.finish();
    if (!control.exec(QStringLiteral("COMMIT"))) {
        fail(*m_database, control, error);
        return rollBack();
    }
    QWriteLocker lock(&m_lock);
    for (const Customer &c : customers) {
        m_customers.insert(c.id, c);
        m_customerOrder.append(c.id);
    }
    for (const Employee &e : employees)
        insertEmployeeLocked(e);
    bump();
    return true;
}

} // namespace Mouse

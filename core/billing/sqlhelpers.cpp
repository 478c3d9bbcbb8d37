// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/sqlhelpers.h"

#include <QSqlError>

namespace Mouse::BillingSql {

bool exec(QSqlQuery &query,
          const QString &sql,
          std::initializer_list<QVariant> binds,
          QString *error)
{
    if (!query.prepare(sql)) {
        *error = query.lastError().text();
        return false;
    }
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    if (!query.exec()) {
        *error = query.lastError().text();
        return false;
    }
    return true;
}

QVariant nullable(const QString &value)
{
    return value.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(value);
}

Transaction::Transaction(QSqlDatabase &db)
    : m_db(db)
    , m_active(db.transaction())
{}

Transaction::~Transaction()
{
    if (m_active)
        m_db.rollback();
}

bool Transaction::commit(QString *error)
{
    if (!m_active) {
        *error = QStringLiteral("no transaction");
        return false;
    }
    if (!m_db.commit()) {
        *error = m_db.lastError().text();
        return false;
    }
    m_active = false;
    return true;
}

} // namespace Mouse::BillingSql

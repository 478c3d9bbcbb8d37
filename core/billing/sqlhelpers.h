// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>

namespace Mouse::BillingSql {

// Prepares and runs one statement with positional binds. On failure *error gets the driver's
// text, which is for logs only (never for HTTP answers).
bool exec(QSqlQuery &query,
          const QString &sql,
          std::initializer_list<QVariant> binds,
          QString *error);

// A NULL for an empty string (optional columns such as reference_id).
QVariant nullable(const QString &value);

// A transaction the billing routes open themselves (the queue opens its own for event handlers).
// Rolls back on destruction unless commit() succeeded.
class Transaction final
{
public:
    explicit Transaction(QSqlDatabase &db);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    bool isActive() const { return m_active; }
    bool commit(QString *error);

private:
    QSqlDatabase &m_db;
    bool m_active = false;
};

} // namespace Mouse::BillingSql

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include "core/storage/storageerror.h"

#include <functional>
#include <optional>

namespace Mouse {

using BillingClock = std::function<qint64()>; // ms since the epoch

struct TokenBalance
{
    QString customerId;
    qint64 balance = 0;
    qint64 debt = 0; // tokens revoked (refunds) beyond the balance; paid back by later credits
    qint64 lifetimeEarned = 0;
    qint64 lifetimeSpent = 0;
    qint64 updatedAt = 0;

    QJsonObject toJson() const;
};

struct LedgerEntry
{
    QString id;
    qint64 seq = 0;
    QString customerId;
    QString type;      // purchase | usage | refund | adjustment | bonus
    qint64 amount = 0; // signed: credits positive, usage and revocations negative
    qint64 balanceAfter = 0;
    qint64 debtAfter = 0;
    QString description;
    QString referenceType;
    QString referenceId;
    QJsonObject metadata;
    qint64 createdAt = 0;

    QJsonObject toJson() const;
};

// One movement to write. amount is the magnitude (> 0); the kind of call gives the sign.
struct LedgerPosting
{
    QString customerId;
    QString type;
    qint64 amount = 0;
    QString description;
    QString referenceType; // with referenceId: at most one journal row per reference, ever
    QString referenceId;
    QJsonObject metadata;
};

struct LedgerResult
{
    enum class Status { Ok, Duplicate, Insufficient, Error };
    Status status = Status::Error;
    LedgerEntry entry;    // Ok: the new row; Duplicate: the existing row for the reference
    TokenBalance balance; // after the write (Insufficient: the current balance)
    StorageError error;   // Error: driver text, for logs only

    bool ok() const { return status == Status::Ok; }
};

// Sums over every row of a customer's journal (or of all customers), not over one page.
struct LedgerStats
{
    qint64 count = 0;
    qint64 totalPurchases = 0;
    qint64 totalUsage = 0; // positive number of tokens used
    qint64 totalBonus = 0;
    qint64 totalRefunds = 0; // positive number of tokens revoked
    qint64 totalAdjustments = 0;

    QJsonObject toJson() const;
};

struct LedgerPage
{
    QList<LedgerEntry> entries; // newest first
    bool hasMore = false;
    qint64 nextCursor = 0; // pass as beforeSeq for the next page; 0 when there is none
};

// The journal and the balances. Every write runs inside the caller's transaction and keeps the
// invariants the schema enforces: balance >= 0, debt >= 0, one row per reference. Writers lock
// the balance row before reading it, so concurrent writers never lose an update.
// Thread-safe (no state besides the clock); pass each thread's own connection.
class Ledger final
{
public:
    explicit Ledger(BillingClock clock = {});

    // Adds tokens; an outstanding debt is paid back first.
    LedgerResult credit(QSqlDatabase &db, const LedgerPosting &posting) const;

    // Spends tokens only if the balance covers them (one conditional UPDATE): Insufficient
    // otherwise, and nothing is written.
    LedgerResult use(QSqlDatabase &db, const LedgerPosting &posting) const;

    // Takes tokens back (refunds): what the balance cannot cover becomes a visible debt.
    LedgerResult revoke(QSqlDatabase &db, const LedgerPosting &posting) const;

    // A customer without a balance row has a zero balance. nullopt only on a database error.
    std::optional<TokenBalance>
    balance(QSqlDatabase &db, const QString &customerId, StorageError *error) const;
    std::optional<LedgerEntry> findByReference(QSqlDatabase &db,
                                               const QString &referenceType,
                                               const QString &referenceId,
                                               StorageError *error) const;

    // Newest first. beforeSeq > 0 starts after that row (cursor); offset skips rows.
    std::optional<LedgerPage> entries(QSqlDatabase &db,
                                      const QString &customerId,
                                      int limit,
                                      qint64 beforeSeq,
                                      int offset,
                                      StorageError *error) const;

    // customerId empty: over all customers.
    std::optional<LedgerStats>
    stats(QSqlDatabase &db, const QString &customerId, StorageError *error) const;

    qint64 now() const;

private:
    enum class Kind { Credit, Use, Revoke };
    LedgerResult write(QSqlDatabase &db, const LedgerPosting &posting, Kind kind) const;
    bool lockBalance(QSqlDatabase &db, const QString &customerId, StorageError *error) const;
    std::optional<qint64> nextSeq(QSqlDatabase &db, StorageError *error) const;
    bool insertEntry(QSqlDatabase &db, LedgerEntry &entry, StorageError *error) const;

    BillingClock m_clock;
};

LedgerEntry ledgerEntryFromQuery(const QSqlQuery &query); // columns as in entryColumns()
QString ledgerEntryColumns();

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/ledger.h"

#include "core/billing/sqlhelpers.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

using BillingSql::exec;
using BillingSql::nullable;

QJsonObject TokenBalance::toJson() const
{
    return {{u"customer_id"_s, customerId},
            {u"balance"_s, balance},
            {u"debt"_s, debt},
            {u"lifetime_earned"_s, lifetimeEarned},
            {u"lifetime_spent"_s, lifetimeSpent},
            {u"last_updated"_s,
             updatedAt > 0 ? QDateTime::fromMSecsSinceEpoch(updatedAt, Qt::UTC)
                                     .toString(Qt::ISODateWithMs)
                           : QString()}};
}

QJsonObject LedgerEntry::toJson() const
{
    QJsonObject json{
            {u"id"_s, id},
            {u"seq"_s, seq},
            {u"customer_id"_s, customerId},
            {u"type"_s, type},
            {u"amount"_s, amount},
            {u"balance_after"_s, balanceAfter},
            {u"debt_after"_s, debtAfter},
            {u"description"_s, description},
            {u"created_at"_s,
             QDateTime::fromMSecsSinceEpoch(createdAt, Qt::UTC).toString(Qt::ISODateWithMs)}};
    json.insert(u"reference_type"_s, referenceType.isEmpty() ? QJsonValue() : referenceType);
    json.insert(u"reference_id"_s, referenceId.isEmpty() ? QJsonValue() : referenceId);
    json.insert(u"metadata"_s, metadata);
    return json;
}

QJsonObject LedgerStats::toJson() const
{
    return {{u"count"_s, count},
            {u"total_purchases"_s, totalPurchases},
            {u"total_usage"_s, totalUsage},
            {u"total_bonus"_s, totalBonus},
            {u"total_refunds"_s, totalRefunds},
            {u"total_adjustments"_s, totalAdjustments}};
}

QString ledgerEntryColumns()
{
    return u"id, seq, customer_id, type, amount, balance_after, debt_after, description, "
           "reference_type, reference_id, metadata, created_at"_s;
}

LedgerEntry ledgerEntryFromQuery(const QSqlQuery &query)
{
    LedgerEntry entry;
    entry.id = query.value(0).toString();
    entry.seq = query.value(1).toLongLong();
    entry.customerId = query.value(2).toString();
    entry.type = query.value(3).toString();
    entry.amount = query.value(4).toLongLong();
    entry.balanceAfter = query.value(5).toLongLong();
    entry.debtAfter = query.value(6).toLongLong();
    entry.description = query.value(7).toString();
    entry.referenceType = query.value(8).toString();
    entry.referenceId = query.value(9).toString();
    entry.metadata = QJsonDocument::fromJson(query.value(10).toString().toUtf8()).object();
    entry.createdAt = query.value(11).toLongLong();
    return entry;
}

Ledger::Ledger(BillingClock clock)
    : m_clock(std::move(clock))
{}

qint64 Ledger::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

LedgerResult Ledger::credit(QSqlDatabase &db, const LedgerPosting &posting) const
{
    return write(db, posting, Kind::Credit);
}

LedgerResult Ledger::use(QSqlDatabase &db, const LedgerPosting &posting) const
{
    return write(db, posting, Kind::Use);
}

LedgerResult Ledger::revoke(QSqlDatabase &db, const LedgerPosting &posting) const
{
    return write(db, posting, Kind::Revoke);
}

// Creates the balance row if needed and takes the row lock (a write as the first statement
// also takes SQLite's write lock, with the busy timeout, before anything is read).
bool Ledger::lockBalance(QSqlDatabase &db, const QString &customerId, StorageError *error) const
{
    QSqlQuery query(db);
    const qint64 t = now();
    if (!exec(query,
              u"INSERT INTO token_balances (customer_id, balance, debt, lifetime_earned, "
              "lifetime_spent, updated_at) VALUES (?, 0, 0, 0, 0, ?) "
              "ON CONFLICT (customer_id) DO NOTHING"_s,
              {customerId, t},
              error))
        return false;
    return exec(query,
                u"UPDATE token_balances SET updated_at = ? WHERE customer_id = ?"_s,
                {t, customerId},
                error);
}

std::optional<qint64> Ledger::nextSeq(QSqlDatabase &db, StorageError *error) const
{
    QSqlQuery query(db);
    if (!exec(query,
              u"UPDATE ledger_counters SET value = value + 1 WHERE name = 'token_transactions'"_s,
              {},
              error))
        return std::nullopt;
    if (!exec(query,
              u"SELECT value FROM ledger_counters WHERE name = 'token_transactions'"_s,
              {},
              error)
        || !query.next()) {
        if (error->isEmpty())
            *error = {u"missing ledger counter"_s, false};
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

bool Ledger::insertEntry(QSqlDatabase &db, LedgerEntry &entry, StorageError *error) const
{
    const std::optional<qint64> seq = nextSeq(db, error);
    if (!seq)
        return false;
    entry.seq = *seq;
    entry.id = u"txn_"_s + QUuid::createUuid().toString(QUuid::Id128);
    entry.createdAt = now();
    QSqlQuery query(db);
    const QString metadata
            = entry.metadata.isEmpty()
                      ? QString()
                      : QString::fromUtf8(
                              QJsonDocument(entry.metadata).toJson(QJsonDocument::Compact));
    return exec(
            query,
            u"INSERT INTO token_transactions (id, seq, customer_id, type, amount, balance_after, "
            "debt_after, description, reference_type, reference_id, metadata, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
            {entry.id,
             entry.seq,
             entry.customerId,
             entry.type,
             entry.amount,
             entry.balanceAfter,
             entry.debtAfter,
             entry.description,
             nullable(entry.referenceType),
             nullable(entry.referenceId),
             nullable(metadata),
             entry.createdAt},
            error);
}

LedgerResult Ledger::write(QSqlDatabase &db, const LedgerPosting &posting, Kind kind) const
{
    LedgerResult result;
    if (posting.amount <= 0 || posting.customerId.isEmpty()) {
        result.error = {u"invalid posting"_s, false};
        return result;
    }

    // Lock first, then look for the reference: a concurrent writer of the same reference waits
    // here and then sees the row.
    if (!lockBalance(db, posting.customerId, &result.error))
        return result;
    if (!posting.referenceType.isEmpty() && !posting.referenceId.isEmpty()) {
        const auto existing
                = findByReference(db, posting.referenceType, posting.referenceId, &result.error);
        if (!result.error.isEmpty())
            return result;
        if (existing) {
            result.status = LedgerResult::Status::Duplicate;
            result.entry = *existing;
            result.balance
                    = balance(db, posting.customerId, &result.error).value_or(TokenBalance{});
            return result;
        }
    }

    QSqlQuery query(db);
    if (kind == Kind::Use) {
        // The one conditional update that makes concurrent uses unable to overdraw.
        if (!exec(query,
                  u"UPDATE token_balances SET balance = balance - ?, "
                  "lifetime_spent = lifetime_spent + ?, updated_at = ? "
                  "WHERE customer_id = ? AND balance >= ?"_s,
                  {posting.amount, posting.amount, now(), posting.customerId, posting.amount},
                  &result.error))
            return result;
        if (query.numRowsAffected() != 1) {
            const auto current = balance(db, posting.customerId, &result.error);
            if (!current)
                return result;
            result.status = LedgerResult::Status::Insufficient;
            result.balance = *current;
            return result;
        }
    }

    const std::optional<TokenBalance> before = balance(db, posting.customerId, &result.error);
    if (!before)
        return result;
    TokenBalance after = *before;
    qint64 signedAmount = 0;
    switch (kind) {
    case Kind::Use:
        signedAmount = -posting.amount; // already applied above
        break;
    case Kind::Credit: {
        const qint64 payoff = std::min(before->debt, posting.amount);
        after.debt -= payoff;
        after.balance += posting.amount - payoff;
        after.lifetimeEarned += posting.amount;
        signedAmount = posting.amount;
        break;
    }
    case Kind::Revoke: {
        const qint64 taken = std::min(before->balance, posting.amount);
        after.balance -= taken;
        after.debt += posting.amount - taken;
        signedAmount = -posting.amount;
        break;
    }
    }
    after.updatedAt = now();
    if (kind != Kind::Use
        && !exec(query,
                 u"UPDATE token_balances SET balance = ?, debt = ?, lifetime_earned = ?, "
                 "updated_at = ? WHERE customer_id = ?"_s,
                 {after.balance,
                  after.debt,
                  after.lifetimeEarned,
                  after.updatedAt,
                  posting.customerId},
                 &result.error))
        return result;

    LedgerEntry entry;
    entry.customerId = posting.customerId;
    entry.type = posting.type;
    entry.amount = signedAmount;
    entry.balanceAfter = after.balance;
    entry.debtAfter = after.debt;
    entry.description = posting.description;
    entry.referenceType = posting.referenceType;
    entry.referenceId = posting.referenceId;
    entry.metadata = posting.metadata;
    if (!insertEntry(db, entry, &result.error))
        return result;
    result.status = LedgerResult::Status::Ok;
    result.entry = entry;
    result.balance = after;
    return result;
}

std::optional<TokenBalance>
Ledger::balance(QSqlDatabase &db, const QString &customerId, StorageError *error) const
{
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT balance, debt, lifetime_earned, lifetime_spent, updated_at "
              "FROM token_balances WHERE customer_id = ?"_s,
              {customerId},
              error))
        return std::nullopt;
    TokenBalance balance;
    balance.customerId = customerId;
    if (query.next()) {
        balance.balance = query.value(0).toLongLong();
        balance.debt = query.value(1).toLongLong();
        balance.lifetimeEarned = query.value(2).toLongLong();
        balance.lifetimeSpent = query.value(3).toLongLong();
        balance.updatedAt = query.value(4).toLongLong();
    }
    return balance;
}

std::optional<LedgerEntry> Ledger::findByReference(QSqlDatabase &db,
                                                   const QString &referenceType,
                                                   const QString &referenceId,
                                                   StorageError *error) const
{
    QSqlQuery query(db);
    if (!exec(query,
              u"SELECT "_s + ledgerEntryColumns()
                      + u" FROM token_transactions WHERE reference_type = ? AND reference_id = ?"_s,
              {referenceType, referenceId},
              error)
        || !query.next())
        return std::nullopt;
    return ledgerEntryFromQuery(query);
}

std::optional<LedgerPage> Ledger::entries(QSqlDatabase &db,
                                          const QString &customerId,
                                          int limit,
                                          qint64 beforeSeq,
                                          int offset,
                                          StorageError *error) const
{
    QSqlQuery query(db);
    const QString sql = u"SELECT "_s + ledgerEntryColumns()
                        + u" FROM token_transactions WHERE customer_id = ? AND seq < ? "
                          "ORDER BY seq DESC LIMIT ? OFFSET ?"_s;
    const qint64 before = beforeSeq > 0 ? beforeSeq : std::numeric_limits<qint64>::max();
    if (!exec(query, sql, {customerId, before, limit + 1, offset}, error))
        return std::nullopt;
    LedgerPage page;
    while (query.next())
        page.entries.append(ledgerEntryFromQuery(query));
    if (page.entries.size() > limit) {
        page.entries.removeLast();
        page.hasMore = true;
        page.nextCursor = page.entries.last().seq;
    }
    return page;
}

std::optional<LedgerStats>
Ledger::stats(QSqlDatabase &db, const QString &customerId, StorageError *error) const
{
    QSqlQuery query(db);
    QString sql = u"SELECT type, COUNT(*), COALESCE(SUM(amount), 0) FROM token_transactions"_s;
    bool ok = false;
    if (customerId.isEmpty()) {
        ok = exec(query, sql + u" GROUP BY type"_s, {}, error);
    } else {
        ok = exec(query, sql + u" WHERE customer_id = ? GROUP BY type"_s, {customerId}, error);
    }
    if (!ok)
        return std::nullopt;
    LedgerStats stats;
    while (query.next()) {
        const QString type = query.value(0).toString();
        const qint64 sum = query.value(2).toLongLong();
        stats.count += query.value(1).toLongLong();
        if (type == u"purchase")
            stats.totalPurchases = sum;
        else if (type == u"usage")
            stats.totalUsage = -sum;
        else if (type == u"bonus")
            stats.totalBonus = sum;
        else if (type == u"refund")
            stats.totalRefunds = -sum;
        else if (type == u"adjustment")
            stats.totalAdjustments = sum;
    }
    return stats;
}

} // namespace Mouse

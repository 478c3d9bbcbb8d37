// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "billingtestsupport.h"
#include "core/billing/ledger.h"
#include "core/billing/sqlhelpers.h"
#include "core/storage/database.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

#include <atomic>

using namespace Mouse;
using namespace Mouse::Tests;

class tst_Ledger : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void creditOnceUnderDuplicateReferences();
    void rejectsNonPositiveAmounts();
    void useIsConditional();
    void concurrentUsesNeverOverdraw();
    void revokeBeyondBalanceRecordsDebt();
    void creditPaysDebtFirst();
    void schemaForbidsNegativeBalance();
    void paginationByCursorAndOffset();
    void statementScopeReusesAndReleasesStatements();
    void statementCacheForgetsADeletedConnection();

private:
    LedgerPosting posting(const QString &type, qint64 amount, const QString &ref = {}) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    qint64 m_now = 1700000000000;
    Ledger m_ledger{[this] {
        return m_now;
    }};
};

void tst_Ledger::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>(m_dir->filePath(s("ledger.sqlite")));
    QString error;
    QVERIFY2(m_db->open(&error), qPrintable(error));
    addCustomer(*m_db, s("cst_a"));
}

void tst_Ledger::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

LedgerPosting tst_Ledger::posting(const QString &type, qint64 amount, const QString &ref) const
{
    LedgerPosting p;
    p.customerId = s("cst_a");
    p.type = type;
    p.amount = amount;
    p.description = type;
    if (!ref.isEmpty()) {
        p.referenceType = s("test_ref");
        p.referenceId = ref;
    }
    return p;
}

void tst_Ledger::creditOnceUnderDuplicateReferences()
{
    QSqlDatabase db = m_db->connection();
    const LedgerResult first = m_ledger.credit(db, posting(s("purchase"), 4000, s("cs_1")));
    QVERIFY2(first.ok(), qPrintable(first.error.text));
    for (int i = 0; i < 3; ++i) {
        const LedgerResult again = m_ledger.credit(db, posting(s("purchase"), 4000, s("cs_1")));
        QCOMPARE(again.status, LedgerResult::Status::Duplicate);
        QCOMPARE(again.entry.id, first.entry.id);
    }
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances WHERE customer_id = 'cst_a'")),
             4000);
    QCOMPARE(scalar(*m_db, s("SELECT lifetime_earned FROM token_balances")), 4000);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions")), 1);

    // The unique index backs the rule even if application code were bypassed.
    QSqlQuery raw(db);
    QVERIFY(!raw.exec(s("INSERT INTO token_transactions (id, seq, customer_id, type, amount, "
                        "balance_after, reference_type, reference_id, created_at) VALUES "
                        "('x', 999, 'cst_a', 'purchase', 4000, 8000, 'test_ref', 'cs_1', 1)")));
}

void tst_Ledger::rejectsNonPositiveAmounts()
{
    QSqlDatabase db = m_db->connection();
    QCOMPARE(m_ledger.credit(db, posting(s("adjustment"), 0)).status, LedgerResult::Status::Error);
    QCOMPARE(m_ledger.use(db, posting(s("usage"), -5)).status, LedgerResult::Status::Error);
    QCOMPARE(m_ledger.revoke(db, posting(s("refund"), 0)).status, LedgerResult::Status::Error);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions")), 0);
}

void tst_Ledger::useIsConditional()
{
    QSqlDatabase db = m_db->connection();
    QVERIFY(m_ledger.credit(db, posting(s("adjustment"), 100)).ok());
    const LedgerResult used = m_ledger.use(db, posting(s("usage"), 60));
    QVERIFY(used.ok());
    QCOMPARE(used.balance.balance, 40);
    QCOMPARE(used.entry.amount, -60);
    QCOMPARE(used.entry.balanceAfter, 40);

    const LedgerResult short_ = m_ledger.use(db, posting(s("usage"), 41));
    QCOMPARE(short_.status, LedgerResult::Status::Insufficient);
    QCOMPARE(short_.balance.balance, 40);
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions")), 2);
    QCOMPARE(scalar(*m_db, s("SELECT lifetime_spent FROM token_balances")), 60);
}

// Many threads, each with its own connection and transaction, spend from one balance.
void tst_Ledger::concurrentUsesNeverOverdraw()
{
    {
        QSqlDatabase db = m_db->connection();
        QVERIFY(m_ledger.credit(db, posting(s("adjustment"), 1000)).ok());
    }
    std::atomic<int> succeeded{0};
    std::atomic<int> refused{0};
    std::atomic<int> errors{0};
    QThreadPool pool;
    pool.setMaxThreadCount(6);
    Database *database = m_db.get();
    const Ledger *ledger = &m_ledger;
    const LedgerPosting use = posting(s("usage"), 7);
    QList<QFuture<void>> futures;
    for (int worker = 0; worker < 6; ++worker) {
        futures.append(QtConcurrent::run(&pool, [&, database, ledger, use] {
            QSqlDatabase db = database->connection();
            for (int i = 0; i < 40; ++i) {
                BillingSql::Transaction transaction(db);
                const LedgerResult result = ledger->use(db, use);
                StorageError error;
                if (result.ok() && transaction.commit(&error))
                    ++succeeded;
                else if (result.status == LedgerResult::Status::Insufficient)
                    ++refused;
                else
                    ++errors;
            }
        }));
    }
    for (QFuture<void> &future : futures)
        future.waitForFinished();

    QCOMPARE(errors.load(), 0);
    QCOMPARE(succeeded.load() + refused.load(), 240);
    QCOMPARE(succeeded.load(), 1000 / 7); // 142 uses fit, every later one is refused
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 1000 - 7 * (1000 / 7));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(*) FROM token_transactions WHERE type = 'usage'")),
             qint64(succeeded.load()));
    // balance_after of the journal is a consistent sequence: each row 7 below the previous.
    QCOMPARE(scalar(*m_db, s("SELECT MIN(balance_after) FROM token_transactions")),
             1000 - 7 * (1000 / 7));
    QCOMPARE(scalar(*m_db, s("SELECT COUNT(DISTINCT balance_after) FROM token_transactions")),
             qint64(succeeded.load()) + 1);
}

void tst_Ledger::revokeBeyondBalanceRecordsDebt()
{
    QSqlDatabase db = m_db->connection();
    QVERIFY(m_ledger.credit(db, posting(s("purchase"), 100)).ok());
    QVERIFY(m_ledger.use(db, posting(s("usage"), 80)).ok());
    const LedgerResult revoked = m_ledger.revoke(db, posting(s("refund"), 50, s("re_1")));
    QVERIFY2(revoked.ok(), qPrintable(revoked.error.text));
    QCOMPARE(revoked.balance.balance, 0);
    QCOMPARE(revoked.balance.debt, 30);
    QCOMPARE(revoked.entry.amount, -50);
    QCOMPARE(revoked.entry.balanceAfter, 0);
    QCOMPARE(revoked.entry.debtAfter, 30);
    QCOMPARE(scalar(*m_db, s("SELECT debt FROM token_balances")), 30);

    // With a debt, nothing can be used.
    QCOMPARE(m_ledger.use(db, posting(s("usage"), 1)).status, LedgerResult::Status::Insufficient);
}

void tst_Ledger::creditPaysDebtFirst()
{
    QSqlDatabase db = m_db->connection();
    QVERIFY(m_ledger.revoke(db, posting(s("refund"), 30)).ok());
    const LedgerResult credited = m_ledger.credit(db, posting(s("purchase"), 100));
    QVERIFY(credited.ok());
    QCOMPARE(credited.balance.debt, 0);
    QCOMPARE(credited.balance.balance, 70);
    QCOMPARE(credited.entry.amount, 100);
    QCOMPARE(credited.entry.balanceAfter, 70);
}

void tst_Ledger::schemaForbidsNegativeBalance()
{
    QSqlDatabase db = m_db->connection();
    QVERIFY(m_ledger.credit(db, posting(s("adjustment"), 5)).ok());
    QSqlQuery raw(db);
    QVERIFY(!raw.exec(s("UPDATE token_balances SET balance = -1")));
    QVERIFY(!raw.exec(s("UPDATE token_balances SET debt = -1")));
    QCOMPARE(scalar(*m_db, s("SELECT balance FROM token_balances")), 5);
}

void tst_Ledger::paginationByCursorAndOffset()
{
    QSqlDatabase db = m_db->connection();
    for (int i = 1; i <= 25; ++i)
        QVERIFY(m_ledger.credit(db, posting(s("bonus"), i)).ok());
    QVERIFY(m_ledger.use(db, posting(s("usage"), 10)).ok());

    StorageError error;
    QSet<qint64> seen;
    qint64 cursor = 0;
    qint64 previous = std::numeric_limits<qint64>::max();
    int pages = 0;
    do {
        const auto page = m_ledger.entries(db, s("cst_a"), 10, cursor, 0, &error);
        QVERIFY2(page, qPrintable(error.text));
        for (const LedgerEntry &entry : page->entries) {
            QVERIFY(entry.seq < previous); // newest first, strictly
            previous = entry.seq;
            seen.insert(entry.seq);
        }
        cursor = page->hasMore ? page->nextCursor : 0;
        ++pages;
    } while (cursor > 0 && pages < 10);
    QCOMPARE(pages, 3);
    QCOMPARE(seen.size(), 26);

    const auto byOffset = m_ledger.entries(db, s("cst_a"), 5, 0, 20, &error);
    QVERIFY(byOffset);
    QCOMPARE(byOffset->entries.size(), 5);
    QCOMPARE(byOffset->entries.first().amount, 6); // seq 26 is the usage; seq i is bonus i
    QVERIFY(byOffset->hasMore);
    const auto last = m_ledger.entries(db, s("cst_a"), 5, 0, 25, &error);
    QVERIFY(last);
    QCOMPARE(last->entries.size(), 1);
    QVERIFY(!last->hasMore);

    const auto stats = m_ledger.stats(db, s("cst_a"), &error);
    QVERIFY(stats);
    QCOMPARE(stats->count, 26);
    QCOMPARE(stats->totalBonus, 25 * 26 / 2);
    QCOMPARE(stats->totalUsage, 10);
}

// Inside a StatementScope the ledger's statements are prepared once and reused (the worker's
// path); the results are the same, and once the scope closes no statement is left active: a
// checkpoint that must reset the whole WAL succeeds, so no read snapshot outlives the scope.
void tst_Ledger::statementScopeReusesAndReleasesStatements()
{
    QSqlDatabase db = m_db->connection();
    {
        const BillingSql::StatementScope statements;
        for (int i = 1; i <= 30; ++i) {
            const LedgerResult credit
                    = m_ledger.credit(db, posting(s("purchase"), 100, s("cs_%1").arg(i % 20)));
            QVERIFY2(credit.status != LedgerResult::Status::Error, qPrintable(credit.error.text));
            QCOMPARE(credit.status == LedgerResult::Status::Duplicate, i > 20);
        }
        StorageError error;
        const auto balance = m_ledger.balance(db, s("cst_a"), &error);
        QVERIFY2(balance, qPrintable(error.text));
        QCOMPARE(balance->balance, 20 * 100);
        const auto found = m_ledger.findByReference(db, s("test_ref"), s("cs_3"), &error);
        QVERIFY(found);
        QCOMPARE(found->amount, 100);
    }
    Database other(m_dir->filePath(s("ledger.sqlite")));
    QString error;
    QVERIFY2(other.open(&error), qPrintable(error));
    QSqlQuery checkpoint(other.connection());
    QVERIFY(checkpoint.exec(s("PRAGMA busy_timeout = 0")));
    QVERIFY(checkpoint.exec(s("PRAGMA wal_checkpoint(TRUNCATE)")) && checkpoint.next());
    QCOMPARE(checkpoint.value(0).toInt(), 0); // not busy: no reader holds the log
    QCOMPARE(QFileInfo(m_dir->filePath(s("ledger.sqlite-wal"))).size(), 0);
}

// The cache is keyed by driver address, and the next connection's driver may be allocated at
// a closed one's address: none of the old statements may then be used (each was finalised,
// and handing one out ran the wrong SQL: "Parameter count mismatch"). The property, checked
// without waiting for the allocator to reuse an address: once a connection is gone, the cache
// holds none of its statements after the next scope, and a new connection prepares its own.
void tst_Ledger::statementCacheForgetsADeletedConnection()
{
    const QString path = m_dir->filePath(s("cache.sqlite"));
    const int statementCount = 16;
    {
        const BillingSql::StatementScope scope; // forgets earlier tests' closed connections
    }
    const int before = BillingSql::cachedStatementCount();
    const auto runAll = [&](const Database &database) {
        QSqlDatabase db = database.connection();
        const BillingSql::StatementScope statements;
        for (int i = 0; i < statementCount; ++i) {
            QSqlQuery query(db);
            StorageError error;
            QVERIFY2(BillingSql::exec(query, s("SELECT ? + %1").arg(i), {i}, &error),
                     qPrintable(error.text));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), 2 * i);
        }
    };
    {
        const Database first(path);
        runAll(first);
        QCOMPARE(BillingSql::cachedStatementCount(), before + statementCount);
    }
    {
        const BillingSql::StatementScope scope; // closes after the first connection went
    }
    QCOMPARE(BillingSql::cachedStatementCount(), before);
    for (int round = 0; round < 3; ++round) {
        const Database next(path);
        runAll(next);
        QCOMPARE(BillingSql::cachedStatementCount(), before + statementCount);
    }
}

QTEST_GUILESS_MAIN(tst_Ledger)
#include "tst_ledger.moc"

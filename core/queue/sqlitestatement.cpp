// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/queue/sqlitestatement.h"

#include "core/logging.h"

#include <QSqlDriver>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

namespace Mouse {

sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    if (db.driverName() != QLatin1String("QSQLITE") || !db.driver())
        return nullptr;
    // Qt documents this handle as "sqlite3*" for the QSQLITE driver.
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

qint64 preallocateWal(const QSqlDatabase &db, qint64 bytes)
{
    sqlite3 *handle = sqliteHandle(db);
    // Only a write-ahead log: the pointer below is the rollback journal in other modes (an
    // in-memory database's is a memory journal, which takes sequential writes only).
    QSqlQuery mode(db);
    if (!handle || !mode.exec(QStringLiteral("PRAGMA journal_mode")) || !mode.next()
        || mode.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return -1;
    mode.finish();
    sqlite3_file *wal = nullptr;
    if (sqlite3_file_control(handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK
        || !wal || !wal->pMethods)
        return -1; // not open: not in WAL mode (or no transaction opened it yet)
    sqlite3_int64 size = 0;
    if (wal->pMethods->xFileSize(wal, &size) != SQLITE_OK)
        return -1;
    if (size >= bytes)
        return size;
    // The unix VFS writes at most 128 KiB per call (seekAndWrite masks the length).
    constexpr int kChunk = 64 << 10;
    static const QByteArray zeros(kChunk, '\0');
    for (sqlite3_int64 at = size; at < bytes; at += kChunk) {
        const int n = int(qMin<sqlite3_int64>(kChunk, bytes - at));
        if (wal->pMethods->xWrite(wal, zeros.constData(), n, at) != SQLITE_OK) {
            qCWarning(lcQueue) << "growing the write-ahead log failed at" << at;
            return -1;
        }
    }
    if (wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
        qCWarning(lcQueue) << "syncing the grown write-ahead log failed";
        return -1;
    }
    return bytes;
}

SqliteStatement::SqliteStatement(const QSqlDatabase &db, const char *sql)
    : m_db(sqliteHandle(db))
{
    if (!m_db)
        return;
    if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr)
        != SQLITE_OK) {
        qCWarning(lcQueue) << "preparing a statement failed:" << lastError();
        sqlite3_finalize(m_statement);
        m_statement = nullptr;
        return;
    }
    m_scratch.resize(size_t(sqlite3_bind_parameter_count(m_statement)));
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

void SqliteStatement::bind(int index, const QByteArray &utf8)
{
    // A null string is NULL, as QSqlQuery binds it.
    if (utf8.isNull()) {
        sqlite3_bind_null(m_statement, index);
        return;
    }
    bindScratch(index, utf8.constData(), utf8.size());
}

void SqliteStatement::bind(int index, const QString &text)
{
    if (text.isNull()) {
        sqlite3_bind_null(m_statement, index);
        return;
    }
    // The hot binds are short ASCII (event and task ids, types, ordering keys): narrowed
    // straight into the parameter's buffer, with no QByteArray per bind.
    std::string *out = scratch(index);
    const qsizetype size = text.size();
    const char16_t *in = reinterpret_cast<const char16_t *>(text.utf16());
    qsizetype i = 0;
    if (out) {
        out->resize(size_t(size));
        for (; i < size && in[i] < 0x80; ++i)
            (*out)[size_t(i)] = char(in[i]);
    }
    if (out && i == size) {
        sqlite3_bind_text(m_statement, index, out->data(), int(size), SQLITE_STATIC);
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    bindScratch(index, utf8.constData(), utf8.size());
}

void SqliteStatement::bindUntilRun(int index, const QByteArray &utf8)
{
    if (utf8.isNull()) {
        sqlite3_bind_null(m_statement, index);
        return;
    }
    // SQLITE_STATIC: SQLite reads the caller's bytes during run(), which clears the binds.
    sqlite3_bind_text(m_statement, index, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
}

std::string *SqliteStatement::scratch(int index)
{
    if (index < 1 || size_t(index) > m_scratch.size())
        return nullptr;
    return &m_scratch[size_t(index - 1)];
}

void SqliteStatement::bindScratch(int index, const char *data, qsizetype size)
{
    // Text is copied into the parameter's own buffer, whose capacity stays from run to run, and
    // bound SQLITE_STATIC: SQLITE_TRANSIENT would allocate, copy and free a copy per bind.
    std::string *out = scratch(index);
    if (!out) {
        sqlite3_bind_text(m_statement, index, data, int(size), SQLITE_TRANSIENT);
        return;
    }
    out->assign(data, size_t(size));
    sqlite3_bind_text(m_statement, index, out->data(), int(size), SQLITE_STATIC);
}

void SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_statement, index, value);
}

void SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_statement, index);
}

bool SqliteStatement::run()
{
    const int rc = sqlite3_step(m_statement);
    const bool ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!ok)
        qCWarning(lcQueue) << "a statement failed:" << lastError();
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    return ok;
}

int SqliteStatement::changes() const
{
    return sqlite3_changes(m_db);
}

QString SqliteStatement::lastError() const
{
    return m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString();
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Load client for `make bench-webhooks`: N signed Stripe events over C keep-alive connections
// (one request in flight per connection, epoll, one thread), ack latency per request.
//
//   webhook_load prepare --db PATH --customers K
//   webhook_load load --port P --events N --connections C --secret S --prefix P --customers K
//                [--admin-token T] [--out FILE]
//   webhook_load verify --db PATH --prefix P --events N --customers K --out FILE
//
// `load` with --admin-token also polls GET /admin/queue until the backlog is empty and reports
// the time from the first request until then (drain_s).
#include "core/billing/stripesignature.h"
#include "core/storage/database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QStringList>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <thread>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace {

using Clock = std::chrono::steady_clock;

struct Args
{
    QString command;
    QMap<QString, QString> values;
    QString value(const QString &key, const QString &fallback = {}) const
    {
        return values.value(key, fallback);
    }
    qint64 integer(const QString &key, qint64 fallback) const
    {
        return values.contains(key) ? values.value(key).toLongLong() : fallback;
    }
};

Args parse(const QStringList &arguments)
{
    Args args;
    args.command = arguments.value(1);
    for (int i = 2; i + 1 < arguments.size(); i += 2)
        args.values.insert(arguments[i].mid(2), arguments[i + 1]);
    return args;
}

QString customerId(qint64 i, qint64 customers)
{
    return u"cust_bench_%1"_s.arg(i % customers);
}

QByteArray eventBody(const QString &prefix, qint64 i, qint64 customers)
{
    return u"{\"id\":\"%1%2\",\"object\":\"event\",\"type\":\"checkout.session.completed\","
           "\"created\":%4,\"livemode\":false,\"pending_webhooks\":1,\"data\":{\"object\":{"
           "\"id\":\"cs_%1%2\",\"object\":\"checkout.session\",\"mode\":\"payment\","
           "\"status\":\"complete\",\"payment_status\":\"paid\",\"amount_total\":1900,"
           "\"currency\":\"usd\",\"metadata\":{\"customer_id\":\"%3\",\"package_slug\":"
           "\"starter\",\"token_amount\":\"4000\"}}}}"_s.arg(prefix)
                   .arg(i)
                   .arg(customerId(i, customers))
                   .arg(QDateTime::currentSecsSinceEpoch())
                   .toUtf8();
}

void writeJson(const QString &path, const QJsonObject &object)
{
    if (path.isEmpty())
        return;
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(QJsonDocument(object).toJson());
}

int prepare(const Args &args)
{
    Mouse::Database db(args.value(u"db"_s));
    QString error;
    if (!db.open(&error)) {
        std::fprintf(stderr, "prepare: %s\n", qPrintable(error));
        return 1;
    }
    QSqlDatabase c = db.connection();
    c.transaction();
    const qint64 customers = args.integer(u"customers"_s, 100);
    for (qint64 i = 0; i < customers; ++i) {
        QSqlQuery insert(c);
        insert.prepare(u"INSERT INTO customers (id, company_name, email, created_at) "
                       "VALUES (?, ?, ?, 0)"_s);
        insert.addBindValue(customerId(i, customers));
        insert.addBindValue(u"Bench %1"_s.arg(i));
        insert.addBindValue(u"bench%1@example.test"_s.arg(i));
        insert.exec();
    }
    c.commit();
    return 0;
}

qint64 scalar(QSqlDatabase &db, const QString &sql, const QString &bind = {})
{
    QSqlQuery query(db);
    query.prepare(sql);
    if (!bind.isNull())
        query.addBindValue(bind);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

int verify(const Args &args)
{
    Mouse::Database db(args.value(u"db"_s));
    QString error;
    if (!db.open(&error))
        return 1;
    QSqlDatabase c = db.connection();
    const QString like = args.value(u"prefix"_s) + u'%';
    QJsonObject out{
            {u"stored"_s,
             scalar(c, u"SELECT COUNT(*) FROM stripe_events WHERE event_id LIKE ?"_s, like)},
            {u"processed"_s,
             scalar(c,
                    u"SELECT COUNT(*) FROM stripe_events WHERE event_id LIKE ? "
                    "AND status = 'processed'"_s,
                    like)},
            {u"tasks_done"_s,
             scalar(c,
                    u"SELECT COUNT(*) FROM tasks WHERE reference LIKE ? AND "
                    "status = 'done'"_s,
                    like)},
            {u"tasks_unfinished"_s,
             scalar(c,
                    u"SELECT COUNT(*) FROM tasks WHERE status <> "
                    "'done'"_s)},
            {u"purchases"_s,
             scalar(c,
                    u"SELECT COUNT(*) FROM token_transactions WHERE type = "
                    "'purchase' AND reference_id LIKE ?"_s,
                    u"cs_"_s + like)},
            {u"tokens"_s, scalar(c, u"SELECT SUM(balance) FROM token_balances"_s)},
    };
    writeJson(args.value(u"out"_s), out);
    std::printf("%s", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    std::printf("\n");
    return 0;
}

// --- the load itself ---

struct Connection
{
    int fd = -1;
    qint64 current = -1;
    QByteArray out;
    qsizetype sent = 0;
    QByteArray in;
    Clock::time_point started;
};

int connectTo(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    return fd;
}

// Returns the length of one complete response at the front of buffer (0: incomplete), its
// status, and whether the server closes the connection after it.
qsizetype completeResponse(const QByteArray &buffer, int *status, bool *closes)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return 0;
    const QByteArray head = buffer.left(end).toLower();
    *status = head.mid(9, 3).toInt();
    qsizetype length = 0;
    const qsizetype cl = head.indexOf("content-length:");
    if (cl >= 0)
        length = head.mid(cl + 15, head.indexOf('\r', cl) - cl - 15).trimmed().toLongLong();
    *closes = head.contains("connection: close");
    if (buffer.size() < end + 4 + length)
        return 0;
    return end + 4 + length;
}

double percentile(std::vector<double> sorted, double q)
{
    if (sorted.empty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    const size_t index = std::min(sorted.size() - 1, size_t(q * double(sorted.size())));
    return sorted[index];
}

QJsonObject adminQueue(quint16 port, const QByteArray &token)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QJsonObject result;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0) {
        const QByteArray request = "GET /admin/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Authorization: Bearer "
                                   + token + "\r\nConnection: close\r\n\r\n";
        ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL);
        QByteArray in;
        char chunk[65536];
        ssize_t n = 0;
        int status = 0;
        bool closes = false;
        while ((n = ::recv(fd, chunk, sizeof chunk, 0)) > 0) {
            in.append(chunk, n);
            if (completeResponse(in, &status, &closes) > 0)
                break;
        }
        result = QJsonDocument::fromJson(in.mid(in.indexOf("\r\n\r\n") + 4)).object();
    }
    ::close(fd);
    return result;
}

int load(const Args &args)
{
    const auto port = quint16(args.integer(u"port"_s, 8000));
    const qint64 events = args.integer(u"events"_s, 10000);
    const int connections = int(args.integer(u"connections"_s, 64));
    const QByteArray secret = args.value(u"secret"_s, u"whsec_bench"_s).toUtf8();
    const QString prefix = args.value(u"prefix"_s, u"evt_bench_"_s);
    const qint64 customers = args.integer(u"customers"_s, 100);
    const QByteArray adminToken = args.value(u"admin-token"_s).toUtf8();

    // Everything signed up front, so the client spends its time on the wire.
    std::vector<QByteArray> requests;
    requests.reserve(size_t(events));
    for (qint64 i = 0; i < events; ++i) {
        const QByteArray body = eventBody(prefix, i, customers);
        const QByteArray signature = Mouse::makeStripeSignatureHeader(
                {secret}, QDateTime::currentSecsSinceEpoch(), body);
        requests.push_back("POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nStripe-Signature: "
                           + signature + "\r\nContent-Length: " + QByteArray::number(body.size())
                           + "\r\n\r\n" + body);
    }

    const int epoll = ::epoll_create1(0);
    std::vector<Connection> pool(static_cast<size_t>(connections));
    qint64 next = 0;
    qint64 done = 0;
    std::vector<double> latencies;
    latencies.reserve(size_t(events));
    std::map<int, qint64> statuses;
    qint64 errors = 0;

    auto arm = [&](Connection &c, quint32 flags) {
        epoll_event ev{};
        ev.events = flags;
        ev.data.ptr = &c;
        ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &ev);
    };
    auto open = [&](Connection &c) {
        c.fd = connectTo(port);
        c.in.clear();
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.ptr = &c;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &ev);
    };
    auto startNext = [&](Connection &c) {
        if (next >= events) {
            c.current = -1;
            ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
            return;
        }
        c.current = next++;
        c.out = requests[size_t(c.current)];
        c.sent = 0;
        c.started = Clock::now();
        arm(c, EPOLLOUT);
    };

    // A request without an answer (reset, closed): counted as an error, not retried.
    auto fail = [&](Connection &c) {
        if (c.current >= 0) {
            ++errors;
            ++done;
        }
        ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
        c.current = -1;
        if (next < events) {
            open(c);
            startNext(c);
        }
    };

    const Clock::time_point begin = Clock::now();
    for (Connection &c : pool)
        open(c);
    for (Connection &c : pool)
        startNext(c);

    std::vector<epoll_event> ready(static_cast<size_t>(connections));
    while (done < events) {
        const int n = ::epoll_wait(epoll, ready.data(), connections, 10000);
        if (n <= 0) {
            std::fprintf(stderr,
                         "load: no progress for 10 s (%lld of %lld answered)\n",
                         static_cast<long long>(done),
                         static_cast<long long>(events));
            break;
        }
        for (int i = 0; i < n; ++i) {
            Connection &c = *static_cast<Connection *>(ready[size_t(i)].data.ptr);
            if (ready[size_t(i)].events & (EPOLLERR | EPOLLHUP)) {
                fail(c);
                continue;
            }
            if (ready[size_t(i)].events & EPOLLOUT) {
                const ssize_t w = ::send(c.fd,
                                         c.out.constData() + c.sent,
                                         size_t(c.out.size() - c.sent),
                                         MSG_NOSIGNAL);
                if (w > 0)
                    c.sent += w;
                if (c.sent == c.out.size())
                    arm(c, EPOLLIN);
                continue;
            }
            char chunk[16384];
            const ssize_t r = ::recv(c.fd, chunk, sizeof chunk, 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                fail(c);
                continue;
            }
            c.in.append(chunk, r);
            int status = 0;
            bool closes = false;
            const qsizetype length = completeResponse(c.in, &status, &closes);
            if (length == 0)
                continue;
            c.in.remove(0, length);
            latencies.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
            ++statuses[status];
            ++done;
            if (closes) {
                ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
                ::close(c.fd);
                open(c);
            }
            startNext(c);
        }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    for (Connection &c : pool) {
        if (c.fd >= 0)
            ::close(c.fd);
    }
    ::close(epoll);

    double drain = -1;
    if (!adminToken.isEmpty()) {
        for (int i = 0; i < 6000; ++i) {
            const QJsonObject queue = adminQueue(port, adminToken);
            if (queue.contains(u"backlog"_s) && queue.value(u"backlog"_s).toInteger() == 0) {
                drain = std::chrono::duration<double>(Clock::now() - begin).count();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    QJsonObject codes;
    qint64 acks = 0;
    for (const auto &[status, count] : statuses) {
        codes.insert(QString::number(status), count);
        if (status == 202 || status == 200)
            acks += count;
    }
    const QJsonObject out{
            {u"events"_s, events},
            {u"connections"_s, connections},
            {u"answered"_s, qint64(latencies.size())},
            {u"acks"_s, acks},
            {u"errors"_s, errors},
            {u"status"_s, codes},
            {u"ack_p50_ms"_s, percentile(latencies, 0.50)},
            {u"ack_p99_ms"_s, percentile(latencies, 0.99)},
            {u"ack_max_ms"_s, percentile(latencies, 1.0)},
            {u"elapsed_s"_s, elapsed},
            {u"acks_per_s"_s, elapsed > 0 ? double(acks) / elapsed : 0},
            {u"drain_s"_s, drain},
    };
    writeJson(args.value(u"out"_s), out);
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return acks == events ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Args args = parse(app.arguments());
    if (args.command == u"prepare")
        return prepare(args);
    if (args.command == u"load")
        return load(args);
    if (args.command == u"verify")
        return verify(args);
    std::fprintf(stderr, "usage: webhook_load prepare|load|verify --key value ...\n");
    return 2;
}

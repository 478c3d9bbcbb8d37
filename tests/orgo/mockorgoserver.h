// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A tiny HTTP/1.1 server on 127.0.0.1 for Orgo client tests: keep-alive, Content-Length
// bodies, per-request handler with an optional delay or no answer at all, and counters of
// requests and of the most requests open at once.

#include <QHash>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <functional>

class MockOrgoServer : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };
    struct Response
    {
        int status = 200;
        QByteArray body = "{}";
        QList<QPair<QByteArray, QByteArray>> headers;
        int delayMs = 0;
        bool hang = false; // never answer
    };
    using Handler = std::function<Response(const Request &)>;

    explicit MockOrgoServer(QObject *parent = nullptr)
        : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++m_connections;
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/api").arg(m_server.serverPort()));
    }
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    int requests() const { return m_requests.size(); }
    const QList<Request> &received() const { return m_requests; }
    int open() const { return m_open; }
    int maxOpen() const { return m_maxOpen; }
    int connections() const { return m_connections; }
    void resetCounters()
    {
        m_requests.clear();
        m_maxOpen = m_open;
    }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            Request request;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.path = first.value(1);
            qsizetype length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon < 0)
                    continue;
                const QByteArray name = lines[i].left(colon).trimmed().toLower();
                const QByteArray value = lines[i].mid(colon + 1).trimmed();
                request.headers.insert(name, value);
                if (name == "content-length")
                    length = value.toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            request.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            answer(socket, request);
        }
    }

    void answer(QTcpSocket *socket, const Request &request)
    {
        m_requests.append(request);
        ++m_open;
        m_maxOpen = qMax(m_maxOpen, m_open);
        const Response response = m_handler ? m_handler(request) : Response{};
        if (response.hang)
            return; // stays open for good
        QPointer<QTcpSocket> guard(socket);
        auto send = [this, guard, response] {
            --m_open;
            if (!guard)
                return;
            QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " X\r\n";
            out += "Content-Type: application/json\r\nContent-Length: "
                   + QByteArray::number(response.body.size()) + "\r\n";
            for (const auto &[name, value] : response.headers)
                out += name + ": " + value + "\r\n";
            out += "\r\n" + response.body;
            guard->write(out);
        };
        if (response.delayMs > 0)
            QTimer::singleShot(response.delayMs, this, send);
        else
            send();
    }

    QTcpServer m_server;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
    int m_open = 0;
    int m_maxOpen = 0;
    int m_connections = 0;
};

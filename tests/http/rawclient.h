// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A byte-level HTTP/1.1 client for tests: it writes exactly the bytes given and parses the
// answers itself, so tests can send what no well-behaved client would. It runs on the test's
// event loop (the server lives on the same thread), so every wait spins the loop.

#include <QByteArray>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

#include <memory>

struct RawResponse
{
    int status = 0;
    QByteArray statusLine;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString errorCode() const
    {
        return json()
                .value(QStringLiteral("error"))
                .toObject()
                .value(QStringLiteral("code"))
                .toString();
    }
};

class RawClient
{
public:
    explicit RawClient(quint16 port, bool tls = false)
    {
        if (tls) {
            auto *ssl = new QSslSocket;
            ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
            m_socket.reset(ssl);
            ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        } else {
            m_socket = std::make_unique<QTcpSocket>();
            m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        }
    }

    QTcpSocket *socket() const { return m_socket.get(); }

    bool waitConnected(int ms = 5000)
    {
        auto *ssl = qobject_cast<QSslSocket *>(m_socket.get());
        return QTest::qWaitFor(
                [&] {
                    if (m_socket->state() != QAbstractSocket::ConnectedState)
                        return false;
                    return !ssl || ssl->isEncrypted();
                },
                ms);
    }

    void send(const QByteArray &bytes)
    {
        if (m_socket->state() != QAbstractSocket::ConnectedState && !waitConnected())
            return;
        m_socket->write(bytes);
        m_socket->flush();
    }

    // Received so far (everything, including what parse() has not consumed).
    QByteArray &buffer()
    {
        if (m_socket->isOpen())
            m_buffer += m_socket->readAll();
        return m_buffer;
    }

    bool isClosed()
    {
        buffer();
        return m_socket->state() == QAbstractSocket::UnconnectedState;
    }

    bool waitClosed(int ms = 5000)
    {
        return QTest::qWaitFor([&] { return isClosed(); }, ms);
    }

    // Waits for one whole answer (HEAD answers: pass head = true) and removes it.
    std::optional<RawResponse> next(int ms = 5000, bool head = false)
    {
        std::optional<RawResponse> response;
        [[maybe_unused]] const bool done = QTest::qWaitFor(
                [&] {
                    response = parse(head);
                    return response.has_value()
                           || m_socket->state() == QAbstractSocket::UnconnectedState;
                },
                ms);
        if (!response)
            response = parse(head);
        return response;
    }

    // One request with Connection: close semantics left to the caller.
    std::optional<RawResponse> request(const QByteArray &bytes, int ms = 5000, bool head = false)
    {
        send(bytes);
        return next(ms, head);
    }

private:
    std::optional<RawResponse> parse(bool head)
    {
        QByteArray &data = buffer();
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        RawResponse response;
        const QList<QByteArray> lines = data.left(end).split('\n');
        response.statusLine = lines.first().trimmed();
        response.status = response.statusLine.mid(9, 3).toInt();
        qint64 length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            response.headers.append({name, value});
            if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                length = value.toLongLong();
        }
        if (response.status < 200 || head || response.status == 204 || response.status == 304)
            length = 0;
        if (data.size() < end + 4 + length)
            return std::nullopt;
        response.body = data.mid(end + 4, length);
        data.remove(0, end + 4 + length);
        return response;
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
};

inline QByteArray get(const QByteArray &path, const QByteArray &extraHeaders = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

inline QByteArray bearer(const QByteArray &token)
{
    return "Authorization: Bearer " + token + "\r\n";
}

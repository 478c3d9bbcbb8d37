// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

// A minimal blocking HTTP/1.1 keep-alive client for integration tests that drive a real
// mouse-gateway process from several threads (QNetworkAccessManager would cap at 6 connections
// per host and needs an event loop per thread). 127.0.0.1 only.
class CrashHttpClient final
{
public:
    explicit CrashHttpClient(quint16 port)
        : m_port(port)
    {}
    ~CrashHttpClient() { close(); }
    CrashHttpClient(const CrashHttpClient &) = delete;
    CrashHttpClient &operator=(const CrashHttpClient &) = delete;

    struct Response
    {
        int status = 0; // 0: no answer (connection refused, reset, timeout)
        QByteArray body;
    };

    Response request(const QByteArray &method,
                     const QByteArray &path,
                     const QList<QPair<QByteArray, QByteArray>> &headers = {},
                     const QByteArray &body = {})
    {
        if (m_fd < 0 && !open())
            return {};
        QByteArray out = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto &[name, value] : headers)
            out += name + ": " + value + "\r\n";
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        if (!writeAll(out)) {
            close();
            return {};
        }
        Response response;
        if (!readResponse(&response)) {
            close();
            return {};
        }
        return response;
    }

    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        m_buffer.clear();
    }

private:
    bool open()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (m_fd < 0)
            return false;
        timeval timeout{10, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(m_port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            close();
            return false;
        }
        return true;
    }

    bool writeAll(const QByteArray &data)
    {
        qsizetype sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(
                    m_fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }

    bool fill()
    {
        char chunk[16384];
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        m_buffer.append(chunk, n);
        return true;
    }

    bool readResponse(Response *response)
    {
        qsizetype end = -1;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!fill())
                return false;
        }
        const QByteArray head = m_buffer.left(end);
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> statusLine = lines.value(0).split(' ');
        response->status = statusLine.value(1).toInt();
        qsizetype length = 0;
        bool closeAfter = false;
        for (const QByteArray &line : lines) {
            const QByteArray lower = line.trimmed().toLower();
            if (lower.startsWith("content-length:"))
                length = lower.mid(15).trimmed().toLongLong();
            if (lower.startsWith("connection:") && lower.contains("close"))
                closeAfter = true;
        }
        while (m_buffer.size() < end + 4 + length) {
            if (!fill())
                return false;
        }
        response->body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        if (closeAfter)
            close();
        return response->status > 0;
    }

    quint16 m_port = 0;
    int m_fd = -1;
    QByteArray m_buffer;
};

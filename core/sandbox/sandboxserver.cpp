// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/sandbox/sandboxserver.h"

#include <QDateTime>

namespace Mouse {

// TODO(#2): the real server; remove when the sandbox module lands (this is the early header drop).
struct SandboxServer::Private
{
    Settings settings;
    Config config;
    std::function<qint64()> clock = [] {
        return QDateTime::currentMSecsSinceEpoch();
    };
};

SandboxServer::SandboxServer(const Settings &settings, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(Private{settings, {}, {}}))
{}

SandboxServer::~SandboxServer() = default;

bool SandboxServer::start(QString *error)
{
    if (error)
        *error = QStringLiteral("the sandbox fleet is not implemented yet");
    return false;
}

void SandboxServer::stop() {}

bool SandboxServer::isRunning() const
{
    return false;
}

QUrl SandboxServer::baseUrl() const
{
    return {};
}

QString SandboxServer::apiKey() const
{
    return d->settings.string(QStringLiteral("sandbox/api_key"));
}

QString SandboxServer::workspaceId() const
{
    return d->settings.string(QStringLiteral("sandbox/workspace_id"));
}

SandboxServer::Config SandboxServer::config() const
{
    return d->config;
}

void SandboxServer::setConfig(const Config &config)
{
    d->config = config;
}

QList<SandboxServer::Computer> SandboxServer::computers() const
{
    return {};
}

QJsonObject SandboxServer::stats() const
{
    return {};
}

void SandboxServer::resetStats() {}

QJsonObject SandboxServer::healthSnapshot() const
{
    return {};
}

void SandboxServer::setClock(std::function<qint64()> nowMs)
{
    d->clock = std::move(nowMs);
}

void SandboxServer::driftOnce() {}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Mouse {

// A token package a customer can buy through Stripe Checkout (the original's table).
struct TokenPackage
{
    QString slug;
    QString name;
    qint64 priceCents = 0;
    qint64 tokenAmount = 0;
    QString description;
    QStringList features;
    bool purchasable = true; // enterprise is sold by contract, never through Checkout

    QJsonObject toJson() const;
};

// The fixed catalogue: starter 1900 cents / 4000 tokens, growth 4900 / 12000, pro 9900 / 30000.
class TokenPackages final
{
public:
    static const QList<TokenPackage> &all();
    static QList<TokenPackage> purchasable();
    static std::optional<TokenPackage> find(const QString &slug); // purchasable ones only
};

} // namespace Mouse

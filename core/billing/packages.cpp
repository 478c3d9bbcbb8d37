// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/packages.h"

#include <QJsonArray>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

QString dollars(qint64 cents)
{
    if (cents % 100 == 0)
        return u"$"_s + QString::number(cents / 100);
    return u"$"_s + QString::number(cents / 100.0, 'f', 2);
}

} // namespace

QJsonObject TokenPackage::toJson() const
{
    const double perThousand = tokenAmount > 0 ? priceCents * 1000.0 / tokenAmount / 100.0 : 0;
    return {{u"slug"_s, slug},
            {u"name"_s, name},
            {u"price_cents"_s, priceCents},
            {u"price"_s, dollars(priceCents)},
            {u"price_per_1000"_s, QString(u"$"_s + QString::number(perThousand, 'f', 2))},
            {u"token_amount"_s, tokenAmount},
            {u"bonus_tokens"_s, 0},
            {u"total_tokens"_s, tokenAmount},
            {u"estimated_hours"_s, qint64(tokenAmount / 100)},
            {u"description"_s, description},
            {u"features"_s, QJsonArray::fromStringList(features)},
            {u"popular"_s, slug == u"growth"}};
}

const QList<TokenPackage> &TokenPackages::all()
{
    static const QList<TokenPackage> packages{
            {u"starter"_s,
             u"Starter"_s,
             1900,
             4000,
             u"For trying out AI employees"_s,
             {u"4,000 tokens"_s, u"About 40 VM hours"_s, u"Email support"_s},
             true},
            {u"growth"_s,
             u"Growth"_s,
             4900,
             12000,
             u"For small teams running several AI employees"_s,
             {u"12,000 tokens"_s, u"About 120 VM hours"_s, u"Priority support"_s},
             true},
            {u"pro"_s,
             u"Pro"_s,
             9900,
             30000,
             u"For busy teams and resellers"_s,
             {u"30,000 tokens"_s, u"About 300 VM hours"_s, u"Dedicated support"_s},
             true},
            {u"enterprise"_s,
             u"Enterprise"_s,
             0,
             0,
             u"Custom volume, sold by contract"_s,
             {u"Custom token volume"_s},
             false},
    };
    return packages;
}

QList<TokenPackage> TokenPackages::purchasable()
{
    QList<TokenPackage> result;
    for (const TokenPackage &package : all()) {
        if (package.purchasable)
            result.append(package);
    }
    return result;
}

std::optional<TokenPackage> TokenPackages::find(const QString &slug)
{
    for (const TokenPackage &package : all()) {
        if (package.purchasable && package.slug == slug)
            return package;
    }
    return std::nullopt;
}

} // namespace Mouse

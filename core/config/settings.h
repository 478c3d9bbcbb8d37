// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>
#include <utility>

namespace Mouse {

// The gateway's configuration, validated once at start-up.
//
// Every key has a type, a default and a range (see settings.cpp and docs/configuration.md).
// Sources, weakest first: built-in defaults, the INI file (QSettings, `[orgo] batch_limit=10`),
// environment variables (only the documented ones, e.g. ORGO_API_KEY), then command-line flags
// (`--listen`, `--set orgo/batch_limit=20`). The first invalid value stops loading with an error
// naming the key and where it came from, also when a stronger source overrides that key (a
// broken value must not lie in wait for the day the override goes). server/admin_token, when
// set, must be at least MinAdminTokenLength characters. Settings is an immutable value.
class Settings final
{
public:
    // Shorter admin tokens are refused at start-up; a generated one is longer (42).
    static constexpr int MinAdminTokenLength = 16;

    struct Sources
    {
        QString configFile; // empty: no file
        QProcessEnvironment environment;
        // key, raw value: the command line's, in order. Each is validated, a later one wins:
        // an invalid value stops loading even when a later flag overrides it.
        QList<std::pair<QString, QString>> flags;
    };

    static std::optional<Settings> load(const Sources &sources, QString *error);

    // Only built-in defaults; for tests, which then override single keys with withValue().
    static Settings defaults();

    // A copy with one key replaced; the value is validated like any other source.
    Settings withValue(const QString &key, const QString &rawValue) const;

    QString string(const QString &key) const;
    QStringList list(const QString &key) const;
    qint64 integer(const QString &key) const;
    double real(const QString &key) const;
    bool boolean(const QString &key) const;

    // Where a key's value came from: "default", "file", "environment" or "flag".
    QString sourceOf(const QString &key) const;

    // All known keys with their documentation, for --help and docs.
    static QStringList describeKeys();

private:
    QHash<QString, QVariant> m_values;
    QHash<QString, QString> m_sources;
};

} // namespace Mouse

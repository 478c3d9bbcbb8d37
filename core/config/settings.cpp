// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/settings.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSettings>
#include <QUrl>

#include <limits>

namespace Mouse {

namespace {

enum class Type { String, Secret, Integer, Real, Boolean, List, HostPort, Url };

struct KeySpec
{
    const char *key;
    Type type;
    const char *defaultValue;
    const char *environment; // nullptr: not settable from the environment
    double min = 0;
    double max = 0;
    const char *help = "";
    // Extra check of a String value's shape, or of each item of a List; nullptr: any text.
    bool (*check)(const QString &value, QString *why) = nullptr;
};

// "state=seconds,..." as VmStatusCache::parseTtlMap reads it (0..86400 s each).
bool checkTtlMap(const QString &value, QString *why)
{
    for (const QString &item : value.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = item.indexOf(u'=');
        bool ok = false;
        const double seconds = eq > 0 ? item.mid(eq + 1).trimmed().toDouble(&ok) : 0;
        if (eq <= 0 || item.left(eq).trimmed().isEmpty() || !ok || seconds < 0 || seconds > 86400) {
            *why = QStringLiteral("expected state=seconds items (0..86400), e.g. running=15");
            return false;
        }
    }
    return true;
}

bool checkTransport(const QString &value, QString *why)
{
    const QString name = value.trimmed();
    if (name.isEmpty() || name.compare(u"native", Qt::CaseInsensitive) == 0
        || name.compare(u"qnam", Qt::CaseInsensitive) == 0)
        return true;
    *why = QStringLiteral("expected native or qnam");
    return false;
}

// WxH@quality as ScreenPreset::parse reads it: 16..16384 pixels a side, quality 1..100.
bool checkPreset(const QString &value, QString *why)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,5})x(\\d{1,5})@(\\d{1,3})$"));
    const QRegularExpressionMatch match = pattern.match(value.trimmed());
    const auto within = [&match](int group, int min, int max) {
        const int number = match.captured(group).toInt();
        return number >= min && number <= max;
    };
    if (match.hasMatch() && within(1, 16, 16384) && within(2, 16, 16384) && within(3, 1, 100))
        return true;
    *why = QStringLiteral("expected WxH@quality, 16..16384 pixels and quality 1..100, e.g. "
                          "1024x768@75");
    return false;
}

// One server/trusted_proxies item: an IP address or a CIDR subnet. The resolver skips what it
// cannot parse, so a typo (a port, a prefix of 33, a host name) used to leave the proxy
// untrusted without a word: every client behind it then shared one address for the
// authentication-failure limit.
bool checkProxy(const QString &item, QString *why)
{
    const bool ok = item.contains(u'/') ? QHostAddress::parseSubnet(item).second >= 0
                                        : !QHostAddress(item).isNull();
    if (!ok)
        *why = QStringLiteral("'%1' is neither an IP address nor a CIDR subnet, e.g. 10.0.0.0/8")
                       .arg(item);
    return ok;
}

// One server/cors_origins item: an origin as a browser sends it in the Origin header, which
// is compared byte for byte: scheme and host in lower case, no path, no default port. A
// wildcard, a trailing slash or "https://host:443" never matched anything.
bool checkOrigin(const QString &item, QString *why)
{
    const QUrl url(item, QUrl::StrictMode);
    const int defaultPort = url.scheme() == u"https" ? 443 : 80;
    const bool ok = url.isValid() && (url.scheme() == u"http" || url.scheme() == u"https")
                    && !url.host().isEmpty() && url.userInfo().isEmpty() && url.path().isEmpty()
                    && !url.hasQuery() && !url.hasFragment() && url.port() != defaultPort
                    && url.toString(QUrl::FullyEncoded) == item;
    if (!ok)
        *why = QStringLiteral("'%1' is not an origin as browsers send it (exact origins only, "
                              "e.g. https://app.example.com or http://127.0.0.1:3000; no "
                              "wildcard, path or trailing slash)")
                       .arg(item);
    return ok;
}

// Empty is allowed: the gateway then generates a one-time token. Neither the value nor its
// length is echoed.
bool checkAdminToken(const QString &value, QString *why)
{
    if (value.isEmpty() || value.size() >= Settings::MinAdminTokenLength)
        return true;
    *why = QStringLiteral("must be at least %1 characters (or empty, for a one-time token)")
                   .arg(Settings::MinAdminTokenLength);
    return false;
}

constexpr double MaxInt = double(std::numeric_limits<qint32>::max());

// The one table of configuration keys. Keep it grouped by module.
const KeySpec Keys[] = {
        {"server/listen",
         Type::HostPort,
         "127.0.0.1:8000",
         nullptr,
         0,
         0,
         "address:port to serve on"},
        {"server/admin_token",
         Type::Secret,
         "",
         "MOUSE_ADMIN_TOKEN",
         0,
         0,
         "admin bearer token, at least 16 characters; empty: a one-time token is generated "
         "and printed",
         &checkAdminToken},
        {"server/tls_cert", Type::String, "", nullptr, 0, 0, "PEM certificate; enables TLS"},
        {"server/tls_key", Type::String, "", nullptr, 0, 0, "PEM private key for server/tls_cert"},
        {"server/max_body_bytes",
         Type::Integer,
         "1048576",
         nullptr,
         1024,
         64 << 20,
         "default request body limit"},
        {"server/max_header_bytes",
         Type::Integer,
         "16384",
         nullptr,
         1024,
         1 << 20,
         "request line plus headers limit"},
        {"server/max_connections", Type::Integer, "1024", nullptr, 1, 100000, "open connections"},
        {"server/idle_timeout_ms",
         Type::Integer,
         "30000",
         nullptr,
         100,
         3600000,
         "keep-alive idle timeout"},
        {"server/request_timeout_ms",
         Type::Integer,
         "10000",
         nullptr,
         100,
         3600000,
         "time allowed to receive one whole request (slow clients are cut off)"},
        {"server/drain_ms",
         Type::Integer,
         "5000",
         nullptr,
         0,
         600000,
         "at shutdown, how long answers in flight and WebSocket close frames may take to "
         "reach their clients before the connections are closed"},
        {"server/cors_origins",
         Type::List,
         "",
         nullptr,
         0,
         0,
         "origins allowed by CORS",
         checkOrigin},
        {"server/trusted_proxies",
         Type::List,
         "",
         nullptr,
         0,
         0,
         "proxy addresses whose X-Forwarded-For is believed",
         checkProxy},
        {"server/auth_failures_per_minute",
         Type::Integer,
         "30",
         nullptr,
         1,
         100000,
         "failed authentications per client address before 429"},
        {"storage/database",
         Type::String,
         "",
         "MOUSE_DATABASE",
         0,
         0,
         "SQLite file or postgresql://user:pass@host:port/db; empty: XDG data folder"},
        {"storage/wal_reserve_mb",
         Type::Integer,
         "64",
         nullptr,
         0,
         4096,
         "SQLite: write-ahead log size kept allocated for the webhook intake's commits (MiB)"},
        {"storage/seed_demo",
         Type::Boolean,
         "auto",
         nullptr,
         0,
         0,
         "seed the demo dataset (auto: only in sandbox mode on an empty database)"},
        {"orgo/api_key",
         Type::Secret,
         "",
         "ORGO_API_KEY",
         0,
         0,
         "Orgo API key; empty: the built-in sandbox fleet is used"},
        {"orgo/api_url",
         Type::Url,
         "https://www.orgo.ai/api",
         "ORGO_API_URL",
         0,
         0,
         "Orgo base URL"},
        {"orgo/workspace_id", Type::String, "", "ORGO_WORKSPACE_ID", 0, 0, "Orgo workspace"},
        {"orgo/batch_limit", Type::Integer, "10", nullptr, 1, 256, "concurrent Orgo requests"},
        {"orgo/status_timeout_ms",
         Type::Integer,
         "1500",
         nullptr,
         50,
         600000,
         "status call timeout; a read this late is more likely hung than slow, so it is retried"},
        {"orgo/action_timeout_ms",
         Type::Integer,
         "30000",
         nullptr,
         50,
         600000,
         "create/start/stop/delete timeout"},
        {"orgo/orphan_horizon_ms",
         Type::Integer,
         "1800000",
         nullptr,
         0,
         86400000,
         "how long after a timed-out create the gateway keeps looking for its orphan VM"},
        {"orgo/screenshot_timeout_ms",
         Type::Integer,
         "10000",
         nullptr,
         50,
         600000,
         "screenshot timeout"},
        {"orgo/max_retries", Type::Integer, "3", nullptr, 0, 20, "retries on 429/503/timeouts"},
        {"orgo/retry_base_ms", Type::Integer, "250", nullptr, 1, 600000, "first backoff"},
        {"orgo/retry_cap_ms", Type::Integer, "8000", nullptr, 1, 600000, "backoff cap"},
        {"orgo/breaker_failures",
         Type::Integer,
         "8",
         nullptr,
         1,
         10000,
         "consecutive failures that open the circuit breaker"},
        {"orgo/breaker_cooldown_ms",
         Type::Integer,
         "10000",
         nullptr,
         10,
         3600000,
         "time the breaker stays open before a probe"},
        {"orgo/listing_threshold",
         Type::Integer,
         "8",
         nullptr,
         1,
         100000,
         "missing VMs of one workspace from which one listing replaces per-VM calls"},
        {"orgo/transport",
         Type::String,
         "native",
         nullptr,
         0,
         0,
         "Orgo HTTP transport: native (pooled keep-alive sockets) or qnam (QNetworkAccessManager)",
         checkTransport},
        {"cache/vm_capacity", Type::Integer, "500", nullptr, 1, 10000000, "VM status entries"},
        {"cache/vm_ttl",
         Type::String,
         "running=15,stopped=60,creating=5,starting=5,stopping=5,restarting=5,error=30,unknown=5,"
         "default=10",
         nullptr,
         0,
         0,
         "TTL in seconds per VM state",
         checkTtlMap},
        {"cache/sweep_interval_ms", Type::Integer, "30000", nullptr, 10, 3600000, "expiry sweep"},
        {"cache/vm_refresh_ahead",
         Type::Real,
         "0.4",
         nullptr,
         0,
         0.9,
         "last share of a VM entry's TTL in which a read refreshes it in the background; 0: off"},
        {"cache/screenshot_bytes",
         Type::Integer,
         "67108864",
         nullptr,
         1024,
         1e10,
         "screenshot cache byte budget"},
        {"cache/screenshot_entries",
         Type::Integer,
         "512",
         nullptr,
         1,
         1000000,
         "screenshot entries"},
        {"cache/screenshot_ttl_ms", Type::Integer, "3000", nullptr, 0, 3600000, "screenshot TTL"},
        {"sandbox/vms", Type::Integer, "60", nullptr, 0, 100000, "computers in the sandbox fleet"},
        {"sandbox/latency_ms",
         Type::Integer,
         "40",
         nullptr,
         0,
         600000,
         "fixed latency per request"},
        {"sandbox/jitter_ms", Type::Integer, "20", nullptr, 0, 600000, "random extra latency"},
        {"sandbox/fault_429", Type::Real, "0", nullptr, 0, 1, "share of requests answered 429"},
        {"sandbox/fault_503", Type::Real, "0", nullptr, 0, 1, "share of requests answered 503"},
        {"sandbox/fault_hang", Type::Real, "0", nullptr, 0, 1, "share of requests never answered"},
        {"sandbox/listen",
         Type::HostPort,
         "127.0.0.1:0",
         nullptr,
         0,
         0,
         "sandbox address (0: any)"},
        {"sandbox/api_key", Type::Secret, "sandbox-key", nullptr, 0, 0, "key the sandbox expects"},
        {"sandbox/workspace_id", Type::String, "ws-sandbox", nullptr, 0, 0, "sandbox workspace id"},
        {"sandbox/seed", Type::Integer, "1", nullptr, 0, MaxInt, "random seed of the sandbox"},
        {"sandbox/screenshot_form",
         Type::String,
         "dataurl",
         nullptr,
         0,
         0,
         "screenshot image form: dataurl, base64 or url (served by the sandbox)"},
        {"sandbox/transition_ms",
         Type::Integer,
         "3000",
         nullptr,
         0,
         600000,
         "time a computer spends creating/starting/stopping/restarting"},
        {"sandbox/drift_ms",
         Type::Integer,
         "15000",
         nullptr,
         0,
         3600000,
         "one computer changes state by itself this often (0: never)"},
        {"stripe/webhook_secret",
         Type::List,
         "",
         "STRIPE_WEBHOOK_SECRET",
         0,
         0,
         "whsec_ secrets, comma-separated during a rotation"},
        {"stripe/tolerance_s", Type::Integer, "300", nullptr, 0, 86400, "signature age tolerance"},
        {"stripe/secret_key", Type::Secret, "", "STRIPE_SECRET_KEY", 0, 0, "Stripe API key"},
        {"stripe/api_url", Type::Url, "https://api.stripe.com", nullptr, 0, 0, "Stripe base URL"},
        {"stripe/reconcile_interval_s",
         Type::Integer,
         "3600",
         nullptr,
         0,
         604800,
         "reconcile with Stripe's Checkout Sessions this often (only with stripe/secret_key set;"
         " 0: only on request)"},
        {"queue/payment_workers", Type::Integer, "3", nullptr, 1, 64, "payment worker threads"},
        {"queue/background_workers", Type::Integer, "2", nullptr, 1, 64, "background threads"},
        {"queue/max_retries", Type::Integer, "3", nullptr, 0, 50, "retries before dead letter"},
        {"queue/retry_base_ms", Type::Integer, "1000", nullptr, 1, 3600000, "first backoff"},
        {"queue/retry_cap_ms", Type::Integer, "60000", nullptr, 1, 86400000, "backoff cap"},
        {"queue/max_backlog",
         Type::Integer,
         "100000",
         nullptr,
         1,
         100000000,
         "pending tasks from which webhook intake answers 503"},
        {"queue/retention_days", Type::Integer, "30", nullptr, 1, 3650, "keep finished tasks"},
        {"queue/retention_count",
         Type::Integer,
         "100000",
         nullptr,
         100,
         100000000,
         "finished tasks kept at most"},
        {"screens/low",
         Type::String,
         "640x480@60",
         nullptr,
         0,
         0,
         "low preset WxH@quality",
         checkPreset},
        {"screens/medium",
         Type::String,
         "1024x768@75",
         nullptr,
         0,
         0,
         "medium preset",
         checkPreset},
        {"screens/high", Type::String, "1920x1080@85", nullptr, 0, 0, "high preset", checkPreset},
        {"screens/max_pixels",
         Type::Integer,
         "40000000",
         nullptr,
         1,
         1e9,
         "largest source image accepted, in pixels"},
        {"screens/stream_interval_ms",
         Type::Integer,
         "2000",
         nullptr,
         100,
         600000,
         "WebSocket refresh interval"},
        {"screens/viewer_stall_ms",
         Type::Integer,
         "30000",
         nullptr,
         0,
         3600000,
         "WebSocket viewer with over 1 MiB unsent this long: closed with 4408 (0: never)"},
        {"screens/viewer_ping_ms",
         Type::Integer,
         "30000",
         nullptr,
         0,
         3600000,
         "ping each WebSocket viewer this often (0: no pings)"},
        {"screens/viewer_pong_timeout_ms",
         Type::Integer,
         "20000",
         nullptr,
         0,
         3600000,
         "WebSocket viewer with a ping unanswered this long: dropped (0: never)"},
        {"screens/shutdown_wait_ms",
         Type::Integer,
         "2000",
         nullptr,
         0,
         600000,
         "how long shutdown waits for cancelled encodes to stop"},
        {"ui/refresh_ms", Type::Integer, "5000", nullptr, 250, 3600000, "dashboard refresh"},
        {"ui/page",
         Type::String,
         "",
         nullptr,
         0,
         0,
         "dashboard page at start: fleet, screenshots, charts, payments, events (empty: last)"},
        {"ui/screenshot_delay_ms",
         Type::Integer,
         "300",
         nullptr,
         0,
         600000,
         "--screenshot: wait after the first fleet refresh before saving the window"},
};

const KeySpec *findSpec(const QString &key)
{
    for (const KeySpec &spec : Keys) {
        if (key == QLatin1String(spec.key))
            return &spec;
    }
    return nullptr;
}

bool isValidHostPort(const QString &value)
{
    const int colon = value.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    bool ok = false;
    const int port = value.mid(colon + 1).toInt(&ok);
    QString host = value.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    return ok && port >= 0 && port <= 65535
           && (host == u"localhost" || !QHostAddress(host).isNull());
}

// Converts one raw value; on failure returns an invalid QVariant and fills *why.
QVariant convert(const KeySpec &spec, const QString &raw, QString *why)
{
    const QString value = raw.trimmed();
    switch (spec.type) {
    case Type::String:
        if (spec.check && !spec.check(raw, why))
            return {};
        return raw;
    case Type::Secret:
        if (spec.check && !spec.check(raw, why))
            return {};
        return raw;
    case Type::List: {
        QStringList items;
        for (const QString &item : value.split(u',', Qt::SkipEmptyParts)) {
            items.append(item.trimmed());
            if (spec.check && !items.last().isEmpty() && !spec.check(items.last(), why))
                return {};
        }
        return items;
    }
    case Type::Integer: {
        bool ok = false;
        const qint64 number = value.toLongLong(&ok);
        if (!ok) {
            *why = QStringLiteral("expected an integer");
            return {};
        }
        if (number < spec.min || number > spec.max) {
            *why = QStringLiteral("must be between %1 and %2")
                           .arg(qint64(spec.min))
                           .arg(qint64(spec.max));
            return {};
        }
        return number;
    }
    case Type::Real: {
        bool ok = false;
        const double number = value.toDouble(&ok);
        if (!ok || number < spec.min || number > spec.max) {
            *why = QStringLiteral("expected a number between %1 and %2")
                           .arg(spec.min)
                           .arg(spec.max);
            return {};
        }
        return number;
    }
    case Type::Boolean:
        if (value == u"auto")
            return value;
        if (value == u"true" || value == u"1" || value == u"yes" || value == u"on")
            return true;
        if (value == u"false" || value == u"0" || value == u"no" || value == u"off")
            return false;
        *why = QStringLiteral("expected true, false or auto");
        return {};
    case Type::HostPort:
        if (!isValidHostPort(value)) {
            *why = QStringLiteral("expected ADDRESS:PORT, e.g. 127.0.0.1:8000");
            return {};
        }
        return value;
    case Type::Url: {
        const QUrl url(value, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")
            || url.host().isEmpty()) {
            *why = QStringLiteral("expected an http:// or https:// URL");
            return {};
        }
        return value;
    }
    }
    return {};
}

bool assign(QHash<QString, QVariant> &values,
            QHash<QString, QString> &sources,
            const QString &key,
            const QString &raw,
            const QString &source,
            QString *error)
{
    const KeySpec *spec = findSpec(key);
    if (!spec) {
        *error = QStringLiteral("unknown setting '%1' (from %2)").arg(key, source);
        return false;
    }
    QString why;
    const QVariant value = convert(*spec, raw, &why);
    if (!value.isValid()) {
        const bool secret = spec->type == Type::Secret;
        *error = QStringLiteral("invalid value %1for '%2' (from %3): %4")
                         .arg(secret ? QString() : QStringLiteral("'%1' ").arg(raw),
                              key,
                              source,
                              why);
        return false;
    }
    values.insert(key, value);
    sources.insert(key, source);
    return true;
}

} // namespace

Settings Settings::defaults()
{
    Settings settings;
    QString ignored;
    for (const KeySpec &spec : Keys) {
        const QString key = QLatin1String(spec.key);
        assign(settings.m_values,
               settings.m_sources,
               key,
               QString::fromUtf8(spec.defaultValue),
               QStringLiteral("default"),
               &ignored);
    }
    return settings;
}

namespace {

// QSettings reads a ';' in an unquoted INI value as the start of a comment and drops the rest:
// "admin_token=Xk3;9f..." became the admin token "Xk3" without a word (any key, secrets too).
// The raw lines are checked first; the message names the key and the line, never the value.
bool checkNoCutValues(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return true; // QSettings' own checks report it
    QString section;
    int number = 0;
    for (QByteArray line : file.readAll().split('\n')) {
        ++number;
        if (number == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        line = line.trimmed();
        if (line.startsWith('[') && line.endsWith(']')) {
            section = QString::fromUtf8(line.mid(1, line.size() - 2)).trimmed();
            continue;
        }
        const qsizetype eq = line.indexOf('=');
        if (line.startsWith(';') || line.startsWith('#') || eq <= 0)
            continue;
        const QByteArray value = line.mid(eq + 1).trimmed();
        const QString name = QString::fromUtf8(line.left(eq)).trimmed();
        const QString key = section.isEmpty() ? name : section + u'/' + name;
        // Unquoted, "a, b" is read as a list and joined back as "a,b": harmless for lists,
        // but a secret would silently lose its spaces.
        const KeySpec *spec = findSpec(key);
        const bool spacedComma = spec && spec->type == Type::Secret
                                 && (value.contains(", ") || value.contains(" ,"));
        if (value.startsWith('"') || (!value.contains(';') && !spacedComma))
            continue;
        *error = QStringLiteral("the value of '%1' in the config file %2 (line %3) holds %4, "
                                "which would change the value in an INI file; put the whole "
                                "value in double quotes")
                         .arg(key,
                              path,
                              QString::number(number),
                              value.contains(';') ? QStringLiteral("a ';' (a comment from there)")
                                                  : QStringLiteral("a comma beside a space"));
        return false;
    }
    return true;
}

} // namespace

std::optional<Settings> Settings::load(const Sources &sources, QString *error)
{
    Settings settings = defaults();

    if (!sources.configFile.isEmpty()) {
        if (!QFileInfo(sources.configFile).isReadable()) {
            *error = QStringLiteral("cannot read the config file %1").arg(sources.configFile);
            return std::nullopt;
        }
        if (!checkNoCutValues(sources.configFile, error))
            return std::nullopt;
        QSettings file(sources.configFile, QSettings::IniFormat);
        if (file.status() != QSettings::NoError) {
            *error = QStringLiteral("the config file %1 is not valid INI").arg(sources.configFile);
            return std::nullopt;
        }
        const QString source = QStringLiteral("file %1").arg(sources.configFile);
        for (const QString &key : file.allKeys()) {
            const QVariant raw = file.value(key);
            const QString text = raw.typeId() == QMetaType::QStringList
                                         ? raw.toStringList().join(u',')
                                         : raw.toString();
            if (!assign(settings.m_values, settings.m_sources, key, text, source, error))
                return std::nullopt;
        }
    }

    for (const KeySpec &spec : Keys) {
        if (!spec.environment)
            continue;
        const QString name = QLatin1String(spec.environment);
        if (!sources.environment.contains(name))
            continue;
        const QString source = QStringLiteral("environment %1").arg(name);
        if (!assign(settings.m_values,
                    settings.m_sources,
                    QLatin1String(spec.key),
                    sources.environment.value(name),
                    source,
                    error))
            return std::nullopt;
    }

    for (const auto &[key, raw] : sources.flags) {
        const QString source = QStringLiteral("command line");
        if (!assign(settings.m_values, settings.m_sources, key, raw, source, error))
            return std::nullopt;
    }
    return settings;
}

Settings Settings::withValue(const QString &key, const QString &rawValue) const
{
    Settings copy = *this;
    QString error;
    const bool ok
            = assign(copy.m_values, copy.m_sources, key, rawValue, QStringLiteral("flag"), &error);
    Q_ASSERT_X(ok, "Settings::withValue", qPrintable(error));
    return copy;
}

QString Settings::string(const QString &key) const
{
    Q_ASSERT_X(m_values.contains(key), "Settings", qPrintable(key));
    return m_values.value(key).toString();
}

QStringList Settings::list(const QString &key) const
{
    Q_ASSERT_X(m_values.contains(key), "Settings", qPrintable(key));
    return m_values.value(key).toStringList();
}

qint64 Settings::integer(const QString &key) const
{
    Q_ASSERT_X(m_values.contains(key), "Settings", qPrintable(key));
    return m_values.value(key).toLongLong();
}

double Settings::real(const QString &key) const
{
    Q_ASSERT_X(m_values.contains(key), "Settings", qPrintable(key));
    return m_values.value(key).toDouble();
}

bool Settings::boolean(const QString &key) const
{
    Q_ASSERT_X(m_values.contains(key), "Settings", qPrintable(key));
    return m_values.value(key).toBool();
}

QString Settings::sourceOf(const QString &key) const
{
    return m_sources.value(key);
}

QStringList Settings::describeKeys()
{
    QStringList lines;
    for (const KeySpec &spec : Keys) {
        QString line = QStringLiteral("  %1 (default '%2')")
                               .arg(QLatin1String(spec.key), QString::fromUtf8(spec.defaultValue));
        if (spec.environment)
            line += QStringLiteral(", env %1").arg(QLatin1String(spec.environment));
        line += QStringLiteral(": ") + QString::fromUtf8(spec.help);
        lines.append(line);
    }
    return lines;
}

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/stripeevent.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QtAlgorithms>

#include <cstring>

namespace Mouse {

namespace {

QString stringOrId(const QJsonValue &value)
{
    // Expandable fields are an id string or the expanded object.
    if (value.isString())
        return value.toString();
    return value.toObject().value(QLatin1String("id")).toString();
}

} // namespace

QString StripeEvent::orderingKey() const
{
    const QJsonObject metadata = object.value(QLatin1String("metadata")).toObject();
    const QString customerId = metadata.value(QLatin1String("customer_id")).toString();
    if (!customerId.isEmpty())
        return customerId;
    const QString clientReference = object.value(QLatin1String("client_reference_id")).toString();
    if (!clientReference.isEmpty())
        return clientReference;
    const QString stripeCustomer = stringOrId(object.value(QLatin1String("customer")));
    if (!stripeCustomer.isEmpty())
        return stripeCustomer;
    if (object.value(QLatin1String("object")).toString() == QLatin1String("customer"))
        return object.value(QLatin1String("id")).toString();
    return {};
}

std::optional<StripeEvent> parseStripeEvent(const QByteArray &body, StripeEventError *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        if (error)
            *error = StripeEventError::InvalidJson;
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    const QJsonValue id = root.value(QLatin1String("id"));
    const QJsonValue type = root.value(QLatin1String("type"));
    const QJsonValue object
            = root.value(QLatin1String("data")).toObject().value(QLatin1String("object"));
    const QJsonValue kind = root.value(QLatin1String("object"));
    const bool isEvent = id.isString() && !id.toString().isEmpty() && type.isString()
                         && !type.toString().isEmpty() && object.isObject()
                         && (kind.isUndefined() || kind.toString() == QLatin1String("event"));
    if (!isEvent || id.toString().size() > 255 || type.toString().size() > 255) {
        if (error)
            *error = StripeEventError::NotAnEvent;
        return std::nullopt;
    }
    StripeEvent event;
    event.id = id.toString();
    event.type = type.toString();
    event.created = root.value(QLatin1String("created")).toInteger();
    event.livemode = root.value(QLatin1String("livemode")).toBool();
    event.object = object.toObject();
    return event;
}

} // namespace Mouse

namespace Mouse {

StripeEnvelope StripeEnvelope::of(const StripeEvent &event)
{
    return {event.id, event.type, event.created, event.livemode, event.orderingKey()};
}

namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// A strict single-pass JSON validator that remembers the few values the intake needs. It
// never rejects: anything it is not sure to judge exactly as QJsonDocument does (escapes in
// a key or a wanted value, non-ASCII there, numbers beyond plain integers of 15 digits or
// simple decimals, deep nesting, escaped surrogates) makes it give up, and the caller
// parses fully. Duplicate keys: the last one wins, as in QJsonObject.
class EnvelopeScanner final
{
public:
    explicit EnvelopeScanner(QByteArrayView text)
        : m_p(text.data())
        , m_end(text.data() + text.size())
    {}

    std::optional<StripeEnvelope> scan();

private:
    // What one wanted value was: absent, a string (kept), or something else.
    struct Text
    {
        enum class Kind { Absent, String, Other } kind = Kind::Absent;
        QByteArrayView value;
        bool isString() const { return kind == Kind::String; }
        QString toString() const // QJsonValue::toString(): "" unless a string
        {
            return isString() ? QString::fromLatin1(value) : QString();
        }
    };
    struct DataObject
    {
        bool present = false;
        Text metadataCustomerId;
        Text clientReferenceId;
        Text customer;   // a string
        Text customerId; // customer as an object: its id
        Text object;
        Text id;
    };
    enum class Want { Nothing, Root, Data, Object, Metadata, Customer };

    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool literal(const char *word);
    bool string(QByteArrayView *plain, bool *isPlain);
    void skipPlainBytes();
    bool number(qint64 *integer, bool *isInteger);
    bool value(Want want, int depth, Text *text);
    bool object(Want want, int depth);
    bool array(int depth);
    bool member(Want want, QByteArrayView key, int depth);

    const char *m_p;
    const char *m_end;
    bool m_giveUp = false;

    Text m_id;
    Text m_type;
    Text m_kind;
    qint64 m_created = 0;
    bool m_livemode = false;
    bool m_dataIsObject = false;
    DataObject m_object;
};

bool EnvelopeScanner::literal(const char *word)
{
    const qsizetype length = qsizetype(qstrlen(word));
    if (m_end - m_p < length || memcmp(m_p, word, size_t(length)) != 0)
        return false;
    m_p += length;
    return true;
}

// Skips string content that needs no look (printable ASCII other than '"' and '\\') a word of
// 8 bytes at a time, up to the first byte that does, where the byte loop decides. The tests on
// a word are exact for "some byte is", so nothing that matters is ever skipped. Most of a Stripe
// body is such content: this runs once per delivery over all of it.
void EnvelopeScanner::skipPlainBytes()
{
    constexpr quint64 ones = 0x0101010101010101ull;
    constexpr quint64 highs = 0x8080808080808080ull;
    const auto hasZeroByte = [](quint64 v) {
        return (v - ones) & ~v & highs;
    };
    while (m_end - m_p >= 8) {
        quint64 word;
        memcpy(&word, m_p, sizeof word);
        const quint64 special = (word & highs)                           // non-ASCII
                                | ((word - 0x20 * ones) & ~word & highs) // control (< 0x20)
                                | hasZeroByte(word ^ ('"' * ones))
                                | hasZeroByte(word ^ ('\\' * ones));
        if (special) {
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
            // The lowest flagged byte is always a true one (a borrow only runs upwards from
            // one), so the plain bytes before it are skipped too.
            m_p += qCountTrailingZeroBits(special) / 8;
#endif
            return;
        }
        m_p += 8;
    }
}

// A string; *plain is its raw bytes, and *isPlain tells whether they are its value (no
// escapes, ASCII only). Validates escapes and UTF-8.
bool EnvelopeScanner::string(QByteArrayView *plain, bool *isPlain)
{
    ++m_p; // the opening quote
    const char *start = m_p;
    bool ascii = true;
    while (m_p < m_end) {
        skipPlainBytes();
        if (m_p >= m_end)
            break;
        const auto c = static_cast<unsigned char>(*m_p);
        if (c == '"') {
            *plain = QByteArrayView(start, m_p - start);
            *isPlain = ascii;
            ++m_p;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            ascii = false;
            if (++m_p >= m_end)
                return false;
            const char e = *m_p;
            if (e == 'u') {
                if (m_end - m_p < 5)
                    return false;
                uint code = 0;
                for (int i = 1; i <= 4; ++i) {
                    const int digit = hexDigit(m_p[i]);
                    if (digit < 0)
                        return false;
                    code = code * 16 + uint(digit);
                }
                if (code >= 0xD800 && code <= 0xDFFF) {
                    m_giveUp = true; // surrogates: leave them to the full parser
                    return false;
                }
                m_p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == 0)
                return false;
            ++m_p;
            continue;
        }
        if (c < 0x80) {
            ++m_p;
            continue;
        }
        // Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
        ascii = false;
        int extra = 0;
        uint code = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            code = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            code = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            code = c & 0x07;
        } else {
            m_giveUp = true;
            return false;
        }
        if (m_end - m_p <= extra) {
            m_giveUp = true;
            return false;
        }
        for (int i = 1; i <= extra; ++i) {
            const auto next = static_cast<unsigned char>(m_p[i]);
            if ((next & 0xC0) != 0x80) {
                m_giveUp = true;
                return false;
            }
            code = (code << 6) | (next & 0x3F);
        }
        const bool overlong = (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000);
        if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
            m_giveUp = true;
            return false;
        }
        m_p += extra + 1;
    }
    return false;
}

// -?(0|[1-9][0-9]*)(.[0-9]+)? only, at most 15 digits in all; anything else gives up.
bool EnvelopeScanner::number(qint64 *integer, bool *isInteger)
{
    const char *start = m_p;
    const bool negative = *m_p == '-';
    if (negative)
        ++m_p;
    const char *digits = m_p;
    qint64 magnitude = 0;
    while (m_p < m_end && *m_p >= '0' && *m_p <= '9') {
        // Longer numbers are given up below; 16 digits cannot overflow (UBSan, stripeevent
        // fuzz target: 1700999999999999999 * 10).
        if (m_p - digits < 16)
            magnitude = magnitude * 10 + (*m_p - '0');
        ++m_p;
    }
    const qsizetype intDigits = m_p - digits;
    if (intDigits == 0 || (intDigits > 1 && *digits == '0'))
        return false;
    *isInteger = true;
    if (m_p < m_end && *m_p == '.') {
        ++m_p;
        const char *fraction = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        if (m_p == fraction)
            return false;
        *isInteger = false;
    }
    if ((m_p < m_end && (*m_p == 'e' || *m_p == 'E')) || m_p - start > 16) {
        m_giveUp = true;
        return false;
    }
    *integer = negative ? -magnitude : magnitude;
    return true;
}

bool EnvelopeScanner::value(Want want, int depth, Text *text)
{
    skipSpace();
    if (m_p >= m_end)
        return false;
    const char c = *m_p;
    if (text)
        *text = Text{Text::Kind::Other, {}};
    switch (c) {
    case '{':
        return object(want, depth + 1);
    case '[':
        return array(depth + 1);
    case '"': {
        QByteArrayView plain;
        bool isPlain = false;
        if (!string(&plain, &isPlain))
            return false;
        if (text) {
            if (!isPlain) {
                m_giveUp = true; // a wanted value with escapes or non-ASCII
                return false;
            }
            *text = Text{Text::Kind::String, plain};
        }
        return true;
    }
    case 't':
        return literal("true");
    case 'f':
        return literal("false");
    case 'n':
        return literal("null");
    default:
        break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        qint64 integer = 0;
        bool isInteger = false;
        return number(&integer, &isInteger);
    }
    return false;
}

bool EnvelopeScanner::member(Want want, QByteArrayView key, int depth)
{
    switch (want) {
    case Want::Root:
        if (key == "id")
            return value(Want::Nothing, depth, &m_id);
        if (key == "type")
            return value(Want::Nothing, depth, &m_type);
        if (key == "object")
            return value(Want::Nothing, depth, &m_kind);
        if (key == "livemode") {
            skipSpace();
            m_livemode = literal("true");
            return m_livemode || value(Want::Nothing, depth, nullptr);
        }
        if (key == "created") {
            skipSpace();
            m_created = 0;
            if (m_p < m_end && (*m_p == '-' || (*m_p >= '0' && *m_p <= '9'))) {
                qint64 integer = 0;
                bool isInteger = false;
                if (!number(&integer, &isInteger))
                    return false;
                if (!isInteger) {
                    m_giveUp = true; // QJsonValue::toInteger() of a decimal: leave it
                    return false;
                }
                m_created = integer;
                return true;
            }
            return value(Want::Nothing, depth, nullptr);
        }
        if (key == "data") {
            m_dataIsObject = false;
            m_object = DataObject{};
            skipSpace();
            m_dataIsObject = m_p < m_end && *m_p == '{';
            return value(m_dataIsObject ? Want::Data : Want::Nothing, depth, nullptr);
        }
        break;
    case Want::Data:
        if (key == "object") {
            m_object = DataObject{};
            skipSpace();
            m_object.present = m_p < m_end && *m_p == '{';
            return value(m_object.present ? Want::Object : Want::Nothing, depth, nullptr);
        }
        break;
    case Want::Object:
        if (key == "metadata") {
            m_object.metadataCustomerId = {};
            return value(Want::Metadata, depth, nullptr);
        }
        if (key == "client_reference_id")
            return value(Want::Nothing, depth, &m_object.clientReferenceId);
        if (key == "customer") {
            m_object.customer = {};
            m_object.customerId = {};
            skipSpace();
            if (m_p < m_end && *m_p == '{')
                return value(Want::Customer, depth, nullptr);
            return value(Want::Nothing, depth, &m_object.customer);
        }
        if (key == "object")
            return value(Want::Nothing, depth, &m_object.object);
        if (key == "id")
            return value(Want::Nothing, depth, &m_object.id);
        break;
    case Want::Metadata:
        if (key == "customer_id")
            return value(Want::Nothing, depth, &m_object.metadataCustomerId);
        break;
    case Want::Customer:
        if (key == "id")
            return value(Want::Nothing, depth, &m_object.customerId);
        break;
    case Want::Nothing:
        break;
    }
    return value(Want::Nothing, depth, nullptr);
}

bool EnvelopeScanner::object(Want want, int depth)
{
    if (depth > 64) {
        m_giveUp = true;
        return false;
    }
    ++m_p; // {
    skipSpace();
    if (m_p < m_end && *m_p == '}') {
        ++m_p;
        return true;
    }
    for (;;) {
        skipSpace();
        if (m_p >= m_end || *m_p != '"')
            return false;
        QByteArrayView key;
        bool isPlain = false;
        if (!string(&key, &isPlain))
            return false;
        if (!isPlain && key.contains('\\')) {
            m_giveUp = true; // an escaped key might spell a wanted one
            return false;
        }
        skipSpace();
        if (m_p >= m_end || *m_p != ':')
            return false;
        ++m_p;
        if (!member(want, key, depth))
            return false;
        skipSpace();
        if (m_p < m_end && *m_p == ',') {
            ++m_p;
            continue;
        }
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            return true;
        }
        return false;
    }
}

bool EnvelopeScanner::array(int depth)
{
    if (depth > 64) {
        m_giveUp = true;
        return false;
    }
    ++m_p; // [
    skipSpace();
    if (m_p < m_end && *m_p == ']') {
        ++m_p;
        return true;
    }
    for (;;) {
        if (!value(Want::Nothing, depth, nullptr))
            return false;
        skipSpace();
        if (m_p < m_end && *m_p == ',') {
            ++m_p;
            continue;
        }
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        return false;
    }
}

std::optional<StripeEnvelope> EnvelopeScanner::scan()
{
    skipSpace();
    if (m_p >= m_end || *m_p != '{')
        return std::nullopt;
    if (!object(Want::Root, 1))
        return std::nullopt;
    skipSpace();
    if (m_p != m_end)
        return std::nullopt;

    // parseStripeEvent()'s checks (ids are ASCII here, so bytes are UTF-16 units).
    const bool isEvent = m_id.isString() && !m_id.value.isEmpty() && m_type.isString()
                         && !m_type.value.isEmpty() && m_dataIsObject && m_object.present
                         && (m_kind.kind == Text::Kind::Absent
                             || (m_kind.isString() && m_kind.value == "event"))
                         && m_id.value.size() <= 255 && m_type.value.size() <= 255;
    if (!isEvent)
        return std::nullopt;

    StripeEnvelope envelope;
    envelope.id = m_id.toString();
    envelope.type = m_type.toString();
    envelope.created = m_created;
    envelope.livemode = m_livemode;
    // StripeEvent::orderingKey(), on the remembered values.
    if (const QString id = m_object.metadataCustomerId.toString(); !id.isEmpty())
        envelope.orderingKey = id;
    else if (const QString reference = m_object.clientReferenceId.toString(); !reference.isEmpty())
        envelope.orderingKey = reference;
    else if (const QString customer = m_object.customer.isString() ? m_object.customer.toString()
                                                                   : m_object.customerId.toString();
             !customer.isEmpty())
        envelope.orderingKey = customer;
    else if (m_object.object.isString() && m_object.object.value == "customer")
        envelope.orderingKey = m_object.id.toString();
    return envelope;
}

} // namespace

std::optional<StripeEnvelope> scanStripeEnvelope(const QByteArray &body)
{
    return EnvelopeScanner(body).scan();
}

std::optional<StripeEnvelope> parseStripeEnvelope(const QByteArray &body, StripeEventError *error)
{
    if (std::optional<StripeEnvelope> envelope = scanStripeEnvelope(body))
        return envelope;
    // Not plain enough, or not a valid event: the full parse decides (and says why).
    const std::optional<StripeEvent> event = parseStripeEvent(body, error);
    if (!event)
        return std::nullopt;
    return StripeEnvelope::of(*event);
}

} // namespace Mouse

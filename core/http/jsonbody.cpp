// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/jsonbody.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Http {

namespace {

// A forward-only reader of one JSON text. Every step returns false on anything unexpected.
class Scanner
{
public:
    explicit Scanner(QByteArrayView text)
        : m_text(text)
    {}

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text.at(m_pos); }

    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++m_pos;
    }

    bool take(char c)
    {
        skipSpace();
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }

    // A string token, quotes included.
    bool string(QByteArrayView *token)
    {
        skipSpace();
        const qsizetype start = m_pos;
        if (peek() != '"')
            return false;
        for (++m_pos; !atEnd(); ++m_pos) {
            const char c = m_text.at(m_pos);
            if (c == '\\') {
                ++m_pos;
            } else if (c == '"') {
                ++m_pos;
                *token = m_text.sliced(start, m_pos - start);
                return true;
            }
        }
        return false;
    }

    // Any value; numbers and literals come back as their text, others are skipped.
    bool value(QByteArrayView *scalar, bool *isNumber)
    {
        skipSpace();
        const char first = peek();
        *isNumber = first == '-' || (first >= '0' && first <= '9');
        if (first == '"')
            return string(scalar);
        if (first == '{' || first == '[')
            return skipNested();
        const qsizetype start = m_pos;
        while (!atEnd() && isScalarChar(peek()))
            ++m_pos;
        *scalar = m_text.sliced(start, m_pos - start);
        return m_pos > start;
    }

private:
    static bool isScalarChar(char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
               || c == '-' || c == '+' || c == '.';
    }

    // An object or array, with the strings inside it, without recursion.
    bool skipNested()
    {
        int depth = 0;
        do {
            const char c = peek();
            if (c == '"') {
                QByteArrayView ignored;
                if (!string(&ignored))
                    return false;
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if (c == '}' || c == ']')
                --depth;
            else if (c == '\0')
                return false;
            ++m_pos;
        } while (depth > 0);
        return true;
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

QString decodedKey(QByteArrayView token)
{
    if (!token.contains('\\'))
        return QString::fromUtf8(token.sliced(1, token.size() - 2));
    const QByteArray array = '[' + token.toByteArray() + ']';
    return QJsonDocument::fromJson(array).array().at(0).toString();
}

bool isIntegerLiteral(QByteArrayView text)
{
    if (text.startsWith('-'))
        text = text.sliced(1);
    if (text.isEmpty() || (text.front() == '0' && text.size() > 1))
        return false;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

qint64 saturatedInteger(QByteArrayView text)
{
    bool ok = false;
    const qint64 value = text.toByteArray().toLongLong(&ok);
    if (ok)
        return value;
    return text.startsWith('-') ? std::numeric_limits<qint64>::min()
                                : std::numeric_limits<qint64>::max();
}

} // namespace

IntegerMember integerMember(QByteArrayView body, const QString &key)
{
    IntegerMember found;
    Scanner scanner(body);
    if (!scanner.take('{')) {
        found.form = IntegerMember::Form::NotInteger;
        return found;
    }
    if (scanner.take('}'))
        return found;
    do {
        QByteArrayView name;
        QByteArrayView scalar;
        bool isNumber = false;
        if (!scanner.string(&name) || !scanner.take(':') || !scanner.value(&scalar, &isNumber)) {
            found.form = IntegerMember::Form::NotInteger;
            return found;
        }
        if (decodedKey(name) != key)
            continue;
        if (found.form != IntegerMember::Form::Missing || !isNumber || !isIntegerLiteral(scalar)) {
            // Twice is ambiguous: parsers disagree on which one counts.
            found.form = IntegerMember::Form::NotInteger;
            return found;
        }
        found.form = IntegerMember::Form::Integer;
        found.value = saturatedInteger(scalar);
    } while (scanner.take(','));
    if (!scanner.take('}'))
        found.form = IntegerMember::Form::NotInteger;
    return found;
}

std::optional<qint64> integerField(QByteArrayView body,
                                   const QString &key,
                                   qint64 min,
                                   qint64 max,
                                   const QString &code,
                                   ApiError *error)
{
    const IntegerMember member = integerMember(body, key);
    if (member.form != IntegerMember::Form::Integer) {
        *error = ApiError::badRequest(
                code,
                u"%1 must be a JSON integer written without a fraction or exponent "
                "(1000, not 1e3 or 1000.0)."_s.arg(key));
        return std::nullopt;
    }
    if (member.value < min || member.value > max) {
        *error = {ErrorKind::Unprocessable,
                  code,
                  u"%1 must be a whole number from %2 to %3."_s.arg(key).arg(min).arg(max),
                  {},
                  -1};
        return std::nullopt;
    }
    return member.value;
}

ApiError invalidField(const QString &field, const QString &reason)
{
    ApiError error;
    error.kind = ErrorKind::Unprocessable;
    error.code = u"invalid_field"_s;
    error.message = u"Field '%1' %2."_s.arg(field, reason);
    error.details = {{u"field"_s, field}, {u"reason"_s, reason}};
    return error;
}

bool onlyAllowedMembers(const QJsonObject &body, const QStringList &allowed, ApiError *error)
{
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!allowed.contains(it.key())) {
            *error = invalidField(it.key().left(64), u"is not accepted here"_s);
            return false;
        }
    }
    return true;
}

std::optional<QString> textMember(
        const QJsonObject &body, const QString &name, int minLength, int maxLength, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull()) {
        if (minLength == 0)
            return QString();
        *error = invalidField(name, u"is required"_s);
        return std::nullopt;
    }
    if (!value.isString()) {
        *error = invalidField(name, u"must be a string"_s);
        return std::nullopt;
    }
    const QString text = value.toString().trimmed();
    if (text.size() < minLength || text.size() > maxLength) {
        *error = invalidField(name,
                              u"must have %1 to %2 characters"_s.arg(minLength).arg(maxLength));
        return std::nullopt;
    }
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control) {
            *error = invalidField(name, u"must not contain control characters"_s);
            return std::nullopt;
        }
    }
    return text;
}

} // namespace Mouse::Http

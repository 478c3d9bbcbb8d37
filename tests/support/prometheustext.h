// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must
// be a HELP, a TYPE or a sample of a family whose TYPE came before it, so a test that reads
// GET /metrics through it checks the format as well as the values. Not for production.

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <algorithm>
#include <cmath>
#include <limits>

class PrometheusText
{
public:
    using Labels = QList<QPair<QString, QString>>;
    struct Family
    {
        QString help;
        QString type;
    };

    static PrometheusText parse(const QByteArray &text)
    {
        PrometheusText result;
        const QList<QByteArray> lines = text.split('\n');
        for (int i = 0; i < lines.size() && result.m_error.isEmpty(); ++i) {
            const QByteArray &line = lines.at(i);
            if (line.isEmpty() && i == lines.size() - 1)
                break; // the final newline
            if (!result.readLine(QString::fromUtf8(line)))
                result.m_error = QStringLiteral("line %1: %2 (%3)")
                                         .arg(i + 1)
                                         .arg(result.m_error, QString::fromUtf8(line));
        }
        return result;
    }

    // Empty when every line was read.
    QString error() const { return m_error; }
    const QMap<QString, Family> &families() const { return m_families; }

    // A series' key: name{label="value",...} with the labels sorted by name.
    static QString key(const QString &name, Labels labels)
    {
        if (labels.isEmpty())
            return name;
        std::sort(labels.begin(), labels.end());
        QStringList parts;
        for (const auto &[label, value] : labels)
            parts.append(label + QStringLiteral("=\"") + value + u'"');
        return name + u'{' + parts.join(u',') + u'}';
    }

    bool has(const QString &name, const Labels &labels = {}) const
    {
        return m_samples.contains(key(name, labels));
    }
    // NaN when the series is absent.
    double value(const QString &name, const Labels &labels = {}) const
    {
        return m_samples.value(key(name, labels), std::numeric_limits<double>::quiet_NaN());
    }
    // Every series of a name: its labels (unescaped) and value, in key order.
    QList<QPair<Labels, double>> series(const QString &name) const
    {
        QList<QPair<Labels, double>> result;
        for (const Sample &sample : m_ordered) {
            if (sample.name == name)
                result.append({sample.labels, sample.value});
        }
        return result;
    }

private:
    struct Sample
    {
        QString name;
        Labels labels;
        double value = 0;
    };

    bool readLine(const QString &line)
    {
        if (line.startsWith(QStringLiteral("# HELP "))) {
            const QString rest = line.mid(7);
            const qsizetype space = rest.indexOf(u' ');
            m_families[space < 0 ? rest : rest.left(space)].help
                    = space < 0 ? QString() : rest.mid(space + 1);
            return true;
        }
        if (line.startsWith(QStringLiteral("# TYPE ")))
            return readType(line.mid(7));
        if (line.startsWith(u'#'))
            return true; // a comment
        return readSample(line);
    }

    bool readType(const QString &rest)
    {
        const QStringList parts = rest.split(u' ');
        static const QStringList types{QStringLiteral("counter"),
                                       QStringLiteral("gauge"),
                                       QStringLiteral("histogram"),
                                       QStringLiteral("summary"),
                                       QStringLiteral("untyped")};
        if (parts.size() != 2 || !types.contains(parts.at(1)))
            return fail(QStringLiteral("bad TYPE"));
        Family &family = m_families[parts.at(0)];
        if (!family.type.isEmpty())
            return fail(QStringLiteral("second TYPE for a family"));
        family.type = parts.at(1);
        return true;
    }

    static bool isNameChar(QChar c, bool first)
    {
        return c == u'_' || c == u':' || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
               || (!first && c >= u'0' && c <= u'9');
    }

    bool readSample(const QString &line)
    {
        Sample sample;
        qsizetype at = 0;
        while (at < line.size() && isNameChar(line.at(at), at == 0))
            ++at;
        sample.name = line.left(at);
        if (sample.name.isEmpty())
            return fail(QStringLiteral("no metric name"));
        if (at < line.size() && line.at(at) == u'{' && !readLabels(line, ++at, sample.labels))
            return false;
        if (at >= line.size() || line.at(at) != u' ')
            return fail(QStringLiteral("no space before the value"));
        const QStringList rest = line.mid(at + 1).split(u' ');
        if (rest.isEmpty() || rest.size() > 2)
            return fail(QStringLiteral("bad value"));
        if (!readValue(rest.at(0), sample.value))
            return fail(QStringLiteral("bad value"));
        if (!familyAllows(sample.name))
            return fail(QStringLiteral("sample before its family's TYPE"));
        const QString id = key(sample.name, sample.labels);
        if (m_samples.contains(id))
            return fail(QStringLiteral("duplicate series"));
        m_samples.insert(id, sample.value);
        m_ordered.append(sample);
        return true;
    }

    bool readLabels(const QString &line, qsizetype &at, Labels &labels)
    {
        while (at < line.size() && line.at(at) != u'}') {
            const qsizetype start = at;
            while (at < line.size() && isNameChar(line.at(at), at == start))
                ++at;
            const QString name = line.mid(start, at - start);
            if (name.isEmpty() || line.mid(at, 2) != QStringLiteral("=\""))
                return fail(QStringLiteral("bad label"));
            at += 2;
            QString value;
            while (at < line.size() && line.at(at) != u'"') {
                QChar c = line.at(at++);
                if (c == u'\\' && at < line.size()) {
                    const QChar escaped = line.at(at++);
                    if (escaped != u'\\' && escaped != u'"' && escaped != u'n')
                        return fail(QStringLiteral("bad escape in a label value"));
                    c = escaped == u'n' ? u'\n' : escaped;
                }
                value.append(c);
            }
            if (at >= line.size())
                return fail(QStringLiteral("unterminated label value"));
            ++at; // the closing quote
            labels.append({name, value});
            if (at < line.size() && line.at(at) == u',')
                ++at;
        }
        if (at >= line.size())
            return fail(QStringLiteral("unterminated labels"));
        ++at; // '}'
        return true;
    }

    static bool readValue(const QString &text, double &value)
    {
        if (text == u"+Inf") {
            value = std::numeric_limits<double>::infinity();
            return true;
        }
        if (text == u"-Inf") {
            value = -std::numeric_limits<double>::infinity();
            return true;
        }
        if (text.compare(u"NaN", Qt::CaseInsensitive) == 0) {
            value = std::numeric_limits<double>::quiet_NaN();
            return true;
        }
        bool ok = false;
        value = text.toDouble(&ok);
        return ok;
    }

    bool familyAllows(const QString &name) const
    {
        if (!m_families.value(name).type.isEmpty())
            return true;
        for (const QString &suffix :
             {QStringLiteral("_bucket"), QStringLiteral("_sum"), QStringLiteral("_count")}) {
            if (name.endsWith(suffix)) {
                const QString type = m_families.value(name.chopped(suffix.size())).type;
                return type == u"histogram" || (type == u"summary" && suffix != u"_bucket");
            }
        }
        return false;
    }

    bool fail(const QString &why)
    {
        m_error = why;
        return false;
    }

    QMap<QString, Family> m_families;
    QMap<QString, double> m_samples;
    QList<Sample> m_ordered;
    QString m_error;
};

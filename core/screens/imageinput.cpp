// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/screens/imageinput.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Mouse {

namespace {

ScreenError malformed(const QString &what)
{
    return ScreenError::badInput(
            QStringLiteral("screenshot_malformed"),
            QStringLiteral("Orgo's screenshot answer is unusable: %1.").arg(what));
}

} // namespace

Expected<QByteArray> ImageInput::decodeBase64(QByteArrayView text)
{
    QByteArray clean;
    clean.reserve(text.size());
    for (const char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        clean.append(c);
    }
    while (clean.endsWith('='))
        clean.chop(1);
    if (clean.isEmpty() || clean.size() % 4 == 1)
        return malformed(QStringLiteral("the image is not valid base64"));
    clean.append(QByteArray((4 - clean.size() % 4) % 4, '='));
    const auto result
            = QByteArray::fromBase64Encoding(clean, QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return malformed(QStringLiteral("the image is not valid base64"));
    return *result;
}

Expected<ImageInput> ImageInput::fromField(const QString &value)
{
    const QString text = value.trimmed();
    if (text.isEmpty())
        return malformed(QStringLiteral("it has no image"));
    if (text.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive)) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return malformed(QStringLiteral("the image URL is invalid"));
        return ImageInput{url, {}};
    }
    QByteArrayView payload;
    const QByteArray latin = text.toLatin1();
    if (latin.startsWith("data:")) {
        const qsizetype comma = latin.indexOf(',');
        if (comma < 0 || !latin.left(comma).endsWith(";base64"))
            return malformed(QStringLiteral("the data URL is not base64"));
        payload = QByteArrayView(latin).sliced(comma + 1);
    } else {
        payload = latin;
    }
    Expected<QByteArray> bytes = decodeBase64(payload);
    if (!bytes)
        return bytes.error();
    return ImageInput{{}, std::move(bytes).value()};
}

Expected<ImageInput> ImageInput::fromOrgoBody(const QByteArray &body)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return malformed(QStringLiteral("it is not a JSON object"));
    const QJsonObject object = doc.object();
    for (const auto *key : {"image", "screenshot_base64", "url"}) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isString() && !value.toString().trimmed().isEmpty())
            return fromField(value.toString());
    }
    return malformed(QStringLiteral("it has no image"));
}

} // namespace Mouse

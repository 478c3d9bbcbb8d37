// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/screens/screenerror.h"

#include <QByteArray>
#include <QUrl>

namespace Mouse {

// What Orgo's screenshot answer points at: either image bytes already in the body or a URL to
// fetch. Orgo has documented three forms of its `image` field (reference A.4): an http(s)
// URL, a data:image/...;base64 URI, and bare base64 (whitespace and missing padding occur).
// The older `screenshot_base64` field is read too.
struct ImageInput
{
    QUrl url;         // set: fetch it (through the Orgo client's pool)
    QByteArray bytes; // otherwise: the decoded image bytes (not yet checked as an image)

    // body: the raw JSON body of GET /computers/{id}/screenshot.
    static Expected<ImageInput> fromOrgoBody(const QByteArray &body);
    // One `image` value in any of the forms.
    static Expected<ImageInput> fromField(const QString &value);
    // Strict base64: whitespace removed, padding repaired; any other character is an error.
    static Expected<QByteArray> decodeBase64(QByteArrayView text);
};

} // namespace Mouse

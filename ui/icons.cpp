// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/icons.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui::Icons {

namespace {

QPixmap disc(const QColor &fill, int size, bool hollow)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);

    const qreal margin = size * 0.2;
    const QRectF box(margin, margin, size - 2 * margin, size - 2 * margin);
    painter.setPen(QPen(fill.darker(125), qMax(1.0, size / 14.0)));
    painter.setBrush(hollow ? QBrush(Qt::white) : QBrush(fill));
    painter.drawEllipse(box);
    return pixmap;
}

QIcon discIcon(const QColor &fill, bool hollow)
{
    QIcon icon;
    for (const int size : {16, 24, 32, 48})
        icon.addPixmap(disc(fill, size, hollow));
    return icon;
}

// A severity badge: a filled shape with a white glyph, like most desktops draw them.
QPixmap badge(EventLog::Severity severity, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);

    const qreal s = size;
    const QRectF box(s * 0.1, s * 0.1, s * 0.8, s * 0.8);
    painter.setPen(Qt::NoPen);
    QString glyph;
    switch (severity) {
    case EventLog::Severity::Info:
        painter.setBrush(QColor(0x2f, 0x6f, 0xb5));
        painter.drawEllipse(box);
        glyph = u"i"_s;
        break;
    case EventLog::Severity::Warning: {
        painter.setBrush(QColor(0xd0, 0x8a, 0x12));
        const QPolygonF triangle{
                QPointF(s / 2, s * 0.08), QPointF(s * 0.95, s * 0.9), QPointF(s * 0.05, s * 0.9)};
        painter.drawPolygon(triangle);
        glyph = u"!"_s;
        break;
    }
    case EventLog::Severity::Error:
        painter.setBrush(QColor(0xc2, 0x41, 0x3b));
        painter.drawEllipse(box);
        glyph = u"\u00d7"_s;
        break;
    }

    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(qMax(8, int(s * 0.6)));
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(QRectF(0, s * 0.08, s, s * 0.9), Qt::AlignCenter, glyph);
    return pixmap;
}

} // namespace

StatusFamily statusFamily(const QString &orgoStatus)
{
    const QString status = orgoStatus.toLower();
    if (status == u"running" || status == u"active")
        return StatusFamily::Running;
    if (status == u"stopped" || status == u"suspended" || status == u"paused")
        return StatusFamily::Stopped;
    if (status == u"creating" || status == u"starting" || status == u"stopping"
        || status == u"restarting" || status == u"deleting" || status == u"deploying"
        || status == u"pending")
        return StatusFamily::Transition;
    if (status == u"error" || status == u"failed")
        return StatusFamily::Error;
    return StatusFamily::Unknown;
}

QColor statusColor(const QString &orgoStatus)
{
    switch (statusFamily(orgoStatus)) {
    case StatusFamily::Running:
        return QColor(0x2e, 0x9d, 0x52);
    case StatusFamily::Stopped:
        return QColor(0x8a, 0x93, 0x9e);
    case StatusFamily::Transition:
        return QColor(0xd0, 0x8a, 0x12);
    case StatusFamily::Error:
        return QColor(0xc2, 0x41, 0x3b);
    case StatusFamily::Unknown:
        break;
    }
    return QColor(0x6b, 0x76, 0x86);
}

QIcon statusIcon(const QString &orgoStatus)
{
    static QHash<int, QIcon> cache;
    const StatusFamily family = statusFamily(orgoStatus);
    const int key = int(family);
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.insert(key, discIcon(statusColor(orgoStatus), family == StatusFamily::Unknown));
    return *it;
}

QColor breakerColor(const QString &state)
{
    if (state == u"closed")
        return QColor(0x2e, 0x9d, 0x52);
    if (state == u"open")
        return QColor(0xc2, 0x41, 0x3b);
    if (state == u"half-open" || state == u"half_open")
        return QColor(0xd0, 0x8a, 0x12);
    return QColor(0x6b, 0x76, 0x86);
}

QIcon severityIcon(EventLog::Severity severity)
{
    static QHash<int, QIcon> cache;
    auto it = cache.find(int(severity));
    if (it == cache.end()) {
        QIcon icon;
        for (const int size : {16, 24, 32})
            icon.addPixmap(badge(severity, size));
        it = cache.insert(int(severity), icon);
    }
    return *it;
}

QIcon named(const QString &name)
{
    return QIcon(u":/mouse/icons/"_s + name + u".svg"_s);
}

QIcon application()
{
    return named(u"mouse-gateway"_s);
}

} // namespace Mouse::Ui::Icons

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/imageview.h"

#include <QPainter>

namespace Mouse::Ui {

ImageView::ImageView(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(320, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage &image)
{
    m_image = image;
    update();
}

void ImageView::setPlaceholder(const QString &text)
{
    m_image = {};
    m_placeholder = text;
    update();
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x23, 0x29, 0x31));

    if (m_image.isNull()) {
        painter.setPen(QColor(0xc8, 0xd0, 0xda));
        painter.drawText(rect().adjusted(12, 12, -12, -12),
                         Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder);
        return;
    }
    const QSize bounded = m_image.size().boundedTo(size() - QSize(16, 16));
    const QSize target = m_image.size().scaled(bounded, Qt::KeepAspectRatio);
    QRect box(QPoint(0, 0), target);
    box.moveCenter(rect().center());
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(box, m_image);
}

} // namespace Mouse::Ui

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QWidget>

namespace Mouse::Ui {

// Shows one image scaled to fit (never up-scaled past 100 %), centred, aspect ratio kept;
// a placeholder text when there is none.
class ImageView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageView)

public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    void setPlaceholder(const QString &text);
    QImage image() const { return m_image; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;
    QString m_placeholder;
};

} // namespace Mouse::Ui

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>
#include <QSet>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QTimer;

namespace Mouse {
class Gateway;
}

namespace Mouse::Ui {

class FleetTableModel;
struct FleetRow;
class ImageView;

// One VM's screenshot at a chosen quality (through ScreenshotService, which caches per VM,
// quality and format), with its size, bytes, MIME type and whether it came from the cache;
// below it, low-quality thumbnails of the same customer's other VMs.
class ScreenshotsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotsPage)

public:
    struct Shot
    {
        QByteArray bytes;
        QString mime;
        int width = 0;
        int height = 0;
        bool cached = false;
    };

    ScreenshotsPage(Gateway *gateway, FleetTableModel *fleet, QWidget *parent = nullptr);

    QString currentVm() const;
    QString currentQuality() const;
    QImage shownImage() const; // the image on screen, null when none
    QString infoText() const;  // dimensions, bytes, MIME type, cached

    // What a thumbnail tile says for a VM in this Orgo status ("Stopped"), translated; empty
    // for a running VM.
    static QString tileStateText(const QString &status);

public slots:
    void showVm(const QString &vmId);
    void refresh();

    // Results, also callable directly.
    void showShot(const QString &vmId,
                  const QString &quality,
                  const Mouse::Ui::ScreenshotsPage::Shot &shot);
    void showError(const QString &vmId, const QString &message);
    void showThumbnail(const QString &vmId, const QImage &image);

private:
    void fillVmList();
    void relabelVmList();
    static QString vmLabel(const FleetRow &row);
    static void labelThumbnail(QListWidgetItem *item, const FleetRow &row);
    void refreshThumbnails();
    void requestThumbnails();
    void request(const QString &vmId, const QString &quality, bool thumbnail);

    Gateway *m_gateway;
    FleetTableModel *m_fleet;
    QComboBox *m_vm = nullptr;
    QComboBox *m_quality = nullptr;
    QCheckBox *m_auto = nullptr;
    QPushButton *m_refresh = nullptr;
    ImageView *m_image = nullptr;
    QLabel *m_info = nullptr;
    QLabel *m_thumbTitle = nullptr;
    QListWidget *m_thumbs = nullptr;
    QTimer *m_timer;
    QString m_thumbCustomer;
    QString m_thumbsAskedFor; // the customer whose thumbnails were last asked for
    QSet<QString> m_pending;  // vm + quality of main-image requests in flight
};

} // namespace Mouse::Ui

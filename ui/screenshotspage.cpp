// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/screenshotspage.h"

#include "core/gateway.h"
#include "core/screens/screenshotservice.h"
#include "ui/fleettablemodel.h"
#include "ui/icons.h"
#include "ui/imageview.h"

#include <QCheckBox>
#include <QCollator>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

namespace {

constexpr int ThumbWidth = 192;
constexpr int ThumbHeight = 108;

QLabel *pageTitle(const QString &text, QWidget *parent)
{
    auto *title = new QLabel(text, parent);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.35);
    font.setBold(true);
    title->setFont(font);
    return title;
}

// A dark tile with the VM's status disc, shown until its low-quality frame arrives, and for a
// VM that is not running its state in words below the disc: a dark tile alone said nothing
// about why no picture came.
QIcon placeholderThumbnail(const QString &status, const QString &stateText)
{
    QPixmap pixmap(ThumbWidth, ThumbHeight);
    pixmap.fill(QColor(0x23, 0x29, 0x31));
    QPainter painter(&pixmap);
    const QPixmap disc = Icons::statusIcon(status).pixmap(24, 24);
    if (stateText.isEmpty()) {
        painter.drawPixmap((ThumbWidth - 24) / 2, (ThumbHeight - 24) / 2, disc);
        return QIcon(pixmap);
    }
    painter.drawPixmap((ThumbWidth - 24) / 2, ThumbHeight / 2 - 28, disc);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(15);
    painter.setFont(font);
    painter.setPen(QColor(0xe6, 0xe9, 0xed));
    const QRect below(4, ThumbHeight / 2, ThumbWidth - 8, ThumbHeight / 2 - 4);
    painter.drawText(below,
                     Qt::AlignHCenter | Qt::AlignTop,
                     painter.fontMetrics().elidedText(stateText, Qt::ElideRight, below.width()));
    return QIcon(pixmap);
}

// The item data that keep the status a tile was drawn for, and whether it shows a frame.
constexpr int ThumbStatusRole = Qt::UserRole + 1;
constexpr int ThumbHasFrameRole = Qt::UserRole + 2;

// Whether a tile takes frames: a running VM, or one whose state is not known yet (the
// screenshot service asks Orgo for those too).
bool takesFrames(const QString &status)
{
    return status == u"running" || status == u"unknown" || status.isEmpty();
}

// By employee, then customer, then VM name, as people read them (case-folded, "n-9" before
// "n-10").
QList<FleetRow> byName(QList<FleetRow> rows)
{
    QCollator collator;
    collator.setCaseSensitivity(Qt::CaseInsensitive);
    collator.setNumericMode(true);
    std::stable_sort(rows.begin(), rows.end(), [&collator](const FleetRow &a, const FleetRow &b) {
        if (const int employee = collator.compare(a.employee, b.employee))
            return employee < 0;
        if (const int customer = collator.compare(a.customer, b.customer))
            return customer < 0;
        return collator.compare(a.name, b.name) < 0;
    });
    return rows;
}

} // namespace

ScreenshotsPage::ScreenshotsPage(Gateway *gateway, FleetTableModel *fleet, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_fleet(fleet)
    , m_timer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);

    auto *bar = new QHBoxLayout;
    bar->addWidget(pageTitle(tr("Screenshots"), this));
    bar->addSpacing(12);
    m_vm = new QComboBox(this);
    m_vm->setObjectName(u"vmPicker"_s);
    m_vm->setMinimumWidth(240);
    m_vm->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    bar->addWidget(m_vm, 1);
    m_quality = new QComboBox(this);
    m_quality->addItem(tr("Low (640×480)"), u"low"_s);
    m_quality->addItem(tr("Medium (1024×768)"), u"medium"_s);
    m_quality->addItem(tr("High (1920×1080)"), u"high"_s);
    m_quality->setCurrentIndex(1);
    bar->addWidget(m_quality);
    m_auto = new QCheckBox(tr("Auto-refresh"), this);
    bar->addWidget(m_auto);
    m_refresh = new QPushButton(Icons::named(u"refresh"_s), tr("Refresh"), this);
    bar->addWidget(m_refresh);
    layout->addLayout(bar);

    m_image = new ImageView(this);
    m_image->setPlaceholder(tr("Pick a VM, or double-click one on the Fleet page."));
    layout->addWidget(m_image, 1);

    m_info = new QLabel(this);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_info);

    m_thumbTitle = new QLabel(tr("Other VMs of this customer"), this);
    QFont bold = m_thumbTitle->font();
    bold.setBold(true);
    m_thumbTitle->setFont(bold);
    layout->addWidget(m_thumbTitle);
    m_thumbs = new QListWidget(this);
    m_thumbs->setObjectName(u"thumbnails"_s);
    m_thumbs->setViewMode(QListView::IconMode);
    m_thumbs->setFlow(QListView::LeftToRight);
    m_thumbs->setWrapping(false);
    m_thumbs->setMovement(QListView::Static);
    m_thumbs->setIconSize(QSize(ThumbWidth, ThumbHeight));
    m_thumbs->setSpacing(6);
    m_thumbs->setFixedHeight(ThumbHeight + 2 * m_thumbs->fontMetrics().height() + 28);
    layout->addWidget(m_thumbs);

    m_timer->setInterval(int(m_gateway->settings().integer(u"screens/stream_interval_ms"_s)));
    connect(m_timer, &QTimer::timeout, this, &ScreenshotsPage::refresh);
    connect(m_auto, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_timer->start();
        else
            m_timer->stop();
    });
    connect(m_refresh, &QPushButton::clicked, this, &ScreenshotsPage::refresh);
    connect(m_quality, &QComboBox::currentIndexChanged, this, &ScreenshotsPage::refresh);
    connect(m_vm, &QComboBox::currentIndexChanged, this, [this] {
        m_vm->setToolTip(currentVm());
        refresh();
        refreshThumbnails();
    });
    connect(m_thumbs, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        showVm(item->data(Qt::UserRole).toString());
    });

    // The VM list follows the fleet grid's model.
    connect(m_fleet, &QAbstractItemModel::modelReset, this, &ScreenshotsPage::fillVmList);
    connect(m_fleet, &QAbstractItemModel::rowsInserted, this, &ScreenshotsPage::fillVmList);
    connect(m_fleet, &QAbstractItemModel::rowsRemoved, this, &ScreenshotsPage::fillVmList);
    // Names and statuses arrive with the fetches: relabel in place (the order is by employee,
    // which a fetch does not change), so an open list does not jump.
    connect(m_fleet, &QAbstractItemModel::dataChanged, this, &ScreenshotsPage::relabelVmList);
    fillVmList();
}

QString ScreenshotsPage::currentVm() const
{
    return m_vm->currentData().toString();
}

QString ScreenshotsPage::currentQuality() const
{
    return m_quality->currentData().toString();
}

QImage ScreenshotsPage::shownImage() const
{
    return m_image->image();
}

QString ScreenshotsPage::infoText() const
{
    return m_info->text();
}

// "Ann — Acme Robotics · sales-ann-03": who works there first (always known, from the
// directory), then the customer and the VM's own name once Orgo has told it; the id is in the
// tooltip, never the label.
QString ScreenshotsPage::vmLabel(const FleetRow &row)
{
    const QString who = row.employee.isEmpty() ? tr("(no employee)") : row.employee;
    QString label = row.customer.isEmpty() ? who : u"%1 — %2"_s.arg(who, row.customer);
    if (!row.name.isEmpty() && row.name != row.vmId)
        label += u"  ·  "_s + row.name;
    return label;
}

void ScreenshotsPage::fillVmList()
{
    const QString current = currentVm();
    const QList<FleetRow> rows = byName(m_fleet->rows());
    m_vm->blockSignals(true);
    m_vm->clear();
    for (const FleetRow &row : std::as_const(rows)) {
        m_vm->addItem(Icons::statusIcon(row.status), vmLabel(row), row.vmId);
        m_vm->setItemData(m_vm->count() - 1, row.vmId, Qt::ToolTipRole);
    }
    m_vm->setCurrentIndex(qMax(0, m_vm->findData(current)));
    m_vm->setToolTip(currentVm());
    m_vm->blockSignals(false);
    if (currentVm() != current) {
        refresh();
        refreshThumbnails();
    }
}

void ScreenshotsPage::relabelVmList()
{
    for (int i = 0; i < m_vm->count(); ++i) {
        const FleetRow *row = m_fleet->rowAt(m_fleet->rowOfVm(m_vm->itemData(i).toString()));
        if (!row)
            continue;
        const QString label = vmLabel(*row);
        if (m_vm->itemText(i) != label)
            m_vm->setItemText(i, label);
        m_vm->setItemIcon(i, Icons::statusIcon(row->status));
    }
    for (int i = 0; i < m_thumbs->count(); ++i) {
        QListWidgetItem *item = m_thumbs->item(i);
        const FleetRow *row = m_fleet->rowAt(m_fleet->rowOfVm(item->data(Qt::UserRole).toString()));
        if (!row)
            continue;
        const bool wasRunning = item->data(ThumbStatusRole).toString() == u"running";
        labelThumbnail(item, *row);
        // A VM that has just started gets a frame now, not at the next choice of customer.
        if (!wasRunning && row->status == u"running" && isVisible())
            request(row->vmId, u"low"_s, true);
    }
}

// Statuses as a tile shows them; empty for a running VM, whose tile shows its screen.
QString ScreenshotsPage::tileStateText(const QString &status)
{
    static const QHash<QString, const char *> names{{u"stopped"_s, QT_TR_NOOP("Stopped")},
                                                    {u"suspended"_s, QT_TR_NOOP("Suspended")},
                                                    {u"starting"_s, QT_TR_NOOP("Starting")},
                                                    {u"stopping"_s, QT_TR_NOOP("Stopping")},
                                                    {u"restarting"_s, QT_TR_NOOP("Restarting")},
                                                    {u"creating"_s, QT_TR_NOOP("Creating")},
                                                    {u"deleting"_s, QT_TR_NOOP("Deleting")},
                                                    {u"error"_s, QT_TR_NOOP("Error")},
                                                    {u"unknown"_s, QT_TR_NOOP("Status unknown")}};
    if (status == u"running")
        return {};
    if (status.isEmpty())
        return tr(names.value(u"unknown"_s));
    const char *name = names.value(status);
    return name ? tr(name) : status; // a state Orgo added later, as Orgo spells it
}

// A customer often has several employees of one name: the VM's name (which has the employee's
// in it) tells the thumbnails apart once Orgo has told it. A VM that is not running shows its
// state instead of a frame (an earlier frame of it would pass for its screen now).
void ScreenshotsPage::labelThumbnail(QListWidgetItem *item, const FleetRow &row)
{
    item->setText(row.name.isEmpty() || row.name == row.vmId ? row.employee : row.name);
    const QString state = tileStateText(row.status);
    item->setToolTip(state.isEmpty() ? u"%1\n%2"_s.arg(vmLabel(row), row.vmId)
                                     : u"%1\n%2\n%3"_s.arg(vmLabel(row), state, row.vmId));
    item->setData(Qt::AccessibleDescriptionRole, state);
    const QVariant drawnFor = item->data(ThumbStatusRole);
    if (drawnFor.isValid() && drawnFor.toString() == row.status)
        return;
    item->setData(ThumbStatusRole, row.status);
    // A VM that takes frames keeps the one it has; any other tile is drawn for its status.
    if (takesFrames(row.status) && item->data(ThumbHasFrameRole).toBool())
        return;
    item->setIcon(placeholderThumbnail(row.status, state));
    item->setData(ThumbHasFrameRole, false);
}

void ScreenshotsPage::showVm(const QString &vmId)
{
    const int index = m_vm->findData(vmId);
    if (index >= 0 && index != m_vm->currentIndex())
        m_vm->setCurrentIndex(index); // refreshes through currentIndexChanged
    else
        refresh();
}

void ScreenshotsPage::refresh()
{
    if (currentVm().isEmpty() || !isVisible())
        return;
    request(currentVm(), currentQuality(), false);
    if (m_thumbsAskedFor != m_thumbCustomer)
        requestThumbnails(); // built while the page was hidden
}

void ScreenshotsPage::refreshThumbnails()
{
    const FleetRow *current = m_fleet->rowAt(m_fleet->rowOfVm(currentVm()));
    if (!current)
        return;
    if (current->customerId != m_thumbCustomer) {
        m_thumbCustomer = current->customerId;
        m_thumbs->clear();
        for (const FleetRow &row : byName(m_fleet->rows())) {
            if (row.customerId != m_thumbCustomer)
                continue;
            auto *item = new QListWidgetItem;
            item->setData(Qt::UserRole, row.vmId);
            labelThumbnail(item, row);
            item->setSizeHint(QSize(ThumbWidth + 12, ThumbHeight + 28));
            m_thumbs->addItem(item);
        }
        m_thumbTitle->setText(tr("VMs of %1").arg(current->customer));
    }
    // Frames are asked for only on screen: a hidden page (the dashboard opens on the Fleet
    // page) made Orgo capture and the pool encode a customer's worth of thumbnails at start.
    if (isVisible())
        requestThumbnails();
}

void ScreenshotsPage::requestThumbnails()
{
    m_thumbsAskedFor = m_thumbCustomer;
    for (int i = 0; i < m_thumbs->count(); ++i)
        request(m_thumbs->item(i)->data(Qt::UserRole).toString(), u"low"_s, true);
}

void ScreenshotsPage::request(const QString &vmId, const QString &quality, bool thumbnail)
{
    ScreenshotService *screens = m_gateway->screens();
    const std::optional<ScreenQuality> preset = parseQuality(quality);
    if (!screens || !preset) {
        if (!thumbnail)
            showError(vmId, tr("The screenshot service is not running."));
        return;
    }
    if (!thumbnail) {
        if (m_pending.contains(vmId + quality))
            return; // auto-refresh never piles up requests behind a slow upstream
        m_pending.insert(vmId + quality);
    }

    // The service caches per VM, quality and format, and encodes on its own pool; decoding
    // for display (and the thumbnail downscale) runs on a worker as well.
    screens->screenshot(vmId, *preset, ImageFormat::Jpeg)
            .then(this, [this, vmId, quality, thumbnail](const ScreenshotResult &result) {
                if (!thumbnail)
                    m_pending.remove(vmId + quality);
                if (!result.ok()) {
                    if (!thumbnail)
                        showError(vmId, result.error.message);
                    return;
                }
                const Screenshot &answer = *result.screenshot;
                if (!thumbnail) {
                    Shot shot;
                    shot.bytes = answer.bytes;
                    shot.mime = QString::fromLatin1(answer.mime);
                    shot.width = answer.width;
                    shot.height = answer.height;
                    shot.cached = answer.cached;
                    showShot(vmId, quality, shot);
                    return;
                }
                const QByteArray bytes = answer.bytes;
                QtConcurrent::run([bytes] {
                    QImage image;
                    image.loadFromData(bytes);
                    return image.isNull() ? image
                                          : image.scaled(ThumbWidth,
                                                         ThumbHeight,
                                                         Qt::KeepAspectRatio,
                                                         Qt::SmoothTransformation);
                }).then(this, [this, vmId](const QImage &image) {
                    if (!image.isNull())
                        showThumbnail(vmId, image);
                });
            });
}

void ScreenshotsPage::showShot(const QString &vmId, const QString &quality, const Shot &shot)
{
    if (vmId != currentVm() || quality != currentQuality())
        return; // an answer to an earlier choice
    QImage image;
    if (!image.loadFromData(shot.bytes)) {
        showError(vmId, tr("The screenshot could not be decoded (%1).").arg(shot.mime));
        return;
    }
    m_image->setImage(image);
    m_info->setText(tr("%1 × %2 px  ·  %3  ·  %4  ·  %5  ·  %6")
                            .arg(shot.width > 0 ? shot.width : image.width())
                            .arg(shot.height > 0 ? shot.height : image.height())
                            .arg(QLocale().formattedDataSize(shot.bytes.size()),
                                 shot.mime,
                                 shot.cached ? tr("from cache") : tr("fresh from Orgo"),
                                 QTime::currentTime().toString(u"HH:mm:ss"_s)));
    for (int i = 0; i < m_thumbs->count(); ++i) {
        if (m_thumbs->item(i)->data(Qt::UserRole).toString() == vmId)
            m_thumbs->setCurrentRow(i);
    }
}

void ScreenshotsPage::showError(const QString &vmId, const QString &message)
{
    if (vmId != currentVm())
        return;
    m_image->setPlaceholder(message);
    m_info->setText(tr("No image: %1").arg(message));
}

void ScreenshotsPage::showThumbnail(const QString &vmId, const QImage &image)
{
    for (int i = 0; i < m_thumbs->count(); ++i) {
        QListWidgetItem *item = m_thumbs->item(i);
        if (item->data(Qt::UserRole).toString() != vmId)
            continue;
        if (!takesFrames(item->data(ThumbStatusRole).toString()))
            continue; // the VM stopped while its frame was on the way: the tile says so
        item->setIcon(QIcon(QPixmap::fromImage(image))); // scaled on a worker already
        item->setData(ThumbHasFrameRole, true);
    }
}

} // namespace Mouse::Ui

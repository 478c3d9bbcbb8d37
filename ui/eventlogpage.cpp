// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/eventlogpage.h"

#include "core/log/eventlog.h"
#include "ui/eventlogmodel.h"
#include "ui/icons.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace Mouse::Ui {

namespace {

// Text and minimum severity over the event log model.
class EventFilter final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void set(const QString &text, int minimumSeverity)
    {
        m_text = text.trimmed();
        m_minimum = minimumSeverity;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const QModelIndex first = sourceModel()->index(row, 0, parent);
        if (first.data(EventLogModel::SeverityRole).toInt() < m_minimum)
            return false;
        if (m_text.isEmpty())
            return true;
        for (const int column : {EventLogModel::Source, EventLogModel::Message}) {
            if (sourceModel()
                        ->index(row, column, parent)
                        .data()
                        .toString()
                        .contains(m_text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

private:
    QString m_text;
    int m_minimum = 0;
};

} // namespace

EventLogPage::EventLogPage(EventLog *log, QWidget *parent)
    : QWidget(parent)
    , m_model(new EventLogModel(2000, this))
    , m_filter(new EventFilter(this))
{
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);

    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("Event log"), this);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.35);
    font.setBold(true);
    title->setFont(font);
    bar->addWidget(title);
    bar->addSpacing(12);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Filter by source or message"));
    m_search->setClearButtonEnabled(true);
    bar->addWidget(m_search, 1);

    m_severity = new QComboBox(this);
    m_severity->addItem(tr("All severities"), int(EventLog::Severity::Info));
    m_severity->addItem(Icons::severityIcon(EventLog::Severity::Warning),
                        tr("Warnings and errors"),
                        int(EventLog::Severity::Warning));
    m_severity->addItem(Icons::severityIcon(EventLog::Severity::Error),
                        tr("Errors only"),
                        int(EventLog::Severity::Error));
    bar->addWidget(m_severity);

    auto *copy = new QPushButton(Icons::named(u"copy"_s), tr("Copy"), this);
    copy->setToolTip(tr("Copy the selected events, or all shown events when none is selected"));
    bar->addWidget(copy);
    layout->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setHighlightSections(false);
    const int em = m_view->fontMetrics().horizontalAdvance(u'M');
    // Wide enough for the values, and for the title in any language ("Schweregrad").
    const auto widen = [header](int column, int width) {
        header->resizeSection(column, std::max(width, header->sectionSizeHint(column)));
    };
    widen(EventLogModel::Time, 11 * em);
    widen(EventLogModel::Severity, 8 * em);
    widen(EventLogModel::Source, 9 * em);
    layout->addWidget(m_view, 1);

    auto *copyAction = new QAction(tr("Copy"), m_view);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(copyAction);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(copyAction, &QAction::triggered, this, &EventLogPage::copySelection);
    connect(copy, &QPushButton::clicked, this, &EventLogPage::copySelection);
    connect(m_search, &QLineEdit::textChanged, this, &EventLogPage::applyFilter);
    connect(m_severity, &QComboBox::currentIndexChanged, this, &EventLogPage::applyFilter);

    // Follow the newest event unless the operator scrolled up to read.
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        m_follow = value == m_view->verticalScrollBar()->maximum();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow)
            m_view->scrollToBottom();
    });

    // The log emits in the adding thread (workers too): queue onto this widget's thread.
    // Connect before reading the backlog; the model drops the duplicates by id.
    connect(
            log,
            &EventLog::eventAdded,
            this,
            [this](const EventLog::Event &event) { m_model->append(event); },
            Qt::QueuedConnection);
    for (const EventLog::Event &event : log->events())
        m_model->append(event);
}

void EventLogPage::applyFilter()
{
    static_cast<EventFilter *>(m_filter)->set(m_search->text(), m_severity->currentData().toInt());
}

void EventLogPage::copySelection() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        for (int row = 0; row < m_filter->rowCount(); ++row)
            rows << m_filter->index(row, 0);
    }
    std::sort(rows.begin(), rows.end());

    QStringList lines;
    for (const QModelIndex &index : rows) {
        const EventLog::Event *event = m_model->eventAt(m_filter->mapToSource(index).row());
        if (event)
            lines << EventLogModel::toText(*event);
    }
    QApplication::clipboard()->setText(lines.join(u'\n') + u'\n');
}

} // namespace Mouse::Ui

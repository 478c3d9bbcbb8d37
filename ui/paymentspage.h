// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace Mouse {
class Billing;
class Gateway;
class TaskQueue;
} // namespace Mouse

namespace Mouse::Ui {

// The money path at a glance: queue depth per priority, dead letters with Retry and Discard,
// Pause/Resume of processing, and the newest token ledger rows.
class PaymentsPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PaymentsPage)

public:
    struct QueueFigures
    {
        qint64 high = 0;
        qint64 normal = 0;
        qint64 low = 0;
        qint64 inFlight = 0;
        qint64 dead = 0;
        double p95Ms = 0;
        quint64 completed = 0; // tasks finished since start; 0: no p95 to show yet
        bool paused = false;
    };
    struct DeadTask
    {
        QString id;
        QString type;
        QString reference;
        int attempts = 0;
        QString lastError;
        QDateTime deadAt;
    };
    struct LedgerEntry
    {
        QDateTime time;
        QString customer;
        QString type; // purchase, usage, refund, adjustment, bonus
        qint64 delta = 0;
        qint64 balanceAfter = 0;
        qint64 debtAfter = 0;
        QString description;
        QString reference;
    };

    // queue and billing may be null (payments not running): the page says so.
    PaymentsPage(Gateway *gateway, TaskQueue *queue, Billing *billing, QWidget *parent = nullptr);

    QPushButton *retryButton() const { return m_retry; }
    QPushButton *discardButton() const { return m_discard; }
    QPushButton *pauseButton() const { return m_pause; }
    QTableWidget *deadLetterTable() const { return m_dead; }
    // Tests answer the discard confirmation themselves.
    void setConfirmDiscard(bool confirm) { m_confirmDiscard = confirm; }

    static QList<DeadTask> deadTasksFromJson(const QJsonObject &answer);

public slots:
    void reload();
    void setQueueFigures(const Mouse::Ui::PaymentsPage::QueueFigures &figures);
    void setDeadLetters(const QList<Mouse::Ui::PaymentsPage::DeadTask> &tasks);
    void setLedger(const QList<Mouse::Ui::PaymentsPage::LedgerEntry> &entries);
    void reloadLedger();

signals:
    // After a Retry or Discard reached the queue: how many tasks it accepted.
    void operationFinished(int accepted);

private:
    QWidget *buildFigures();
    QStringList selectedTaskIds() const;
    void retrySelected();
    void discardSelected();
    void togglePause();
    void loadDeadLetters();
    void operate(const QStringList &ids, bool retry);
    void updateButtons();
    QString customerName(const QString &customerId) const;

    Gateway *m_gateway;
    QPointer<TaskQueue> m_queue; // null once the gateway stops
    QPointer<Billing> m_billing;
    QLabel *m_totals = nullptr;
    QList<QLabel *> m_figureLabels; // high, normal, low, in flight, dead, p95
    QLabel *m_state = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_retry = nullptr;
    QPushButton *m_discard = nullptr;
    QTableWidget *m_dead = nullptr;
    QTableWidget *m_ledger = nullptr;
    QLabel *m_deadEmpty = nullptr;   // "no dead letters", over the empty table
    QLabel *m_ledgerEmpty = nullptr; // "no token movements yet"
    QTimer *m_timer;
    bool m_paused = false;
    bool m_confirmDiscard = true;
    bool m_loadingDead = false;
    bool m_deadDirty = true;
    qint64 m_shownDead = -1;
};

} // namespace Mouse::Ui

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/reconciler.h"

#include "core/billing/sqlhelpers.h"
#include "core/billing/stripeclient.h"
#include "core/billing/stripeevent.h"
#include "core/billing/webhookintake.h"
#include "core/http/jsonbody.h"
#include "core/http/router.h"
#include "core/log/eventlog.h"
#include "core/log/plural.h"
#include "core/logging.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSqlQuery>
#include <QTimer>
#include <QtConcurrent>

#include <limits>
#include <memory>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

// An event-log line names the first few sessions only: a run may queue up to a thousand, and
// one line of every id (~68 KB) is unreadable in the log view. The run's report has them all.
constexpr qsizetype LoggedIds = 5;

QString someIds(const QStringList &ids)
{
    QString text = ids.mid(0, LoggedIds).join(u", "_s);
    if (ids.size() > LoggedIds)
        text += u" and %1 more"_s.arg(ids.size() - LoggedIds);
    return text;
}

constexpr int MaxPages = 10; // 1,000 sessions per run
constexpr qint64 DefaultHours = 72;
constexpr qint64 MaxHours = 720;

QJsonArray array(const QStringList &ids)
{
    return QJsonArray::fromStringList(ids);
}

// The order's status for a Checkout Session ("" when there is none); nullopt when the
// database cannot say (a paid session is then submitted all the same, an expired one waits
// for a later run).
std::optional<QString> orderStatus(QSqlDatabase &db, const QString &sessionId)
{
    QSqlQuery query(db);
    StorageError error;
    if (!BillingSql::exec(query,
                          u"SELECT status FROM token_orders WHERE "
                          "stripe_checkout_session_id = ?"_s,
                          {sessionId},
                          &error))
        return std::nullopt;
    return query.next() ? query.value(0).toString() : QString();
}

// What to do with the sessions Stripe listed: paid ones whose order is not completed are
// credited, expired ones whose order is still pending are expired; the ids of the paid ones
// already credited are reported.
struct Sorted
{
    QList<QJsonObject> toCredit;
    QList<QJsonObject> toExpire;
    QStringList credited;
};

Sorted sortByOrder(Database &database, const QList<QJsonObject> &sessions)
{
    QSqlDatabase db = database.connection();
    Sorted sorted;
    for (const QJsonObject &session : sessions) {
        const QString id = session.value(u"id"_s).toString();
        const bool paid = Reconciler::isPaid(session);
        if (!paid && !Reconciler::isExpired(session))
            continue;
        const std::optional<QString> status = orderStatus(db, id);
        if (paid && status == u"completed")
            sorted.credited.append(id);
        else if (paid)
            sorted.toCredit.append(session); // a failed lookup too: crediting is idempotent
        else if (status == u"pending")
            sorted.toExpire.append(session);
    }
    return sorted;
}

} // namespace

QJsonObject Reconciler::Report::toJson() const
{
    return {{u"checked"_s, checked},
            {u"already_credited"_s, array(alreadyCredited)},
            {u"enqueued"_s, array(enqueued)},
            {u"already_enqueued"_s, array(alreadyEnqueued)},
            {u"expired"_s, array(expired)},
            {u"truncated"_s, truncated}};
}

Reconciler::Reconciler(Database &database,
                       StripeClient &stripe,
                       WebhookIntake &intake,
                       QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_stripe(stripe)
    , m_intake(intake)
{
    m_pool.setMaxThreadCount(1);
}

Reconciler::~Reconciler()
{
    m_pool.waitForDone();
}

bool Reconciler::isPaid(const QJsonObject &session)
{
    const QString payment = session.value(u"payment_status"_s).toString();
    return session.value(u"id"_s).toString().startsWith(u"cs_")
           && session.value(u"status"_s).toString() == u"complete"
           && (payment == u"paid" || payment == u"no_payment_required");
}

bool Reconciler::isExpired(const QJsonObject &session)
{
    return session.value(u"id"_s).toString().startsWith(u"cs_")
           && session.value(u"status"_s).toString() == u"expired";
}

QByteArray Reconciler::syntheticEvent(const QJsonObject &session, bool expired)
{
    QJsonObject data;
    data.insert(u"object"_s, session);
    QJsonObject event;
    const QString prefix = expired ? u"evt_reconcile_expired_"_s : u"evt_reconcile_"_s;
    event.insert(u"id"_s, QString(prefix + session.value(u"id"_s).toString()));
    event.insert(u"object"_s, u"event"_s);
    event.insert(u"type"_s,
                 expired ? u"checkout.session.expired"_s : u"checkout.session.completed"_s);
    event.insert(u"created"_s, session.value(u"created"_s).toInteger());
    event.insert(u"livemode"_s, session.value(u"livemode"_s).toBool());
    event.insert(u"data"_s, data);
    return QJsonDocument(event).toJson(QJsonDocument::Compact);
}

void Reconciler::run(qint64 createdSince, Done done)
{
    QPointer<Reconciler> self(this);
    m_stripe.listCheckoutSessions(
            createdSince,
            MaxPages,
            [self, done](bool ok, const QList<QJsonObject> &sessions, bool more) {
                if (!self)
                    return;
                Report report;
                report.checked = int(sessions.size());
                report.truncated = more;
                if (!ok)
                    return done(report);
                // Which orders are completed or pending: database work, on our pool.
                Database *database = &self->m_database;
                QtConcurrent::run(&self->m_pool, [database, sessions] {
                    return sortByOrder(*database, sessions);
                }).then(self, [self, report, done](const Sorted &sorted) mutable {
                    report.alreadyCredited = sorted.credited;
                    QList<Submission> submissions;
                    for (const QJsonObject &session : sorted.toCredit)
                        submissions.append({session, false});
                    for (const QJsonObject &session : sorted.toExpire)
                        submissions.append({session, true});
                    self->submitAll(submissions, report, done);
                });
            });
}

void Reconciler::submitAll(QList<Submission> submissions, Report report, Done done)
{
    report.ok = true;
    if (submissions.isEmpty())
        return done(report);
    auto shared = std::make_shared<Report>(report);
    auto left = std::make_shared<int>(int(submissions.size()));
    for (const Submission &submission : submissions) {
        const QByteArray raw = syntheticEvent(submission.session, submission.expired);
        const std::optional<StripeEvent> event = parseStripeEvent(raw);
        const QString id = submission.session.value(u"id"_s).toString();
        if (!event) {
            shared->ok = false;
            if (--*left == 0)
                done(*shared);
            continue;
        }
        const bool expired = submission.expired;
        m_intake.submit(
                *event, raw, [shared, left, id, expired, done](const WebhookIntake::Outcome &o) {
                    using Kind = WebhookIntake::Outcome::Kind;
                    if (o.kind == Kind::Accepted)
                        (expired ? shared->expired : shared->enqueued).append(id);
                    else if (o.kind == Kind::Duplicate)
                        shared->alreadyEnqueued.append(id);
                    else
                        shared->ok = false;
                    if (--*left == 0)
                        done(*shared);
                });
    }
}

void Reconciler::startPeriodic(qint64 intervalMs)
{
    if (intervalMs <= 0) {
        if (m_timer)
            m_timer->stop();
        return;
    }
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &Reconciler::runPeriodic);
    }
    m_timer->start(int(qMin<qint64>(intervalMs, std::numeric_limits<int>::max())));
}

bool Reconciler::isPeriodic() const
{
    return m_timer && m_timer->isActive();
}

void Reconciler::runPeriodic()
{
    if (m_periodicRunning)
        return; // Stripe slower than the interval: one run at a time
    m_periodicRunning = true;
    const qint64 since = QDateTime::currentSecsSinceEpoch() - DefaultHours * 3600;
    QPointer<Reconciler> self(this);
    run(since, [self](const Report &report) {
        if (!self)
            return;
        self->m_periodicRunning = false;
        self->tell(report, true);
        emit self->periodicRunFinished(report);
    });
}

// Operators hear of a run that queued anything (money that would otherwise be missing), and of
// a periodic run that failed (nobody else would); a run that found nothing to do stays quiet.
void Reconciler::tell(const Report &report, bool periodic) const
{
    const QString trigger = periodic ? u"Periodic reconciliation"_s : u"Reconciliation"_s;
    if (!report.ok) {
        qCWarning(lcBilling) << "reconciliation with Stripe failed, periodic:" << periodic;
        if (periodic && m_eventLog)
            m_eventLog->warning(
                    u"payments"_s,
                    u"%1 with Stripe failed: Stripe's sessions could not be read or "
                    "queued (nothing was lost; the next run tries again)"_s.arg(trigger));
        if (report.enqueued.isEmpty() && report.expired.isEmpty())
            return;
    }
    if (!m_eventLog)
        return;
    // Stripe lists the newest first: what lies beyond the cap is the oldest part of the window,
    // which nothing checks, so the run's silence would claim more than it did.
    if (report.ok && report.truncated)
        m_eventLog->warning(
                u"payments"_s,
                u"%1 with Stripe checked only the newest %2 (its limit); older "
                "ones in its window were not checked"_s.arg(
                        trigger,
                        counted(report.checked, u"Checkout Session", u"Checkout Sessions")));
    if (!report.enqueued.isEmpty())
        m_eventLog->warning(
                u"payments"_s,
                u"%1 with Stripe queued %2 whose checkout.session.completed never arrived, "
                "to be credited: %3"_s.arg(trigger,
                                           counted(report.enqueued.size(),
                                                   u"paid Checkout Session",
                                                   u"paid Checkout Sessions"),
                                           someIds(report.enqueued)));
    if (!report.expired.isEmpty())
        m_eventLog->info(u"payments"_s,
                         u"%1 with Stripe queued %2 to be marked expired: %3"_s.arg(
                                 trigger,
                                 counted(report.expired.size(),
                                         u"pending order of an expired session",
                                         u"pending orders of expired sessions"),
                                 someIds(report.expired)));
}

void Reconciler::registerRoute(Http::Router &router)
{
    Http::RouteOptions options;
    options.maxBodyBytes = 1024;
    options.summary = u"Credit paid Checkout Sessions whose event never arrived"_s;
    options.tags = {u"payments"_s};
    options.body.optional = true;
    options.body.fields = {Http::BodyField::integer(u"since_hours"_s, 1, MaxHours)
                                   .described(u"Sessions created this recently (72)"_s)};
    QPointer<Reconciler> self(this);
    router.post(
            u"/admin/payments/reconcile"_s,
            Http::Access::Admin,
            [self](const Http::Request &request, const Http::Responder &responder) {
                qint64 hours = DefaultHours;
                if (!request.body.trimmed().isEmpty()) {
                    if (!QJsonDocument::fromJson(request.body).isObject())
                        return responder.fail(Http::ApiError::badRequest(
                                u"invalid_json"_s, u"The body must be a JSON object."_s));
                    Http::ApiError error;
                    const Http::IntegerMember member
                            = Http::integerMember(request.body, u"since_hours"_s);
                    if (member.form != Http::IntegerMember::Form::Missing) {
                        const auto given = Http::integerField(request.body,
                                                              u"since_hours"_s,
                                                              1,
                                                              MaxHours,
                                                              u"invalid_since_hours"_s,
                                                              &error);
                        if (!given)
                            return responder.fail(error);
                        hours = *given;
                    }
                }
                if (!self)
                    return responder.fail(Http::ApiError::internal());
                if (!self->m_stripe.isConfigured()) {
                    return responder.fail({Http::ErrorKind::Unavailable,
                                           u"payments_not_configured"_s,
                                           u"Reconciliation reads Stripe: set STRIPE_SECRET_KEY "
                                           "(setting stripe/secret_key)."_s,
                                           {},
                                           -1});
                }
                const qint64 since = QDateTime::currentSecsSinceEpoch() - hours * 3600;
                self->run(since, [self, responder](const Report &report) {
                    if (self)
                        self->tell(report, false);
                    if (!report.ok) {
                        return responder.fail({Http::ErrorKind::BadGateway,
                                               u"reconciliation_failed"_s,
                                               u"Stripe's sessions could not be read or queued; "
                                               "nothing was lost, try again."_s,
                                               {},
                                               -1});
                    }
                    responder.sendJson(report.toJson());
                });
            },
            options);
}

} // namespace Mouse

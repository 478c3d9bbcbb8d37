// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/billing/reconciler.h"

#include "core/billing/sqlhelpers.h"
#include "core/billing/stripeclient.h"
#include "core/billing/stripeevent.h"
#include "core/billing/webhookintake.h"
#include "core/http/jsonbody.h"
#include "core/http/router.h"
#include "core/logging.h"
#include "core/storage/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSqlQuery>
#include <QtConcurrent>

#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

constexpr int MaxPages = 10; // 1,000 sessions per run
constexpr qint64 DefaultHours = 72;
constexpr qint64 MaxHours = 720;

QJsonArray array(const QStringList &ids)
{
    return QJsonArray::fromStringList(ids);
}

// Paid sessions whose order is not completed yet (first), and the ids of those that are.
std::pair<QList<QJsonObject>, QStringList> splitByCompletion(Database &database,
                                                             const QList<QJsonObject> &paid)
{
    QSqlDatabase db = database.connection();
    QList<QJsonObject> open;
    QStringList credited;
    for (const QJsonObject &session : paid) {
        const QString id = session.value(u"id"_s).toString();
        QSqlQuery query(db);
        QString error;
        const bool completed = BillingSql::exec(query,
                                                u"SELECT 1 FROM token_orders WHERE "
                                                "stripe_checkout_session_id = ? AND "
                                                "status = 'completed'"_s,
                                                {id},
                                                &error)
                               && query.next();
        if (completed)
            credited.append(id);
        else
            open.append(session);
    }
    return {open, credited};
}

} // namespace

QJsonObject Reconciler::Report::toJson() const
{
    return {{u"checked"_s, checked},
            {u"already_credited"_s, array(alreadyCredited)},
            {u"enqueued"_s, array(enqueued)},
            {u"already_enqueued"_s, array(alreadyEnqueued)}};
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

QByteArray Reconciler::syntheticEvent(const QJsonObject &session)
{
    QJsonObject data;
    data.insert(u"object"_s, session);
    QJsonObject event;
    event.insert(u"id"_s, QString(u"evt_reconcile_"_s + session.value(u"id"_s).toString()));
    event.insert(u"object"_s, u"event"_s);
    event.insert(u"type"_s, u"checkout.session.completed"_s);
    event.insert(u"created"_s, session.value(u"created"_s).toInteger());
    event.insert(u"livemode"_s, session.value(u"livemode"_s).toBool());
    event.insert(u"data"_s, data);
    return QJsonDocument(event).toJson(QJsonDocument::Compact);
}

void Reconciler::run(qint64 createdSince, Done done)
{
    QPointer<Reconciler> self(this);
    m_stripe.listCheckoutSessions(
            createdSince, MaxPages, [self, done](bool ok, const QList<QJsonObject> &sessions) {
                if (!self)
                    return;
                Report report;
                report.checked = int(sessions.size());
                if (!ok)
                    return done(report);
                QList<QJsonObject> paid;
                for (const QJsonObject &session : sessions) {
                    if (isPaid(session))
                        paid.append(session);
                }
                // Which orders are completed: database work, on the billing pool.
                Database *database = &self->m_database;
                QtConcurrent::run(&self->m_pool,
                                  [database, paid] { return splitByCompletion(*database, paid); })
                        .then(self,
                              [self, report, done](const std::pair<QList<QJsonObject>, QStringList>
                                                           &result) mutable {
                                  report.alreadyCredited = result.second;
                                  self->submitAll(result.first, report, done);
                              });
            });
}

void Reconciler::submitAll(QList<QJsonObject> open, Report report, Done done)
{
    report.ok = true;
    if (open.isEmpty())
        return done(report);
    auto shared = std::make_shared<Report>(report);
    auto left = std::make_shared<int>(int(open.size()));
    for (const QJsonObject &session : open) {
        const QByteArray raw = syntheticEvent(session);
        const std::optional<StripeEvent> event = parseStripeEvent(raw);
        const QString id = session.value(u"id"_s).toString();
        if (!event) {
            shared->ok = false;
            if (--*left == 0)
                done(*shared);
            continue;
        }
        m_intake.submit(*event, raw, [shared, left, id, done](const WebhookIntake::Outcome &o) {
            using Kind = WebhookIntake::Outcome::Kind;
            if (o.kind == Kind::Accepted)
                shared->enqueued.append(id);
            else if (o.kind == Kind::Duplicate)
                shared->alreadyEnqueued.append(id);
            else
                shared->ok = false;
            if (--*left == 0)
                done(*shared);
        });
    }
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
                self->run(since, [responder](const Report &report) {
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

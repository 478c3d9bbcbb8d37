// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/queue/queueroutes.h"

#include "core/billing/webhookintake.h"
#include "core/http/router.h"
#include "core/logging.h"
#include "core/queue/taskqueue.h"
#include "core/storage/database.h"

#include <QPointer>

using namespace Qt::Literals::StringLiterals;

namespace Mouse {

namespace {

using Http::Access;
using Http::ApiError;
using Http::Request;
using Http::Responder;

// Runs work on the background pool, then answers on the queue's (the HTTP) thread.
void inBackground(TaskQueue &queue, const Responder &responder, std::function<Http::Reply()> work)
{
    QPointer<TaskQueue> context(&queue);
    queue.runInBackground([context, responder, work = std::move(work)] {
        Http::Reply reply = work();
        if (!context)
            return;
        QMetaObject::invokeMethod(
                context.data(),
                [responder, reply] { responder.send(reply); },
                Qt::QueuedConnection);
    });
}

Http::Reply errorReply(const ApiError &error, const Responder &responder)
{
    return Http::Reply::error(error, responder.requestId());
}

// The store failed: 503 storage_unavailable (Retry-After) when it cannot take the work now,
// else 500; never "not found" for a task that may well exist. The driver's text is logged,
// never answered.
Http::Reply storageReply(const StorageError &error, const Responder &responder)
{
    qCWarning(lcQueue) << "request" << responder.requestId() << "failed:" << error.text;
    return errorReply(ApiError::storageFailure(error.unavailable,
                                               u"The task store cannot be read or written "
                                               "now; retry later."_s),
                      responder);
}

Http::RouteOptions options(const QString &summary)
{
    Http::RouteOptions o;
    o.summary = summary;
    o.tags = {u"queue"_s};
    return o;
}

} // namespace

void registerQueueRoutes(Http::Router &router, TaskQueue &queue, WebhookIntake *intake)
{
    TaskQueue *q = &queue;
    router.get(
            u"/admin/queue"_s,
            Access::Admin,
            [q, intake](const Request &, const Responder &responder) {
                QJsonObject body = q->metricsSnapshot().toJson();
                body.insert(u"backlog"_s, q->backlog());
                body.insert(u"max_backlog"_s, q->maxBacklog());
                if (intake)
                    body.insert(u"webhooks"_s, intake->snapshot());
                responder.sendJson(body);
            },
            options(u"Queue metrics"_s));

    router.get(
            u"/admin/queue/dead"_s,
            Access::Admin,
            [q](const Request &request, const Responder &responder) {
                QString bad;
                const int limit = int(request.integerQuery(u"limit"_s, 100, 1, 1000, &bad));
                if (!bad.isEmpty())
                    return responder.fail(Http::ApiError::badRequest(u"invalid_query"_s, bad));
                inBackground(*q, responder, [q, limit, responder] {
                    StorageError error;
                    const QJsonObject dead = q->deadTasks(limit, &error);
                    if (!error.isEmpty())
                        return storageReply(error, responder);
                    return Http::Reply::json(dead);
                });
            },
            options(u"Dead-letter list with attempt history"_s));

    router.get(
            u"/admin/queue/tasks/{task}"_s,
            Access::Admin,
            [q](const Request &request, const Responder &responder) {
                const QString id = request.param(u"task"_s);
                inBackground(*q, responder, [q, id, responder] {
                    StorageError error;
                    const QJsonObject task = q->task(id, &error);
                    if (!error.isEmpty())
                        return storageReply(error, responder);
                    if (task.isEmpty())
                        return errorReply(
                                ApiError::notFound(u"task_not_found"_s, u"No such task."_s),
                                responder);
                    return Http::Reply::json(task);
                });
            },
            options(u"One task with its attempts"_s));

    router.post(
            u"/admin/queue/dead/{task}/retry"_s,
            Access::Admin,
            [q](const Request &request, const Responder &responder) {
                const QString id = request.param(u"task"_s);
                inBackground(*q, responder, [q, id, responder] {
                    StorageError error;
                    if (q->retryDead(id, &error))
                        return Http::Reply::json(
                                QJsonObject{{u"retried"_s, true}, {u"task_id"_s, id}});
                    if (!error.isEmpty())
                        return storageReply(error, responder);
                    return errorReply(ApiError::notFound(u"dead_task_not_found"_s,
                                                         u"No dead task with this id."_s),
                                      responder);
                });
            },
            options(u"Retry a dead task"_s));

    router.del(
            u"/admin/queue/dead/{task}"_s,
            Access::Admin,
            [q](const Request &request, const Responder &responder) {
                const QString id = request.param(u"task"_s);
                inBackground(*q, responder, [q, id, responder] {
                    StorageError error;
                    if (q->discardDead(id, &error))
                        return Http::Reply::json(
                                QJsonObject{{u"discarded"_s, true}, {u"task_id"_s, id}});
                    if (!error.isEmpty())
                        return storageReply(error, responder);
                    return errorReply(ApiError::notFound(u"dead_task_not_found"_s,
                                                         u"No dead task with this id."_s),
                                      responder);
                });
            },
            options(u"Discard a dead task"_s));

    if (intake) {
        router.post(
                u"/admin/events/{event}/replay"_s,
                Access::Admin,
                [q, intake](const Request &request, const Responder &responder) {
                    const QString id = request.param(u"event"_s);
                    QPointer<WebhookIntake> guard(intake);
                    inBackground(*q, responder, [guard, id, responder] {
                        StorageError error;
                        const QString taskId = guard ? guard->replay(id, &error) : QString();
                        if (!error.isEmpty())
                            return storageReply(error, responder);
                        if (taskId.isEmpty())
                            return errorReply(ApiError::notFound(u"event_not_found"_s,
                                                                 u"No stored event with this "
                                                                 "id."_s),
                                              responder);
                        return Http::Reply::json(QJsonObject{{u"replayed"_s, true},
                                                             {u"event_id"_s, id},
                                                             {u"task_id"_s, taskId}},
                                                 202);
                    });
                },
                options(u"Replay a stored Stripe event"_s));
    }

    router.post(
            u"/admin/queue/pause"_s,
            Access::Admin,
            [q](const Request &, const Responder &responder) {
                q->pause();
                responder.sendJson({{u"paused"_s, true}});
            },
            options(u"Pause queue processing"_s));
    router.post(
            u"/admin/queue/resume"_s,
            Access::Admin,
            [q](const Request &, const Responder &responder) {
                q->resume();
                responder.sendJson({{u"paused"_s, false}});
            },
            options(u"Resume queue processing"_s));
}

} // namespace Mouse

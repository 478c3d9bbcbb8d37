// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Mouse {

class TaskQueue;
class WebhookIntake;
namespace Http {
class Router;
} // namespace Http

// The operators' queue API (Access::Admin):
//   GET    /admin/queue                      metrics (depth, in flight, dead, p50/p95/p99, ...)
//   GET    /admin/queue/dead                 dead-letter list with attempt history (?limit=)
//   GET    /admin/queue/tasks/{task}         one task with its attempts
//   POST   /admin/queue/dead/{task}/retry    dead -> pending
//   DELETE /admin/queue/dead/{task}          discard a dead task
//   POST   /admin/events/{event}/replay      a new stripe.event task for a stored event
//   POST   /admin/queue/pause | /resume
// Database work runs on the queue's background pool; answers go back to the HTTP thread.
void registerQueueRoutes(Http::Router &router, TaskQueue &queue, WebhookIntake *intake);

} // namespace Mouse

// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <functional>

namespace Mouse {

class ScreenshotService;
class StreamHub;
struct ScreenError;
namespace Http {
class Router;
struct ApiError;
} // namespace Http

// Whether the VM belongs to the customer (Directory::employeeByVm in the gateway).
using VmOwnership = std::function<bool(const QString &customerId, const QString &vmId)>;

// GET  /api/v1/customers/{customer}/vms/{vm}/screenshot?quality=&format=   (Customer)
// POST /admin/screenshots/batch {vms:[...], quality, format}                 (Admin)
// WS   /ws/vms/{customer}/{vm}?quality=&format=&binary=1                     (Customer)
// See docs/screenshots.md for the shapes.
void registerScreenshotRoutes(Http::Router &router,
                              ScreenshotService &service,
                              StreamHub &hub,
                              VmOwnership ownsVm);

// The HTTP error for a failed screenshot: 502 for unusable images, 404/503/504 from Orgo,
// 409 vm_not_running (details.vm_status) for a VM that is not running.
Http::ApiError screenshotApiError(const ScreenError &error);

} // namespace Mouse

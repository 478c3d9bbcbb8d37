// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Mouse {

class Directory;
class FleetService;

namespace Http {
class Router;
}

// The customer and VM routes:
//   GET    /api/v1/customers/{customer}/vms              each employee with its Orgo vm_status
//   POST   /api/v1/customers/{customer}/vms              deploy {name, role, task_description?}
//   DELETE /api/v1/customers/{customer}/vms/{vm}
//   POST   /api/v1/customers/{customer}/vms/{vm}/start|stop|restart
//   POST   /api/v1/customers                             admin: {company_name, email}
//   GET    /api/v1/customers/{customer}
//   GET    /admin/vms/status                             admin: every VM
//   GET    /admin/customers                              admin
// Handlers answer on the main thread; bodies are validated (400 malformed, 422 invalid field).
void registerFleetRoutes(Http::Router &router, FleetService &fleet, Directory &directory);

} // namespace Mouse

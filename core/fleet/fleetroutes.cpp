// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fleet/fleetroutes.h"

#include "core/fleet/directory.h"
#include "core/fleet/fleetservice.h"
#include "core/http/jsonbody.h"
#include "core/http/router.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <optional>

namespace Mouse {

using namespace Qt::Literals::StringLiterals;
using Http::Access;
using Http::ApiError;
using Http::ErrorKind;
using Http::Reply;
using Http::Request;
using Http::Responder;
using Http::RouteOptions;

namespace {

RouteOptions describe(const QString &summary, qint64 maxBody = -1, Http::BodySchema body = {})
{
    RouteOptions options;
    options.summary = summary;
    options.tags = {u"vms"_s};
    options.maxBodyBytes = maxBody;
    options.body = std::move(body);
    return options;
}

// Clients of the original gateway send {} to the VM actions: a small body is read by no one.
Http::BodySchema ignoredBody()
{
    Http::BodySchema body;
    body.optional = true;
    body.description = u"Ignored (up to 1 KiB, e.g. {})"_s;
    return body;
}

ApiError apiError(ErrorKind kind, const QString &code, const QString &message)
{
    ApiError error;
    error.kind = kind;
    error.code = code;
    error.message = message;
    return error;
}

using Http::invalidField;

// The request body as a JSON object with only the allowed fields, or the error to send.
std::optional<QJsonObject>
jsonBody(const Request &request, const QStringList &allowed, const Responder &responder)
{
    QJsonParseError parse;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parse);
    if (parse.error != QJsonParseError::NoError) {
        responder.fail(apiError(
                ErrorKind::BadRequest, u"invalid_json"_s, u"The body is not valid JSON."_s));
        return std::nullopt;
    }
    if (!document.isObject()) {
        responder.fail(apiError(
                ErrorKind::BadRequest, u"invalid_body"_s, u"The body must be a JSON object."_s));
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    ApiError error;
    if (!Http::onlyAllowedMembers(object, allowed, &error)) {
        responder.fail(error);
        return std::nullopt;
    }
    return object;
}

// A trimmed string field within [minLength, maxLength] characters; nullopt after answering.
std::optional<QString> textField(const QJsonObject &body,
                                 const QString &name,
                                 int minLength,
                                 int maxLength,
                                 const Responder &responder)
{
    ApiError error;
    std::optional<QString> text = Http::textMember(body, name, minLength, maxLength, &error);
    if (!text)
        responder.fail(error);
    return text;
}

bool isPlausibleEmail(const QString &email)
{
    const qsizetype at = email.indexOf(u'@');
    return at > 0 && at == email.lastIndexOf(u'@') && at < email.size() - 1 && !email.contains(u' ')
           && email.indexOf(u'.', at) > at + 1 && !email.endsWith(u'.');
}

void failOutcome(const Responder &responder, const FleetOutcome &outcome)
{
    ApiError error;
    error.code = outcome.code;
    error.message = outcome.message;
    switch (outcome.kind) {
    case FleetOutcome::Kind::Ok:
        return;
    case FleetOutcome::Kind::NotFound:
        error.kind = ErrorKind::NotFound;
        break;
    case FleetOutcome::Kind::Conflict:
        error.kind = ErrorKind::Conflict;
        break;
    case FleetOutcome::Kind::Unavailable:
        error.kind = ErrorKind::Unavailable;
        error.retryAfterSeconds = outcome.upstream.retryAfterMs > 0
                                          ? (outcome.upstream.retryAfterMs + 999) / 1000
                                          : 5;
        break;
    case FleetOutcome::Kind::Upstream:
        error.kind = ErrorKind::BadGateway;
        break;
    case FleetOutcome::Kind::Internal:
        error.kind = ErrorKind::Internal;
        break;
    }
    if (!outcome.upstream.requestId.isEmpty())
        error.details.insert(u"upstream_request_id"_s, outcome.upstream.requestId);
    responder.fail(error);
}

QJsonObject customerJson(const Customer &c)
{
    return {{u"id"_s, c.id},
            {u"company_name"_s, c.companyName},
            {u"email"_s, c.email},
            {u"plan_tier"_s, c.planTier},
            {u"status"_s, c.status},
            {u"created_at"_s,
             QDateTime::fromMSecsSinceEpoch(c.createdAt, Qt::UTC).toString(Qt::ISODateWithMs)}};
}

QJsonObject employeeJson(const Employee &e)
{
    return {{u"id"_s, e.id},
            {u"customer_id"_s, e.customerId},
            {u"name"_s, e.name},
            {u"role"_s, e.role},
            {u"status"_s, e.status},
            {u"current_task"_s, e.currentTask},
            {u"vm_id"_s, e.vmId.isEmpty() ? QJsonValue() : QJsonValue(e.vmId)},
            {u"vm_url"_s, e.vmUrl.isEmpty() ? QJsonValue() : QJsonValue(e.vmUrl)},
            {u"created_at"_s,
             QDateTime::fromMSecsSinceEpoch(e.createdAt, Qt::UTC).toString(Qt::ISODateWithMs)}};
}

bool requireCustomer(const Directory &directory, const Request &request, const Responder &responder)
{
    if (directory.hasCustomer(request.param(u"customer"_s)))
        return true;
    responder.fail(Http::ApiError::notFound(u"customer_not_found"_s, u"No such customer."_s));
    return false;
}

void registerLifecycle(Http::Router &router, FleetService &fleet, Directory &directory)
{
    using Call = QFuture<FleetOutcome> (FleetService::*)(const QString &, const QString &);
    const QList<QPair<QString, Call>> actions = {{u"start"_s, &FleetService::startVm},
                                                 {u"stop"_s, &FleetService::stopVm},
                                                 {u"restart"_s, &FleetService::restartVm}};
    for (const auto &[name, call] : actions) {
        router.post(
                u"/api/v1/customers/{customer}/vms/{vm}/"_s + name,
                Access::Customer,
                [&fleet, &directory, call = call](const Request &request,
                                                  const Responder &responder) {
                    if (!requireCustomer(directory, request, responder))
                        return;
                    (fleet.*call)(request.param(u"customer"_s), request.param(u"vm"_s))
                            .then(&fleet, [responder](const FleetOutcome &outcome) {
                                if (!outcome.ok())
                                    return failOutcome(responder, outcome);
                                responder.sendJson(
                                        {{u"success"_s, true},
                                         {u"vm_id"_s, outcome.vm.vmId},
                                         {u"vm_status"_s, outcome.vm.status},
                                         {u"employee"_s, employeeJson(outcome.employee)}},
                                        202);
                            });
                },
                describe(u"%1 a VM"_s.arg(name), 1024, ignoredBody()));
    }

    router.del(
            u"/api/v1/customers/{customer}/vms/{vm}"_s,
            Access::Customer,
            [&fleet, &directory](const Request &request, const Responder &responder) {
                if (!requireCustomer(directory, request, responder))
                    return;
                fleet.deleteVm(request.param(u"customer"_s), request.param(u"vm"_s))
                        .then(&fleet, [responder](const FleetOutcome &outcome) {
                            if (!outcome.ok())
                                return failOutcome(responder, outcome);
                            responder.sendJson({{u"success"_s, true},
                                                {u"message"_s, u"VM deleted"_s},
                                                {u"employee"_s, employeeJson(outcome.employee)}});
                        });
            },
            describe(u"Delete a VM and release its employee"_s, 1024, ignoredBody()));
}

} // namespace

void registerFleetRoutes(Http::Router &router, FleetService &fleet, Directory &directory)
{
    router.get(
            u"/api/v1/customers/{customer}/vms"_s,
            Access::Customer,
            [&fleet, &directory](const Request &request, const Responder &responder) {
                if (!requireCustomer(directory, request, responder))
                    return;
                fleet.customerVmsJson(
                        request.param(u"customer"_s), [responder](const QByteArray &body) {
                            responder.send(
                                    Reply::bytes(body, QByteArrayLiteral("application/json")));
                        });
            },
            describe(u"The customer's VMs with their Orgo status"_s));

    router.post(
            u"/api/v1/customers/{customer}/vms"_s,
            Access::Customer,
            [&fleet, &directory](const Request &request, const Responder &responder) {
                if (!requireCustomer(directory, request, responder))
                    return;
                const auto body = jsonBody(
                        request, {u"name"_s, u"role"_s, u"task_description"_s}, responder);
                if (!body)
                    return;
                const auto name = textField(*body, u"name"_s, 1, 100, responder);
                if (!name)
                    return;
                const auto role = textField(*body, u"role"_s, 1, 50, responder);
                if (!role)
                    return;
                const auto task = textField(*body, u"task_description"_s, 0, 2000, responder);
                if (!task)
                    return;
                fleet.deploy(request.param(u"customer"_s), DeploySpec{*name, *role, *task})
                        .then(&fleet, [responder](const FleetOutcome &outcome) {
                            if (!outcome.ok())
                                return failOutcome(responder, outcome);
                            const QJsonObject vm{{u"id"_s, outcome.vm.vmId},
                                                 {u"name"_s, outcome.vm.name},
                                                 {u"url"_s, outcome.vm.url},
                                                 {u"status"_s, outcome.vm.status}};
                            responder.sendJson({{u"success"_s, true},
                                                {u"vm"_s, vm},
                                                {u"employee"_s, employeeJson(outcome.employee)}},
                                               201);
                        });
            },
            describe(u"Deploy an AI employee on a new VM"_s,
                     16 * 1024,
                     {{Http::BodyField::text(u"name"_s, 1, 100).isRequired(),
                       Http::BodyField::text(u"role"_s, 1, 50).isRequired(),
                       Http::BodyField::text(u"task_description"_s, 0, 2000)}}));

    registerLifecycle(router, fleet, directory);

    router.post(
            u"/api/v1/customers"_s,
            Access::Admin,
            [&fleet](const Request &request, const Responder &responder) {
                const auto body = jsonBody(request, {u"company_name"_s, u"email"_s}, responder);
                if (!body)
                    return;
                const auto company = textField(*body, u"company_name"_s, 1, 200, responder);
                if (!company)
                    return;
                const auto email = textField(*body, u"email"_s, 3, 254, responder);
                if (!email)
                    return;
                if (!isPlausibleEmail(*email))
                    return responder.fail(invalidField(u"email"_s, u"must be an email address"_s));
                fleet.createCustomer(*company, email->toLower())
                        .then(&fleet, [responder](const FleetService::NewCustomer &created) {
                            if (created.error == u"email_taken")
                                return responder.fail(apiError(ErrorKind::Conflict,
                                                               u"email_taken"_s,
                                                               u"A customer with this email "
                                                               "exists."_s));
                            if (!created.customer)
                                return responder.fail(ApiError::storageFailure(
                                        created.error == u"storage_unavailable",
                                        u"The customer could not be created now; retry "
                                        "later."_s));
                            responder.sendJson({{u"success"_s, true},
                                                {u"customer"_s, customerJson(*created.customer)},
                                                {u"api_key"_s, QString::fromLatin1(created.apiKey)},
                                                {u"api_key_note"_s,
                                                 u"Shown once; only its hash is stored."_s}},
                                               201);
                        });
            },
            describe(u"Create a customer and its first API key (admin)"_s,
                     16 * 1024,
                     {{Http::BodyField::text(u"company_name"_s, 1, 200).isRequired(),
                       Http::BodyField::text(u"email"_s, 3, 254).isRequired()}}));

    router.get(
            u"/api/v1/customers/{customer}"_s,
            Access::Customer,
            [&directory](const Request &request, const Responder &responder) {
                const auto customer = directory.customer(request.param(u"customer"_s));
                if (!customer)
                    return responder.fail(
                            ApiError::notFound(u"customer_not_found"_s, u"No such customer."_s));
                int vms = 0;
                const QList<Employee> employees = directory.employeesOf(customer->id);
                for (const Employee &e : employees)
                    vms += e.vmId.isEmpty() ? 0 : 1;
                responder.sendJson({{u"customer"_s, customerJson(*customer)},
                                    {u"employee_count"_s, int(employees.size())},
                                    {u"vm_count"_s, vms}});
            },
            describe(u"One customer"_s));

    router.get(
            u"/admin/vms/status"_s,
            Access::Admin,
            [&fleet](const Request &, const Responder &responder) {
                fleet.allVmsJson([responder](const QByteArray &body) {
                    responder.send(Reply::bytes(body, "application/json"));
                });
            },
            describe(u"Every VM with its Orgo status (admin)"_s));

    router.get(
            u"/admin/customers"_s,
            Access::Admin,
            [&directory](const Request &, const Responder &responder) {
                QJsonArray list;
                for (const Customer &c : directory.customers()) {
                    QJsonObject row = customerJson(c);
                    row.insert(u"employee_count"_s, directory.employeeCount(c.id));
                    list.append(row);
                }
                responder.sendJson({{u"customers"_s, list}, {u"count"_s, list.size()}});
            },
            describe(u"All customers (admin)"_s));
}

} // namespace Mouse

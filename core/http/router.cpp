// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/router.h"

#include <map>
#include <vector>

namespace Mouse::Http {

// One node per path segment: literal children first, then one placeholder child.
struct Router::Node
{
    // Few children per segment: a linear scan that compares sizes first beats a tree of
    // string comparisons, and needs no QString for the probe.
    std::vector<std::pair<QString, std::unique_ptr<Node>>> literals;

    Node *literal(QStringView segment) const
    {
        for (const auto &[name, child] : literals) {
            if (name.size() == segment.size() && QStringView(name) == segment)
                return child.get();
        }
        return nullptr;
    }
    std::unique_ptr<Node> placeholder;
    QString placeholderName;
    struct Endpoint
    {
        int routeIndex;
        Handler handler;
    };
    std::map<QByteArray, Endpoint> endpoints; // by method
    QList<QByteArray> allowed;                // for 405 and OPTIONS, kept in step with endpoints
    std::unique_ptr<WebSocketHandler> webSocket;
    Access webSocketAccess = Access::Admin;
};

namespace {

QList<QStringView> segmentsOf(QStringView path)
{
    QList<QStringView> segments;
    for (QStringView part : path.split(u'/', Qt::SkipEmptyParts))
        segments.append(part);
    return segments;
}

bool isPlaceholder(QStringView segment)
{
    return segment.size() > 2 && segment.startsWith(u'{') && segment.endsWith(u'}');
}

} // namespace

Router::Router()
    : m_root(std::make_unique<Node>())
    , m_webSocketRoot(std::make_unique<Node>())
{}

namespace {

// Walks or creates the nodes of a pattern.
template<typename NodeT>
NodeT *insertPath(NodeT *node, const QString &pattern)
{
    for (QStringView segment : segmentsOf(pattern)) {
        if (isPlaceholder(segment)) {
            if (!node->placeholder)
                node->placeholder = std::make_unique<NodeT>();
            node->placeholderName = segment.mid(1, segment.size() - 2).toString();
            node = node->placeholder.get();
        } else {
            NodeT *child = node->literal(segment);
            if (!child) {
                node->literals.emplace_back(segment.toString(), std::make_unique<NodeT>());
                child = node->literals.back().second.get();
            }
            node = child;
        }
    }
    return node;
}

// Finds the node of a concrete path that `accept` takes, collecting placeholder values;
// nullptr if none. Literal children are tried before the placeholder, with backtracking, so
// /a/{x}/b and /a/lit/c both match what they should. Paths must start with '/', and empty
// segments ("//", a trailing '/') match nothing. No allocation except the parameter values.
template<typename NodeT, typename Accept>
const NodeT *
findFrom(const NodeT *node, QStringView rest, QHash<QString, QString> *params, const Accept &accept)
{
    if (rest.isEmpty())
        return accept(node) ? node : nullptr;
    const qsizetype slash = rest.indexOf(u'/');
    const QStringView segment = slash < 0 ? rest : rest.first(slash);
    const QStringView tail = slash < 0 ? QStringView() : rest.sliced(slash + 1);
    if (segment.isEmpty() || (slash >= 0 && tail.isEmpty()))
        return nullptr;

    if (const NodeT *literal = node->literal(segment)) {
        if (const NodeT *found = findFrom(literal, tail, params, accept))
            return found;
    }
    if (!node->placeholder)
        return nullptr;
    const QString name = node->placeholderName;
    const bool had = params->contains(name);
    if (!had)
        params->insert(name, segment.toString());
    if (const NodeT *found = findFrom(node->placeholder.get(), tail, params, accept))
        return found;
    if (!had)
        params->remove(name);
    return nullptr;
}

template<typename NodeT, typename Accept>
const NodeT *findPath(const NodeT *node,
                      const QString &path,
                      QHash<QString, QString> *params,
                      const Accept &accept)
{
    if (!path.startsWith(u'/'))
        return nullptr;
    return findFrom(node, QStringView(path).sliced(1), params, accept);
}

} // namespace

void Router::websocket(const QString &pattern, Access access, WebSocketHandler handler)
{
    Node *node = insertPath(m_webSocketRoot.get(), pattern);
    node->webSocket = std::make_unique<WebSocketHandler>(std::move(handler));
    node->webSocketAccess = access;
    m_webSocketRoutes.append({"GET", pattern, access, {}});
}

QList<RouteInfo> Router::webSocketRoutes() const
{
    return m_webSocketRoutes;
}

Router::WebSocketMatch Router::matchWebSocket(const QString &path) const
{
    WebSocketMatch match;
    const Node *node
            = findPath(m_webSocketRoot.get(), path, &match.params, [](const Node *candidate) {
                  return bool(candidate->webSocket);
              });
    if (!node || !node->webSocket)
        return {};
    match.handler = node->webSocket.get();
    match.access = node->webSocketAccess;
    return match;
}

Router::~Router() = default;

void Router::add(const QByteArray &method,
                 const QString &pattern,
                 Access access,
                 Handler handler,
                 RouteOptions options)
{
    Node *node = insertPath(m_root.get(), pattern);
    Q_ASSERT_X(!node->endpoints.count(method), "Router::add", qPrintable(pattern));
    // What a route reads from its body is declared (options.body) and published in
    // openapi.json; a route that declares nothing reads nothing, and gets nothing.
    const bool changesState
            = method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
    if (changesState && !options.body.isDeclared())
        options.maxBodyBytes = 0;
    m_routes.append({method, pattern, access, std::move(options)});
    node->endpoints[method] = {int(m_routes.size() - 1), std::move(handler)};
    node->allowed.clear();
    for (const auto &[name, unused] : node->endpoints) {
        node->allowed.append(name);
        if (name == "GET")
            node->allowed.append(QByteArrayLiteral("HEAD"));
    }
    node->allowed.append(QByteArrayLiteral("OPTIONS"));
}

Router::Match Router::match(const QByteArray &method, const QString &path) const
{
    Match match;
    const Node *node = findPath(m_root.get(), path, &match.params, [](const Node *candidate) {
        return !candidate->endpoints.empty();
    });
    if (!node || node->endpoints.empty()) {
        match.params.clear();
        return match;
    }

    match.allowed = node->allowed; // shared, not copied

    static const QByteArray Get = QByteArrayLiteral("GET");
    const auto endpoint = node->endpoints.find(method == "HEAD" ? Get : method);
    if (endpoint == node->endpoints.end()) {
        match.result = Match::Result::MethodNotAllowed;
        return match;
    }
    match.result = Match::Result::Found;
    match.route = &m_routes.at(endpoint->second.routeIndex);
    match.routeIndex = endpoint->second.routeIndex;
    match.handler = &endpoint->second.handler;
    return match;
}

QList<RouteInfo> Router::routes() const
{
    return m_routes;
}

} // namespace Mouse::Http

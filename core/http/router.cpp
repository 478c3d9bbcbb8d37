// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/http/router.h"

#include <map>

namespace Mouse::Http {

// One node per path segment: literal children first, then one placeholder child.
struct Router::Node
{
    std::map<QString, std::unique_ptr<Node>> literals;
    std::unique_ptr<Node> placeholder;
    QString placeholderName;
    struct Endpoint
    {
        int routeIndex;
        Handler handler;
    };
    std::map<QByteArray, Endpoint> endpoints; // by method
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
            auto &child = node->literals[segment.toString()];
            if (!child)
                child = std::make_unique<NodeT>();
            node = child.get();
        }
    }
    return node;
}

// Finds the node of a concrete path, collecting placeholder values; nullptr if none.
template<typename NodeT>
const NodeT *findPath(const NodeT *node, const QString &path, QHash<QString, QString> *params)
{
    for (QStringView segment : segmentsOf(path)) {
        const auto literal = node->literals.find(segment.toString());
        if (literal != node->literals.end()) {
            node = literal->second.get();
        } else if (node->placeholder) {
            params->insert(node->placeholderName, segment.toString());
            node = node->placeholder.get();
        } else {
            return nullptr;
        }
    }
    return node;
}

} // namespace

void Router::websocket(const QString &pattern, Access access, WebSocketHandler handler)
{
    Node *node = insertPath(m_webSocketRoot.get(), pattern);
    node->webSocket = std::make_unique<WebSocketHandler>(std::move(handler));
    node->webSocketAccess = access;
}

Router::WebSocketMatch Router::matchWebSocket(const QString &path) const
{
    WebSocketMatch match;
    const Node *node = findPath(m_webSocketRoot.get(), path, &match.params);
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
    m_routes.append({method, pattern, access, std::move(options)});
    node->endpoints[method] = {int(m_routes.size() - 1), std::move(handler)};
}

Router::Match Router::match(const QByteArray &method, const QString &path) const
{
    Match match;
    const Node *node = findPath(m_root.get(), path, &match.params);
    if (!node || node->endpoints.empty()) {
        match.params.clear();
        return match;
    }

    for (const auto &[name, unused] : node->endpoints) {
        match.allowed.append(name);
        if (name == "GET")
            match.allowed.append("HEAD");
    }
    match.allowed.append("OPTIONS");

    const QByteArray lookup = method == "HEAD" ? QByteArray("GET") : method;
    const auto endpoint = node->endpoints.find(lookup);
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

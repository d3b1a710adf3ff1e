public import Hummingbird
import Synchronization

/// Which methods each route path answers, so a wrong method gets 405 instead of 404,
/// and so tests can compare the router with `/openapi.yaml`.
///
/// Middleware is added to the router before its routes, so the index is filled once the
/// routes exist (``load(_:)``), then only read.
public final class RouteIndex: Sendable {
    private let entries = Mutex<[(path: RouterPath, method: HTTPRequest.Method)]>([])

    /// An empty index.
    public init() {}

    /// Records the router's routes.
    public func load(_ routes: [Router<MastheadRequestContext>.RouteDescription]) {
        entries.withLock { $0 = routes.map { ($0.path, $0.method) } }
    }

    /// Every route as `METHOD /path`, sorted, with captures written `{name}`.
    public var routes: [String] {
        entries.withLock { $0.map { "\($0.method.rawValue) \(Self.text(of: $0.path))" } }.sorted()
    }

    /// The methods a concrete request path answers (`HEAD` wherever `GET` is routed, see
    /// ``HeadResponder``); empty when none is.
    public func methods(forPath path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let routed = entries.withLock { entries in entries.filter { Self.matches($0.path, segments) }.map(\.method) }
        return routed.contains(.get) ? routed + [.head] : routed
    }

    private static func matches(_ route: RouterPath, _ segments: [Substring]) -> Bool {
        let elements = Array(route)
        if elements.last?.description == "**" { return segments.count >= elements.count - 1 }
        guard elements.count == segments.count else { return false }
        return zip(elements, segments).allSatisfy { $0 ~= $1 }
    }

    private static func text(of path: RouterPath) -> String {
        "/" + path.map(\.description).joined(separator: "/")
    }
}

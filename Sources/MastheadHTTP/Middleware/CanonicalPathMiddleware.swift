public import Hummingbird

/// One spelling per route, decided before anything reads the path: the router would serve
/// `/v1/subscriptions/`, `//v1/subscriptions` and `/v1//subscriptions` as `/v1/subscriptions`,
/// while the rate limiter and a proxy's `location` match the path as written, so other
/// spellings walked around both.
///
/// A path with an empty segment (`//`, a trailing `/`) or a `.` or `..` segment is not served:
/// `GET` and `HEAD` are sent to the canonical spelling with a 308 (a mistyped link still
/// works), every other method gets a 404 problem naming the canonical path (an API client fixes
/// its URL once; nothing is done twice). A percent-escape (no public route has one) is a 404;
/// only the admin API, behind its literal `/admin/v1/` prefix and a token, takes escaped
/// addresses in its paths (`/admin/v1/subscribers/anna%40example.org`).
public struct CanonicalPathMiddleware: RouterMiddleware {
    public typealias Context = MastheadRequestContext

    /// Creates the middleware.
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let canonical = Self.canonical(path)
        if canonical == path { return try await next(request, context) }
        if let canonical, request.method == .get || request.method == .head {
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: .permanentRedirect, headers: [.location: canonical + query, .cacheControl: "no-store"])
        }
        let hint = canonical.map { "; the route is spelled \($0)" } ?? ""
        throw ProblemDetails(status: .notFound, detail: "Nothing is served at \(Self.printable(path))\(hint).")
    }

    /// The path with empty, `.` and `..` segments removed (`path` itself when it is canonical),
    /// or nil when it holds a percent-escape outside the admin API: no public route has one, and
    /// guessing what it stands for would make a second spelling again.
    static func canonical(_ path: String) -> String? {
        guard !path.contains("%") || path.hasPrefix("/admin/v1/") else { return nil }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        return "/" + segments.joined(separator: "/")
    }

    /// A path as a problem may repeat it: at most 200 printable ASCII characters.
    static func printable(_ path: String) -> String {
        String(path.unicodeScalars.prefix(200).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}

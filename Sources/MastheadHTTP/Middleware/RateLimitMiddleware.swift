public import DNSLookup
public import Hummingbird
public import MastheadSettings

/// Answers 429 with `Retry-After` when a client address posts to a limited route too often.
///
/// Only the routes a person uses are limited (sign-up, resend, confirm). One-click
/// unsubscribe is not: mail providers send those for many readers from few addresses.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = MastheadRequestContext
    let limiter: RateLimiter<IPAddress>
    let paths: Set<String>
    let message: String

    /// Creates the middleware for POSTs to `paths`.
    public init(limiter: RateLimiter<IPAddress>, paths: Set<String>, message: String) {
        self.limiter = limiter
        self.paths = paths
        self.message = message
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post, paths.contains(request.uri.path), let client = context.clientAddress else {
            return try await next(request, context)
        }
        if let wait = limiter.take(for: client) {
            throw ProblemDetails(
                status: .tooManyRequests, type: "urn:masthead:problem:rate-limited", detail: message,
                headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}

import AdminAccess
import Foundation
import Hummingbird

/// Authenticates `/admin/v1/…`: an `Authorization: Bearer mht_…` header naming a usable token,
/// else 401 with one body whatever the reason (no header, malformed, unknown, wrong secret,
/// revoked, expired), so an answer never tells a guesser which. Then the token's own rate
/// limit (429 with `Retry-After`). Each route checks its scope (`AdminRoute.require`).
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = MastheadRequestContext
    let tokens: AdminTokens
    /// Per token id; nil when the limit is off.
    let limiter: RateLimiter<Int64>?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer ",
            let token = try await tokens.authenticate(bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else { throw ProblemDetails.unauthenticated }
        if let wait = limiter?.take(for: token.id) {
            throw ProblemDetails(
                status: .tooManyRequests, type: "urn:masthead:problem:rate-limited",
                detail: "This token has made too many requests; wait \(wait) seconds.", headers: [.retryAfter: String(wait)])
        }
        var context = context
        context.adminToken = token
        do {
            return try await next(request, context)
        } catch {
            // A library's refusal (an unknown newsletter, an invalid address) becomes its 4xx here.
            throw ProblemDetails(admin: error) ?? error
        }
    }
}

extension ProblemDetails {
    /// 401: the one answer for every token that cannot be used.
    static var unauthenticated: ProblemDetails {
        ProblemDetails(
            status: .unauthorized, type: "urn:masthead:problem:unauthenticated",
            detail: "Send a valid admin API token: Authorization: Bearer mht_…",
            headers: [.wwwAuthenticate: #"Bearer realm="masthead-admin""#])
    }

    /// 403: the token is valid but lacks the scope the route needs.
    static func forbidden(_ scope: AdminScope) -> ProblemDetails {
        ProblemDetails(
            status: .forbidden, type: "urn:masthead:problem:insufficient-scope",
            detail: "This token lacks the scope \(scope.rawValue), which this request needs.",
            headers: [.wwwAuthenticate: #"Bearer realm="masthead-admin", error="insufficient_scope", scope="\#(scope.rawValue)""#])
    }
}

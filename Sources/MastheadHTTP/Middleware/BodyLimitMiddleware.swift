public import Hummingbird

/// Refuses a request whose declared `Content-Length` is over the limit before reading it.
///
/// Bodies without a length (chunked) are bounded where they are read, through
/// `Request.collectBody(limit:)`, which throws the same 413.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = MastheadRequestContext
    let limit: Int

    /// Creates the middleware with a limit in bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw ProblemDetails.contentTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}

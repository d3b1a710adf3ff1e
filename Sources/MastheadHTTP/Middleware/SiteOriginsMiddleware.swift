public import Hummingbird
import HTTPTypes

/// CORS for the newsroom's own sites (named so it does not shadow Hummingbird's `CORSMiddleware`): lets its pages call the API from the browser (the sign-up box posting with
/// `fetch`), and nobody else: only origins in `cors.origins` get CORS headers.
///
/// It sits outside ``ProblemMiddleware`` so error answers carry the headers too (a script can
/// then read the 422 and show the error next to the field), and answers preflight requests
/// itself.
public struct SiteOriginsMiddleware: RouterMiddleware {
    public typealias Context = MastheadRequestContext
    let origins: Set<String>

    /// Creates the middleware for these origins (`https://news.example.org`, lower case).
    public init(origins: [String]) {
        self.origins = Set(origins)
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin], !origins.isEmpty else {
            return try await next(request, context)
        }
        let allowed = origins.contains(origin.lowercased())
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else { throw ProblemDetails(status: .forbidden, detail: "This origin may not call the API.") }
            var headers = corsHeaders(origin)
            headers[.accessControlAllowMethods] = "GET, POST"
            headers[.accessControlAllowHeaders] = "Content-Type, Accept, X-Request-Id"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "X-Request-Id, Retry-After"
        }
        // The answer depends on Origin, so caches must keep one copy per origin.
        if !response.headers[values: .vary].contains("Origin") { response.headers.append(HTTPField(name: .vary, value: "Origin")) }
        return response
    }

    private func corsHeaders(_ origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .vary: "Origin"]
    }
}

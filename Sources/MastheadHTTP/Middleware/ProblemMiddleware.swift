public import DatabaseHealth
public import Hummingbird
import Logging
import NewsletterSignup
import NIOCore
import NIOHTTP1

/// Turns every error into an `application/problem+json` response: the one place where
/// errors become statuses.
///
/// Unknown paths become 404, known paths with another method 405 (with `Allow`), bodies over
/// the limit 413, bodies that do not parse 400, a database that cannot write for a reason of the
/// server's own (a full disk, a lost connection: ``DatabaseProbe/unavailability(of:)``) 503
/// with `Retry-After`, and anything else unexpected 500 with nothing internal revealed (the error
/// itself goes to the log with the request id).
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = MastheadRequestContext
    let routes: RouteIndex
    let bodyLimit: Int
    let database: any DatabaseProbe

    /// Creates the middleware over the router's route index.
    public init(routes: RouteIndex, bodyLimit: Int, database: any DatabaseProbe) {
        self.routes = routes
        self.bodyLimit = bodyLimit
        self.database = database
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as ProblemDetails {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
            let allowed = routes.methods(forPath: request.uri.path)
            let problem =
                allowed.isEmpty
                ? ProblemDetails.notFound(path: request.uri.path)
                : .methodNotAllowed(method: request.method, allowed: allowed)
            return try problem.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try ProblemDetails.contentTooLarge(limit: bodyLimit).response(from: request, context: context)
        } catch is HTTPParserError {
            // The body could not be read (a malformed chunk size, say): the client's mistake.
            return try ProblemDetails(status: .badRequest, detail: "The request body could not be read as HTTP/1.1.")
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status.kind == .clientError {
            return try ProblemDetails(status: error.status).response(from: request, context: context)
        } catch {
            let cause = if case LinkProblem.storage(let underlying) = error { underlying } else { error }
            if let reason = database.unavailability(of: cause) {
                // Repeats of this line are thinned out by the log handler (RepeatLimitingLogHandler).
                context.logger.error("request failed: the database cannot write", metadata: ["reason": "\(reason)"])
                return try ProblemDetails.unavailable.response(from: request, context: context)
            }
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return try ProblemDetails.internalError.response(from: request, context: context)
        }
    }
}

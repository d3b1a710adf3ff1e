import Foundation
public import Hummingbird

/// An error response in the shape of RFC 9457 (`application/problem+json`).
///
/// Routes throw it; ``ProblemMiddleware`` turns every other error into one too, so a client
/// always gets the same shape: `type`, `title`, `status`, `detail`, and for invalid input an
/// `errors` array naming each field.
public struct ProblemDetails: Error, HTTPResponseError, Sendable, Equatable, Codable {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String
    /// Short summary of the kind of problem.
    public var title: String
    /// The HTTP status code, repeated for clients that only see the body.
    public var statusCode: Int
    /// What went wrong this time, for a person.
    public var detail: String?
    /// The request id, to quote when asking for help.
    public var requestID: String?
    /// One entry per invalid field.
    public var errors: [FieldError]?
    /// Extra response headers (`Allow`, `Retry-After`); not part of the body.
    public var headers: HTTPFields = [:]

    /// A problem with one field of the input.
    public struct FieldError: Sendable, Equatable, Codable {
        /// The field's name as the client sent it (`email`, `newsletters[1]`).
        public var field: String
        /// A stable machine-readable reason (`invalid_address`, `too_long`).
        public var code: String
        /// A human sentence.
        public var message: String

        /// Creates a field error.
        public init(field: String, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
    }

    /// Creates a problem; `type` defaults to `about:blank`.
    public init(
        status: HTTPResponse.Status, type: String = "about:blank", title: String? = nil, detail: String? = nil,
        errors: [FieldError]? = nil, headers: HTTPFields = [:]
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.statusCode = status.code
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    public var status: HTTPResponse.Status { .init(code: statusCode) }

    enum CodingKeys: String, CodingKey {
        case type, title, detail, errors
        case statusCode = "status"
        case requestID = "request_id"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.type == rhs.type && lhs.title == rhs.title && lhs.statusCode == rhs.statusCode
            && lhs.detail == rhs.detail && lhs.requestID == rhs.requestID && lhs.errors == rhs.errors
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = self
        if body.requestID == nil, let context = context as? MastheadRequestContext, !context.requestID.isEmpty {
            body.requestID = context.requestID
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension ProblemDetails {
    /// 404: nothing is served at this path.
    static func notFound(path: String) -> ProblemDetails {
        ProblemDetails(status: .notFound, detail: "Nothing is served at \(path).")
    }

    /// 405: the path exists, with other methods.
    static func methodNotAllowed(method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> ProblemDetails {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return ProblemDetails(
            status: .methodNotAllowed, detail: "\(method.rawValue) is not allowed here; use \(list).",
            headers: [.allow: list])
    }

    /// 413: the body is over the configured limit.
    static func contentTooLarge(limit: Int) -> ProblemDetails {
        ProblemDetails(status: .contentTooLarge, detail: "The request body is larger than \(limit) bytes.")
    }

    /// 503: the database cannot write just now (a full disk, a lost connection). Nothing was
    /// saved; the same request may work after `Retry-After` seconds.
    static var unavailable: ProblemDetails {
        ProblemDetails(
            status: .serviceUnavailable, detail: "The service cannot save anything just now. Nothing was saved; please try again shortly.",
            headers: [.retryAfter: "\(retryAfterSeconds)"])
    }

    /// 503: the payment provider failed to open a checkout. Nothing was saved or charged.
    static var providerUnavailable: ProblemDetails {
        ProblemDetails(
            status: .serviceUnavailable, type: "urn:masthead:problem:provider-unavailable", title: "Payment provider unavailable",
            detail: "The payment provider did not answer. Nothing was saved or charged; please try again shortly.",
            headers: [.retryAfter: "\(retryAfterSeconds)"])
    }

    /// What `Retry-After` says when the database cannot write: about a readiness probe's interval.
    static let retryAfterSeconds = 10

    /// 500: something failed on our side; nothing about it is revealed.
    static var internalError: ProblemDetails {
        ProblemDetails(status: .internalServerError, detail: "Something went wrong on our side. Quote the request id if you report it.")
    }
}

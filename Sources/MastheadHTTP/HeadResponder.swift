public import Hummingbird

/// Serves `HEAD` wherever `GET` is served (RFC 9110 §9.3.2): the request is answered as a
/// `GET`, and the body is left out while its headers, `Content-Length` included, stay.
///
/// A responder around the router rather than a middleware, because the router picks the route
/// by method before any middleware runs. (The access log and metrics therefore count a `HEAD`
/// as the `GET` it was answered as.)
public struct HeadResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    /// Wraps `inner`.
    public init(_ inner: Inner) {
        self.inner = inner
    }

    public func respond(to request: Request, context: Inner.Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        let length = response.body.contentLength
        response.body = ResponseBody(contentLength: length) { _ in }
        return response
    }
}

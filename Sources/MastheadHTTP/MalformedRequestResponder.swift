import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request whose head the HTTP parser refuses — a header over the decoder's limit, a
/// NUL or a bare CR in a header, obs-fold, a malformed request line — with a 400 in the same
/// `application/problem+json` shape as every other error, then closes the connection (the
/// parser cannot find where the next request would start). Without it Hummingbird writes an
/// empty 400.
///
/// Only while the connection awaits a head: once a request's head went to the router, a body
/// that fails to parse is the route's error, and `ProblemMiddleware` answers it.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var awaitingHead = true

    /// The answer; no request id, since no request was read.
    static let problem = #"{"detail":"The request could not be read as HTTP/1.1.","status":400,"title":"Bad Request","type":"about:blank"}"#

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { awaitingHead = false }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { awaitingHead = true }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, awaitingHead else { return context.fireErrorCaught(error) }
        awaitingHead = false
        let body = context.channel.allocator.buffer(string: Self.problem)
        let head = HTTPResponse(
            status: .badRequest,
            headerFields: [
                .contentType: "application/problem+json", .contentLength: "\(body.readableBytes)", .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel  // Sendable, unlike the context the closure would otherwise capture
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

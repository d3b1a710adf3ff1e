import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection that is too slow to send a request: its head must arrive within
/// `headerTimeout` of the connection opening or of the previous answer, and its body within
/// `bodyTimeout` of the head. Without it a client that trickles a request a byte at a time
/// (slowloris) holds a connection for as long as it likes; while the daemon answers, no clock
/// runs (a slow handler is not the client's fault).
///
/// It sits after the HTTP decoder, so it sees whole request parts; the time to the next head
/// therefore also closes keep-alive connections left idle that long.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What the connection is waiting for.
    enum State {
        case awaitingHead
        case readingBody
        case answering
    }

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var state = State.awaitingHead
    private var deadline: Scheduled<Void>?

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { enter(.awaitingHead, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.awaitingHead, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: enter(.readingBody, context: context)
        case .body: break
        case .end: enter(.answering, context: context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), state == .answering { enter(.awaitingHead, context: context) }
        context.write(data, promise: promise)
    }

    /// Moves to `next`, with the clock that state runs (none while answering).
    private func enter(_ next: State, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        state = next
        let limit: TimeAmount
        switch next {
        case .awaitingHead: limit = headerTimeout
        case .readingBody: limit = bodyTimeout
        case .answering: return
        }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
    }
}

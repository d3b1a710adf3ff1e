import NIOCore
import NIOSSL
import NIOTLS

/// What the mailer asks of a connection.
enum SMTPClientRequest {
    case send(SMTPClientStateMachine.Envelope, EventLoopPromise<Void>)
    case quit(EventLoopPromise<Void>)
}

/// Runs ``SMTPClientStateMachine`` on a channel: replies in, commands out, TLS added for
/// STARTTLS, one timer per wait. Requests arrive as outbound writes, so any thread may send.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = SMTPClientRequest
    typealias OutboundOut = SMTPCommand

    private var machine: SMTPClientStateMachine
    private let connected: EventLoopPromise<SMTPCapabilities>
    private let tlsContext: NIOSSLContext?
    private var connectionSettled = false
    /// The messages handed over and not yet answered, in order: the current one and, when the
    /// server pipelines, one behind it (``SMTPClientStateMachine/accept(_:)``).
    private var pendingSends: [EventLoopPromise<Void>] = []
    private var pendingQuit: EventLoopPromise<Void>?
    private var timer: Scheduled<Void>?

    init(configuration: SMTPConfiguration, tlsContext: NIOSSLContext?, connected: EventLoopPromise<SMTPCapabilities>) {
        self.machine = SMTPClientStateMachine(configuration: configuration)
        self.tlsContext = tlsContext
        self.connected = connected
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(machine.receive(unwrapInboundIn(data)), context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event as? TLSUserEvent ?? .shutdownCompleted {
            perform(machine.tlsEstablished(), context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .send(let envelope, let done):
            if pendingSends.isEmpty, machine.isReady {
                pendingSends.append(done)
                perform(machine.send(envelope), context)
            } else if machine.accept(envelope) {
                pendingSends.append(done)
            } else {
                done.fail(MailerError.transient("the SMTP connection is busy or closed"))
            }
        case .quit(let done):
            pendingQuit = done
            let action = machine.quit()
            if action == .none { done.succeed() }
            perform(action, context)
        }
        promise?.succeed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        perform(machine.fail("\(error)"), context)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.fail("the server closed the connection"), context)
        timer?.cancel()
        // Whatever is still waiting learns that the connection is gone.
        settleConnection(.failure(MailerError.transient("the server closed the connection")))
        for send in pendingSends { send.fail(MailerError.transient("the server closed the connection")) }
        pendingSends = []
        pendingQuit?.succeed()
        pendingQuit = nil
        context.fireChannelInactive()
    }

    private func perform(_ action: SMTPClientStateMachine.Action, _ context: ChannelHandlerContext) {
        switch action {
        case .send(let commands):
            for command in commands { context.write(wrapOutboundOut(command), promise: nil) }
            context.flush()
            armTimer(context)
        case .startTLS:
            armTimer(context)
            do {
                guard let tlsContext else { throw MailerError.transient("no TLS configuration") }
                let tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: machine.configuration.host)
                try context.pipeline.syncOperations.addHandler(tls, position: .first)
            } catch {
                perform(machine.fail("cannot start TLS: \(error)"), context)
            }
        case .connected(let capabilities):
            timer?.cancel()
            settleConnection(.success(capabilities))
        case .connectFailed(let error):
            timer?.cancel()
            settleConnection(.failure(error))
            context.close(promise: nil)
        case .messageSent:
            answerFirst(.success(()), context)
        case .messageFailed(let error):
            answerFirst(.failure(error), context)
        case .close:
            timer?.cancel()
            pendingQuit?.succeed()
            pendingQuit = nil
            context.close(promise: nil)
        case .none:
            break
        }
    }

    /// Answers the oldest message handed over; then the next one is under way (pipelined behind
    /// it, so its wait starts now), or starts now that the session is ready, or the session is over.
    private func answerFirst(_ result: Result<Void, MailerError>, _ context: ChannelHandlerContext) {
        timer?.cancel()
        if !pendingSends.isEmpty { pendingSends.removeFirst().completeWith(result.mapError { $0 }) }
        if machine.isClosed {
            context.close(promise: nil)
        } else if let next = machine.takeWaiting() {
            perform(machine.send(next), context)
        } else if !pendingSends.isEmpty {
            armTimer(context)
        }
    }

    /// The connect promise completes once, whatever happens later.
    private func settleConnection(_ result: Result<SMTPCapabilities, any Error>) {
        guard !connectionSettled else { return }
        connectionSettled = true
        connected.completeWith(result)
    }

    /// One timer for the current wait: when it fires, the wait fails and the connection closes.
    private func armTimer(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let waitingFor = machine.waitingFor
        let (seconds, attoseconds) = machine.timeout.components
        let delay = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.perform(self.machine.fail("timed out after \(seconds) s waiting for \(waitingFor)"), context)
        }
    }
}

import Foundation

/// The SMTP conversation as a state machine: every reply (or TLS completion, or request from the
/// mailer) moves it to a new state and tells the channel handler what to do. No I/O here, so
/// each transition is tested directly.
///
/// ```
/// greeting ─▶ EHLO ─(STARTTLS offered/required)─▶ STARTTLS ─▶ TLS ─▶ EHLO ─▶ AUTH? ─▶ ready
///     ready ─send─▶ MAIL ▶ RCPT ▶ DATA ▶ body ─▶ ready        (pipelined when offered)
///     failed transaction ─▶ RSET ─▶ ready;   ready ─quit─▶ QUIT ─▶ closed
/// ```
///
/// When the server pipelines, a second message may be handed over while one is under way
/// (``accept(_:)``): its MAIL, RCPT and DATA go out behind the first one's body, in the same
/// write (RFC 2920 lets message content open a group), so each message costs one round trip
/// instead of two. Replies come back in order, so the first message's end-of-data reply is
/// followed by the second's.
struct SMTPClientStateMachine {
    /// What the handler must do after a transition.
    enum Action: Equatable {
        case send([SMTPCommand])
        case startTLS
        case connected(SMTPCapabilities)
        case connectFailed(MailerError)
        case messageSent
        case messageFailed(MailerError)
        case close
        case none
    }

    /// A message waiting to go out.
    struct Envelope: Equatable {
        var sender: String
        var recipient: String
        var body: [UInt8]
        var requiresSMTPUTF8: Bool
    }

    /// Replies still expected during a transaction, in order.
    enum Step: Equatable {
        case mail, recipient, data, body
    }

    struct Transaction: Equatable {
        var envelope: Envelope
        var expected: [Step]
        var failure: MailerError?
    }

    enum AuthStep: Equatable {
        case plainResult, loginUsername, loginPassword, loginResult
    }

    enum State: Equatable {
        case awaitingGreeting
        case awaitingEHLO(secured: Bool)
        case awaitingHELO
        case awaitingSTARTTLS
        case upgradingTLS
        case authenticating(AuthStep, SMTPCapabilities)
        case ready(SMTPCapabilities)
        case inTransaction(Transaction, SMTPCapabilities)
        case resetting(MailerError, SMTPCapabilities)
        case quitting
        case closed
    }

    private(set) var state: State
    let configuration: SMTPConfiguration
    /// A message handed over while another was under way, not yet started.
    private var waiting: Envelope?
    /// The transaction whose commands went out behind the current one's body: it becomes the
    /// current one once that body's reply arrives.
    private var following: Transaction?

    init(configuration: SMTPConfiguration) {
        self.configuration = configuration
        self.state = .awaitingGreeting
    }

    /// True when a message may be handed over.
    var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    /// True once the session is over (closed, or failed beyond use).
    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// What the current state is waiting for, for timeout messages.
    var waitingFor: String {
        switch state {
        case .awaitingGreeting: "the greeting"
        case .awaitingEHLO, .awaitingHELO: "the EHLO reply"
        case .awaitingSTARTTLS, .upgradingTLS: "STARTTLS"
        case .authenticating: "authentication"
        case .ready: "nothing"
        case .inTransaction(let transaction, _):
            switch transaction.expected.first {
            case .mail: "the MAIL FROM reply"
            case .recipient: "the RCPT TO reply"
            case .data: "the DATA reply"
            case .body, nil: "the end-of-data reply"
            }
        case .resetting: "the RSET reply"
        case .quitting: "the QUIT reply"
        case .closed: "nothing"
        }
    }

    /// How long the current wait may last (RFC 5321 §4.5.3.2).
    var timeout: Duration {
        let standard: Duration =
            switch state {
            case .inTransaction(let transaction, _) where transaction.expected.first == .data: .seconds(120)
            case .inTransaction(let transaction, _) where transaction.expected.first == .body: .seconds(600)
            default: .seconds(300)
            }
        return configuration.timeout(standard)
    }

    // MARK: - Events

    mutating func receive(_ reply: SMTPReply) -> Action {
        switch state {
        case .awaitingGreeting:
            guard reply.code == 220 else { return failConnect("the server refused the connection", reply) }
            state = .awaitingEHLO(secured: configuration.security == .implicit)
            return .send([.ehlo(configuration.heloName)])

        case .awaitingEHLO(let secured):
            guard reply.isPositive else {
                // An old server without ESMTP: fall back to HELO (no extensions, so no TLS or AUTH).
                guard (500..<505).contains(reply.code) else { return failConnect("EHLO was refused", reply) }
                state = .awaitingHELO
                return .send([.helo(configuration.heloName)])
            }
            return afterGreeting(SMTPCapabilities(ehloLines: reply.lines), secured: secured)

        case .awaitingHELO:
            guard reply.isPositive else { return failConnect("HELO was refused", reply) }
            if configuration.security == .startTLS, !configuration.isLoopback {
                return failConnect("the server does not support STARTTLS, which is required", nil)
            }
            guard configuration.username == nil else { return failConnect("the server does not support AUTH", nil) }
            return becomeReady(SMTPCapabilities())

        case .awaitingSTARTTLS:
            guard reply.code == 220 else { return failConnect("STARTTLS was refused", reply) }
            state = .upgradingTLS
            return .startTLS

        case .upgradingTLS:
            return failConnect("the server spoke during the TLS handshake", reply)

        case .authenticating(let step, let capabilities):
            return authenticate(step, capabilities, reply)

        case .ready:
            // An unsolicited reply: usually 421 before the server closes an idle connection.
            state = .closed
            return .close

        case .inTransaction(var transaction, let capabilities):
            return advance(&transaction, capabilities, reply)

        case .resetting(let failure, let capabilities):
            guard reply.isPositive else {
                state = .closed
                return .messageFailed(failure)
            }
            state = .ready(capabilities)
            return .messageFailed(failure)

        case .quitting:
            state = .closed
            return .close

        case .closed:
            return .none
        }
    }

    mutating func tlsEstablished() -> Action {
        guard case .upgradingTLS = state else { return .none }
        state = .awaitingEHLO(secured: true)
        return .send([.ehlo(configuration.heloName)])
    }

    /// The mailer hands over a message; only valid when ``isReady``.
    mutating func send(_ envelope: Envelope) -> Action {
        guard case .ready(let capabilities) = state else { return .messageFailed(.transient("the connection is not ready")) }
        if let refusal = Self.refusal(of: envelope, capabilities) { return .messageFailed(refusal) }
        let mail = Self.mailFrom(envelope, capabilities)
        if capabilities.pipelining {
            state = .inTransaction(Transaction(envelope: envelope, expected: [.mail, .recipient, .data]), capabilities)
            return .send([mail, .rcptTo(envelope.recipient), .data])
        }
        state = .inTransaction(Transaction(envelope: envelope, expected: [.mail]), capabilities)
        return .send([mail])
    }

    /// The mailer hands over a second message while one is under way; returns false unless the
    /// server pipelines and no other message is waiting. The message goes out behind the current
    /// body when that is still to be sent, or else once the connection is ready
    /// (``takeWaiting()``); its outcome is reported after the current one's.
    mutating func accept(_ envelope: Envelope) -> Bool {
        guard case .inTransaction(_, let capabilities) = state, capabilities.pipelining, waiting == nil, following == nil else {
            return false
        }
        waiting = envelope
        return true
    }

    /// The waiting message, to ``send(_:)`` now that the connection is ready.
    mutating func takeWaiting() -> Envelope? {
        guard isReady else { return nil }
        defer { waiting = nil }
        return waiting
    }

    /// Why the server cannot take `envelope` at all, before anything is sent.
    private static func refusal(of envelope: Envelope, _ capabilities: SMTPCapabilities) -> MailerError? {
        if envelope.requiresSMTPUTF8, !capabilities.smtpUTF8 {
            return .permanent("the address needs SMTPUTF8, which the server does not support")
        }
        if let limit = capabilities.maximumSize, limit > 0, envelope.body.count > limit {
            return .permanent("the message (\(envelope.body.count) bytes) is over the server's SIZE limit \(limit)")
        }
        return nil
    }

    private static func mailFrom(_ envelope: Envelope, _ capabilities: SMTPCapabilities) -> SMTPCommand {
        var parameters: [String] = []
        if capabilities.maximumSize != nil { parameters.append("SIZE=\(envelope.body.count)") }
        if capabilities.eightBitMIME, envelope.body.contains(where: { $0 >= 0x80 }) { parameters.append("BODY=8BITMIME") }
        if envelope.requiresSMTPUTF8 { parameters.append("SMTPUTF8") }
        return .mailFrom(envelope.sender, parameters: parameters)
    }

    mutating func quit() -> Action {
        switch state {
        case .closed, .quitting: return .none
        case .ready:
            state = .quitting
            return .send([.quit])
        default:
            state = .closed
            return .close
        }
    }

    /// The connection went away or a wait timed out: whatever was under way fails, transiently.
    mutating func fail(_ reason: String) -> Action {
        let error = MailerError.transient(reason)
        let previous = state
        state = .closed
        // The handler fails the messages behind the current one when the channel closes.
        waiting = nil
        following = nil
        switch previous {
        case .awaitingGreeting, .awaitingEHLO, .awaitingHELO, .awaitingSTARTTLS, .upgradingTLS, .authenticating:
            return .connectFailed(error)
        case .inTransaction, .resetting:
            return .messageFailed(error)
        case .ready, .quitting, .closed:
            return .close
        }
    }

    // MARK: - Steps

    private mutating func afterGreeting(_ capabilities: SMTPCapabilities, secured: Bool) -> Action {
        if !secured, configuration.security == .startTLS {
            if capabilities.startTLS {
                state = .awaitingSTARTTLS
                return .send([.startTLS])
            }
            if !configuration.isLoopback {
                return failConnect("the server does not offer STARTTLS, which is required off loopback", nil)
            }
        }
        guard let username = configuration.username, let password = configuration.password else {
            return becomeReady(capabilities)
        }
        guard secured || configuration.isLoopback else {
            return failConnect("refusing to send a password without TLS", nil)
        }
        if capabilities.authMechanisms.contains("PLAIN") {
            state = .authenticating(.plainResult, capabilities)
            let credentials = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            return .send([.auth(mechanism: "PLAIN", initialResponse: credentials)])
        }
        if capabilities.authMechanisms.contains("LOGIN") {
            state = .authenticating(.loginUsername, capabilities)
            return .send([.auth(mechanism: "LOGIN", initialResponse: nil)])
        }
        return failConnect("the server offers neither AUTH PLAIN nor AUTH LOGIN", nil)
    }

    private mutating func authenticate(_ step: AuthStep, _ capabilities: SMTPCapabilities, _ reply: SMTPReply) -> Action {
        switch step {
        case .plainResult, .loginResult:
            guard reply.code == 235 else { return failConnect("authentication failed", reply) }
            return becomeReady(capabilities)
        case .loginUsername:
            guard reply.code == 334, let username = configuration.username else { return failConnect("AUTH LOGIN was refused", reply) }
            state = .authenticating(.loginPassword, capabilities)
            return .send([.authContinuation(Data(username.utf8).base64EncodedString())])
        case .loginPassword:
            guard reply.code == 334, let password = configuration.password else { return failConnect("AUTH LOGIN was refused", reply) }
            state = .authenticating(.loginResult, capabilities)
            return .send([.authContinuation(Data(password.utf8).base64EncodedString())])
        }
    }

    private mutating func advance(_ transaction: inout Transaction, _ capabilities: SMTPCapabilities, _ reply: SMTPReply) -> Action {
        guard !transaction.expected.isEmpty else { return .none }
        let step = transaction.expected.removeFirst()
        let pipelined = capabilities.pipelining
        var commands: [SMTPCommand] = []
        switch step {
        case .mail, .recipient:
            if reply.isPositive {
                if !pipelined, transaction.failure == nil {
                    let next: SMTPCommand = step == .mail ? .rcptTo(transaction.envelope.recipient) : .data
                    transaction.expected.append(step == .mail ? .recipient : .data)
                    commands.append(next)
                }
            } else if transaction.failure == nil {
                transaction.failure = Self.error(step == .mail ? "MAIL FROM was refused" : "RCPT TO was refused", reply)
            }
        case .data:
            if reply.code == 354 {
                // After an earlier refusal the server should not say 354; if it does, end the
                // (empty) message at once and let RSET discard the transaction.
                let body = transaction.failure == nil ? SMTPCommand.dotStuffed(transaction.envelope.body) : Array(".\r\n".utf8)
                transaction.expected.append(.body)
                commands.append(.message(body))
                // A waiting message goes out behind a real body, in the same write.
                if transaction.failure == nil, pipelined, let next = waiting, Self.refusal(of: next, capabilities) == nil {
                    waiting = nil
                    following = Transaction(envelope: next, expected: [.mail, .recipient, .data])
                    commands += [Self.mailFrom(next, capabilities), .rcptTo(next.recipient), .data]
                }
            } else if transaction.failure == nil {
                transaction.failure = Self.error("DATA was refused", reply)
            }
        case .body:
            guard reply.isPositive else {
                finishTransaction(capabilities)
                return .messageFailed(transaction.failure ?? Self.error("the message was refused", reply))
            }
            if let failure = transaction.failure {
                state = .resetting(failure, capabilities)
                return .send([.reset])
            }
            finishTransaction(capabilities)
            return .messageSent
        }
        if transaction.expected.isEmpty, let failure = transaction.failure {
            state = .resetting(failure, capabilities)
            return .send([.reset])
        }
        state = .inTransaction(transaction, capabilities)
        return commands.isEmpty ? .none : .send(commands)
    }

    /// The current message is done: the one pipelined behind it becomes current, else the session is ready.
    private mutating func finishTransaction(_ capabilities: SMTPCapabilities) {
        if let next = following {
            following = nil
            state = .inTransaction(next, capabilities)
        } else {
            state = .ready(capabilities)
        }
    }

    private mutating func becomeReady(_ capabilities: SMTPCapabilities) -> Action {
        state = .ready(capabilities)
        return .connected(capabilities)
    }

    /// Connection-level failures are transient for the messages waiting: a fixed configuration
    /// or a recovered server should still deliver them.
    private mutating func failConnect(_ what: String, _ reply: SMTPReply?) -> Action {
        state = .closed
        return .connectFailed(.transient(reply.map { "\(what): \($0)" } ?? what))
    }

    /// A refused command: permanent or transient as the reply's class says.
    static func error(_ what: String, _ reply: SMTPReply) -> MailerError {
        reply.isTransientFailure ? .transient("\(what): \(reply)") : .permanent("\(what): \(reply)")
    }
}

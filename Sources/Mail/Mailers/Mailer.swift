/// A way for a rendered message to leave: a directory of files, SMTP, sendmail.
///
/// Implementations say whether a failure is worth retrying: a transient failure
/// (a network error, a 4xx reply) is retried with backoff, a permanent one (a 5xx reply)
/// sends the message to the dead letters at once.
public protocol Mailer: Sendable {
    /// Hands one message over; returns when the transport has accepted it.
    func deliver(_ delivery: Delivery) async throws(MailerError)
    /// Releases what the transport holds (open SMTP sessions); called when the worker stops.
    func shutdown() async
}

extension Mailer {
    /// Most transports hold nothing between messages.
    public func shutdown() async {}
}

/// A rendered message and its envelope.
public struct Delivery: Sendable {
    /// The outbox row this message comes from (file mailers name files after it).
    public var outboxID: Int64
    /// The envelope sender (MAIL FROM).
    public var sender: String
    /// The envelope recipient (RCPT TO).
    public var recipient: String
    /// The RFC 5322 bytes.
    public var data: [UInt8]
    /// True when an address needs the SMTPUTF8 extension.
    public var requiresSMTPUTF8: Bool

    /// Creates a delivery.
    public init(outboxID: Int64, sender: String, recipient: String, data: [UInt8], requiresSMTPUTF8: Bool) {
        self.outboxID = outboxID
        self.sender = sender
        self.recipient = recipient
        self.data = data
        self.requiresSMTPUTF8 = requiresSMTPUTF8
    }
}

/// Why a delivery failed, and whether trying again may help.
public struct MailerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Retry later (network trouble, 4xx) or give up (5xx, a message the transport refuses).
    public var isPermanent: Bool
    /// What went wrong, for the outbox's `last_error` and the log (never a password).
    public var reason: String
    /// The transport itself is unavailable (the relay refuses connections, times out, or
    /// greets with 421), whichever message is sent: the worker pauses delivery and probes
    /// instead of dialing once per message (``RelayBreaker``).
    public var isRelayUnavailable = false

    /// A failure worth retrying.
    public static func transient(_ reason: String) -> MailerError { MailerError(isPermanent: false, reason: reason) }
    /// A failure retrying cannot fix.
    public static func permanent(_ reason: String) -> MailerError { MailerError(isPermanent: true, reason: reason) }
    /// The relay is unavailable for every message (a transient failure).
    public static func relayUnavailable(_ reason: String) -> MailerError {
        MailerError(isPermanent: false, reason: reason, isRelayUnavailable: true)
    }

    public var description: String { (isPermanent ? "permanent: " : "transient: ") + reason }
}

/// Turns an outbox row into the message to send. Each library composes its own kinds
/// (sign-up: `confirmation`, `already_subscribed`; pledges: `receipt`).
public protocol MessageComposer: Sendable {
    /// The kinds this composer knows.
    var kinds: Set<String> { get }
    /// The message for a row of one of ``kinds``.
    func compose(_ item: OutboxItem) throws -> MailMessage
    /// Kinds whose row must not keep its recipient once sent or given up on (a receipt of an
    /// erasure is the last mail to an address that is otherwise gone).
    var forgetsRecipient: Set<String> { get }
}

extension MessageComposer {
    public var forgetsRecipient: Set<String> { [] }
}

/// Why a row could not be composed: a programming or data error, so the row goes to the dead letters.
public struct CompositionError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with the row.
    public let reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "cannot compose message: \(reason)" }
}

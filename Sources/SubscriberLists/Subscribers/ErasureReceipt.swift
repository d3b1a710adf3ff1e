public import Foundation
public import SideEffects

/// The email that tells a reader who deleted themselves from the preferences page that it is
/// done. Queued in the erasure's own transaction, it is the one row that still names the
/// address; the delivery worker forgets the address once it is sent (``forgetsRecipient``).
public struct ErasureReceipt: Sendable, Equatable, Codable {
    /// The outbox kind.
    public static let kind = "erasure_receipt"
    /// Outbox kinds whose recipient and payload are wiped once the message is sent or dead.
    public static let forgetsRecipient: Set<String> = [kind]

    /// The language of the page the reader deleted from.
    public var locale: String?

    /// Creates a receipt.
    public init(locale: String?) {
        self.locale = locale
    }

    /// The outbox draft: no subscriber id, so deleting the subscriber does not delete it.
    public func draft(to recipient: String, at time: Date) throws -> OutboxDraft {
        OutboxDraft(kind: Self.kind, recipient: recipient, subscriberID: nil, payload: Array(try JSONEncoder().encode(self)), queuedAt: time)
    }
}

/// How long a sign-up nobody confirmed is kept: the confirmation link's lifetime plus a grace
/// period (the reader may ask for a fresh link late). After that the daemon erases it.
public struct PendingRetention: Sendable, Equatable {
    public var confirmationLifetime: Duration
    public var grace: Duration

    /// Creates the rule.
    public init(confirmationLifetime: Duration, grace: Duration) {
        self.confirmationLifetime = confirmationLifetime
        self.grace = grace
    }

    /// Sign-ups begun before this are past keeping.
    public func cutoff(at time: Date) -> Date {
        time.addingTimeInterval(-Double((confirmationLifetime + grace).components.seconds))
    }
}

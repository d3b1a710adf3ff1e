public import Foundation

/// The outbox as the delivery worker needs it. Rows are written by the libraries, inside the
/// transaction of the state change that causes the email; this protocol only drains them.
public protocol OutboxStore: Sendable {
    /// Claims up to `limit` rows that are due (queued and due, or claimed by a worker whose lease
    /// ran out), marks them `sending` until `leaseUntil`, and counts the attempt.
    func claimDueMessages(limit: Int, at now: Date, leaseUntil: Date) async throws -> [OutboxItem]
    /// Marks claimed rows sent, in one write; a row whose message forgets its recipient also has
    /// its recipient and payload wiped.
    func markSent(_ messages: [SentMessage], at time: Date) async throws
    /// Puts a claimed row back in the queue for another attempt at `nextAttempt`.
    func reschedule(_ id: Int64, nextAttempt: Date, error: String) async throws
    /// Puts a claimed row back in the queue until `until` without counting its attempt: it was
    /// not tried (held by the sending budget).
    func postpone(_ id: Int64, until: Date, reason: String) async throws
    /// Gives up on a row: it moves to the dead letters with its last error;
    /// `forgettingRecipient` also wipes its recipient and payload.
    func markDead(_ id: Int64, error: String, at time: Date, forgettingRecipient: Bool) async throws
}

/// A claimed message the relay accepted, as the worker records it.
public struct SentMessage: Sendable, Equatable {
    public let id: Int64
    /// Whether its row then forgets recipient and payload (its composer says so).
    public let forgetsRecipient: Bool

    public init(id: Int64, forgetsRecipient: Bool) {
        self.id = id
        self.forgetsRecipient = forgetsRecipient
    }
}

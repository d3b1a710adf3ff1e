public import Foundation

/// Where a message is in its life.
public enum OutboxState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its (next) attempt.
    case queued
    /// Claimed by a worker, under lease.
    case sending
    /// Accepted by the mailer.
    case sent
    /// Given up on: a permanent failure, too many attempts, or a row that cannot be composed.
    case dead
}

/// One outbox row as staff see it (no payload: it may hold personal data beyond the address).
public struct OutboxEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var recipient: String
    public var state: OutboxState
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var sentAt: Date?
    public var lastError: String?

    /// Creates an entry (stores use this).
    public init(
        id: Int64, kind: String, recipient: String, state: OutboxState, attempts: Int, createdAt: Date,
        nextAttemptAt: Date, sentAt: Date?, lastError: String?
    ) {
        self.id = id
        self.kind = kind
        self.recipient = recipient
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.lastError = lastError
    }
}

/// How full the queue is, for `/metrics`.
public struct OutboxQueueStatistics: Sendable, Equatable {
    /// Rows queued or being sent.
    public var depth: Int
    /// Rows given up on.
    public var dead: Int
    /// Age of the oldest row still waiting, if any.
    public var oldestWaiting: TimeInterval?

    /// Creates statistics.
    public init(depth: Int, dead: Int, oldestWaiting: TimeInterval?) {
        self.depth = depth
        self.dead = dead
        self.oldestWaiting = oldestWaiting
    }
}

/// The outbox as staff manage it (`masthead outbox …`) and `/metrics` reads it.
public protocol OutboxAdministration: Sendable {
    /// Newest first, optionally only in one state.
    func outboxEntries(state: OutboxState?, limit: Int) async throws -> [OutboxEntry]
    /// One row, with the item a composer needs to show its headers.
    func outboxEntry(_ id: Int64) async throws -> (entry: OutboxEntry, item: OutboxItem)?
    /// Queues a dead (or waiting) row again, due now, with a fresh attempt budget.
    func retryOutboxEntry(_ id: Int64, at time: Date, actor: String) async throws -> Bool
    /// Queues every dead row again; returns how many.
    func retryDeadOutboxEntries(at time: Date, actor: String) async throws -> Int
    /// Deletes rows sent before `time`; returns how many.
    func purgeSentOutboxEntries(before time: Date) async throws -> Int
    /// Depth and age of the queue.
    func outboxQueueStatistics(at time: Date) async throws -> OutboxQueueStatistics
}

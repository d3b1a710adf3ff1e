public import Foundation

/// A message waiting in (or claimed from) the outbox, as the delivery worker sees it.
public struct OutboxItem: Sendable, Equatable {
    /// The row id; also the stable part of the Message-ID.
    public var id: Int64
    /// What kind of message (`confirmation`, `already_subscribed`, `receipt`, …); picks the composer.
    public var kind: String
    /// The recipient's address (mailbox form).
    public var recipient: String
    /// The kind-specific data the composer needs, as JSON.
    public var payload: [UInt8]
    /// Deliveries tried so far, this claim included.
    public var attempts: Int
    /// When the row was queued.
    public var createdAt: Date

    /// Creates an item (stores use this).
    public init(id: Int64, kind: String, recipient: String, payload: [UInt8], attempts: Int, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.recipient = recipient
        self.payload = payload
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

public import Foundation

/// A message to queue in the outbox, decided by a library and saved by the store in the same
/// transaction as the change that causes it (the transactional outbox). The delivery worker
/// later turns the row into a message with the composer registered for its ``kind``.
public struct OutboxDraft: Sendable, Equatable {
    /// Which message (`confirmation`, `already_subscribed`, `receipt`, …); picks the composer.
    public var kind: String
    /// The recipient's address (mailbox form).
    public var recipient: String
    /// The subscriber it is about, when there is one (the per-address cap counts these).
    public var subscriberID: Int64?
    /// The kind-specific facts the composer needs, as JSON.
    public var payload: [UInt8]
    /// When it was queued (also when it is first due).
    public var queuedAt: Date

    /// Creates a draft.
    public init(kind: String, recipient: String, subscriberID: Int64?, payload: [UInt8], queuedAt: Date) {
        self.kind = kind
        self.recipient = recipient
        self.subscriberID = subscriberID
        self.payload = payload
        self.queuedAt = queuedAt
    }
}

public import Foundation

/// What a mail system reported about an address (a bounce or a complaint that came back to a
/// message's return path), in the lists' own words.
public struct AddressFeedback: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The mailbox does not exist or refuses us for good.
        case hardBounce = "hard"
        /// Delivery failed for now, or a report we could not read.
        case softBounce = "soft"
        /// The reader marked our mail as spam.
        case complaint
        /// The reader unsubscribed through the provider's own link.
        case unsubscribe
    }

    public var kind: Kind
    /// The normalised address.
    public var address: String
    /// The keyed hash the suppression list keeps.
    public var addressHash: String
    /// The outbox row of the message the report is about (a VERP return path names it).
    public var outboxID: Int64?
    /// Who reported it: `system` for a report to a return path, `provider:NAME` for a provider's webhook.
    public var reporter: String
    /// A provider's event, which is applied once however often it is delivered.
    public var providerEvent: ProviderEventKey?
    /// The DSN status (`5.1.1`) or the feedback type (`abuse`), and the remote server's words.
    public var status: String
    public var detail: String?
    public var receivedAt: Date

    public init(
        kind: Kind, address: String, addressHash: String, outboxID: Int64?, reporter: String = "system", providerEvent: ProviderEventKey? = nil,
        status: String, detail: String?, receivedAt: Date
    ) {
        self.kind = kind
        self.address = address
        self.addressHash = addressHash
        self.outboxID = outboxID
        self.reporter = reporter
        self.providerEvent = providerEvent
        self.status = status
        self.detail = detail
        self.receivedAt = receivedAt
    }
}

/// A provider's event id, unique per provider.
public struct ProviderEventKey: Sendable, Equatable {
    public var provider: String
    public var eventID: String

    public init(provider: String, eventID: String) {
        self.provider = provider
        self.eventID = eventID
    }
}

/// When soft bounces add up to a hard one: `limit` of them within `days`. The defaults follow
/// Mailman 3 (`bounce_score_threshold: 5`, `bounce_info_stale_after: 7d`).
public struct SoftBouncePolicy: Sendable, Equatable {
    public var limit: Int
    public var days: Int

    public init(limit: Int = 5, days: Int = 7) {
        self.limit = limit
        self.days = days
    }

    /// The start of the window soft bounces are counted in.
    public func windowStart(at time: Date) -> Date { time.addingTimeInterval(-Double(days) * 86_400) }
}

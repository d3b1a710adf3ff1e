public import Foundation

/// One entry of the append-only audit trail (the `events` table of migration 0001): what
/// changed, who did it, and to what.
///
/// The libraries decide every record, through the named constructors each one adds on
/// ``Effects`` (`Effects.signupRequested(…)`, `Effects.pledgeCreated(…)`); a store only appends
/// them, in the transaction of the change they describe.
///
/// ```swift
/// let record = AuditRecord(occurredAt: now, actor: "admin:alice", action: "newsletter.archived",
///                          subjectType: "newsletter", subjectID: 7, details: ["slug": "ukraine-daily"])
/// ```
public struct AuditRecord: Sendable, Equatable {
    /// When the change happened.
    public var occurredAt: Date
    /// Who made it: `reader`, `provider`, `system`, `admin:NAME`.
    public var actor: String
    /// What happened, `noun.verb` (`subscription.confirmed`).
    public var action: String
    /// The kind of row the record is about (`consent`, `pledge`, `newsletter`, …).
    public var subjectType: String
    /// That row's id, when there is one.
    public var subjectID: Int64?
    /// The subscriber concerned; erasure clears the details of every record that names one.
    public var subscriberID: Int64?
    /// Flat facts about the change (never a secret; personal data only where a subscriber is named).
    public var details: [String: String]

    /// Creates a record.
    public init(
        occurredAt: Date, actor: String, action: String, subjectType: String, subjectID: Int64? = nil,
        subscriberID: Int64? = nil, details: [String: String] = [:]
    ) {
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.subscriberID = subscriberID
        self.details = details
    }
}

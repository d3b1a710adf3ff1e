import Foundation
public import SideEffects

/// A membership of the address, as the store found it.
public struct FeedbackMember: Sendable, Equatable {
    public var newsletterID: Int64
    public var slug: String
    public var status: SubscriptionStatus

    public init(newsletterID: Int64, slug: String, status: SubscriptionStatus) {
        self.newsletterID = newsletterID
        self.slug = slug
        self.status = status
    }
}

/// What the store does with a report: which memberships move to which state, whether the
/// address goes on the suppression list, whether the report is kept as a soft bounce, and the
/// effects to save. Decided here so both engines apply one rule.
public struct FeedbackPlan: Sendable, Equatable {
    /// What the report came to.
    public enum Outcome: Sendable, Equatable {
        /// Counted: `count` soft bounces in the window, under the limit.
        case softBounceCounted(count: Int)
        /// Mail to the address ends: memberships moved to `bounced`.
        case bounced(newsletters: [String], escalated: Bool)
        /// The reader complained: every membership ended as `complained`.
        case complained(newsletters: [String])
        /// The reader unsubscribed through the provider: every membership ended as `unsubscribed`.
        case unsubscribed(newsletters: [String])
        /// A provider's event applied before (a replayed webhook): nothing changed.
        case alreadyReceived
    }

    public var outcome: Outcome
    /// The state the memberships in ``changing`` move to.
    public var newStatus: SubscriptionStatus?
    public var changing: [FeedbackMember]
    public var suppression: SuppressionReason?
    /// The kind to keep in `bounce_reports` (soft ones are counted from there).
    public var recordedKind: AddressFeedback.Kind
    public var effects: Effects

    /// Decides what `feedback` does, given the address's memberships (`subscriber` nil when the
    /// address is on no list, as a pledge receipt's may be) and the soft bounces already counted.
    public static func deciding(
        _ feedback: AddressFeedback, subscriber: Int64?, members: [FeedbackMember], softBounces: Int, policy: SoftBouncePolicy
    ) -> FeedbackPlan {
        let escalated = feedback.kind == .softBounce && softBounces + 1 >= policy.limit
        let kind: AddressFeedback.Kind = escalated ? .hardBounce : feedback.kind
        let status: SubscriptionStatus
        let reason: SuppressionReason?
        switch kind {
        case .softBounce:
            return FeedbackPlan(
                outcome: .softBounceCounted(count: softBounces + 1), newStatus: nil, changing: [], suppression: nil, recordedKind: .softBounce,
                effects: .feedbackReceived(feedback, subscriber: subscriber, action: "address.soft_bounced", newsletters: []))
        case .hardBounce: (status, reason) = (.bounced, .bounced)
        case .complaint: (status, reason) = (.complained, .complained)
        case .unsubscribe: (status, reason) = (.unsubscribed, nil)
        }
        // Every membership still receiving mail ends: the address bounces, or its reader said stop.
        let changing = members.filter { [.pending, .confirmed].contains($0.status) }
        let slugs = changing.map(\.slug)
        let action = ["complaint": "subscription.complained", "unsubscribe": "subscription.unsubscribed"][kind.rawValue] ?? "subscription.bounced"
        var effects = Effects.feedbackReceived(feedback, subscriber: subscriber, action: action, newsletters: slugs)
        if let subscriber {
            effects.events += SubscriberEvent.events(
                subscriber: subscriber, address: feedback.address, states: Dictionary(uniqueKeysWithValues: slugs.map { ($0, status) }),
                at: feedback.receivedAt)
        }
        let outcome: Outcome =
            switch kind {
            case .complaint: .complained(newsletters: slugs)
            case .unsubscribe: .unsubscribed(newsletters: slugs)
            default: .bounced(newsletters: slugs, escalated: escalated)
            }
        return FeedbackPlan(outcome: outcome, newStatus: status, changing: changing, suppression: reason, recordedKind: kind, effects: effects)
    }
}

public import SubscriberLists

/// A newsletter a consent record names, with the subscriber's current state for it: what a
/// confirm or unsubscribe link acts on. Every store reads these the same way.
public struct ConsentMember: Sendable, Equatable {
    public let newsletter: Newsletter
    public let status: SubscriptionStatus?
    /// When the current pending episode began (ISO 8601 text, as stored).
    public let pendingSince: String?

    public init(newsletter: Newsletter, status: SubscriptionStatus?, pendingSince: String?) {
        self.newsletter = newsletter
        self.status = status
        self.pendingSince = pendingSince
    }

    /// A pending episode that began after the consent (a new sign-up after an unsubscribe)
    /// is not this consent's to confirm: to its link, the subscription is simply not pending.
    public func asSeenBy(consentRecordedAt: String) -> ConsentMember {
        guard status == .pending, let pendingSince, pendingSince > consentRecordedAt else { return self }
        return ConsentMember(newsletter: newsletter, status: nil, pendingSince: pendingSince)
    }
}

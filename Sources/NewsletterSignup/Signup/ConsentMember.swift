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

/// What a confirm or unsubscribe link changes, decided from the newsletters its consent record
/// names as the store read them (locked) in the link's transaction.
public struct LinkPlan: Sendable, Equatable {
    /// Newsletters whose membership moves: pending → confirmed, or active → unsubscribed.
    public var changing: [Newsletter]
    /// What the link did, for the reader's page.
    public var outcome: LinkOutcome

    /// A confirmation link confirms its pending newsletters. Confirming twice is harmless (the
    /// confirmed ones are reported done); with nothing pending or confirmed (the reader left
    /// since), there is nothing to do.
    public static func confirming(_ members: [ConsentMember]) -> LinkPlan {
        let pending = members.filter { $0.status == .pending }.map(\.newsletter)
        let confirmed = members.filter { $0.status == .confirmed }.map(\.newsletter)
        guard !pending.isEmpty || !confirmed.isEmpty else { return LinkPlan(changing: [], outcome: .nothingToDo) }
        return LinkPlan(changing: pending, outcome: .done(newsletters: confirmed + pending, changed: !pending.isEmpty))
    }

    /// An unsubscribe link leaves every active newsletter it names: leaving must always work.
    public static func unsubscribing(_ members: [ConsentMember]) -> LinkPlan {
        let leaving = members.filter { $0.status?.isActive == true }.map(\.newsletter)
        return LinkPlan(changing: leaving, outcome: .done(newsletters: members.map(\.newsletter), changed: !leaving.isEmpty))
    }
}

public import Foundation
public import SideEffects
public import SubscriberLists

/// The side effects of sign-up, its links and the preferences page.
extension Effects {
    /// A sign-up from a suppressed address: a record of the attempt without the address; nothing is sent.
    public static func signupSuppressed(_ signup: SignupRecord, newsletters: [Newsletter]) -> Effects {
        .record(AuditRecord(
            occurredAt: signup.time, actor: "reader", action: "signup.suppressed", subjectType: "suppression",
            details: ["newsletters": newsletters.map(\.slug).joined(separator: ",")]))
    }

    /// A recorded sign-up: its audit record and, when the plan asks for one, the confirmation or notice.
    public static func signupRequested(
        _ signup: SignupRecord, newsletters: [Newsletter], plan: SignupPlan, consent: Int64, subscriber: Int64
    ) -> Effects {
        var effects = Effects.record(AuditRecord(
            occurredAt: signup.time, actor: "reader", action: "signup.requested", subjectType: "consent",
            subjectID: consent, subscriberID: subscriber,
            details: ["newsletters": newsletters.map(\.slug).joined(separator: ","), "outcome": plan.reason]))
        if let planned = plan.email {
            let named = Dictionary(uniqueKeysWithValues: newsletters.map { ($0.id, $0) })
            let email = SignupEmail(
                kind: planned.kind, consentID: consent, address: signup.normalizedAddress, locale: signup.locale,
                newsletters: planned.newsletterIDs.compactMap { named[$0] }.map(SignupEmail.NewsletterSummary.init),
                issuedAt: signup.time)
            effects.mail.append(email.draft(recipient: signup.mailbox, subscriber: subscriber))
        }
        let slugs = Dictionary(uniqueKeysWithValues: newsletters.map { ($0.id, $0.slug) })
        var states: [String: SubscriptionStatus] = [:]
        for (id, status) in plan.changes { if let slug = slugs[id] { states[slug] = status } }
        effects.events = SubscriberEvent.events(subscriber: subscriber, address: signup.normalizedAddress, states: states, at: signup.time)
        return effects
    }

    /// A fresh confirmation of a sign-up's pending newsletters.
    public static func signupResent(
        consent: Int64, subscriber: SubscriberContact, pending: [Newsletter], at time: Date
    ) -> Effects {
        let email = SignupEmail(
            kind: .confirmation, consentID: consent, address: subscriber.normalizedEmail, locale: subscriber.locale,
            newsletters: pending.map(SignupEmail.NewsletterSummary.init), issuedAt: time)
        return Effects(
            audit: [AuditRecord(
                occurredAt: time, actor: "reader", action: "signup.resent", subjectType: "consent", subjectID: consent,
                subscriberID: subscriber.id)],
            mail: [email.draft(recipient: subscriber.email, subscriber: subscriber.id)])
    }

    /// A confirmation link confirmed these newsletters (nothing when none was pending).
    public static func subscriptionConfirmed(
        consent: Int64, subscriber: Int64, address: String, newsletters: [Newsletter], at time: Date
    ) -> Effects {
        guard !newsletters.isEmpty else { return .none }
        return Effects(
            audit: [AuditRecord(
                occurredAt: time, actor: "reader", action: "subscription.confirmed", subjectType: "consent", subjectID: consent,
                subscriberID: subscriber, details: ["newsletters": newsletters.map(\.slug).joined(separator: ",")])],
            events: SubscriberEvent.events(
                subscriber: subscriber, address: address, states: states(newsletters, .confirmed), at: time))
    }

    /// Each newsletter's slug with the state it moved to.
    private static func states(_ newsletters: [Newsletter], _ status: SubscriptionStatus) -> [String: SubscriptionStatus] {
        Dictionary(newsletters.map { ($0.slug, status) }, uniquingKeysWith: { first, _ in first })
    }

    /// An unsubscribe link (or one-click POST) left these newsletters (nothing when none was active).
    public static func unsubscribedByLink(
        consent: Int64, subscriber: Int64, address: String, newsletters: [Newsletter], client: ClientContext, at time: Date
    ) -> Effects {
        guard !newsletters.isEmpty else { return .none }
        return Effects(
            audit: [AuditRecord(
                occurredAt: time, actor: "reader", action: "subscription.unsubscribed", subjectType: "consent", subjectID: consent,
                subscriberID: subscriber,
                details: ["newsletters": newsletters.map(\.slug).joined(separator: ","), "client_ip": client.ipAddress ?? ""])],
            events: SubscriberEvent.events(
                subscriber: subscriber, address: address, states: states(newsletters, .unsubscribed), at: time))
    }

    /// A sign-up's address bounced: its active newsletters are marked bounced.
    public static func subscriptionBounced(
        consent: Int64, subscriber: Int64, address: String, newsletters: [Newsletter], reason: String, at time: Date
    ) -> Effects {
        let reason = String(reason.prefix(500))
        return Effects(
            audit: [AuditRecord(
                occurredAt: time, actor: "system", action: "subscription.bounced", subjectType: "consent", subjectID: consent,
                subscriberID: subscriber, details: ["newsletters": newsletters.map(\.slug).joined(separator: ","), "reason": reason])],
            events: [SubscriberEvent.event(
                "bounced", subscriber: subscriber, address: address, newsletters: newsletters.map(\.slug), reason: reason, at: time)]
                .compactMap { $0 })
    }

    /// The reader chose their newsletters on the preferences page (nothing when nothing changed).
    public static func preferencesChosen(
        _ change: PreferencesChange, subscriber: Int64, address: String, client: ClientContext?, at time: Date
    ) -> Effects {
        guard !change.joining.isEmpty || !change.leaving.isEmpty else { return .none }
        let moved = states(change.joining.map(\.newsletter), .confirmed).merging(states(change.leaving, .unsubscribed)) { $1 }
        return Effects(audit: [AuditRecord(
            occurredAt: time, actor: "reader", action: "subscription.preferences", subjectType: "subscriber",
            subjectID: subscriber, subscriberID: subscriber,
            details: [
                "joined": change.joining.map(\.newsletter.slug).joined(separator: ","),
                "left": change.leaving.map(\.slug).joined(separator: ","), "client_ip": client?.ipAddress ?? "",
            ])],
            events: SubscriberEvent.events(subscriber: subscriber, address: address, states: moved, at: time))
    }
}

public import Foundation
public import SideEffects

/// The side effects of the list operations: staff additions, unsubscriptions and expiry,
/// imports, erasure, the suppression list and the newsletter catalogue.
extension Effects {
    /// Staff added (or re-activated) a membership; a pending one is sent the double opt-in email.
    public static func membershipAdded(
        _ addition: MembershipAddition, newsletter: Newsletter, from current: SubscriptionStatus?,
        to wanted: SubscriptionStatus, consent: Int64, subscriber: SubscriberContact
    ) -> Effects {
        var effects = Effects.record(AuditRecord(
            occurredAt: addition.time, actor: addition.actor, action: "subscription.added", subjectType: "consent",
            subjectID: consent, subscriberID: subscriber.id,
            details: ["newsletter": newsletter.slug, "state": wanted.rawValue, "from": current?.rawValue ?? "none"]))
        if wanted == .pending { effects += .confirmation(consent: consent, subscriber: subscriber, newsletter: newsletter, at: addition.time) }
        if current != wanted {
            effects.events += SubscriberEvent.events(
                subscriber: subscriber.id, address: subscriber.normalizedEmail, states: [newsletter.slug: wanted], at: addition.time)
        }
        return effects
    }

    /// The double opt-in email for one pending membership, as a sign-up sends it.
    public static func confirmation(consent: Int64, subscriber: SubscriberContact, newsletter: Newsletter, at time: Date) -> Effects {
        let email = SignupEmail(
            kind: .confirmation, consentID: consent, address: subscriber.normalizedEmail, locale: subscriber.locale,
            newsletters: [SignupEmail.NewsletterSummary(newsletter)], issuedAt: time)
        return Effects(mail: [email.draft(recipient: subscriber.email, subscriber: subscriber.id)])
    }

    /// Staff unsubscribed an address from these newsletters (nothing when none changed).
    public static func membershipsUnsubscribed(
        subscriber: Int64, address: String, slugs: [String], actor: String, at time: Date
    ) -> Effects {
        guard !slugs.isEmpty else { return .none }
        return Effects(
            audit: [AuditRecord(
                occurredAt: time, actor: actor, action: "subscription.unsubscribed", subjectType: "subscriber",
                subjectID: subscriber, subscriberID: subscriber, details: ["newsletters": slugs.joined(separator: ",")])],
            events: [SubscriberEvent.event("unsubscribed", subscriber: subscriber, address: address, newsletters: slugs, at: time)]
                .compactMap { $0 })
    }

    /// Memberships left pending since before `cutoff` expired (nothing when none did).
    public static func pendingExpired(count: Int, cutoff: Date, actor: String, at time: Date) -> Effects {
        guard count > 0 else { return .none }
        return .record(AuditRecord(
            occurredAt: time, actor: actor, action: "subscriptions.expired", subjectType: "subscription",
            details: ["count": String(count), "pending_before": Timestamp.format(cutoff)]))
    }

    /// Retention erased sign-ups nobody confirmed: how many, never who.
    public static func neverConfirmedErased(count: Int, cutoff: Date, actor: String, at time: Date) -> Effects {
        guard count > 0 else { return .none }
        return .record(AuditRecord(
            occurredAt: time, actor: actor, action: "subscribers.retention_erased", subjectType: "subscriber",
            details: ["count": String(count), "pending_before": Timestamp.format(cutoff)]))
    }

    /// One applied batch of an import: its counts, and one `subscriber.imported` event with the
    /// rows it added or changed. A dry run, or a batch that added or changed no membership (an
    /// import run again), records nothing: the trail says what changed.
    public static func importApplied(
        _ batch: ImportBatch, outcomes: [ImportRowOutcome], newsletters: [String], confirmations: Int
    ) -> Effects {
        guard !batch.options.dryRun, outcomes.contains(where: { $0 == .added || $0 == .updated }) else { return .none }
        var counts: [String: Int] = [:]
        for outcome in outcomes { counts[outcome.reportKey, default: 0] += 1 }
        var details = counts.mapValues(String.init)
        details["source"] = batch.options.source
        details["newsletters"] = newsletters.sorted().joined(separator: ",")
        if confirmations > 0 { details["confirmations"] = String(confirmations) }
        // Outcomes are in the batch's row order, one per row.
        let changed = zip(batch.rows, outcomes).filter { $0.1 == .added || $0.1 == .updated }.map { row, _ in
            (email: row.normalizedEmail, newsletter: row.newsletter, state: row.state.rawValue)
        }
        return Effects(
            audit: [AuditRecord(
                occurredAt: batch.time, actor: batch.actor, action: "subscribers.imported", subjectType: "import", details: details)],
            events: [SubscriberEvent.imported(
                source: batch.options.source, newsletters: newsletters.sorted(), rows: changed, at: batch.time)])
    }

    /// An erasure: what was held (counts only), never whose it was; `subscriber.erased` names
    /// only the address hash.
    public static func erased(
        subscriber: Int64?, addressHash: String, memberships: Int?, pledges: Int, actor: String, at time: Date
    ) -> Effects {
        var details: [String: String] = [:]
        if let memberships { details["memberships"] = String(memberships) }
        if pledges > 0 { details["pledges"] = String(pledges) }
        let found = subscriber != nil || pledges > 0
        let effects = Effects.record(AuditRecord(
            occurredAt: time, actor: actor, action: found ? "subscriber.erased" : "subscriber.erase_requested",
            subjectType: "subscriber", subjectID: subscriber, details: details))
        guard found else { return effects }
        return effects.sending(SubscriberEvent.erased(addressHash: addressHash, at: time))
    }

    /// A hash joined the suppression list (or an erasure replaced its reason).
    public static func suppressionAdded(_ reason: SuppressionReason, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "suppression.added", subjectType: "suppression",
            details: ["reason": reason.rawValue]))
    }

    /// A suppression was lifted.
    public static func suppressionLifted(_ reason: SuppressionReason, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "suppression.lifted", subjectType: "suppression",
            details: ["reason": reason.rawValue]))
    }

    /// A newsletter was created.
    public static func newsletterCreated(id: Int64, slug: String, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "newsletter.created", subjectType: "newsletter", subjectID: id,
            details: ["slug": slug]))
    }

    /// A newsletter's fields changed.
    public static func newsletterUpdated(_ newsletter: Newsletter, changes: NewsletterChanges, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "newsletter.updated", subjectType: "newsletter", subjectID: newsletter.id,
            details: changes.auditDetails(slug: newsletter.slug)))
    }

    /// A newsletter was archived.
    public static func newsletterArchived(_ newsletter: Newsletter, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "newsletter.archived", subjectType: "newsletter", subjectID: newsletter.id,
            details: ["slug": newsletter.slug]))
    }
}

/// The subscriber an email goes to, as stored.
public struct SubscriberContact: Sendable, Equatable {
    /// The subscriber's row id.
    public var id: Int64
    /// The address to send to (mailbox form).
    public var email: String
    /// The normalised address the email's links are bound to.
    public var normalizedEmail: String
    /// The reader's language.
    public var locale: String?

    /// Creates a contact.
    public init(id: Int64, email: String, normalizedEmail: String, locale: String?) {
        self.id = id
        self.email = email
        self.normalizedEmail = normalizedEmail
        self.locale = locale
    }
}

extension Effects {
    /// A bounce or complaint came back for the address (`action`: `address.soft_bounced`,
    /// `subscription.bounced`, `subscription.complained`), with the newsletters it ended.
    public static func feedbackReceived(
        _ feedback: AddressFeedback, subscriber: Int64?, action: String, newsletters: [String]
    ) -> Effects {
        var details = ["status": feedback.status, "newsletters": newsletters.joined(separator: ",")]
        if let outbox = feedback.outboxID { details["outbox_id"] = String(outbox) }
        if let event = feedback.providerEvent { details["event_id"] = event.eventID }
        if let detail = feedback.detail { details["detail"] = String(detail.prefix(500)) }
        return .record(AuditRecord(
            occurredAt: feedback.receivedAt, actor: feedback.reporter, action: action, subjectType: "subscriber", subjectID: subscriber,
            subscriberID: subscriber, details: details))
    }
}

/// What a change causes besides itself: the audit records it leaves, the mail it queues and
/// the events it sends to webhook endpoints.
/// A library decides them; the store saves them in the change's own transaction, with one
/// generic call (`save(_ effects:)`), so a rule about a side effect lives in one place.
///
/// Each library adds named constructors for its changes (`Effects.subscriptionConfirmed(…)`);
/// a new kind of side effect is one more field here, one more insert in each store's `save`,
/// and then only library code.
public struct Effects: Sendable, Equatable {
    /// Records for the audit trail, in order.
    public var audit: [AuditRecord]
    /// Messages for the outbox, in order.
    public var mail: [OutboxDraft]
    /// Events for webhook endpoints, in order.
    public var events: [OutgoingEvent]

    /// Creates a set of effects.
    public init(audit: [AuditRecord] = [], mail: [OutboxDraft] = [], events: [OutgoingEvent] = []) {
        self.audit = audit
        self.mail = mail
        self.events = events
    }

    /// Nothing to save.
    public static let none = Effects()

    /// One audit record and nothing else.
    public static func record(_ record: AuditRecord) -> Effects { Effects(audit: [record]) }

    /// Whether there is nothing to save.
    public var isEmpty: Bool { audit.isEmpty && mail.isEmpty && events.isEmpty }

    /// These effects followed by `other`'s.
    public static func + (lhs: Effects, rhs: Effects) -> Effects {
        Effects(audit: lhs.audit + rhs.audit, mail: lhs.mail + rhs.mail, events: lhs.events + rhs.events)
    }

    /// Appends `other`'s effects to these.
    public static func += (lhs: inout Effects, rhs: Effects) {
        lhs.audit += rhs.audit
        lhs.mail += rhs.mail
        lhs.events += rhs.events
    }

    /// These effects with `event` sent too.
    public func sending(_ event: OutgoingEvent) -> Effects {
        var effects = self
        effects.events.append(event)
        return effects
    }
}

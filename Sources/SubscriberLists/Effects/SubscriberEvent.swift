public import Foundation
public import SideEffects

/// The `subscriber.*` webhook events: who (the normalised address and the subscriber's id) and
/// which newsletters moved. `subscriber.erased` carries only the address hash;
/// `subscriber.imported` a whole batch.
public enum SubscriberEvent {
    /// The event `subscriber.<verb>` about `address`, or nil when no newsletter moved.
    public static func event(
        _ verb: String, subscriber: Int64, address: String, newsletters: [String], reason: String? = nil, at time: Date
    ) -> OutgoingEvent? {
        guard !newsletters.isEmpty else { return nil }
        var data: [String: JSONValue] = [
            "subscriber_id": .integer(subscriber), "email": .string(address), "newsletters": .array(newsletters.sorted().map(JSONValue.string)),
        ]
        if let reason { data["reason"] = .string(reason) }
        return OutgoingEvent(type: "subscriber.\(verb)", at: time, about: address, data: data)
    }

    /// The events for memberships that moved to `states` (newsletter slug → new state):
    /// `subscriber.pending`, `.confirmed`, `.unsubscribed`, `.bounced` or `.complained`, one per state.
    public static func events(
        subscriber: Int64, address: String, states: [String: SubscriptionStatus], at time: Date
    ) -> [OutgoingEvent] {
        let verbs: [(SubscriptionStatus, String)] = [
            (.pending, "pending"), (.confirmed, "confirmed"), (.unsubscribed, "unsubscribed"), (.bounced, "bounced"),
            (.complained, "complained"),
        ]
        return verbs.compactMap { status, verb in
            event(verb, subscriber: subscriber, address: address, newsletters: states.filter { $0.value == status }.map(\.key), at: time)
        }
    }

    /// `subscriber.erased`: the address is gone; only its keyed hash (the one the suppression
    /// list keeps) says whom, for a receiver that stored the same hash.
    public static func erased(addressHash: String, at time: Date) -> OutgoingEvent {
        OutgoingEvent(type: "subscriber.erased", at: time, about: nil, data: ["address_hash": .string(addressHash)])
    }

    /// `subscriber.imported`: one applied batch of an import, with the rows it added or changed.
    public static func imported(
        source: String, newsletters: [String], rows: [(email: String, newsletter: String, state: String)], at time: Date
    ) -> OutgoingEvent {
        OutgoingEvent(
            type: "subscriber.imported", at: time, about: nil,
            data: [
                "source": .string(source), "newsletters": .array(newsletters.map(JSONValue.string)),
                "subscribers": .array(rows.map { row in
                    .object(["email": .string(row.email), "newsletter": .string(row.newsletter), "state": .string(row.state)])
                }),
            ])
    }
}

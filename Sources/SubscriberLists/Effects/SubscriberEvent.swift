public import Foundation
public import SideEffects

/// The `data` of the `subscriber.*` webhook events: who (the normalised address and the
/// subscriber's id) and which newsletters moved. `subscriber.erased` carries only the address
/// hash (``ErasedSubscriberEvent``); `subscriber.imported` its batch (``ImportedSubscribersEvent``).
public struct SubscriberEvent: Encodable, Sendable, Equatable {
    public var subscriberID: Int64
    public var email: String
    public var newsletters: [String]
    /// Why, for `subscriber.bounced` (the relay's answer).
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case subscriberID = "subscriber_id", email, newsletters, reason
    }

    /// The event `subscriber.<verb>` about `address`, or nil when no newsletter moved.
    public static func event(
        _ verb: String, subscriber: Int64, address: String, newsletters: [String], reason: String? = nil, at time: Date
    ) -> OutgoingEvent? {
        guard !newsletters.isEmpty else { return nil }
        return OutgoingEvent(
            type: "subscriber.\(verb)", at: time, about: address,
            data: SubscriberEvent(subscriberID: subscriber, email: address, newsletters: newsletters.sorted(), reason: reason))
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
}

/// The `data` of `subscriber.erased`: the address is gone, only its keyed hash (the one the
/// suppression list keeps) says whom, for a receiver that stored the same hash.
public struct ErasedSubscriberEvent: Encodable, Sendable, Equatable {
    public var addressHash: String

    enum CodingKeys: String, CodingKey { case addressHash = "address_hash" }
}

/// The `data` of `subscriber.imported`: one event per applied batch of an import, with the
/// addresses it added or changed.
public struct ImportedSubscribersEvent: Encodable, Sendable, Equatable {
    public struct Row: Encodable, Sendable, Equatable {
        public var email: String
        public var newsletter: String
        public var state: String
    }

    public var source: String
    public var newsletters: [String]
    public var subscribers: [Row]
}

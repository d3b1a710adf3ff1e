public import Foundation
public import SideEffects

/// The `data` of the `pledge.*` webhook events: the pledge as the reader made it and its state
/// after the change; `payment` for `pledge.succeeded` (each payment, renewals included),
/// `pledge.failed` and `pledge.refunded`.
public struct PledgeEvent: Encodable, Sendable, Equatable {
    public struct Payment: Encodable, Sendable, Equatable {
        public var amountMinor: Int64
        /// The provider's event id (`evt_…`, `in_…#paid`).
        public var event: String

        enum CodingKeys: String, CodingKey { case amountMinor = "amount_minor", event }
    }

    public var pledge: String
    public var email: String
    public var name: String?
    public var amountMinor: Int64
    public var currency: String
    public var interval: String
    public var tier: String?
    public var status: String
    public var provider: String
    public var payment: Payment?

    enum CodingKeys: String, CodingKey {
        case pledge, email, name, amountMinor = "amount_minor", currency, interval, tier, status, provider, payment
    }

    /// `pledge.<verb>` about `pledge`, in the state `status`.
    static func event(
        _ verb: String, _ pledge: Pledge, address: String, status: PledgeStatus, payment: Payment? = nil, at time: Date
    ) -> OutgoingEvent {
        OutgoingEvent(
            type: "pledge.\(verb)", at: time, about: address,
            data: PledgeEvent(
                pledge: pledge.publicID, email: address, name: pledge.name, amountMinor: pledge.amount.minorUnits,
                currency: pledge.amount.currency.code, interval: pledge.interval.rawValue, tier: pledge.tier,
                status: status.rawValue, provider: pledge.provider, payment: payment))
    }
}

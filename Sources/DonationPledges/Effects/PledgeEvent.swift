import Foundation
import SideEffects

/// The `pledge.*` webhook events: the pledge as the reader made it and its state after the
/// change; `payment` for `pledge.succeeded` (each payment, renewals included), `pledge.failed`
/// and `pledge.refunded`.
enum PledgeEvent {
    /// A payment an event reports: its amount and the provider's event id (`evt_…`, `in_…#paid`).
    struct Payment {
        var amountMinor: Int64
        var event: String
    }

    /// `pledge.<verb>` about `pledge`, in the state `status`.
    static func event(
        _ verb: String, _ pledge: Pledge, address: String, status: PledgeStatus, payment: Payment? = nil, at time: Date
    ) -> OutgoingEvent {
        var data: [String: JSONValue] = [
            "pledge": .string(pledge.publicID), "email": .string(address), "amount_minor": .integer(pledge.amount.minorUnits),
            "currency": .string(pledge.amount.currency.code), "interval": .string(pledge.interval.rawValue),
            "status": .string(status.rawValue), "provider": .string(pledge.provider),
        ]
        if let name = pledge.name { data["name"] = .string(name) }
        if let tier = pledge.tier { data["tier"] = .string(tier) }
        if let payment { data["payment"] = .object(["amount_minor": .integer(payment.amountMinor), "event": .string(payment.event)]) }
        return OutgoingEvent(type: "pledge.\(verb)", at: time, about: address, data: data)
    }
}

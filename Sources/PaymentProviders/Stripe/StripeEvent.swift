import DonationPledges
import Foundation

/// A Stripe event, read into a ``PaymentEvent`` (a webhook's after its signature was checked, or
/// one from the Events API that `pledges sync` reads). Read defensively: events of older API
/// versions (localstripe's among them) and fields we do not know are fine; a missing id, type
/// or time is not.
enum StripeEvent {
    static func read(_ body: [UInt8]) throws(WebhookRejection) -> PaymentEvent {
        guard let event = StripeObject(json: body) else { throw .malformedEvent("not a JSON object") }
        return try read(event)
    }

    static func read(_ event: StripeObject) throws(WebhookRejection) -> PaymentEvent {
        guard let id = event.string("id"), !id.isEmpty, id.utf8.count <= 100, let type = event.string("type"), !type.isEmpty
        else { throw .malformedEvent("no id or type") }
        // Seconds since 1970 up to the year 9999: a larger number is no time at all.
        guard let created = event.integer("created"), (0...253_402_300_799).contains(created) else {
            throw .malformedEvent("created is missing or out of range")
        }
        let object = event.object("data")?.object("object")
        let occurredAt = Date(timeIntervalSince1970: Double(created))
        let kind = self.kind(type, object)
        if case .other = kind {
            // Acknowledged and recorded, not acted on: Stripe would retry for days otherwise.
            return PaymentEvent(id: id, kind: kind, pledge: object?.object("metadata")?.string("pledge") ?? "", occurredAt: occurredAt)
        }
        guard let object else { throw .malformedEvent("a \(type) without its object") }
        // A payment the account took outside Masthead has no pledge: it is acknowledged and
        // recorded as an unknown pledge (a 400 would have Stripe resend it for days).
        let pledge = object.object("metadata")?.string("pledge") ?? ""
        if type.hasPrefix("invoice.") { return invoiceEvent(id: id, type: type, kind: kind, invoice: object, at: occurredAt) }
        switch kind {
        case .refunded, .disputed, .disputeWon:
            // A charge carries its PaymentIntent's metadata on real Stripe; a dispute names only
            // the PaymentIntent, which is the pledge's provider reference.
            return PaymentEvent(
                id: id, kind: kind, pledge: pledge, occurredAt: occurredAt,
                amountMinor: object.integer(kind == .refunded ? "amount_refunded" : "amount"),
                currency: object.string("currency")?.uppercased(), reference: object.string("payment_intent"))
        default:
            return PaymentEvent(
                id: id, kind: kind, pledge: pledge, occurredAt: occurredAt,
                amountMinor: object.integer(kind == .paymentSucceeded ? "amount_received" : "amount") ?? object.integer("amount"),
                currency: object.string("currency")?.uppercased(), card: card(of: object), reference: object.string("id"))
        }
    }

    /// What a Stripe event type means for a pledge. A dispute that closes lost leaves the
    /// pledge disputed (the money is gone), so only a won one is an event to act on.
    static func kind(_ type: String, _ object: StripeObject?) -> PaymentEvent.Kind {
        switch type {
        case "payment_intent.succeeded": .paymentSucceeded
        case "payment_intent.payment_failed": .paymentFailed
        case "payment_intent.canceled": .canceled
        case "charge.refunded": .refunded
        case "charge.dispute.created": .disputed
        case "charge.dispute.closed" where object?.string("status") == "won": .disputeWon
        // A recurring pledge's payments: its Subscription's invoices. `invoice.paid` is Stripe's
        // event for this, `invoice.payment_succeeded` the older one localstripe sends; both
        // may come for one invoice, and count once (see `invoiceEvent`).
        case "invoice.paid", "invoice.payment_succeeded": .paymentSucceeded
        case "invoice.payment_failed": .paymentFailed
        case "customer.subscription.deleted": .canceled
        // An update that ends it (a first payment never made, or canceled by staff at once).
        case "customer.subscription.updated" where ["canceled", "incomplete_expired"].contains(object?.string("status") ?? ""): .canceled
        default: .other(type)
        }
    }

    /// An invoice's event, for the recurring pledge of its Subscription: found by the pledge in
    /// the subscription's metadata (`subscription_details.metadata`, which real Stripe copies
    /// onto the invoice), else by the Subscription's id, the pledge's provider reference.
    /// `invoice.paid` and `invoice.payment_succeeded` for one invoice share an id, so the
    /// payment and its receipt are recorded once.
    static func invoiceEvent(id: String, type: String, kind: PaymentEvent.Kind, invoice: StripeObject, at occurredAt: Date) -> PaymentEvent {
        let subscription = invoice.string("subscription") ?? invoice.object("parent")?.object("subscription_details")?.string("subscription")
        let paid = kind == .paymentSucceeded
        return PaymentEvent(
            id: paid ? "\(invoice.string("id") ?? id)#paid" : id, kind: kind,
            pledge: invoice.object("subscription_details")?.object("metadata")?.string("pledge") ?? "", occurredAt: occurredAt,
            amountMinor: invoice.integer(paid ? "amount_paid" : "amount_due"), currency: invoice.string("currency")?.uppercased(),
            reference: subscription)
    }

    /// The card's brand and last four, when the event carries the charge (`charges.data`, as
    /// API versions before 2022-11-15 and localstripe send it); newer events name only the
    /// `latest_charge`, and the receipt then says "card".
    static func card(of intent: StripeObject) -> CardSummary? {
        intent.object("charges")?.objects("data").last?.object("payment_method_details")?.object("card").flatMap(CardSummary.init(stripe:))
    }
}

extension CardSummary {
    /// A PaymentMethod's or a charge's `card` object (`brand`, `last4`), checked like any input.
    init?(stripe card: StripeObject) {
        guard let brand = card.string("brand"), let last4 = card.string("last4") else { return nil }
        self.init(brand: brand, last4: last4)
    }
}

public import DonationPledges
public import Foundation
import Signing

/// Pledges paid through Stripe. A one-time pledge is a PaymentIntent (amount in minor units, its
/// currency, cards only, the pledge's public id in its metadata; no `receipt_email`, as Masthead
/// sends its own receipt); the reader's card goes from Stripe's Payment Element straight to
/// Stripe, and the outcome comes back as a signed webhook. Monthly pledges are not offered
/// through Stripe yet (issue 18 goes on with them).
public struct StripeProvider: PaymentProvider {
    public let name = "stripe"
    /// Monthly pledges through Stripe (Customer, Subscription) are still to come.
    public let offersRecurring = false
    let api: StripeAPI
    /// Endpoint secrets (`whsec_…`) the webhook verifier accepts; several while one is rolled.
    let webhookSecrets: [[UInt8]]
    /// Base of the page where the reader pays (the public URL).
    let publicURL: String

    public init(api: StripeAPI, webhookSecrets: [String], publicURL: String) {
        self.api = api
        self.webhookSecrets = webhookSecrets.map { Array($0.utf8) }
        self.publicURL = publicURL
    }

    /// The key Stripe deduplicates a pledge's PaymentIntent by: a retry after a timeout gets the
    /// PaymentIntent the first try made, never a second charge.
    static func idempotencyKey(forPledge publicID: String) -> String { "masthead-pledge-\(publicID)" }

    public func createCheckout(for pledge: CheckoutRequest) async throws -> Checkout {
        guard pledge.interval == .once else { throw StripeProviderError.recurringNotOffered }
        let intent = try await api.post(
            "/v1/payment_intents",
            [
                ("amount", String(pledge.amount.minorUnits)), ("currency", pledge.amount.currency.code.lowercased()),
                ("payment_method_types[]", "card"), ("metadata[pledge]", pledge.publicID),
            ],
            idempotencyKey: Self.idempotencyKey(forPledge: pledge.publicID))
        guard let id = intent.string("id"), id.hasPrefix("pi_"), let secret = intent.string("client_secret") else {
            throw StripeProviderError.unexpectedObject("a PaymentIntent without an id or a client secret")
        }
        return Checkout(url: "\(publicURL)/v1/pledges/\(pledge.publicID)/pay", reference: id, clientSecret: secret)
    }

    /// Where a pledge's PaymentIntent stands now, read from Stripe (the payment page asks on
    /// each visit, so the client secret is never kept in Masthead's database).
    public func intent(_ reference: String) async throws -> StripeIntent {
        guard reference.hasPrefix("pi_"), reference.utf8.count <= 255, reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { throw StripeProviderError.unexpectedObject("a reference that is not a PaymentIntent's id") }
        let intent = try await api.get("/v1/payment_intents/\(reference)")
        guard intent.string("id") == reference, let status = intent.string("status"), let secret = intent.string("client_secret") else {
            throw StripeProviderError.unexpectedObject("a PaymentIntent without its status or client secret")
        }
        return StripeIntent(status: status, clientSecret: secret)
    }

    public func cancelRecurring(pledge publicID: String, reference: String?) async throws {
        // One-time pledges have nothing to stop; recurring ones are not offered through Stripe yet.
    }

    public func parseWebhook(body: [UInt8], signatureHeader: String?, at now: Date) throws(WebhookRejection) -> PaymentEvent {
        try SignedWebhook.verify(body, header: signatureHeader, secrets: webhookSecrets, at: now)
        return try StripeEvent.read(body)
    }
}

/// A PaymentIntent as the payment page needs it.
public struct StripeIntent: Sendable, Equatable {
    /// Stripe's status: `requires_payment_method`, `requires_confirmation`, `requires_action`,
    /// `processing`, `succeeded`, `canceled`, …
    public var status: String
    /// What Stripe.js confirms the payment with, in the reader's browser only.
    public var clientSecret: String

    /// Whether the reader has paid, or Stripe is finishing the payment (the webhook follows).
    public var isPaid: Bool { status == "succeeded" || status == "processing" }
    /// Whether the reader may (still) pay: a card to enter, or one to confirm.
    public var isPayable: Bool { ["requires_payment_method", "requires_confirmation", "requires_action"].contains(status) }
}

/// Why the Stripe provider could not open a checkout, besides a failed call (``StripeError``).
public enum StripeProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A monthly pledge: not offered through Stripe yet.
    case recurringNotOffered
    /// Stripe answered with something that is not what was asked for.
    case unexpectedObject(String)

    public var description: String {
        switch self {
        case .recurringNotOffered: "monthly pledges are not offered through Stripe yet"
        case .unexpectedObject(let what): "Stripe answered with \(what)"
        }
    }
}

/// A Stripe event, read into a ``PaymentEvent`` (after its signature was checked). Read
/// defensively: events of older API versions (localstripe's among them) and fields we do not
/// know are fine; a missing id, type or time is not.
enum StripeEvent {
    static func read(_ body: [UInt8]) throws(WebhookRejection) -> PaymentEvent {
        guard let event = StripeObject(json: Data(body)) else { throw .malformedEvent("not a JSON object") }
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
        default: .other(type)
        }
    }

    /// The card's brand and last four, when the event carries the charge (`charges.data`, as
    /// API versions before 2022-11-15 and localstripe send it); newer events name only the
    /// `latest_charge`, and the receipt then says "card".
    static func card(of intent: StripeObject) -> CardSummary? {
        guard let charge = intent.object("charges")?.objects("data").last,
            let card = charge.object("payment_method_details")?.object("card"),
            let brand = card.string("brand"), let last4 = card.string("last4")
        else { return nil }
        return CardSummary(brand: brand, last4: last4)
    }
}

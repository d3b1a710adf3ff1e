public import DonationPledges
public import Foundation
import Logging
import Signing

/// Pledges paid through Stripe. A one-time pledge is a PaymentIntent (amount in minor units, its
/// currency, cards only, the pledge's public id in its metadata; no `receipt_email`, as Masthead
/// sends its own receipt). A monthly or annual pledge is a Customer whose card a SetupIntent
/// saves, then a Subscription to a plan for its amount, currency and interval
/// (`StripeProvider+recurring.swift`). The reader's card goes from Stripe.js straight to Stripe,
/// and the outcome comes back as a signed webhook.
public struct StripeProvider: PaymentProvider {
    public let name = "stripe"
    public let offersRecurring = true
    let api: StripeAPI
    /// Endpoint secrets (`whsec_…`) the webhook verifier accepts; several while one is rolled.
    let webhookSecrets: [[UInt8]]
    /// Base of the page where the reader pays (the public URL).
    let publicURL: String
    /// `pk_…`, what Stripe.js in a reader's browser is started with: public by design.
    public let publishableKey: String

    public init(api: StripeAPI, webhookSecrets: [String], publicURL: String, publishableKey: String) {
        self.api = api
        self.webhookSecrets = webhookSecrets.map { Array($0.utf8) }
        self.publicURL = publicURL
        self.publishableKey = publishableKey
    }

    /// The key Stripe deduplicates a pledge's PaymentIntent by: a retry after a timeout gets the
    /// PaymentIntent the first try made, never a second charge.
    static func idempotencyKey(forPledge publicID: String) -> String { "masthead-pledge-\(publicID)" }

    public func createCheckout(for pledge: CheckoutRequest) async throws -> Checkout {
        if pledge.interval.isRecurring { return try await recurringCheckout(for: pledge) }
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
        return Checkout(url: payPage(publicID: pledge.publicID), reference: id, cardForm: CardForm(clientSecret: secret, publishableKey: publishableKey))
    }

    /// Masthead's page where the reader pays a pledge.
    func payPage(publicID: String) -> String { "\(publicURL)/v1/pledges/\(publicID)/pay" }

    /// Where a pledge's PaymentIntent (one-time) or SetupIntent (recurring) stands now, read
    /// from Stripe (the payment page asks on each visit, so the client secret is never kept in
    /// Masthead's database).
    public func intent(_ reference: String) async throws -> StripeIntent {
        let kind: StripeIntent.Kind = reference.hasPrefix("seti_") ? .setup : .payment
        let path = kind == .setup ? "/v1/setup_intents/" : "/v1/payment_intents/"
        guard reference.hasPrefix(kind == .setup ? "seti_" : "pi_"), Self.isStripeID(reference) else {
            throw StripeProviderError.unexpectedObject("a reference that is not a PaymentIntent's or SetupIntent's id")
        }
        let intent = try await api.get(path + reference)
        guard intent.string("id") == reference, let status = intent.string("status"), let secret = intent.string("client_secret") else {
            throw StripeProviderError.unexpectedObject("an intent without its status or client secret")
        }
        return StripeIntent(kind: kind, status: status, clientSecret: secret)
    }

    public func cardForm(reference: String) async throws -> CardForm? {
        guard reference.hasPrefix("pi_") || reference.hasPrefix("seti_") else { return nil }
        let intent = try await intent(reference)
        return intent.isPayable ? CardForm(clientSecret: intent.clientSecret, publishableKey: publishableKey) : nil
    }

    /// Whether `text` has the shape of a Stripe id (letters, digits and `_`), safe in a path.
    static func isStripeID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The card of a one-time payment, from its PaymentIntent's PaymentMethod (two GETs, made only
    /// when the event carries no charge details).
    public func card(for event: PaymentEvent) async -> CardSummary? {
        guard let reference = event.reference, reference.hasPrefix("pi_"), Self.isStripeID(reference) else { return nil }
        do {
            guard let method = try await api.get("/v1/payment_intents/\(reference)").string("payment_method"), Self.isStripeID(method)
            else { return nil }
            return try await api.get("/v1/payment_methods/\(method)").object("card").flatMap(CardSummary.init(stripe:))
        } catch {
            api.logger.notice("the card of a payment could not be read from Stripe", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Stripe's events since `since` (it keeps them for 30 days), through the Events API a page
    /// of 100 at a time, oldest first. An event Masthead cannot read is skipped (a webhook of it
    /// would have been refused too).
    public func events(since: Date) async throws -> [PaymentEvent] {
        var events: [PaymentEvent] = []
        var after: String?
        repeat {
            let page = try await api.get(
                "/v1/events?created%5Bgte%5D=\(Int64(since.timeIntervalSince1970))&limit=100" + (after.map { "&starting_after=\($0)" } ?? ""))
            let objects = page.objects("data")
            events += objects.compactMap { try? StripeEvent.read($0) }
            after = page.boolean("has_more") == true ? objects.last?.string("id").flatMap { Self.isStripeID($0) ? $0 : nil } : nil
        } while after != nil
        return events.sorted { ($0.occurredAt, $0.id) < ($1.occurredAt, $1.id) }
    }

    public func parseWebhook(body: [UInt8], signatureHeader: String?, at now: Date) throws(WebhookRejection) -> PaymentEvent {
        try SignedWebhook.verify(body, header: signatureHeader, secrets: webhookSecrets, at: now)
        return try StripeEvent.read(body)
    }
}

/// A PaymentIntent (one-time pledge) or SetupIntent (recurring pledge) as the payment page
/// needs it.
public struct StripeIntent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A PaymentIntent: Stripe.js confirms the payment (`confirmCardPayment`).
        case payment
        /// A SetupIntent: Stripe.js saves the card (`confirmCardSetup`), then Masthead starts the subscription.
        case setup
    }

    public var kind: Kind
    /// Stripe's status: `requires_payment_method`, `requires_confirmation`, `requires_action`,
    /// `processing`, `succeeded`, `canceled`, …
    public var status: String
    /// What Stripe.js confirms the payment with, in the reader's browser only.
    public var clientSecret: String

    /// Whether the reader has paid (or saved the card), or Stripe is finishing it (the webhook follows).
    public var isPaid: Bool { status == "succeeded" || status == "processing" }
    /// Whether the reader may (still) pay: a card to enter, or one to confirm.
    public var isPayable: Bool { ["requires_payment_method", "requires_confirmation", "requires_action"].contains(status) }
}

/// Stripe answered with something that is not what was asked for (besides a failed call, a
/// ``StripeError``).
public enum StripeProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    case unexpectedObject(String)

    public var description: String {
        switch self {
        case .unexpectedObject(let what): "Stripe answered with \(what)"
        }
    }
}

import DonationPledges
import Foundation
import Logging
import PaymentProviders
import Signing
import Testing
import TestSupport

/// The Stripe provider against localstripe, a stateful fake Stripe server that speaks Stripe's
/// REST API and signs its webhooks as Stripe does. The reader's side (Stripe.js confirming the
/// PaymentIntent with a card) is played by the test with the same API calls.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: LocalStripe.available || ProcessInfo.processInfo.environment["CI"] != nil, "localstripe is not installed; Ops/test installs it"))
struct StripeProviderTests {
    static let webhookSecret = "whsec_masthead_test"
    static let publicURL = "https://news.example.org"

    /// localstripe, with its webhooks sent to its own recording route.
    struct Stripe {
        let server: LocalStripe
        let api: StripeAPI
        let provider: StripeProvider

        init() async throws {
            try await self.init(server: try await LocalStripe.start())
        }

        /// Over `server` (one localstripe a suite's tests share: each uses pledges of its own).
        init(server: LocalStripe) async throws {
            self.server = server
            api = StripeAPI(baseURL: server.url, secretKey: "sk_test_masthead", logger: Logger(label: "test"))
            provider = StripeProvider(api: api, webhookSecrets: [StripeProviderTests.webhookSecret], publicURL: StripeProviderTests.publicURL, publishableKey: "pk_test_masthead")
            do {
                _ = try await api.post(
                    "/_config/webhooks/masthead", [("url", server.url + "/_config/received-webhooks"), ("secret", StripeProviderTests.webhookSecret)],
                    idempotencyKey: "config")
            } catch let error as StripeError where error.status == 200 {
                // localstripe's own configuration route answers with an empty body.
            }
        }

        /// A one-time pledge's PaymentIntent, paid by `card` as Stripe.js would pay it (a test
        /// card's PaymentMethod id); returns Stripe's answer to a declined card too.
        func pay(_ pledge: String, minorUnits: Int64, currency: String = "USD", card: String) async throws -> (Checkout, declined: StripeError?) {
            let checkout = try await provider.createCheckout(
                for: CheckoutRequest(
                    publicID: pledge, amount: Money(minorUnits: minorUnits, currency: try #require(Currency.named(currency))),
                    interval: .once, email: "reader@example.org"))
            let intent = try #require(checkout.reference)
            _ = try await api.post("/v1/payment_intents/\(intent)", [("payment_method", card)], idempotencyKey: "card-\(intent)")
            do {
                _ = try await api.post("/v1/payment_intents/\(intent)/confirm", [], idempotencyKey: "confirm-\(intent)")
                return (checkout, nil)
            } catch let error as StripeError where error.isCardError {
                // A declined card: Stripe.js shows the reader this message; the webhook follows.
                return (checkout, error)
            }
        }

        /// The webhook of `type` about `pledge`, once localstripe has sent it (it waits a second).
        func webhook(_ type: String, pledge: String) async throws -> (body: [UInt8], signature: String) {
            try await webhook(type) { $0.object("metadata")?.string("pledge") == pledge }
        }

        /// The webhook of `type` whose object `matches`, once localstripe has sent it.
        func webhook(_ type: String, where matches: (StripeObject) -> Bool) async throws -> (body: [UInt8], signature: String) {
            for _ in 0..<100 {
                for entry in try await api.get("/_config/received-webhooks").objects("data") {
                    guard let body = entry.string("body"), let signature = entry.string("signature"),
                        let event = StripeObject(json: Array(body.utf8)), event.string("type") == type,
                        let object = event.object("data")?.object("object"), matches(object)
                    else { continue }
                    return (Array(body.utf8), signature)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw WebhookNeverCame(type: type)
        }
    }

    struct WebhookNeverCame: Error {
        let type: String
    }

    @Test func aOneTimePledgeIsAPaymentIntentWhoseWebhookSaysPaid() async throws {
        let stripe = try await Stripe()
        let (checkout, declined) = try await stripe.pay("pl_paid", minorUnits: 500, card: "pm_card_visa")
        #expect(declined == nil)
        let reference = try #require(checkout.reference)
        #expect(reference.hasPrefix("pi_"))
        #expect(checkout.cardForm?.clientSecret.hasPrefix(reference + "_secret_") == true, "the page's Payment Element needs it")
        #expect(checkout.url == "https://news.example.org/v1/pledges/pl_paid/pay")

        let intent = try await stripe.api.get("/v1/payment_intents/\(reference)")
        #expect(intent.integer("amount") == 500)
        #expect(intent.string("currency") == "usd")
        #expect(intent.object("metadata")?.string("pledge") == "pl_paid")
        #expect(intent.string("receipt_email") == nil, "Masthead sends its own receipt; Stripe would send a second")
        #expect(intent.string("status") == "succeeded")

        let (body, signature) = try await stripe.webhook("payment_intent.succeeded", pledge: "pl_paid")
        let event = try stripe.provider.parseWebhook(body: body, signatureHeader: signature, at: Date())
        #expect(event.kind == .paymentSucceeded)
        #expect(event.pledge == "pl_paid")
        #expect(event.id.hasPrefix("evt_"))
        #expect(event.amountMinor == 500)
        #expect(event.currency == "USD")

        // Signed with another endpoint's secret, or altered: refused before it is read.
        let stranger = StripeProvider(api: stripe.api, webhookSecrets: ["whsec_someone_else"], publicURL: Self.publicURL, publishableKey: "pk_test_masthead")
        #expect(throws: WebhookRejection.self) { try stranger.parseWebhook(body: body, signatureHeader: signature, at: Date()) }
        #expect(throws: WebhookRejection.self) {
            try stripe.provider.parseWebhook(body: body + Array(" ".utf8), signatureHeader: signature, at: Date())
        }
        #expect(throws: WebhookRejection.missingSignature) { try stripe.provider.parseWebhook(body: body, signatureHeader: nil, at: Date()) }
    }

    @Test func aDeclinedCardIsAFailedPaymentWithStripesMessage() async throws {
        let stripe = try await Stripe()
        // localstripe declines this test card's charge (Stripe's `pm_card_chargeCustomerFail`).
        let (checkout, declined) = try await stripe.pay("pl_declined", minorUnits: 100, card: "pm_card_chargeCustomerFail")
        #expect(declined?.isCardError == true)
        #expect(declined?.message == "Your card was declined.", "the message Stripe.js shows the reader")
        let (body, signature) = try await stripe.webhook("payment_intent.payment_failed", pledge: "pl_declined")
        let event = try stripe.provider.parseWebhook(body: body, signatureHeader: signature, at: Date())
        #expect(event.kind == .paymentFailed)
        #expect(event.pledge == "pl_declined")
        let intent = try await stripe.api.get("/v1/payment_intents/\(try #require(checkout.reference))")
        #expect(intent.string("status") == "requires_payment_method", "the reader may try another card")
    }

    @Test func stripesErrorObjectIsRead() async throws {
        let stripe = try await Stripe()
        let error = try await #require(throws: StripeError.self) { try await stripe.api.get("/v1/payment_intents/pi_nosuchintent") }
        #expect(error.status == 404)
        #expect(error.type == "invalid_request_error")
        #expect(!error.isCardError)
        #expect(!error.description.contains("sk_test_masthead"), "the secret key is never in a message")
    }

    @Test func aRefusedRequestIsNotSentAgain() async throws {
        let server = try await LocalStripe.start()
        let api = StripeAPI(
            baseURL: server.url + "/_config/flaky/refused", secretKey: "sk_test_masthead", retryDelays: [.milliseconds(50), .milliseconds(50)],
            logger: Logger(label: "test"))
        let error = try await #require(throws: StripeError.self) {
            try await api.post("/v1/payment_intents", [("colour", "red")], idempotencyKey: "masthead-refused")
        }
        #expect(error.status == 400 && error.code == "parameter_unknown" && !error.retryable)
        let plain = StripeAPI(baseURL: server.url, secretKey: "sk_test_masthead", logger: Logger(label: "test"))
        #expect(try await plain.get("/_config/flaky-requests").objects("data").count == 1)
    }

    /// A create that fails on Stripe's side, or whose answer never comes back, is sent again
    /// with the same Idempotency-Key, so Stripe answers the retry with the PaymentIntent the
    /// first try made (if it made one) and the reader is never charged twice.
    @Test(arguments: ["error", "dropped"]) func aFailedOrLostCreateIsRetriedWithTheSameIdempotencyKey(_ mode: String) async throws {
        let server = try await LocalStripe.start()
        let api = StripeAPI(
            baseURL: server.url + "/_config/flaky/\(mode)", secretKey: "sk_test_masthead", retryDelays: [.milliseconds(50)],
            logger: Logger(label: "test"))
        let provider = StripeProvider(api: api, webhookSecrets: [Self.webhookSecret], publicURL: Self.publicURL, publishableKey: "pk_test_masthead")
        let checkout = try await provider.createCheckout(
            for: CheckoutRequest(
                publicID: "pl_retry", amount: Money(minorUnits: 100, currency: try #require(Currency.named("USD"))), interval: .once,
                email: "reader@example.org"))
        #expect(checkout.reference == "pi_flaky")
        let plain = StripeAPI(baseURL: server.url, secretKey: "sk_test_masthead", logger: Logger(label: "test"))
        let requests = try await plain.get("/_config/flaky-requests").objects("data")
        #expect(requests.count == 2)
        #expect(Set(requests.compactMap { $0.string("idempotency_key") }) == ["masthead-pledge-pl_retry"])
        #expect(Set(requests.compactMap { $0.string("stripe_version") }) == [StripeAPI.version])
        #expect(Set(requests.compactMap { $0.string("body") }).count == 1, "the same request both times")
        #expect(requests.first?.string("body") == "amount=100&currency=usd&payment_method_types%5B%5D=card&metadata%5Bpledge%5D=pl_retry")
    }

    /// A provider that reaches no Stripe: for what needs no call (nothing listens on port 9).
    static let offline = StripeProvider(
        api: StripeAPI(baseURL: "http://127.0.0.1:9", secretKey: "sk_test_unused", retryDelays: [], logger: Logger(label: "test")),
        webhookSecrets: [webhookSecret], publicURL: publicURL, publishableKey: "pk_test_masthead")

    /// `body` read as a webhook signed with our endpoint secret at `now`.
    static func read(_ body: [UInt8], at now: Date) throws -> PaymentEvent {
        let header = WebhookSignature.header(for: body, secret: Array(webhookSecret.utf8), at: now)
        return try offline.parseWebhook(body: body, signatureHeader: header, at: now)
    }

    /// Stripe's documented `payment_intent.succeeded` (API versions before 2022-11-15 carry the
    /// charge, and its card, inside the PaymentIntent; localstripe's charges have no
    /// `payment_method_details`, so this part is checked against the documented payload).
    @Test func theCardComesFromTheChargeInTheEvent() throws {
        let body = Array(
            #"""
            {"id":"evt_3MtwBwLkdIwHu7ix0YeHdR3b","object":"event","api_version":"2020-08-27","created":1680064028,
             "type":"payment_intent.succeeded","livemode":false,"pending_webhooks":1,
             "request":{"id":"req_1","idempotency_key":"masthead-pledge-pl_fixture"},
             "data":{"object":{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent","amount":2000,"amount_received":2000,
               "currency":"usd","status":"succeeded","client_secret":"pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_x",
               "metadata":{"pledge":"pl_fixture"},"payment_method":"pm_1MtwBwLkdIwHu7ixxrsejPtG","latest_charge":"ch_3MtwBwLkdIwHu7ix2sqOz8bN",
               "charges":{"object":"list","has_more":false,"data":[{"id":"ch_3MtwBwLkdIwHu7ix2sqOz8bN","object":"charge","amount":2000,
                 "status":"succeeded","paid":true,"payment_method_details":{"type":"card","card":{"brand":"mastercard","last4":"4444",
                 "exp_month":8,"exp_year":2030,"funding":"credit","country":"US"}}}]}}}}
            """#.utf8)
        let event = try Self.read(body, at: Date(timeIntervalSince1970: 1_680_064_030))
        #expect(event.kind == .paymentSucceeded)
        #expect(event.pledge == "pl_fixture")
        #expect(event.amountMinor == 2000)
        #expect(event.card == CardSummary(brand: "mastercard", last4: "4444"))
        #expect(event.occurredAt == Date(timeIntervalSince1970: 1_680_064_028))
    }

    /// The documented shape of an event that is not about a PaymentIntent: acknowledged as a
    /// type Masthead does not act on, so Stripe stops sending it.
    @Test func anEventMastheadDoesNotActOnIsReadAsSuch() throws {
        let body = Array(#"{"id":"evt_1","object":"event","type":"customer.created","created":1764590400,"data":{"object":{"id":"cus_1","object":"customer"}}}"#.utf8)
        let event = try Self.read(body, at: Date(timeIntervalSince1970: 1_764_590_400))
        #expect(event.kind == .other("customer.created"))
        #expect(event.pledge.isEmpty)
    }

    /// Stripe's documented `charge.refunded`: the charge, refunded in full, naming its
    /// PaymentIntent (localstripe refunds but sends no event for it).
    @Test func aRefundFindsThePledgeByItsPaymentIntent() throws {
        let body = Array(
            #"""
            {"id":"evt_3MvN8bLkdIwHu7ix1dkFjC7X","object":"event","api_version":"2024-06-20","created":1680651737,
             "type":"charge.refunded","data":{"object":{"id":"ch_3MvN8bLkdIwHu7ix0n8aCYRs","object":"charge","amount":500,
               "amount_captured":500,"amount_refunded":500,"currency":"usd","paid":true,"refunded":true,"status":"succeeded",
               "metadata":{},"payment_intent":"pi_3MvN8bLkdIwHu7ix0ZN1BfTb","payment_method":"pm_1MvN8b"}}}
            """#.utf8)
        let event = try Self.read(body, at: Date(timeIntervalSince1970: 1_680_651_740))
        #expect(event.kind == .refunded)
        #expect(event.pledge.isEmpty && event.reference == "pi_3MvN8bLkdIwHu7ix0ZN1BfTb")
        #expect(event.amountMinor == 500 && event.currency == "USD")
    }

    /// Stripe's documented dispute object, in `charge.dispute.created` and `.closed`: only a
    /// dispute won is acted on when it closes.
    @Test(arguments: [
        ("charge.dispute.created", "warning_needs_response", PaymentEvent.Kind.disputed),
        ("charge.dispute.closed", "won", .disputeWon),
        ("charge.dispute.closed", "lost", .other("charge.dispute.closed")),
    ])
    func aDisputeIsReadFromItsPaymentIntent(_ type: String, _ status: String, _ kind: PaymentEvent.Kind) throws {
        let body = Array(
            #"""
            {"id":"evt_dispute_\#(status)","object":"event","created":1680651737,"type":"\#(type)",
             "data":{"object":{"id":"du_1MtJUT2eZvKYlo2CNaw2HvEv","object":"dispute","amount":500,"balance_transactions":[],
               "charge":"ch_1AZtxr2eZvKYlo2CJDX8whov","created":1680651737,"currency":"usd","is_charge_refundable":true,
               "livemode":false,"metadata":{},"payment_intent":"pi_3MtwBwLkdIwHu7ix28a3tqPa","reason":"fraudulent","status":"\#(status)"}}}
            """#.utf8)
        let event = try Self.read(body, at: Date(timeIntervalSince1970: 1_680_651_740))
        #expect(event.kind == kind)
        if kind != .other(type) { #expect(event.reference == "pi_3MtwBwLkdIwHu7ix28a3tqPa") }
    }

    /// A PaymentIntent the account made outside Masthead (no pledge in its metadata) is
    /// acknowledged, not refused: refused, Stripe would resend it for days.
    @Test func aPaymentOutsideMastheadIsReadWithoutAPledge() throws {
        let body = Array(
            #"{"id":"evt_2","object":"event","type":"payment_intent.succeeded","created":1764590400,"data":{"object":{"id":"pi_other","object":"payment_intent","amount":900,"currency":"usd","metadata":{}}}}"#
                .utf8)
        let event = try Self.read(body, at: Date(timeIntervalSince1970: 1_764_590_400))
        #expect(event.kind == .paymentSucceeded && event.pledge.isEmpty && event.reference == "pi_other")
    }
}

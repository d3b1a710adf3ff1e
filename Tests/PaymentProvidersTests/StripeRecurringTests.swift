import DonationPledges
import Foundation
import PaymentProviders
import Testing
import TestSupport

/// Monthly and annual pledges through Stripe, against localstripe: a Customer and a SetupIntent
/// at checkout, the card saved as Stripe.js saves it, then a Subscription to a reused plan,
/// its invoices' webhooks, and cancellation.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: LocalStripe.available || ProcessInfo.processInfo.environment["CI"] != nil, "localstripe is not installed; Ops/test installs it"))
struct StripeRecurringTests {
    typealias Stripe = StripeProviderTests.Stripe

    /// The shared localstripe: every test uses pledges of its own, and finds its webhooks by them.
    static func stripe() async throws -> Stripe { try await Stripe(server: try await LocalStripe.shared.value) }

    /// A recurring pledge as the store would hand it to the provider after its checkout.
    static func pledge(_ publicID: String, _ checkout: Checkout, minorUnits: Int64, interval: PledgeInterval) throws -> Pledge {
        let now = Date()
        return Pledge(
            id: 1, publicID: publicID, email: "reader@example.org", name: nil,
            amount: Money(minorUnits: minorUnits, currency: try #require(Currency.named("USD"))), interval: interval, tier: nil,
            status: .pending, card: nil, checkoutURL: checkout.url, returnURL: nil, provider: "stripe", createdAt: now, updatedAt: now,
            providerReference: checkout.reference)
    }

    /// Opens the checkout of a recurring pledge and saves `card` on its SetupIntent, as
    /// Stripe.js's `confirmCardSetup` does in the reader's browser.
    static func saveCard(
        _ stripe: Stripe, _ publicID: String, minorUnits: Int64, interval: PledgeInterval, card: String = "pm_card_visa"
    ) async throws -> Pledge {
        let checkout = try await stripe.provider.createCheckout(
            for: CheckoutRequest(
                publicID: publicID, amount: Money(minorUnits: minorUnits, currency: try #require(Currency.named("USD"))),
                interval: interval, email: "reader@example.org"))
        let setup = try #require(checkout.reference)
        #expect(setup.hasPrefix("seti_") && checkout.cardForm?.clientSecret.hasPrefix(setup + "_secret_") == true)
        let pledge = try Self.pledge(publicID, checkout, minorUnits: minorUnits, interval: interval)
        #expect(try await stripe.provider.startRecurring(pledge) == nil, "nothing starts before the card is saved")
        _ = try await stripe.api.post("/v1/setup_intents/\(setup)/confirm", [("payment_method", card)], idempotencyKey: "confirm-\(setup)")
        return pledge
    }

    @Test func aMonthlyPledgeIsASubscriptionWhoseInvoiceSaysPaidAndWhichCancels() async throws {
        let stripe = try await Self.stripe()
        let pledge = try await Self.saveCard(stripe, "pl_monthly", minorUnits: 500, interval: .monthly)
        let start = try #require(try await stripe.provider.startRecurring(pledge))
        #expect(start.reference.hasPrefix("sub_"))
        #expect(start.card == CardSummary(brand: "visa", last4: "4242"))
        let subscription = try await stripe.api.get("/v1/subscriptions/\(start.reference)")
        #expect(subscription.string("status") == "active", "charged at once")
        #expect(subscription.object("metadata")?.string("pledge") == "pl_monthly")
        #expect(subscription.object("plan")?.string("id") == "masthead-usd-500-month")

        let (body, signature) = try await stripe.webhook("invoice.payment_succeeded") { $0.string("subscription") == start.reference }
        let paid = try stripe.provider.parseWebhook(body: body, signatureHeader: signature, at: Date())
        #expect(paid.kind == .paymentSucceeded)
        #expect(paid.reference == start.reference && paid.pledge.isEmpty, "localstripe's invoices carry no metadata: found by the subscription")
        #expect(paid.amountMinor == 500 && paid.currency == "USD")

        try await stripe.provider.cancelRecurring(pledge: "pl_monthly", reference: start.reference)
        #expect(try await stripe.api.get("/v1/subscriptions/\(start.reference)").string("status") == "canceled")
        let (deleted, deletedSignature) = try await stripe.webhook("customer.subscription.deleted", pledge: "pl_monthly")
        let canceled = try stripe.provider.parseWebhook(body: deleted, signatureHeader: deletedSignature, at: Date())
        #expect(canceled.kind == .canceled && canceled.pledge == "pl_monthly" && canceled.reference == start.reference)
        // Canceling again (a retry whose first answer was lost) is not an error.
        try await stripe.provider.cancelRecurring(pledge: "pl_monthly", reference: start.reference)
    }

    @Test func pledgesOfOneAmountAndIntervalShareAPlanAndAnAnnualOneHasItsOwn() async throws {
        let stripe = try await Self.stripe()
        var plans: [String] = []
        for (publicID, interval) in [("pl_a", PledgeInterval.monthly), ("pl_b", .monthly), ("pl_c", .annual)] {
            let pledge = try await Self.saveCard(stripe, publicID, minorUnits: 5000, interval: interval)
            let start = try #require(try await stripe.provider.startRecurring(pledge))
            plans.append(try #require(try await stripe.api.get("/v1/subscriptions/\(start.reference)").object("plan")?.string("id")))
        }
        #expect(plans == ["masthead-usd-5000-month", "masthead-usd-5000-month", "masthead-usd-5000-year"])
        let annual = try await stripe.api.get("/v1/plans/masthead-usd-5000-year")
        #expect(annual.string("interval") == "year" && annual.integer("amount") == 5000 && annual.string("currency") == "usd")
        let plans5000 = try await stripe.api.get("/v1/plans?limit=100").objects("data").filter { $0.integer("amount") == 5000 }
        #expect(plans5000.count == 2, "one plan per amount and interval, made once")
    }

    /// A card Stripe saves but whose charges fail: the subscription stays `incomplete`
    /// (localstripe sends no event for a first invoice declined at once; Stripe sends
    /// `invoice.payment_failed`, read from its documented payload below).
    @Test func aCardDeclinedOnTheFirstInvoiceLeavesTheSubscriptionIncomplete() async throws {
        let stripe = try await Self.stripe()
        // localstripe's card that saves but whose charges fail (4000 0000 0000 0341).
        let pledge = try await Self.saveCard(stripe, "pl_decline", minorUnits: 500, interval: .monthly, card: "pm_card_chargeCustomerFail")
        let start = try #require(try await stripe.provider.startRecurring(pledge))
        #expect(try await stripe.api.get("/v1/subscriptions/\(start.reference)").string("status") == "incomplete")
    }

    /// A card refused when it is saved: Stripe.js shows the reader Stripe's message, and nothing
    /// starts.
    @Test func aCardRefusedWhenSavedStartsNothing() async throws {
        let stripe = try await Self.stripe()
        let checkout = try await stripe.provider.createCheckout(
            for: CheckoutRequest(
                publicID: "pl_refused", amount: Money(minorUnits: 500, currency: try #require(Currency.named("USD"))), interval: .annual,
                email: "reader@example.org"))
        let setup = try #require(checkout.reference)
        let refusal = await #expect(throws: StripeError.self) {
            _ = try await stripe.api.post("/v1/setup_intents/\(setup)/confirm", [("payment_method", "pm_card_visa_chargeDeclined")], idempotencyKey: "c")
        }
        #expect(refusal?.isCardError == true && refusal?.message == "Your card was declined.")
        let pledge = try Self.pledge("pl_refused", checkout, minorUnits: 500, interval: .annual)
        #expect(try await stripe.provider.startRecurring(pledge) == nil)
    }

    /// Stripe's documented `invoice.payment_failed`: a declined renewal (or first payment) of the
    /// subscription, found by its id.
    @Test func aFailedInvoiceIsAFailedPayment() throws {
        let body = Array(
            #"""
            {"id":"evt_failed","object":"event","api_version":"2024-06-20","created":1764590400,"type":"invoice.payment_failed",
             "data":{"object":{"id":"in_1","object":"invoice","amount_due":500,"amount_paid":0,"currency":"usd","status":"open",
               "subscription":"sub_1MtHbELkdIwHu7ix","attempt_count":1,"metadata":{}}}}
            """#.utf8)
        let event = try StripeProviderTests.read(body, at: Date(timeIntervalSince1970: 1_764_590_400))
        #expect(event.kind == .paymentFailed && event.reference == "sub_1MtHbELkdIwHu7ix" && event.id == "evt_failed")
        #expect(event.amountMinor == 500)
    }

    /// Stripe's documented `invoice.paid` of API 2024-06-20: the subscription's metadata is
    /// copied onto the invoice (`subscription_details`), which localstripe does not do; and
    /// `invoice.payment_succeeded` for the same invoice is the same payment.
    @Test func anInvoiceNamesItsPledgeAndItsTwoPaidEventsCountOnce() throws {
        func body(_ event: String, _ type: String) -> [UInt8] {
            Array(
                #"""
                {"id":"\#(event)","object":"event","api_version":"2024-06-20","created":1764590400,"type":"\#(type)",
                 "data":{"object":{"id":"in_1MtHbELkdIwHu7ixl4OzzPMv","object":"invoice","amount_due":1500,"amount_paid":1500,
                   "currency":"usd","customer":"cus_NeZwdNtLEOXuvB","status":"paid","charge":"ch_3MtHbELkdIwHu7ix0xqK2pAk",
                   "subscription":"sub_1MtHbELkdIwHu7ix","billing_reason":"subscription_cycle","metadata":{},
                   "subscription_details":{"metadata":{"pledge":"pl_fixture"}}}}}
                """#.utf8)
        }
        let at = Date(timeIntervalSince1970: 1_764_590_400)
        let paid = try StripeProviderTests.read(body("evt_paid", "invoice.paid"), at: at)
        let succeeded = try StripeProviderTests.read(body("evt_succeeded", "invoice.payment_succeeded"), at: at)
        #expect(paid.kind == .paymentSucceeded && paid.pledge == "pl_fixture" && paid.reference == "sub_1MtHbELkdIwHu7ix")
        #expect(paid.amountMinor == 1500 && paid.currency == "USD")
        #expect(paid.id == succeeded.id, "one payment, recorded (and receipted) once")
    }

    /// An update that ends a subscription cancels its pledge; other updates are not acted on.
    @Test(arguments: [("canceled", PaymentEvent.Kind.canceled), ("incomplete_expired", .canceled), ("past_due", .other("customer.subscription.updated"))])
    func aSubscriptionUpdateThatEndsItCancels(_ status: String, _ kind: PaymentEvent.Kind) throws {
        let body = Array(
            #"""
            {"id":"evt_update_\#(status)","object":"event","created":1764590400,"type":"customer.subscription.updated",
             "data":{"object":{"id":"sub_1","object":"subscription","status":"\#(status)","metadata":{"pledge":"pl_x"}}}}
            """#.utf8)
        let event = try StripeProviderTests.read(body, at: Date(timeIntervalSince1970: 1_764_590_400))
        #expect(event.kind == kind)
    }
}

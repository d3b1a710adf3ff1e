import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import PaymentProviders
import Testing
import TestSupport

/// Monthly and annual pledges through the daemon with `MASTHEAD_PAYMENTS=stripe`, against
/// localstripe over real HTTP both ways: the pledge's SetupIntent on the payment page, the card
/// saved as Stripe.js saves it, the page posting back so the daemon starts the Subscription,
/// the first invoice's webhook making the pledge active with its receipt, and the manage link
/// canceling the Subscription in Stripe.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: LocalStripe.available || ProcessInfo.processInfo.environment["CI"] != nil, "localstripe is not installed; Ops/test installs it"))
struct StripeRecurringFlowTests {
    /// Creates a recurring pledge over the API and saves `card` on its SetupIntent as
    /// Stripe.js's `confirmCardSetup` does; returns the pledge's id and SetupIntent.
    static func pledgeWithSavedCard(
        _ client: some TestClientProtocol, _ test: TestRuntime, _ api: StripeAPI, interval: String, amount: String, locale: String = "en"
    ) async throws -> (id: String, setup: String) {
        let created = try await PledgeHTTP.create(
            client, ["email": "anna@example.org", "amount": amount, "currency": "USD", "interval": interval, "locale": locale])
        #expect(created.status == .created)
        let id = try #require(try SignupHTTP.object(created)["pledge"] as? String)
        #expect((try SignupHTTP.object(created)["client_secret"] as? String)?.hasPrefix("seti_") == true, "confirmCardSetup's secret")
        #expect(try PledgeHTTP.checkoutPath(created) == "/v1/pledges/\(id)/pay")
        let setup = try #require(try await test.pledge(id)?.providerReference)
        #expect(setup.hasPrefix("seti_"))

        // The page asks Stripe.js to save the card (not to pay), and posts back to the daemon.
        let page = String(buffer: try await client.execute(uri: "/v1/pledges/\(id)/pay", method: .get).body)
        #expect(page.contains(#"data-mode="setup""#) && page.contains(#"data-secret="\#(setup)_secret_"#))
        #expect(page.contains(#"method="post" action="https://news.example.org/masthead/v1/pledges/\#(id)/pay""#))

        _ = try await api.post("/v1/setup_intents/\(setup)/confirm", [("payment_method", "pm_card_visa")], idempotencyKey: "confirm-\(setup)")
        return (id, setup)
    }

    /// The messages in the test's mail directory once there are at least `count` (delivering
    /// the outbox meanwhile; the daemon's own worker may deliver them first), parsed.
    static func receipts(_ test: TestRuntime, atLeast count: Int) async throws -> [ParsedEmail] {
        for _ in 0..<50 where try test.emails().count < count {
            try await test.deliver()
            try await Task.sleep(for: .milliseconds(100))
        }
        var parsed: [ParsedEmail] = []
        for email in try test.emails() { parsed.append(try await ParsedEmail.parse(email)) }
        return parsed
    }

    @Test(arguments: StoreKind.allCases) func aMonthlyPledgeStartsAfterTheCardIsSavedAndCancelsFromItsLink(_ store: StoreKind) async throws {
        try await StripePledgeFlowTests.withStripe(store) { test, api, _, client in
            let (id, _) = try await Self.pledgeWithSavedCard(client, test, api, interval: "monthly", amount: "5")
            let posted = try await client.execute(
                uri: "/v1/pledges/\(id)/pay", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("lang", "en")]))
            #expect(posted.status == .seeOther)
            #expect(posted.headers[.location] == "https://news.example.org/masthead/v1/pledges/\(id)/pay?lang=en")
            let started = try #require(try await test.pledge(id))
            let subscription = try #require(started.providerReference)
            #expect(subscription.hasPrefix("sub_"))
            #expect(started.card == CardSummary(brand: "visa", last4: "4242"), "the saved card, for the receipts")
            #expect(try await api.get("/v1/subscriptions/\(subscription)").object("plan")?.string("id") == "masthead-usd-500-month")
            // Posting again (a double click, a reload) starts nothing more.
            _ = try await client.execute(uri: "/v1/pledges/\(id)/pay", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([]))
            #expect(try await api.get("/v1/subscriptions").objects("data").count == 1)

            // The first invoice's webhook, found by the subscription, makes the pledge active.
            #expect(try await StripePledgeFlowTests.pledge(test, id, becomes: .active)?.status == .active)
            let receipt = try #require(try await Self.receipts(test, atLeast: 1).last)
            #expect((receipt.header("Subject") ?? "").contains("monthly support of $5.00"))
            #expect(receipt.text.contains("$5.00 (monthly)") && receipt.text.contains("Visa ending in 4242"))
            let link = try #require(receipt.link("/v1/pledges/manage"))

            // The reader cancels from the receipt's link: the subscription is deleted in Stripe at
            // once, and Stripe's `customer.subscription.deleted` finds the pledge already canceled
            // (or, on a loaded machine where the daemon's own write came after it, cancels it:
            // the pledge ends canceled either way, once).
            let manage = String(buffer: try await client.execute(
                uri: "/v1/pledges/manage?token=\(link.token)", method: .get, headers: [.accept: "text/html"]).body)
            #expect(manage.contains("$5.00 a month") && manage.contains("Cancel my recurring support"))
            let canceled = try await client.execute(
                uri: "/v1/pledges/manage", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", link.token)]))
            #expect(canceled.status == .ok)
            #expect(try await test.pledge(id)?.status == .canceled)
            #expect(try await api.get("/v1/subscriptions/\(subscription)").string("status") == "canceled")
            var outcome: [String] = []
            for _ in 0..<50 {
                outcome = try await test.sql("SELECT outcome FROM payment_events WHERE type = 'canceled'")
                if !outcome.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(outcome == ["ignored: already canceled"] || outcome == ["moved active -> canceled"], "\(outcome)")
            #expect(try await test.pledge(id)?.status == .canceled)
        }
    }

    /// A reader who closes the page as soon as the card is saved: the next visit of the page
    /// starts the subscription. The annual pledge's receipt is in Ukrainian, as asked.
    @Test func anAnnualPledgeWhosePageWasClosedStartsOnTheNextVisit() async throws {
        try await StripePledgeFlowTests.withStripe(.sqlite) { test, api, _, client in
            let (id, _) = try await Self.pledgeWithSavedCard(client, test, api, interval: "annual", amount: "50", locale: "uk")
            let again = String(buffer: try await client.execute(uri: "/v1/pledges/\(id)/pay?lang=uk", method: .get).body)
            #expect(again.contains("Дякуємо") && !again.contains("pay-form"))
            let subscription = try #require(try await test.pledge(id)?.providerReference)
            #expect(try await api.get("/v1/subscriptions/\(subscription)").object("plan")?.string("id") == "masthead-usd-5000-year")
            #expect(try await StripePledgeFlowTests.pledge(test, id, becomes: .active)?.status == .active)
            let receipt = try #require(try await Self.receipts(test, atLeast: 1).last)
            #expect((receipt.header("Subject") ?? "").contains("щорічна"))
            #expect(receipt.text.contains("(щороку)") && receipt.text.contains("4242"))
        }
    }
}

import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MastheadRuntime
import PaymentProviders
import Testing
import TestSupport

/// `masthead pledges sync` through the real executable, after Stripe's webhooks were lost: the
/// daemon's webhook endpoint is never configured in localstripe, so every outcome is known to
/// Stripe only until the sync reads its events. On SQLite only: the sync applies events through
/// the same store method as webhooks, which the webhook suites run on both stores.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: LocalStripe.available || ProcessInfo.processInfo.environment["CI"] != nil, "localstripe is not installed; Ops/test installs it"))
struct PledgeSyncTests {
    @Test func aSyncAppliesWhatTheLostWebhooksSaidAndStartsSavedCards() async throws {
        let store = StoreKind.sqlite
        let server = try await LocalStripe.start()
        let test = try await StripePledgeFlowTests.runtime(store, apiURL: server.url, scriptURL: server.url + "/js.stripe.com/v3/")
        defer { test.shutdown() }
        let api = StripeAPI(baseURL: server.url, secretKey: "sk_test_masthead", logger: Logger(label: "test"))
        let ids = try await test.application.test(.router) { client in
            var ids: [String: String] = [:]
            for (name, interval, amount) in [("paid", "once", "5"), ("declined", "once", "3"), ("monthly", "monthly", "7")] {
                let created = try await PledgeHTTP.create(
                    client, ["email": "\(name)@example.org", "amount": amount, "currency": "USD", "interval": interval])
                ids[name] = try #require(try SignupHTTP.object(created)["pledge"] as? String)
            }
            return ids
        }
        func reference(_ name: String) async throws -> String {
            let pledge = try await test.pledge(ids[name] ?? "")
            return try #require(pledge?.providerReference)
        }
        try await StripePledgeFlowTests.pay(api, try await reference("paid"), card: "pm_card_visa")
        try await StripePledgeFlowTests.pay(api, try await reference("declined"), card: "pm_card_chargeCustomerFail")
        // The monthly reader's card is saved, and they close the page before it posts back.
        let setup = try await reference("monthly")
        _ = try await api.post("/v1/setup_intents/\(setup)/confirm", [("payment_method", "pm_card_visa")], idempotencyKey: "c")
        for name in ids.keys { #expect(try await test.pledge(ids[name]!)?.status == .pending, "no webhook reached the daemon") }
        // The thank-you page shows the pledge's real state: paid on Stripe, not yet known here.
        let paidID = try #require(ids["paid"])
        func thanks() async throws -> String {
            try await test.application.test(.router) { client in
                String(buffer: try await client.execute(uri: "/support/thanks?pledge=\(paidID)&payment=succeeded", method: .get).body)
            }
        }
        let waiting = try await thanks()
        #expect(waiting.contains("Your bank is confirming the payment") && waiting.contains(#"id="check-again""#), "\(waiting)")

        let secrets = try TemporaryDirectory()
        try "sk_test_masthead\n".write(toFile: secrets.file("key"), atomically: true, encoding: .utf8)
        try "whsec_masthead_daemon\n".write(toFile: secrets.file("webhook"), atomically: true, encoding: .utf8)
        let stripe = [
            "MASTHEAD_PAYMENTS": "stripe", "MASTHEAD_STRIPE_SECRET_KEY_FILE": secrets.file("key"),
            "MASTHEAD_STRIPE_WEBHOOK_SECRET_FILE": secrets.file("webhook"), "MASTHEAD_STRIPE_PUBLISHABLE_KEY": "pk_test_masthead",
            "MASTHEAD_STRIPE_API_URL": server.url,
        ]
        func sync(_ extra: [String] = []) async throws -> Executables.Outcome {
            try await Executables.run(
                "masthead", ["pledges", "sync", "--database", test.databaseArgument] + extra, in: test.directory.path, environment: stripe)
        }
        let first = try await sync()
        #expect(first.status == 0, "\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("started  \(ids["monthly"]!)  $7.00 a month") }, "\(first.stdout)")
        #expect(lines.contains { $0.hasPrefix("applied  \(ids["paid"]!)  moved pending -> succeeded  (payment_succeeded, evt_") }, "\(first.stdout)")
        #expect(lines.contains { $0.hasPrefix("applied  \(ids["declined"]!)  moved pending -> failed  (payment_failed, evt_") }, "\(first.stdout)")
        let subscription = try await reference("monthly")
        #expect(lines.contains { $0.hasPrefix("applied  \(subscription)  moved pending -> active  (payment_succeeded, in_") }, "\(first.stdout)")
        #expect(lines.last?.contains(": 3 changed a pledge") == true, "\(first.stdout)")
        #expect(try await test.pledge(ids["paid"]!)?.status == .succeeded)
        let done = try await thanks()
        #expect(done.contains("We have sent a receipt") && !done.contains("check-again"), "\(done)")
        #expect(try await test.pledge(ids["declined"]!)?.status == .failed)
        #expect(try await test.pledge(ids["monthly"]!)?.status == .active)
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'receipt'") == ["2"], "the two payments' receipts are queued")

        // Again: everything is known, nothing changes.
        let second = try await sync(["--since", String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600)))])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.split(separator: "\n").contains { $0.hasPrefix("started") || $0.hasPrefix("applied") }, "\(second.stdout)")
        #expect(second.stdout.contains("already applied") && !second.stdout.contains("changed a pledge"), "\(second.stdout)")
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'receipt'") == ["2"])

        let tooFar = try await sync(["--since", "2020-01-01"])
        #expect(tooFar.status != 0 && tooFar.stderr.contains("30 days"), "\(tooFar.stderr)")
        // Stripe out of reach: a failure that says so, and nothing half-done.
        var unreachable = stripe
        unreachable["MASTHEAD_STRIPE_API_URL"] = "http://127.0.0.1:\(try Loopback.freePort())"
        let down = try await Executables.run(
            "masthead", ["pledges", "sync", "--database", test.databaseArgument], in: test.directory.path, environment: unreachable)
        #expect(down.status == 1 && down.stderr.contains("payment provider"), "\(down.status) \(down.stderr)")
    }
}

import DonationPledges
import Foundation
import PaymentProviders
import TestSupport
import Testing

/// `masthead pledges …` and `masthead tiers …` through the real executable, on pledges made
/// and paid through the real service.
@Suite(.timeLimit(.minutes(3))) struct PledgesCommandTests {
    func masthead(_ arguments: [String], _ test: TestRuntime) async throws -> Executables.Outcome {
        try await Executables.run("masthead", arguments + ["--database", test.databaseArgument], in: test.directory.path)
    }

    /// Creates a pledge through the service and pays it with the provider's webhook.
    @discardableResult
    func paidPledge(_ test: TestRuntime, _ request: PledgeRequest, payments: Int = 1) async throws -> String {
        guard case .new(let prepared) = try await test.pledges.prepare(request) else { throw CancellationError() }
        let id = try await test.pledges.create(prepared).pledge
        for payment in 0..<payments {
            let (body, signature) = test.simulated.signedEvent(
                PaymentEvent(id: "evt_\(id)_\(payment)", kind: .paymentSucceeded, pledge: id, occurredAt: test.clock.now))
            _ = try await test.pledges.receiveWebhook(body: body, signatureHeader: signature)
        }
        return id
    }

    @Test(arguments: StoreKind.allCases) func summaryTotalsPerCurrencyNeverMixThem(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        var outcome = try await masthead(["tiers", "currency", "JPY", "--minimum", "150", "--maximum", "1500000"], test)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        try await paidPledge(test, .keyed(email: "a@example.org", amount: "5", currency: "USD"))
        try await paidPledge(test, .keyed(email: "b@example.org", interval: "monthly", tier: "supporter"), payments: 2)
        try await paidPledge(test, .keyed(email: "c@example.org", amount: "1000", currency: "JPY"))
        try await paidPledge(test, .keyed(email: "d@example.org", amount: "3"), payments: 0)
        // Refunded in full: its money is returned, not collected.
        let refunded = try await paidPledge(test, .keyed(email: "e@example.org", amount: "4", currency: "USD"))
        let (body, signature) = test.simulated.signedEvent(
            PaymentEvent(id: "evt_refund", kind: .refunded, pledge: refunded, occurredAt: test.clock.now, amountMinor: 400, currency: "USD"))
        _ = try await test.pledges.receiveWebhook(body: body, signatureHeader: signature)

        outcome = try await masthead(["pledges", "summary", "--format", "csv"], test)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == """
            CURRENCY,PLEDGES,PAYING,PAYMENTS,COLLECTED,RETURNED\r
            JPY,1,1,1,"¥1,000",¥0\r
            USD,4,2,4,$15.00,$4.00\r

            """)
        outcome = try await masthead(["pledges", "summary", "--by", "tier", "--format", "csv"], test)
        #expect(outcome.stdout.contains("(custom) once,JPY,1,1,1,\"¥1,000\",¥0\r\n"))
        #expect(outcome.stdout.contains("supporter monthly,USD,1,1,2,$10.00,$0.00\r\n"))

        outcome = try await masthead(["pledges", "list", "--status", "active", "--format", "csv"], test)
        #expect(outcome.stdout.split(separator: "\r\n").count == 2)
        #expect(outcome.stdout.contains("active,$5.00,monthly,supporter,b@example.org"))
    }

    @Test(arguments: StoreKind.allCases) func showGivesTheHistory(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        let id = try await paidPledge(test, .keyed(email: "a@example.org", amount: "5"))
        var outcome = try await masthead(["pledges", "show", id, "--format", "table"], test)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("status    succeeded"))
        #expect(outcome.stdout.contains("pledge.created  by reader"))
        #expect(outcome.stdout.contains("pledge.payment_received  by provider"))
        #expect(outcome.stdout.contains("pledge.succeeded  by provider"))
        outcome = try await masthead(["pledges", "show", "pl_nosuchpledge"], test)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "masthead: no pledge has id pl_nosuchpledge\n")
    }

    @Test(arguments: StoreKind.allCases) func tiersAreSetWithinTheCurrencyLimits(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        var outcome = try await masthead(["tiers", "set", "patron", "--currency", "USD", "--interval", "monthly", "--amount", "25"], test)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "tier patron: $25.00 monthly\n")
        outcome = try await masthead(["tiers", "set", "tiny", "--currency", "USD", "--interval", "once", "--amount", "0.50"], test)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("outside USD's limits"))
        outcome = try await masthead(["tiers", "set", "friend", "--currency", "EUR", "--interval", "once", "--amount", "1"], test)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("EUR takes no pledges yet"))
        outcome = try await masthead(["tiers", "set", "odd", "--currency", "USD", "--interval", "once", "--amount", "1.005"], test)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("not an amount in USD"))
        outcome = try await masthead(["tiers", "remove", "sustainer", "--currency", "USD", "--interval", "monthly"], test)
        #expect(outcome.status == 0)
        outcome = try await masthead(["tiers", "list", "--format", "csv"], test)
        #expect(outcome.stdout.contains("USD,patron,monthly,$25.00\r\n"))
        #expect(!outcome.stdout.contains("sustainer"))
        #expect(outcome.stdout.contains("USD,(limits),custom amounts allowed,\"$1.00 – $10,000.00\"\r\n"))
        // The API offers what the command set.
        let offer = try await test.pledges.offer(currency: "USD")
        #expect(offer.tier("patron", interval: .monthly)?.amount.minorUnits == 2500)
    }
}

extension PledgeRequest {
    /// A request with a fresh idempotency key and no client details.
    static func keyed(
        email: String, amount: String? = nil, currency: String? = nil, interval: String? = nil, tier: String? = nil
    ) -> PledgeRequest {
        PledgeRequest(
            email: email, amount: amount, currency: currency, interval: interval, tier: tier, idempotencyKey: UUID().uuidString,
            clientIP: nil, userAgent: nil)
    }
}

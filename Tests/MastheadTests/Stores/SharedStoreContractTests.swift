import DonationPledges
import Foundation
import Mail
import MastheadRuntime
import MastheadSettings
import NewsletterSignup
import PaymentProviders
import TestSupport
import Testing

/// What every store must guarantee when two processes use one database at once (two daemons on
/// PostgreSQL; a daemon and the CLI on one SQLite file): each test opens a second runtime, with
/// its own connections, on the first one's database and races the two.
@Suite(.timeLimit(.minutes(3))) struct SharedStoreContractTests {
    static let client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140")

    /// Two runtimes over one database and one keys file, sharing a clock.
    func twoRuntimes(_ store: StoreKind) async throws -> (TestRuntime, TestRuntime) {
        let first = try await TestRuntime(store: store)
        let second = try await TestRuntime(store: store, clock: first.clock) { configuration in
            configuration.database = first.database
            configuration.keysPath = first.directory.file("masthead.keys")
        }
        try await first.newsletter("ukraine-daily")
        return (first, second)
    }

    @Test(arguments: StoreKind.allCases) func concurrentClaimsNeverHandOutAMessageTwice(_ store: StoreKind) async throws {
        let (first, second) = try await twoRuntimes(store)
        defer { first.shutdown(); second.shutdown() }
        for index in 0..<120 {
            try await first.runtime.services.signup.signUp(SignupRequest(email: "reader\(index)@example.org", client: Self.client))
        }
        let now = first.clock.now
        let stores = [first.runtime.store, second.runtime.store]
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<24 {
                group.addTask {
                    try await stores[worker % 2].claimDueMessages(limit: 5, at: now, leaseUntil: now.addingTimeInterval(60)).map(\.id)
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(claimed.count == 120, "24 claims of 5 take every one of the 120 queued messages")
        #expect(Set(claimed).count == claimed.count, "no message is claimed by two workers")
    }

    @Test(arguments: StoreKind.allCases) func aClaimIsALeaseThatExpires(_ store: StoreKind) async throws {
        let (first, second) = try await twoRuntimes(store)
        defer { first.shutdown(); second.shutdown() }
        try await first.runtime.services.signup.signUp(SignupRequest(email: "reader@example.org", client: Self.client))
        let now = first.clock.now
        let held = try await first.runtime.store.claimDueMessages(limit: 10, at: now, leaseUntil: now.addingTimeInterval(300))
        #expect(held.map(\.attempts) == [1])
        // While the lease runs, the other process sees nothing due; once it ran out, the message is its to send.
        #expect(try await second.runtime.store.claimDueMessages(limit: 10, at: now.addingTimeInterval(299), leaseUntil: now.addingTimeInterval(600)).isEmpty)
        let reclaimed = try await second.runtime.store.claimDueMessages(
            limit: 10, at: now.addingTimeInterval(300), leaseUntil: now.addingTimeInterval(600))
        #expect(reclaimed.map(\.id) == held.map(\.id))
        #expect(reclaimed.map(\.attempts) == [2])
    }

    @Test(arguments: StoreKind.allCases) func oneAddressSigningUpThroughBothAtOnceGetsOneConfirmation(_ store: StoreKind) async throws {
        let (first, second) = try await twoRuntimes(store)
        defer { first.shutdown(); second.shutdown() }
        let services = [first.runtime.services.signup, second.runtime.services.signup]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    _ = try await services[index % 2].signUp(SignupRequest(email: "Anna@Example.org", client: Self.client))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.sql("SELECT count(*) FROM subscribers") == ["1"])
        #expect(try await first.sql("SELECT count(*) FROM consent_records") == ["40"])
        #expect(try await first.sql("SELECT count(*) FROM outbox WHERE kind = 'confirmation'") == ["1"], "the per-address cap holds across processes")
    }

    @Test(arguments: StoreKind.allCases) func oneIdempotencyKeyThroughBothMakesOnePledge(_ store: StoreKind) async throws {
        let (first, second) = try await twoRuntimes(store)
        defer { first.shutdown(); second.shutdown() }
        let services = try [#require(first.runtime.services.pledges), #require(second.runtime.services.pledges)]
        let request = PledgeRequest(
            email: "anna@example.org", amount: "5", interval: "once", idempotencyKey: "key-shared",
            clientIP: "203.0.113.7", userAgent: "Firefox/140")
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            // Each answer as the API sends it, so "the same answer" means the same bytes.
            for index in 0..<20 {
                group.addTask {
                    switch try await services[index % 2].prepare(request) {
                    case .replay(let answer): return answer.json
                    case .new(let prepared): return try await services[index % 2].create(prepared).json
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(answers).count == 1, "every request with the key gets the first one's answer")
        #expect(try await first.sql("SELECT count(*) FROM pledges") == ["1"])
    }

    @Test(arguments: StoreKind.allCases) func oneWebhookEventThroughBothAppliesOnce(_ store: StoreKind) async throws {
        let (first, second) = try await twoRuntimes(store)
        defer { first.shutdown(); second.shutdown() }
        let services = try [#require(first.runtime.services.pledges), #require(second.runtime.services.pledges)]
        guard case .new(let prepared) = try await services[0].prepare(
            PledgeRequest(
                email: "anna@example.org", amount: "5", interval: "monthly", idempotencyKey: "key-1",
                clientIP: nil, userAgent: nil))
        else { throw CancellationError() }
        let id = try await services[0].create(prepared).pledge
        let event = PaymentEvent(
            id: "evt_shared", kind: .paymentSucceeded, pledge: id, occurredAt: first.clock.now, amountMinor: 500, currency: "USD",
            card: CardSummary(brand: "visa", last4: "4242"))
        let (body, signature) = try #require(first.runtime.services.simulatedPayments).signedEvent(event)
        let outcomes = try await withThrowingTaskGroup(of: PaymentEventOutcome.self) { group in
            for index in 0..<10 {
                group.addTask { try await services[index % 2].receiveWebhook(body: body, signatureHeader: signature) }
            }
            return try await group.reduce(into: [PaymentEventOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 != .replayed }.count == 1, "applied once; every other delivery is a replay")
        #expect(try await first.sql("SELECT count(*) FROM pledge_payments") == ["1"])
        #expect(try await first.sql("SELECT count(*) FROM outbox WHERE kind = 'receipt'") == ["1"])
    }
}

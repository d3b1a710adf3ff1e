import Foundation
import MastheadRuntime
@testable import NewsletterSignup
@testable import PostgresStorage
import SubscriberLists
import Testing

/// The PostgreSQL store records concurrent sign-ups in batches (`SignupQueue`): a batch must
/// write exactly what its sign-ups would have written one after another, answer each with its
/// own outcome or error, and not let one sign-up's fault fail the others.
// Three minutes, as every suite on a PostgreSQL database: in a full run all tests start at once
// on two cores and the first databases are copied from the template behind dozens of others
// (a fresh machine's run, 2026-12-05: these two, at two minutes, ran out while waiting).
@Suite(.timeLimit(.minutes(3))) struct PostgresSignupBatchTests {
    static let client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140")

    /// A runtime on a new PostgreSQL database with two newsletters, a reader who signed up an
    /// hour ago (so a second sign-up meets the cooldown) and a suppressed address.
    static func runtime(clock: TestClock) async throws -> (TestRuntime, PostgresStore) {
        let test = try await TestRuntime(store: .postgres, clock: clock)
        try await test.newsletter("ukraine-daily")
        try await test.newsletter("weekly")
        try await test.runtime.services.signup.signUp(SignupRequest(email: "known@example.org", newsletters: ["ukraine-daily"], client: client))
        try await test.runtime.services.directory.suppress("gone@example.org", note: nil, actor: "test")
        test.clock.advance(by: 3600)
        return (test, try #require(test.runtime.store as? PostgresStore))
    }

    /// Sign-ups of every kind: with and without their optional values, an address already
    /// signed up, a suppressed one, one for a newsletter that does not exist.
    static func requests() -> [SignupRequest] {
        [
            SignupRequest(
                email: "olena@example.org", newsletters: ["ukraine-daily"], locale: "uk", source: "https://news.example/article", client: client),
            SignupRequest(email: "plain@example.org", newsletters: ["weekly"], client: ClientContext(ipAddress: nil, userAgent: nil)),
            SignupRequest(email: "known@example.org", newsletters: ["ukraine-daily", "weekly"], client: client),
            SignupRequest(email: "gone@example.org", newsletters: ["weekly"], client: client),
            SignupRequest(email: "typo@example.org", newsletters: ["no-such-letter"], client: client),
            SignupRequest(email: "both@example.org", newsletters: ["ukraine-daily", "weekly"], locale: "en", client: client),
        ]
    }

    /// What the sign-ups wrote, by address rather than by id (the ids differ between runs).
    static func written(_ test: TestRuntime) async throws -> [String] {
        try await test.sql(
            """
            SELECT 'subscriber ' || email || ' ' || coalesce(locale, '-') || ' ' || created_at || ' ' || updated_at
            FROM subscribers ORDER BY 1
            """)
            + test.sql(
                """
                SELECT 'consent ' || s.email_normalized || ' ' || c.action || ' ' || coalesce(c.source, '-') || ' '
                    || coalesce(c.client_ip, '-') || ' ' || coalesce(c.user_agent, '-') || ' ' || coalesce(c.locale, '-') || ' '
                    || c.consent_text_version || ' ' || c.recorded_at || ' '
                    || (SELECT string_agg(n.slug, ',' ORDER BY n.slug) FROM consent_newsletters cn JOIN newsletters n ON n.id = cn.newsletter_id
                        WHERE cn.consent_id = c.id)
                FROM consent_records c JOIN subscribers s ON s.id = c.subscriber_id ORDER BY 1
                """)
            + test.sql(
                """
                SELECT 'subscription ' || s.email_normalized || ' ' || n.slug || ' ' || m.status || ' ' || coalesce(m.pending_since, '-')
                    || ' ' || coalesce(m.confirmed_at, '-')
                FROM subscriptions m JOIN subscribers s ON s.id = m.subscriber_id JOIN newsletters n ON n.id = m.newsletter_id
                ORDER BY 1
                """)
            + test.sql("SELECT 'mail ' || kind || ' ' || recipient || ' ' || created_at FROM outbox ORDER BY 1")
            + test.sql("SELECT 'event ' || action || ' ' || details || ' ' || occurred_at FROM events WHERE actor = 'reader' ORDER BY 1")
    }

    /// One description per outcome, the same whatever ids the run gave.
    static func describe(_ results: [Result<SignupOutcome, any Error>]) -> [String] {
        results.map { result in
            switch result {
            case .success(let outcome):
                "\(outcome.plan.reason) \(outcome.plan.changes.count) \(outcome.plan.email?.kind.rawValue ?? "-") \(outcome.consentID != nil)"
            case .failure(let error): "error \(error)"
            }
        }
    }

    @Test func aBatchWritesWhatEachSignUpAloneWouldHave() async throws {
        let (batched, batchedStore) = try await Self.runtime(clock: TestClock())
        defer { batched.shutdown() }
        let (alone, aloneStore) = try await Self.runtime(clock: TestClock())
        defer { alone.shutdown() }

        let prepared = try Self.requests().map { try batched.runtime.services.signup.prepare($0) }
        let together = await batchedStore.recordSignups(prepared)
        var oneByOne: [Result<SignupOutcome, any Error>] = []
        for signup in try Self.requests().map({ try alone.runtime.services.signup.prepare($0) }) {
            oneByOne += await aloneStore.recordSignups([signup])
        }

        let described = Self.describe(together)
        #expect(described == Self.describe(oneByOne))
        #expect(described.count == 6)
        #expect(described[0] == "confirmation_queued 1 confirmation true")
        #expect(described[3] == "suppressed 0 - false")
        #expect(described[4].hasPrefix("error "), "the unknown newsletter is refused: \(described[4])")
        let written = try await Self.written(batched)
        #expect(written == (try await Self.written(alone)))
        #expect(written.contains { $0.hasPrefix("consent olena@example.org signup https://news.example/article 203.0.113.7 Firefox/140 uk ") })
        #expect(written.contains { $0.hasPrefix("consent plain@example.org signup - - - - ") })
        #expect(!written.contains { $0.contains("typo@example.org") }, "a refused sign-up writes nothing, not even its subscriber")
        #expect(
            written.filter { $0.hasPrefix("mail confirmation") }.count == 1 + described.filter { $0.hasSuffix(" confirmation true") }.count,
            "one confirmation from before the batch, and one for each sign-up that planned one")
    }

    /// A value the database refuses (a NUL byte, which PostgreSQL's text cannot hold) fails
    /// that sign-up alone; the others in its batch are recorded.
    @Test func oneSignUpsFaultIsNotTheBatchs() async throws {
        let (test, store) = try await Self.runtime(clock: TestClock())
        defer { test.shutdown() }
        let service = test.runtime.services.signup
        var faulty = try service.prepare(SignupRequest(email: "nul@example.org", newsletters: ["weekly"], client: Self.client))
        faulty.record.client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox\u{0}/140")
        let results = await store.recordSignups([
            try service.prepare(SignupRequest(email: "first@example.org", newsletters: ["weekly"], client: Self.client)), faulty,
            try service.prepare(SignupRequest(email: "last@example.org", newsletters: ["weekly"], client: Self.client)),
        ])
        #expect(Self.describe(results)[0] == "confirmation_queued 1 confirmation true")
        #expect(Self.describe(results)[2] == "confirmation_queued 1 confirmation true")
        guard case .failure = results[1] else { Issue.record("the sign-up with a NUL byte was recorded"); return }
        #expect(try await test.sql("SELECT email FROM subscribers ORDER BY email") == ["first@example.org", "known@example.org", "last@example.org"])
    }

    /// Sign-ups arriving together share transactions (their rows carry the same `xmin`), and a
    /// second sign-up of one address still decides on what the first wrote: one confirmation.
    @Test func concurrentSignUpsShareTransactions() async throws {
        let (test, _) = try await Self.runtime(clock: TestClock())
        defer { test.shutdown() }
        let service = test.runtime.services.signup
        let outcomes = try await withThrowingTaskGroup(of: SignupOutcome.self) { group in
            for index in 0..<64 {
                let email = index % 8 == 0 ? "twice@example.org" : "reader\(index)@example.org"
                group.addTask { try await service.signUp(SignupRequest(email: email, newsletters: ["weekly"], client: Self.client)) }
            }
            return try await group.reduce(into: [SignupOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.count == 64)
        #expect(try await test.sql("SELECT count(*) FROM consent_records WHERE action = 'signup'") == ["65"])
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE recipient = 'twice@example.org'") == ["1"])
        let transactions = try await test.sql("SELECT count(DISTINCT xmin::text) FROM consent_records WHERE recorded_at > (SELECT min(recorded_at) FROM consent_records)")
        let count = try #require(Int(transactions.first ?? ""))
        #expect(count >= 8, "each sign-up of one address is a transaction of its own")
        #expect(count <= 32, "64 sign-ups at once took \(count) transactions")
    }
}

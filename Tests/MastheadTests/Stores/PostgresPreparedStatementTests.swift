import Foundation
import Logging
import Mail
@testable import NewsletterSignup
import PostgresNIO
@testable import PostgresStorage
import SideEffects
import SubscriberLists
import Testing

/// The PostgreSQL store's prepared statements, planned once per connection with generic plans.
/// It writes effects from arrays (`unnest`) so that a sign-up's write is one of them: its text
/// must not depend on the values, and the arrays must keep the rows' order and their missing
/// values. A generic plan must still search by index.
// Three minutes, as every suite on a PostgreSQL database: in a full run all tests start at once
// on two cores and the first databases are copied from the template behind dozens of others
// (a fresh machine's run, 2026-12-05: these two, at two minutes, ran out while waiting).
@Suite(.timeLimit(.minutes(3))) struct PostgresPreparedStatementTests {
    static let time = Date(timeIntervalSince1970: 1_796_380_000)

    /// Several rows of each effect, with every optional value present in one and absent in another.
    static func effects(subscriber: Int64?) -> Effects {
        Effects(
            audit: [
                AuditRecord(occurredAt: time, actor: "test", action: "first", subjectType: "consent", subjectID: 7, subscriberID: subscriber),
                AuditRecord(occurredAt: time, actor: "test", action: "second", subjectType: "newsletter", details: ["slug": "ukraine-daily"]),
                AuditRecord(occurredAt: time, actor: "test", action: "third", subjectType: "consent", subjectID: 8),
            ],
            mail: [
                OutboxDraft(kind: "confirmation", recipient: "a@example.org", subscriberID: subscriber, payload: Array(#"{"n":1}"#.utf8), queuedAt: time),
                OutboxDraft(kind: "receipt", recipient: "b@example.org", subscriberID: nil, payload: Array(#"{"n":2}"#.utf8), queuedAt: time),
            ],
            events: [
                OutgoingEvent(type: "subscriber.created", at: time, about: "a@example.org", data: [:]),
                OutgoingEvent(type: "pledge.created", at: time, about: nil, data: [:]),
            ])
    }

    /// Each prepared write, built with values of every kind (several rows, missing ones), has
    /// the text it was prepared from, with parameters numbered 1…n.
    @Test func theWritesHaveOneTextWhateverTheirValues() throws {
        let effects = Self.effects(subscriber: 12)
        let writes: [(SQLFragment, String)] = [
            (Self.signupWrite(effects: effects).fragment, SignupStatements.Write.sql),
            (LinkStatements.Confirm(
                consent: 9, subscriber: 12, newsletters: [1, 3], stamp: "2026-12-04T10:00:00.000Z", client: ("203.0.113.7", nil),
                effects: effects).fragment, LinkStatements.Confirm.sql),
            (LinkStatements.Unsubscribe(subscriber: 12, newsletters: [3], stamp: "2026-12-04T10:00:00.000Z", effects: effects).fragment,
             LinkStatements.Unsubscribe.sql),
        ]
        for (full, prepared) in writes {
            #expect(full.numberedSQL == prepared)
            let parameters = Set(prepared.matches(of: /\$([0-9]+)/).compactMap { Int($0.1) })
            #expect(try full.bindings().count == parameters.count)
            #expect(parameters == Set(1...parameters.count))
        }
    }

    /// A batch's write of two sign-ups, one with every optional value and one with none.
    static func signupWrite(effects: Effects) -> SignupStatements.Write {
        var write = SignupStatements.Write(effects: effects)
        let full = SignupRecord(
            normalizedAddress: "a@example.org", mailbox: "a@example.org", addressHash: "h1", locale: "uk", source: "https://news.example/",
            client: ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140"), consentTextVersion: "2", time: time)
        let bare = SignupRecord(
            normalizedAddress: "b@example.org", mailbox: "b@example.org", addressHash: "h2", locale: nil, source: nil,
            client: ClientContext(ipAddress: nil, userAgent: nil), consentTextVersion: "2", time: time)
        write.add(full, subscriber: 12, consent: 9, newsletters: [], plan: SignupPlan(changes: [3: .pending, 1: .confirmed], email: nil, reason: "x"))
        write.add(bare, subscriber: 13, consent: 10, newsletters: [], plan: SignupPlan(changes: [:], email: nil, reason: "x"))
        return write
    }

    @Test func effectsKeepTheirOrderAndTheirMissingValues() async throws {
        let store = try await Self.store()
        defer { try? store.close() }
        let queued = try await store.write { session in
            try await session.execute(
                """
                INSERT INTO webhook_endpoints (url, events, secret, created_at, updated_at)
                VALUES ('https://hooks.example/a', 'pledge.created,subscriber.created', 's', 'now', 'now'),
                    ('https://hooks.example/b', 'pledge.created', 's', 'now', 'now')
                """)
            let subscriber = try await session.value(
                "INSERT INTO subscribers (email, email_normalized, created_at, updated_at) VALUES ('a@example.org', 'a@example.org', 'now', 'now') RETURNING id",
                as: Int64.self)
            let statement = SignupStatements.Write(effects: Self.effects(subscriber: subscriber))
            return try await session.rows(statement).first?["count", as: Int.self]
        }
        // The first event went to the endpoint that asked for it, the second to both.
        #expect(queued == 3)
        let rows = try await store.read { session in
            (
                audit: try await session.rows("SELECT action, subject_id, subscriber_id, details FROM events WHERE actor = 'test' ORDER BY id")
                    .map { "\(try $0["action", as: String.self]) \(try $0["subject_id", as: Int64?.self].map(String.init) ?? "null") "
                        + "\(try $0["subscriber_id", as: Int64?.self].map { _ in "subscriber" } ?? "null") \(try $0["details", as: String.self])" },
                mail: try await session.rows("SELECT recipient, subscriber_id, payload FROM outbox ORDER BY id")
                    .map { "\(try $0["recipient", as: String.self]) \(try $0["subscriber_id", as: Int64?.self] == nil ? "null" : "subscriber") "
                        + (try $0["payload", as: String.self]) },
                deliveries: try await session.rows(
                    "SELECT d.event_type, d.address, e.url FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id ORDER BY d.id"
                ).map { "\(try $0["event_type", as: String.self]) \(try $0["address", as: String?.self] ?? "null") \(try $0["url", as: String.self])" }
            )
        }
        #expect(rows.audit == ["first 7 subscriber {}", #"second null null {"slug":"ukraine-daily"}"#, "third 8 null {}"])
        #expect(rows.mail == [#"a@example.org subscriber {"n":1}"#, #"b@example.org null {"n":2}"#])
        #expect(rows.deliveries == [
            "subscriber.created a@example.org https://hooks.example/a",
            "pledge.created null https://hooks.example/a", "pledge.created null https://hooks.example/b",
        ])
    }

    /// The delivery worker's claim, planned once without its values, still searches `outbox_due`
    /// in order: a plan that scanned the table and sorted would cost a claim as much as the
    /// backlog is long.
    @Test func theClaimsGenericPlanSearchesTheIndex() async throws {
        let store = try await Self.store()
        defer { try? store.close() }
        try await store.write { session in
            try await session.execute(
                """
                INSERT INTO outbox (kind, recipient, payload, state, attempts, next_attempt_at, created_at, sent_at)
                SELECT 'confirmation', 'r' || g || '@example.org', '{}', CASE WHEN g % 4 = 0 THEN 'queued' ELSE 'sent' END, 0,
                    '2026-12-04T10:00:00.000Z', '2026-12-04T10:00:00.000Z', NULL
                FROM generate_series(1, 20000) AS g
                """)
        }
        try await store.read { session in try await session.execute("ANALYZE outbox") }
        let claimed = try await store.claimDueMessages(limit: 32, at: Self.time, leaseUntil: Self.time.addingTimeInterval(60))
        #expect(claimed.count == 32)
        // The pool's one connection prepared the claim above; EXPLAIN shows the plan it keeps.
        // (EXECUTE's arguments cannot be parameters: the test's own timestamp goes as text.)
        let stamp = "'\(Timestamp.format(Self.time))'"
        let plan = try await store.read { session in
            try await session.rows("EXPLAIN EXECUTE \(unescaped: OutboxStatements.Claim.name)(\(unescaped: stamp), \(unescaped: stamp), 32)").map { try $0["QUERY PLAN", as: String.self] }.joined(separator: "\n")
        }
        #expect(plan.contains("Index Scan using outbox_due"), "\(plan)")
        #expect(!plan.contains("Seq Scan"), "\(plan)")
        #expect(!plan.contains("Sort"), "\(plan)")
    }

    static func store() async throws -> PostgresStore {
        PostgresStore(
            try PostgresLocation(url: try await PostgresTestServer.migratedDatabase(), poolSize: 1), logger: Logger(label: "masthead-tests"))
    }

    /// The pool's connections keep their generic plans: without it PostgreSQL planned the
    /// sign-up's write again for every sign-up (Ops/bench/README.md, "PostgreSQL sign-up").
    @Test func pooledConnectionsUseGenericPlans() async throws {
        let store = try await Self.store()
        defer { try? store.close() }
        let mode = try await store.read { session in try await session.value("SHOW plan_cache_mode", as: String.self) }
        #expect(mode == "force_generic_plan")
    }
}

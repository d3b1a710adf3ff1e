import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Mail
import MastheadRuntime
import SQLiteStorage
import Testing

/// The outbox: leases survive a crashed worker, transient failures are retried, bad rows die.
@Suite(.timeLimit(.minutes(1))) struct OutboxDeliveryTests {
    func state(_ test: TestRuntime) throws -> [String] {
        try DatabaseQueue(path: test.databasePath).read { db in
            try String.fetchAll(db, sql: "SELECT state || ':' || attempts FROM outbox ORDER BY id")
        }
    }

    func signUp(_ test: TestRuntime, _ email: String) async throws {
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": email])
        }
    }

    @Test func aWorkerKilledBetweenClaimAndSendIsCoveredByTheLease() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await signUp(test, "lost@example.org")
        // A worker claims the row and dies before sending or recording anything.
        let claimed = try await test.runtime.store.claimDueMessages(
            limit: 10, at: test.clock.now, leaseUntil: test.clock.now.addingTimeInterval(300))
        #expect(claimed.count == 1)
        #expect(try state(test) == ["sending:1"])
        // Another worker finds nothing while the lease holds…
        #expect(try await test.deliver() == 0)
        #expect(try test.emails().isEmpty)
        // …and sends it once the lease has run out.
        test.clock.advance(by: 301)
        #expect(try await test.deliver() == 1)
        #expect(try test.emails().count == 1)
        #expect(try state(test) == ["sent:2"])
        #expect(try await test.deliver() == 0)
    }

    @Test func transientFailuresAreRetriedWithBackoffThenSucceed() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("daily")
        // The outbox directory path is taken by a file: the file mailer cannot write (transient).
        #expect(FileManager.default.createFile(atPath: test.outboxDirectory, contents: Data("in the way".utf8)))
        try await signUp(test, "patient@example.org")
        #expect(try await test.deliver() == 1)
        #expect(try state(test) == ["queued:1"])
        let error = try await DatabaseQueue(path: test.databasePath).read { db in try String.fetchOne(db, sql: "SELECT last_error FROM outbox") }
        #expect(error?.contains("cannot create") == true)
        // Not due again before the backoff (30 s at least).
        test.clock.advance(by: 20)
        #expect(try await test.deliver() == 0)
        try FileManager.default.removeItem(atPath: test.outboxDirectory)
        test.clock.advance(by: 60)
        #expect(try await test.deliver() == 1)
        #expect(try state(test) == ["sent:2"])
        #expect(try test.emails().count == 1)
    }

    @Test func aRowThatCannotBeComposedGoesToTheDeadLetters() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await DatabaseQueue(path: test.databasePath).write { db in
            try db.execute(sql: """
                INSERT INTO outbox (kind, recipient, payload, next_attempt_at, created_at)
                VALUES ('confirmation', 'x@example.org', '{"broken": true}', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z'),
                       ('carrier_pigeon', 'y@example.org', '{}', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z')
                """)
        }
        #expect(try await test.deliver() == 2)
        #expect(try state(test) == ["dead:1", "dead:1"])
        #expect(try test.emails().isEmpty)
    }

    @Test func retryPolicyBacksOffExponentiallyAndGivesUp() {
        let policy = RetryPolicy(base: .seconds(30), cap: .seconds(3600), maximumAttempts: 10)
        let start = Date(timeIntervalSince1970: 0)
        #expect(policy.nextAttempt(after: 1, at: start, jitter: 0) == start.addingTimeInterval(30))
        #expect(policy.nextAttempt(after: 2, at: start, jitter: 0) == start.addingTimeInterval(60))
        #expect(policy.nextAttempt(after: 3, at: start, jitter: 1) == start.addingTimeInterval(180))
        #expect(policy.nextAttempt(after: 9, at: start, jitter: 0) == start.addingTimeInterval(3600))
        #expect(policy.nextAttempt(after: 10, at: start, jitter: 0) == nil)
    }

    @Test func theRunningWorkerSendsAsSoonAsAMessageIsQueued() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("daily")
        let worker = Task { try await test.runtime.deliveryWorker.run() }
        defer { worker.cancel() }
        try await signUp(test, "quick@example.org")
        // The idle poll is 5 s; the signal makes it immediate.
        let deadline = ContinuousClock.now + .seconds(3)
        while try test.emails().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try test.emails().count == 1)
    }
}

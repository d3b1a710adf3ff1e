import DonationPledges
import Foundation
import MastheadRuntime
import MastheadSettings
import NewsletterSignup
import Signing
import SubscriberLists
import TestSupport
import Testing
import Webhooks

/// `masthead db copy --from sqlite:FILE --to postgres://…`: a database made through the real
/// services reads the same, command for command, after the move.
@Suite(.timeLimit(.minutes(3))) struct DatabaseCopyTests {
    static let client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140")

    /// An SQLite database with sign-ups (some confirmed, one unsubscribed), an import, a pledge,
    /// a suppression and an erasure, as the other suites make them.
    func populatedSQLite() async throws -> TestRuntime {
        let test = try await TestRuntime()
        try await test.newsletter("ukraine-daily")
        try await test.newsletter("weekend-reads")
        // An endpoint, so every change below leaves a webhook delivery to copy.
        _ = try await test.runtime.services.webhooks.add(
            url: "http://127.0.0.1:9/hooks", events: ["*"], description: nil, secret: nil, actor: "test")
        let signup = test.runtime.services.signup
        for index in 0..<40 {
            try await signup.signUp(
                SignupRequest(
                    email: "reader\(index)@example.org", newsletters: index % 3 == 0 ? ["ukraine-daily", "weekend-reads"] : ["ukraine-daily"],
                    locale: index % 2 == 0 ? "uk" : nil, source: "footer", client: Self.client))
        }
        try await test.deliver()
        for (index, file) in try test.emails().prefix(10).enumerated() {
            let email = try await ParsedEmail.parse(file)
            _ = try await signup.confirm(token: try #require(email.link("/v1/confirm")).token, client: Self.client)
            if index == 0 { _ = try await signup.unsubscribe(token: try #require(email.link("/v1/unsubscribe")).token, client: Self.client) }
        }
        let csv = test.directory.file("import.csv")
        try "email,name,city\nolena@example.org,Olena,Kyiv\ntaras@example.org,Taras,Lviv\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let importer = SubscriberImporter(store: test.runtime.store, addressHash: test.runtime.keys.addressHash, now: test.clock.function)
        _ = try await importer.run(
            path: csv, options: ImportOptions(newsletter: "weekend-reads", confirmed: true, basis: "imported from the old list"), actor: "test",
            reject: { _ in }, progress: { _ in }, shouldStop: { false })
        let pledges = try #require(test.runtime.services.pledges)
        guard case .new(let prepared) = try await pledges.prepare(
            PledgeRequest(
                email: "reader1@example.org", amount: "5", interval: "monthly", idempotencyKey: "key-1",
                clientIP: "203.0.113.7", userAgent: "Firefox/140"))
        else { throw CancellationError() }
        _ = try await pledges.create(prepared)
        let directory = SubscriberDirectory(store: test.runtime.store, addressHash: test.runtime.keys.addressHash, now: test.clock.function)
        try await directory.suppress("spam-trap@example.org", note: "known trap", actor: "test")
        _ = try await directory.erase("reader39@example.org", actor: "test")
        return test
    }

    func masthead(_ test: TestRuntime, _ arguments: [String]) async throws -> Executables.Outcome {
        let path = test.directory.path
        return try await Executables.run("masthead", arguments, in: path)
    }

    @Test func aCopyReadsTheSameAsItsSourceAndRefusesToOverwrite() async throws {
        let test = try await populatedSQLite()
        defer { test.shutdown() }
        let source = "sqlite:\(test.databasePath)"
        let target = try await PostgresTestServer.freshDatabase()

        let copy = try await masthead(test, ["db", "copy", "--from", source, "--to", target])
        try #require(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.contains("copied 21 tables; row counts and checksums match"))
        #expect(copy.stderr.contains("subscribers: 41 rows copied and verified"))
        #expect(!copy.stdout.contains("masthead:masthead@"), "the password is never printed")

        // The same answers from both databases, for sampled readers and for whole lists.
        for email in ["reader0@example.org", "reader1@example.org", "reader3@example.org", "olena@example.org", "reader39@example.org"] {
            let before = try await masthead(test, ["subscribers", "access", email, "--database", source])
            let after = try await masthead(test, ["subscribers", "access", email, "--database", target])
            #expect(before.status == after.status)
            #expect(before.stdout == after.stdout, "access \(email)")
        }
        for command in [["subscribers", "export"], ["pledges", "list"], ["newsletters", "list"], ["subscribers", "count"]] {
            let before = try await masthead(test, command + ["--database", source])
            let after = try await masthead(test, command + ["--database", target])
            try #require(before.status == 0, "\(before.stderr)")
            #expect(before.stdout == after.stdout, "\(command.joined(separator: " "))")
        }

        // A second copy into the now non-empty target is refused and changes nothing; --replace redoes it.
        let refused = try await masthead(test, ["db", "copy", "--from", source, "--to", target])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--replace"))
        #expect(try await PostgresTestServer.rows(target, "SELECT count(*) FROM subscribers") == ["41"])
        let replaced = try await masthead(test, ["db", "copy", "--from", source, "--to", target, "--replace"])
        #expect(replaced.status == 0, "\(replaced.stderr)")

        // The copied database takes new sign-ups: its id sequences moved past the copied rows.
        let moved = try await TestRuntime(store: .postgres) { $0.database = .postgres(url: target) }
        defer { moved.shutdown() }
        try await moved.runtime.services.signup.signUp(
            SignupRequest(email: "new-reader@example.org", newsletters: ["ukraine-daily"], client: Self.client))
        #expect(try await PostgresTestServer.rows(target, "SELECT count(*) FROM subscribers") == ["42"])
    }

    @Test func aSourceThatIsNotSQLiteOrATargetThatIsNotPostgresIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let wrongTarget = try await Executables.run(
            "masthead", ["db", "copy", "--from", "sqlite:a.sqlite", "--to", "sqlite:b.sqlite"], in: directory.path)
        #expect(wrongTarget.status != 0)
        #expect(wrongTarget.stderr.contains("--to must be postgres://"))
        let missing = try await Executables.run(
            "masthead", ["db", "copy", "--from", "sqlite:missing.sqlite", "--to", "postgres://u@127.0.0.1/x"], in: directory.path)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("missing.sqlite does not exist"))
    }
}

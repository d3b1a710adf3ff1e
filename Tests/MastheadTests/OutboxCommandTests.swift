import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `masthead outbox …` through the real executable.
@Suite(.timeLimit(.minutes(3))) struct OutboxCommandTests {
    /// Two sign-ups whose emails died (an unwritable outbox directory), and one sent.
    func prepare(_ store: StoreKind) async throws -> TestRuntime {
        let test = try await TestRuntime(store: store)
        try await test.newsletter("daily")
        #expect(FileManager.default.createFile(atPath: test.outboxDirectory, contents: Data()))
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "first@example.org"])
            _ = try await SignupHTTP.signUp(client, ["email": "second@example.org"])
        }
        try await test.deliver()
        _ = try await test.sql("UPDATE outbox SET state = 'dead', last_error = 'cannot create outbox'")
        try FileManager.default.removeItem(atPath: test.outboxDirectory)
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "third@example.org"])
        }
        try await test.deliver()
        return test
    }

    func masthead(_ arguments: [String], _ test: TestRuntime) async throws -> Executables.Outcome {
        try await Executables.run(
            "masthead", arguments + ["--database", test.databaseArgument], in: test.directory.path,
            environment: ["MASTHEAD_KEYS": test.directory.file("masthead.keys"), "MASTHEAD_PUBLIC_URL": "https://news.example.org/masthead"])
    }

    @Test(arguments: StoreKind.allCases) func listShowsStatesAndFilters(_ store: StoreKind) async throws {
        let test = try await prepare(store)
        defer { test.shutdown() }
        let all = try await masthead(["outbox", "list", "--format", "json"], test)
        #expect(all.status == 0, "\(all.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["state"] as? String } == ["sent", "dead", "dead"])
        let dead = try await masthead(["outbox", "list", "--state", "dead", "--format", "csv"], test)
        #expect(dead.stdout.split(separator: "\r\n").count == 3)
        #expect(dead.stdout.contains("cannot create outbox"))
    }

    @Test(arguments: StoreKind.allCases) func showGivesTheHeadersAndTheLastError(_ store: StoreKind) async throws {
        let test = try await prepare(store)
        defer { test.shutdown() }
        let shown = try await masthead(["outbox", "show", "1"], test)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("state:        dead"))
        #expect(shown.stdout.contains("last error:   cannot create outbox"))
        #expect(shown.stdout.contains("To: <first@example.org>"))
        #expect(shown.stdout.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        // The message's own Date (when it was queued), not the time `show` ran.
        let created = try #require(shown.stdout.firstMatch(of: /created: +(\S+)/)?.1)
        let queued = try #require(try? Date(String(created), strategy: .iso8601))
        let header = try #require(shown.stdout.firstMatch(of: /\nDate: ([^\n]+)/)?.1)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        #expect(formatter.date(from: String(header)) == queued, "both in whole seconds")
        let missing = try await masthead(["outbox", "show", "99"], test)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no outbox message has id 99"))
    }

    /// The links of a message, decoded, ready to paste: the confirm link of the third sign-up's
    /// confirmation is the one its `.eml` holds (quoted-printable there), and it confirms.
    @Test(arguments: StoreKind.allCases) func showLinksPrintsTheDecodedLinks(_ store: StoreKind) async throws {
        let test = try await prepare(store)
        defer { test.shutdown() }
        let shown = try await masthead(["outbox", "show", "3", "--links"], test)
        #expect(shown.status == 0, "\(shown.stderr)")
        let links = shown.stdout.split(separator: "\n").map(String.init)
        let confirm = try #require(links.first)
        #expect(confirm.hasPrefix("https://news.example.org/masthead/v1/confirm?token=v1."), "\(links)")
        #expect(links.contains { $0.contains("/v1/preferences?token=") })
        #expect(!shown.stdout.contains("=3D"))
        let email = try await ParsedEmail.parse(try #require(try test.emails().last))
        #expect(email.link("/v1/confirm")?.url == confirm)
        // In development with the file mailer the daemon's log says the same link.
        #expect(test.log.text.contains("confirm=\(confirm)"))
    }

    @Test(arguments: StoreKind.allCases) func retryQueuesDeadMessagesAgainAndTheyAreSent(_ store: StoreKind) async throws {
        let test = try await prepare(store)
        defer { test.shutdown() }
        let one = try await masthead(["outbox", "retry", "1"], test)
        #expect(one.stdout == "queued 1 again\n")
        let rest = try await masthead(["outbox", "retry", "--dead"], test)
        #expect(rest.stdout == "queued 1 dead messages again\n")
        let both = try await masthead(["outbox", "retry", "1", "--dead"], test)
        #expect(both.status != 0)
        // The CLI's "now" is the wall clock; the worker's is the test clock: catch it up.
        test.clock.advance(by: Date().timeIntervalSince(test.clock.now) + 1)
        #expect(try await test.deliver() == 2)
        #expect(try test.emails().count == 3)
    }

    @Test(arguments: StoreKind.allCases) func purgeDeletesOnlySentMessagesBeforeTheDate(_ store: StoreKind) async throws {
        let test = try await prepare(store)
        defer { test.shutdown() }
        let early = try await masthead(["outbox", "purge", "--sent-before", "2000-01-01"], test)
        #expect(early.stdout == "purged 0 sent messages\n")
        let later = try await masthead(["outbox", "purge", "--sent-before", "2100-01-01"], test)
        #expect(later.stdout == "purged 1 sent messages\n")
        let remaining = try await test.sql("SELECT state FROM outbox")
        #expect(remaining == ["dead", "dead"])
        let bad = try await masthead(["outbox", "purge", "--sent-before", "last tuesday"], test)
        #expect(bad.status != 0)
    }
}

import Foundation
import GRDB
import SQLiteStorage
import SubscriberLists
import Synchronization
import TestSupport
import Testing

/// `masthead db …` through the real executable.
@Suite(.timeLimit(.minutes(3))) struct DatabaseCommandTests {
    @Test func migrateThenStatus() async throws {
        let directory = try TemporaryDirectory()
        let first = try await Executables.run("masthead", ["db", "migrate"], in: directory.path)
        #expect(first.status == 0)
        #expect(first.stdout == "applied 0001_init, 0002_signup, 0003_lists, 0004_pledges, 0005_refunds, 0006_annual, 0007_webhooks, 0008_admin_tokens, 0009_bounces, 0010_outbox_sent, 0011_domain_rules, 0012_abuse, 0013_consent_texts\n")
        let second = try await Executables.run("masthead", ["db", "migrate"], in: directory.path)
        #expect(second.stdout == "database is up to date\n")
        let status = try await Executables.run("masthead", ["db", "status", "--format", "csv"], in: directory.path)
        #expect(status.status == 0)
        #expect(status.stdout.hasPrefix("MIGRATION,STATE,APPLIED AT\r\n0001_init,applied,20"))
    }

    @Test func statusOfAFreshDatabaseShowsPendingSteps() async throws {
        let directory = try TemporaryDirectory()
        let status = try await Executables.run("masthead", ["db", "status", "--create", "--format", "csv"], in: directory.path)
        #expect(status.stdout == "MIGRATION,STATE,APPLIED AT\r\n0001_init,pending,\r\n0002_signup,pending,\r\n0003_lists,pending,\r\n0004_pledges,pending,\r\n0005_refunds,pending,\r\n0006_annual,pending,\r\n0007_webhooks,pending,\r\n0008_admin_tokens,pending,\r\n0009_bounces,pending,\r\n0010_outbox_sent,pending,\r\n0011_domain_rules,pending,\r\n0012_abuse,pending,\r\n0013_consent_texts,pending,\r\n")
    }

    /// Run from the wrong directory, a command must say where it looked, not answer from a new
    /// empty database; and it leaves nothing behind.
    @Test(arguments: [["db", "status"], ["subscribers", "count"], ["newsletters", "list"], ["outbox", "list"]])
    func aMissingDatabaseIsNotCreatedButNamed(_ command: [String]) async throws {
        let directory = try TemporaryDirectory()
        let outcome = try await Executables.run("masthead", command, in: directory.path)
        #expect(outcome.status == 78)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("no database at \(directory.file("masthead.sqlite"))"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--database or MASTHEAD_DATABASE"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "no database and no keys file")
    }

    @Test func aDataCommandNeverCreatesAKeysFile() async throws {
        let directory = try TemporaryDirectory()
        let migrated = try await Executables.run("masthead", ["db", "migrate"], in: directory.path)
        try #require(migrated.status == 0, "\(migrated.stderr)")
        let outcome = try await Executables.run("masthead", ["subscribers", "count"], in: directory.path)
        #expect(outcome.status == 78)
        #expect(outcome.stderr.contains("no keys file at \(directory.file("masthead.keys"))"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("masthead keys generate"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("masthead.keys")))
    }

    /// `--create` makes the database; the global options work before the subcommand too.
    @Test func createAndGlobalOptionsBeforeTheSubcommand() async throws {
        let directory = try TemporaryDirectory()
        let keys = try await Executables.run("masthead", ["keys", "generate"], in: directory.path)
        try #require(keys.status == 0, "\(keys.stderr)")
        let database = "sqlite:" + directory.file("elsewhere.sqlite")
        let created = try await Executables.run(
            "masthead", ["--database", database, "--create", "newsletters", "add", "daily", "--name", "Daily"], in: directory.path)
        #expect(created.status == 0, "\(created.stderr)")
        let listed = try await Executables.run("masthead", ["--database=\(database)", "newsletters", "list", "--format", "csv"], in: directory.path)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("daily,Daily,public"))
        // An empty first word is an unknown subcommand, not a crash.
        let empty = try await Executables.run("masthead", ["", "newsletters", "list"], in: directory.path)
        #expect(empty.status == 64, "\(empty.stderr)")
    }

    @Test func newerDatabaseIsRefusedByMigrateAndStatus() async throws {
        let directory = try TemporaryDirectory()
        _ = try await Executables.run("masthead", ["db", "migrate"], in: directory.path)
        try await DatabaseQueue(path: directory.file("masthead.sqlite")).write { db in
            try db.execute(sql: "INSERT INTO schema_migrations VALUES ('0099_future', 'x', '2030-01-01T00:00:00.000Z')")
        }
        let migrate = try await Executables.run("masthead", ["db", "migrate"], in: directory.path)
        #expect(migrate.status == 1)
        #expect(migrate.stderr.contains("0099_future, which this binary does not know"))
        let status = try await Executables.run("masthead", ["db", "status", "--format", "csv"], in: directory.path)
        #expect(status.status == 1)
        #expect(status.stdout.contains("0099_future,unknown"))
    }

    @Test func backupUnderWriteLoadIsConsistent() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("masthead.sqlite"))
        defer { try? store.close() }
        try await store.migrate()
        let catalog = NewsletterCatalog(store: store, now: Date.init)
        // Keep writing while the backup runs in another process.
        let written = Mutex(0)
        let writer = Task {
            while !Task.isCancelled {
                let next = written.withLock { $0 }
                do {
                    _ = try await catalog.create(NewsletterDraft(slug: "n\(next)", name: "Newsletter \(next)"), actor: "test")
                } catch is CancellationError {
                    break
                }
                written.withLock { $0 += 1 }
            }
        }
        while written.withLock({ $0 }) < 5 { try await Task.sleep(for: .milliseconds(10)) }
        let outcome = try await Executables.run("masthead", ["db", "backup", directory.file("copy.sqlite")], in: directory.path)
        writer.cancel()
        _ = await writer.result
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let copy = try DatabaseQueue(path: directory.file("copy.sqlite"))
        let (integrity, newsletters, events) = try await copy.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM newsletters") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            )
        }
        #expect(integrity == "ok")
        #expect(newsletters >= 5 && newsletters <= written.withLock { $0 } + 1)
        // Each newsletter and its audit event are written together: a torn copy would differ.
        #expect(events == newsletters)

        let again = try await Executables.run("masthead", ["db", "backup", directory.file("copy.sqlite")], in: directory.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
    }
}

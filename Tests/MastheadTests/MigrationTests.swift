import Foundation
import GRDB
import Migrations
import PostgresMigrations
import SQLiteStorage
import TestSupport
import Testing

/// Schema steps: applied once, recorded, append-only, never run against a newer database.
@Suite struct MigrationTests {
    @Test func freshDatabaseGetsEveryStep() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        let applied = try await store.migrate()
        #expect(applied == SQLiteMigrations.all.map(\.id))
        #expect(try await store.migrationPlan().isCurrent)
        let tables = try await DatabaseQueue(path: store.path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["newsletters", "subscribers", "subscriptions", "consent_records", "outbox", "pledges", "events"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func secondRunIsANoOp() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        try await store.migrate()
        #expect(try await store.migrate().isEmpty)
    }

    @Test func databaseWithAnUnknownNewerStepIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        let future = Migration(id: "9999_from_the_future", bytes: Array("CREATE TABLE later (id INTEGER);".utf8))
        try await store.migrate(known: SQLiteMigrations.all + [future])
        await #expect(throws: StorageError.self) { try await store.migrate() }
        do {
            try await store.migrate()
        } catch let error as StorageError {
            #expect(error.description.contains("9999_from_the_future, which this binary does not know"))
        }
    }

    @Test func editedStepIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        let original = Migration(id: "0001_a", bytes: Array("CREATE TABLE a (id INTEGER);".utf8))
        let edited = Migration(id: "0001_a", bytes: Array("CREATE TABLE a (id INTEGER, b TEXT);".utf8))
        try await store.migrate(known: [original])
        let plan = try await store.migrationPlan(known: [edited])
        #expect(plan.altered == ["0001_a"])
        await #expect(throws: StorageError.self) { try await store.migrate(known: [edited]) }
    }

    @Test func failingStepLeavesNothingBehind() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        let good = Migration(id: "0001_good", bytes: Array("CREATE TABLE good (id INTEGER);".utf8))
        let bad = Migration(id: "0002_bad", bytes: Array("CREATE TABLE broken (;".utf8))
        await #expect(throws: (any Error).self) { try await store.migrate(known: [good, bad]) }
        let plan = try await store.migrationPlan(known: [good, bad])
        #expect(plan.pending.map(\.id) == ["0001_good", "0002_bad"])
    }

    /// 0005 and 0006 rebuild SQLite's pledges table (a CHECK cannot change in place): a pledge
    /// written under 0004, with its payment and provider event, comes through whole, its children
    /// still point at it, and the new states and the annual interval are taken.
    @Test func rebuildingThePledgesTableKeepsThePledgesAndTheirChildren() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        try await store.migrate(known: Array(SQLiteMigrations.all.prefix { $0.id != "0005_refunds" }))
        let database = try DatabaseQueue(path: store.path)
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO pledges (id, public_id, email, email_normalized, amount_minor, currency, interval, status,
                    status_changed_at, idempotency_key, request_hash, response, provider, provider_reference, client_ip,
                    created_at, updated_at)
                VALUES (7, 'pl_kept', 'a@example.org', 'a@example.org', 500, 'USD', 'once', 'succeeded', '2026-11-30T10:00:00Z',
                    'key', 'hash', '{}', 'stripe', 'pi_kept', '198.51.100.7', '2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z');
                INSERT INTO pledge_payments (pledge_id, amount_minor, currency, provider_event_id, paid_at)
                VALUES (7, 500, 'USD', 'evt_paid', '2026-11-30T10:00:00Z');
                INSERT INTO payment_events (provider, event_id, type, pledge_id, occurred_at, received_at, outcome)
                VALUES ('stripe', 'evt_paid', 'payment_succeeded', 7, '2026-11-30T10:00:00Z', '2026-11-30T10:00:01Z', 'moved');
                """)
        }
        #expect(try await store.migrate() == ["0005_refunds", "0006_annual", "0007_webhooks", "0008_admin_tokens", "0009_bounces", "0010_outbox_sent", "0011_domain_rules", "0012_abuse", "0013_consent_texts"])
        try await database.write { db in
            #expect(try String.fetchAll(db, sql: "SELECT public_id || ' ' || provider_reference || ' ' || client_ip FROM pledges")
                == ["pl_kept pi_kept 198.51.100.7"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            try db.execute(sql: "UPDATE pledges SET status = 'refunded', interval = 'annual' WHERE id = 7")
            #expect(try String.fetchAll(db, sql: "SELECT name FROM pledge_tiers WHERE interval = 'annual' ORDER BY amount_minor") == ["member", "patron"])
            // The children still follow their pledge (GRDB turns foreign keys on): deleting it
            // cascades to its payment and clears the event's link.
            try db.execute(sql: "DELETE FROM pledges WHERE id = 7")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pledge_payments") == 0)
            #expect(try String.fetchAll(db, sql: "SELECT coalesce(pledge_id, 'none') FROM payment_events") == ["none"])
        }
    }

    /// Every file in Migrations/ENGINE/ is embedded, in order, and nothing else is; and the two
    /// engines have the same steps, so both stores are always at the same schema version.
    /// The argument is the engine's name only: the steps themselves would print their whole SQL
    /// into the test log as the test's arguments.
    @Test(arguments: ["sqlite", "postgres"])
    func embeddedStepsMatchTheFilesOnDisk(engine: String) throws {
        let steps = engine == "sqlite" ? SQLiteMigrations.all : PostgresMigrations.all
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Migrations/\(engine)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(steps.map { $0.id + ".sql" } == files)
        for step in steps {
            let onDisk = try String(contentsOf: directory.appendingPathComponent(step.id + ".sql"), encoding: .utf8)
            #expect(onDisk == step.sql)
        }
        let sequences = steps.map(\.sequence)
        #expect(sequences == Array(1...sequences.count))
        #expect(steps.map(\.id) == SQLiteMigrations.all.map(\.id))
    }
}

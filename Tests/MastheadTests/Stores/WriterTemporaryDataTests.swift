import Foundation
import GRDB
import Migrations
import SubscriberLists
import TestSupport
import Testing

@testable import SQLiteStorage

/// The SQLite writer keeps temporary data (journals, sorts, temporary tables) in memory, except
/// while something large runs (SQLiteStore.keepTemporaryData): a migration, an import run.
@Suite struct WriterTemporaryDataTests {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    static func batch(run: Int64, lines: ClosedRange<Int>, address: (Int) -> String) -> ImportBatch {
        let rows = lines.map { line in
            ImportRow(
                line: line, email: address(line), normalizedEmail: address(line), addressHash: "hash-\(address(line))",
                name: nil, locale: nil, createdAt: nil, newsletter: "daily", state: .confirmed, attributes: [:])
        }
        return ImportBatch(run: run, rows: rows, options: ImportOptions(newsletter: "daily"), time: now, actor: "test")
    }

    /// `PRAGMA temp_store` on the writer: 1 on file, 2 in memory.
    static func temporaryStorage(_ store: SQLiteStore) async throws -> Int? {
        try await store.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
    }

    /// A step may build an index over a large table, which sorts it.
    @Test func migrationStepsRunWithTemporaryDataOnFile() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        let probe = Migration(
            id: "9999_probe", bytes: Array("CREATE TABLE probe AS SELECT temp_store FROM pragma_temp_store();".utf8))
        try await store.migrate(known: SQLiteMigrations.all + [probe])
        let during = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT temp_store FROM probe") }
        #expect(during == 1)
        #expect(try await Self.temporaryStorage(store) == 2)
    }

    /// An import run's table of fingerprints grows with its file, so the writer keeps temporary
    /// data on file until the last run finishes. Switching drops every temporary table, so it
    /// must never happen under a run that is still going: duplicates across batches are still found.
    @Test func runsKeepTheirTablesOnFileAndTheWriterReturnsToMemoryAfterTheLast() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        try await store.migrate()
        #expect(try await Self.temporaryStorage(store) == 2, "a migration puts it back")
        _ = try await store.createNewsletter(NewsletterDraft(slug: "daily", name: "Daily"), at: Self.now, actor: "test")

        // Two runs at once; the second finishes first.
        let first = try await store.importBatch(Self.batch(run: 1, lines: 2...3) { "first\($0)@example.org" })
        let second = try await store.importBatch(Self.batch(run: 2, lines: 2...2) { "second\($0)@example.org" })
        #expect(first.outcomes == [.added, .added])
        #expect(second.outcomes == [.added])
        #expect(try await Self.temporaryStorage(store) == 1)
        try await store.finishImport(run: 2)
        #expect(try await Self.temporaryStorage(store) == 1)

        // The first run still knows line 2's address: its table survived the other's finish.
        let again = try await store.importBatch(Self.batch(run: 1, lines: 4...4) { _ in "first2@example.org" })
        #expect(again.outcomes == [.duplicate(ofLine: 2)])
        try await store.finishImport(run: 1)
        #expect(try await Self.temporaryStorage(store) == 2)
    }
}

import Foundation
import Synchronization
import SubscriberLists
import TestSupport
import Testing

@testable import SQLiteStorage

/// An import (`masthead subscribers import`) and the daemon write the same SQLite file from two
/// processes. Each batch holds the writer; between batches the import leaves it free for a
/// moment, and a writer waiting on another connection polls often enough to get in: a sign-up
/// waits for a batch, not for the whole import. In one process the gap between batches is wide
/// enough even without the pause; what this catches is a waiter that polls too seldom (with
/// SQLite's own timeout the write waited for all 8 batches). The pause is measured by
/// `Ops/bench/import-beside-signups`, across processes.
@Suite struct ImportBesideTheDaemonTests {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func aWriterOnAnotherConnectionGetsInBetweenBatches() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("db.sqlite")
        let importing = try SQLiteStore(path: path)
        defer { try? importing.close() }
        try await importing.migrate()
        _ = try await importing.createNewsletter(NewsletterDraft(slug: "daily", name: "Daily"), at: Self.now, actor: "test")
        let rows = 16_000
        let batchSize = 2_000
        let file = directory.file("list.csv")
        try Data(("email\n" + (1...rows).map { "reader\($0)@example.org\n" }.joined()).utf8).write(to: URL(fileURLWithPath: file))

        let batches = Atomic<Int>(0)
        let importer = SubscriberImporter(store: importing, addressHash: { "hash-" + $0 }, now: { Self.now })
        let run = Task {
            try await importer.run(
                path: file, options: ImportOptions(newsletter: "daily", batchSize: batchSize), actor: "test", reject: { _ in },
                progress: { _ in batches.add(1, ordering: .relaxed) })
        }
        while batches.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(2)) }

        // The daemon's connection, as a second process has it.
        let daemon = try SQLiteStore(path: path)
        defer { try? daemon.close() }
        _ = try await daemon.createNewsletter(NewsletterDraft(slug: "weekly", name: "Weekly"), at: Self.now, actor: "test")
        let batchesBefore = batches.load(ordering: .relaxed)

        let report = try await run.value
        #expect(report.added == rows)
        #expect(batches.load(ordering: .relaxed) == rows / batchSize)
        #expect(batchesBefore < rows / batchSize - 1, "the write waited for \(batchesBefore) of \(rows / batchSize) batches")
    }
}

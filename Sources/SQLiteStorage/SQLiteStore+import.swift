import Foundation
import GRDB
import SideEffects
import StoredRows
public import SubscriberLists

/// Imports, one transaction per batch, outside the group commit (``writeAlone``), set-based:
/// a batch's rows are staged in a temporary table and decided and written by a few statements
/// over the whole batch (``StagedImport``), as if written one by one in file order.
///
/// Written row by row, nine statements a row, a 1,000,000-row import took 47 s, 4.7 times
/// set-based SQL into the same schema; the statements were most of it, and each commit of a
/// 5,000-row batch wrote again every page of the address index the batch touched. Hence
/// set-based statements and batches of 15,000 (``preferredImportBatchSize``): Ops/bench/README.md,
/// "The SQLite import, set-based".
///
/// Duplicates across the whole file are found with a temporary table on the writer connection,
/// one per run, holding a 64-bit fingerprint of each (address, newsletter) seen and its line:
/// the importer keeps no set of addresses in memory, and the table stays small enough (16 bytes
/// a row) for SQLite's page cache at a million rows, past which it spills to its file: the
/// writer keeps temporary data on file while a run lasts (``keepTemporaryData(onFile:_:)``).
extension SQLiteStore {
    /// Rows per transaction when the operator names none: large enough that a commit's index
    /// pages serve many rows, small enough that the writer is held well under a second.
    public var preferredImportBatchSize: Int { 15_000 }

    /// How long the writer is left free after each import batch. The next batch is usually
    /// read by then, so without a pause the writer was taken again at once, and a daemon
    /// writing the same file got in only by chance; 20 ms lets it in, and run the few
    /// transactions a sign-up and its confirmation's delivery need (Ops/bench/README.md, "An
    /// import beside the daemon": with 3 ms, sign-ups waited up to 3.4 s).
    static let pauseAfterImportBatch = Duration.milliseconds(20)

    public func importBatch(_ batch: ImportBatch) async throws -> ImportBatchResult {
        try await writeWithoutTransaction { db in try Self.keepTemporaryData(onFile: true, db) }
        let result = try await writeAlone { db in
            var newsletters: [String: Newsletter] = [:]
            for slug in Set(batch.rows.map(\.newsletter)) { newsletters[slug] = try Self.requireNewsletter(db, slug: slug) }
            let staged = try StagedImport(db, run: batch.run, options: batch.options)
            try staged.stage(batch.rows, newsletters: newsletters)
            try staged.decide()
            var confirmations = 0
            if !batch.options.dryRun {
                let stamp = Timestamp.format(batch.time)
                try staged.insertNewSubscribers(at: stamp)
                try staged.fillBlanks(of: batch.rows, at: stamp)
                try staged.writeMemberships(at: stamp)
                let firstConsent = try staged.recordConsents(at: stamp)
                let byID = Dictionary(uniqueKeysWithValues: newsletters.values.map { ($0.id, $0) })
                for asked in try staged.confirmationsAsked(firstConsent: firstConsent) {
                    guard let newsletter = byID[asked.newsletter],
                          try !Self.hasRecentConfirmation(db, subscriber: asked.subscriber, at: batch.time)
                    else { continue }
                    try Self.save(
                        .confirmation(
                            consent: asked.consent, subscriber: try Self.contact(db, subscriber: asked.subscriber), newsletter: newsletter,
                            at: batch.time), db)
                    confirmations += 1
                }
            }
            let outcomes = try staged.outcomes(count: batch.rows.count)
            try Self.save(
                .importApplied(batch, outcomes: outcomes, newsletters: Array(newsletters.keys), confirmations: confirmations), db)
            return ImportBatchResult(outcomes: outcomes, confirmationsQueued: confirmations)
        }
        try? await Task.sleep(for: Self.pauseAfterImportBatch)
        return result
    }

    public func finishImport(run: Int64) async throws {
        try await writeWithoutTransaction { db in
            try StagedImport.drop(db, run: run)
            try Self.keepTemporaryData(onFile: false, db)
        }
    }

    private static func hasRecentConfirmation(_ db: Database, subscriber: Int64, at time: Date) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE subscriber_id = ? AND kind IN \(StoreSQL.cappedKinds) AND created_at > ?)
                """), arguments: [subscriber, Timestamp.format(SignupEmail.capWindowStart(before: time))]) ?? false
    }
}


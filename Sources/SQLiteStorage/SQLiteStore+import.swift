import Foundation
import GRDB
import SideEffects
import StoredRows
public import SubscriberLists

/// Imports, one transaction per batch, outside the group commit (``writeAlone``). Duplicates
/// across the whole file are found with a temporary table on the writer connection, one per
/// run, holding a 64-bit fingerprint of each (address, newsletter) seen and its line: the
/// importer keeps no set of addresses in memory, and the table stays small enough (16 bytes a
/// row) for SQLite's page cache at a million rows, past which it spills to its file: the
/// writer keeps temporary data on file while a run lasts (``keepTemporaryData(onFile:_:)``).
extension SQLiteStore {
    public func importBatch(_ batch: ImportBatch) async throws -> ImportBatchResult {
        try await writeWithoutTransaction { db in try Self.keepTemporaryData(onFile: true, db) }
        return try await writeAlone { db in
            let seen = try Self.seenTable(db, run: batch.run)
            var newsletters: [String: Newsletter] = [:]
            for slug in Set(batch.rows.map(\.newsletter)) { newsletters[slug] = try Self.requireNewsletter(db, slug: slug) }
            var outcomes: [ImportRowOutcome] = []
            outcomes.reserveCapacity(batch.rows.count)
            var confirmations = 0
            let stamp = Timestamp.format(batch.time)
            for row in batch.rows {
                guard let newsletter = newsletters[row.newsletter] else { continue }
                let (outcome, queued) = try Self.importRow(row, into: newsletter, batch: batch, seen: seen, stamp: stamp, db)
                outcomes.append(outcome)
                if queued { confirmations += 1 }
            }
            try Self.save(
                .importApplied(batch, outcomes: outcomes, newsletters: Array(newsletters.keys), confirmations: confirmations), db)
            return ImportBatchResult(outcomes: outcomes, confirmationsQueued: confirmations)
        }
    }

    public func finishImport(run: Int64) async throws {
        try await writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE IF EXISTS temp.\(Self.seenTableName(run))")
            try Self.keepTemporaryData(onFile: false, db)
        }
    }

    /// The run's table of fingerprints seen; the name is built from the run's number, never from input.
    static func seenTableName(_ run: Int64) -> String { "import_seen_\(run)" }

    /// Creates the run's table on first use and returns its name.
    static func seenTable(_ db: Database, run: Int64) throws -> String {
        let name = seenTableName(run)
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS \(name) (fingerprint INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        // Room for about a million fingerprints before the table spills to its temporary file.
        try db.execute(sql: "PRAGMA temp.cache_size = -16384")
        return name
    }

    /// Decides and (unless a dry run) writes one row; returns its outcome and whether a
    /// confirmation email was queued.
    private static func importRow(
        _ row: ImportRow, into newsletter: Newsletter, batch: ImportBatch, seen: String, stamp: String, _ db: Database
    ) throws -> (ImportRowOutcome, Bool) {
        let fingerprint = ImportFingerprint.of(addressHash: row.addressHash, newsletter: newsletter.id)
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO temp.\(seen) (fingerprint, line) VALUES (?, ?)")
            .execute(arguments: [fingerprint, row.line])
        if db.changesCount == 0 {
            let first = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT line FROM temp.\(seen) WHERE fingerprint = ?"), arguments: [fingerprint]) ?? 0
            return (.duplicate(ofLine: first), false)
        }
        if let reason = try suppressionReason(db, addressHash: row.addressHash) { return (.suppressed(reason), false) }
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, name, locale, attributes FROM subscribers WHERE email_normalized = ?"),
            arguments: [row.normalizedEmail])
        let subscriberID: Int64? = existing?["id"]
        let current = try subscriberID.flatMap { try membershipStatus(db, subscriber: $0, newsletter: newsletter.id) }
        let plan = ImportRowPlan(row: row, current: current, options: batch.options)
        guard !batch.options.dryRun else { return (plan.outcome, false) }
        let createdAt = row.createdAt.map(Timestamp.format)

        let subscriber: Int64
        if let existing, let subscriberID {
            let details = try SubscriberDetails(stored: existing)
            let filled = details.filled(from: row)
            if filled != details {
                try db.cachedStatement(sql: "UPDATE subscribers SET name = ?, locale = ?, attributes = ?, updated_at = ? WHERE id = ?")
                    .execute(arguments: [filled.name, filled.locale, JSONText.object(filled.attributes), stamp, subscriberID])
            }
            subscriber = subscriberID
        } else {
            subscriber = try insertSubscriber(
                db, email: row.email, normalized: row.normalizedEmail, name: row.name, locale: row.locale,
                attributes: row.attributes, createdAt: createdAt, at: stamp)
        }
        guard plan.writesMembership else { return (plan.outcome, false) }
        try setMembership(
            db, subscriber: subscriber, newsletter: newsletter.id, to: row.state, exists: current != nil,
            createdAt: createdAt ?? stamp, at: stamp)
        guard plan.recordsConsent else { return (plan.outcome, false) }
        let consent = try insertListConsent(
            db, subscriber: subscriber, newsletter: newsletter.id, action: ImportRowPlan.consentAction, source: batch.options.source,
            basis: batch.options.basis, locale: row.locale, confirmed: row.state == .confirmed, at: stamp)
        guard plan.asksConfirmation, try !hasRecentConfirmation(db, subscriber: subscriber, at: batch.time) else {
            return (plan.outcome, false)
        }
        try save(.confirmation(consent: consent, subscriber: try contact(db, subscriber: subscriber), newsletter: newsletter, at: batch.time), db)
        return (plan.outcome, true)
    }

    private static func hasRecentConfirmation(_ db: Database, subscriber: Int64, at time: Date) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE subscriber_id = ? AND kind IN \(StoreSQL.cappedKinds) AND created_at > ?)
                """), arguments: [subscriber, Timestamp.format(SignupEmail.capWindowStart(before: time))]) ?? false
    }

}

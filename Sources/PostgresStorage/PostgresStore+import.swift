import Foundation
import PostgresNIO
import SideEffects
import StoredRows
public import SubscriberLists

/// Imports, one transaction per batch.
///
/// Duplicates across the whole file are found, as in SQLite, with a table per run holding a
/// 64-bit fingerprint of each (address, newsletter) seen and its line. SQLite's is a TEMP table
/// on its single writer connection; here a batch may run on any pooled connection, so the table
/// is a real UNLOGGED one (scratch data: no WAL, emptied by a crash) named after the run, created
/// by the first batch and dropped by ``finishImport(run:)``.
///
/// A batch reads what it needs in a few set-based statements (fingerprints seen, the existing
/// subscribers, locked, their memberships, suppressions), then writes row by row in file order,
/// keeping what it wrote in memory so a later row of the batch sees an earlier one's subscriber.
extension PostgresStore {
    public func importBatch(_ batch: ImportBatch) async throws -> ImportBatchResult {
        try await write { session in
            let seen = try await Self.seenTable(session, run: batch.run)
            var newsletters: [String: Newsletter] = [:]
            for slug in Set(batch.rows.map(\.newsletter)).sorted() {
                newsletters[slug] = try await Self.requireNewsletter(session, slug: slug)
            }
            var rows: [(row: ImportRow, newsletter: Newsletter)] = []
            rows.reserveCapacity(batch.rows.count)
            for row in batch.rows {
                guard let newsletter = newsletters[row.newsletter] else { continue }
                rows.append((row, newsletter))
            }
            var state = try await Self.importState(session, rows: rows, seen: seen, lock: !batch.options.dryRun)
            var outcomes: [ImportRowOutcome] = []
            outcomes.reserveCapacity(rows.count)
            var confirmations = 0
            let stamp = Timestamp.format(batch.time)
            for (index, (row, newsletter)) in rows.enumerated() {
                let (outcome, queued) = try await Self.importRow(
                    row, index: index, into: newsletter, batch: batch, state: &state, stamp: stamp, session)
                outcomes.append(outcome)
                if queued { confirmations += 1 }
            }
            try await Self.save(
                .importApplied(batch, outcomes: outcomes, newsletters: Array(newsletters.keys), confirmations: confirmations),
                session)
            return ImportBatchResult(outcomes: outcomes, confirmationsQueued: confirmations)
        }
    }

    public func finishImport(run: Int64) async throws {
        try await write { session in
            try await session.execute("DROP TABLE IF EXISTS \(unescaped: Self.seenTableName(run))")
        }
    }

    /// The run's table of fingerprints seen; the name is built from the run's number, never from input.
    static func seenTableName(_ run: Int64) -> String { "import_seen_\(UInt64(bitPattern: run))" }

    /// Creates the run's table on first use (in the batch's transaction: a batch rolled back
    /// leaves no trace of its rows there either) and returns its name.
    static func seenTable(_ session: PostgresSession, run: Int64) async throws -> String {
        let name = seenTableName(run)
        try await session.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS \(unescaped: name) (fingerprint BIGINT PRIMARY KEY, line BIGINT NOT NULL)")
        return name
    }

    /// What a batch knows before it writes, and what it wrote since.
    struct ImportState {
        /// For each row of the batch (by index): the line it repeats, when it does.
        var duplicateOf: [Int: Int] = [:]
        /// Suppressed address hashes.
        var suppressions: [String: SuppressionReason] = [:]
        /// Subscribers by normalised address: those that existed (locked unless a dry run) and
        /// those the batch inserted.
        var subscribers: [String: KnownSubscriber] = [:]
        /// Membership states by subscriber and newsletter.
        var memberships: [MembershipKey: SubscriptionStatus] = [:]
    }

    struct KnownSubscriber {
        var id: Int64
        var details: SubscriberDetails
    }

    struct MembershipKey: Hashable {
        var subscriber: Int64
        var newsletter: Int64
    }

    /// Reads the batch's starting state in a few statements; records the batch's new fingerprints.
    private static func importState(
        _ session: PostgresSession, rows: [(row: ImportRow, newsletter: Newsletter)], seen: String, lock: Bool
    ) async throws -> ImportState {
        var state = ImportState()
        // Duplicates: earlier batches' fingerprints from the table, this batch's as the rows come
        // (the first row with a fingerprint wins, as with SQLite's row-by-row INSERT OR IGNORE).
        let fingerprints = rows.map { ImportFingerprint.of(addressHash: $0.row.addressHash, newsletter: $0.newsletter.id) }
        var firstLine: [Int64: Int] = [:]
        for row in try await session.rows(
            "SELECT fingerprint, line FROM \(unescaped: seen) WHERE fingerprint = ANY(\(Array(Set(fingerprints))))")
        {
            firstLine[try row["fingerprint", as: Int64.self]] = try row["line", as: Int.self]
        }
        var newFingerprints: [Int64] = []
        var newLines: [Int64] = []
        var fresh: [ImportRow] = []
        for (index, fingerprint) in fingerprints.enumerated() {
            if let line = firstLine[fingerprint] {
                state.duplicateOf[index] = line
                continue
            }
            let row = rows[index].row
            firstLine[fingerprint] = row.line
            newFingerprints.append(fingerprint)
            newLines.append(Int64(row.line))
            fresh.append(row)
        }
        if !newFingerprints.isEmpty {
            try await session.execute(
                """
                INSERT INTO \(unescaped: seen) (fingerprint, line)
                SELECT * FROM unnest(\(newFingerprints)::bigint[], \(newLines)::bigint[]) ON CONFLICT DO NOTHING
                """)
        }
        guard !fresh.isEmpty else { return state }

        // Subscribers first, locked in id order (the order every multi-row lock here takes),
        // then the suppressions: an erasure that held one of them has committed its suppression.
        let addresses = Array(Set(fresh.map(\.normalizedEmail)))
        var subscribersQuery: PostgresQuery =
            "SELECT id, email_normalized, name, locale, attributes FROM subscribers WHERE email_normalized = ANY(\(addresses)) ORDER BY id"
        if lock { subscribersQuery.sql += " FOR UPDATE" }
        var ids: [Int64] = []
        for row in try await session.rows(subscribersQuery) {
            let known = KnownSubscriber(id: try row["id"], details: try SubscriberDetails(stored: row))
            state.subscribers[try row["email_normalized", as: String.self]] = known
            ids.append(known.id)
        }
        if !ids.isEmpty {
            try await readMemberships(session, subscribers: ids, into: &state)
        }
        // What `suppressionReason` answers, for every address of the batch at once.
        let hashes = Array(Set(fresh.map(\.addressHash)))
        for row in try await session.rows("SELECT address_hash, reason FROM suppressions WHERE address_hash = ANY(\(hashes))") {
            if let reason = SuppressionReason(rawValue: try row["reason", as: String.self]) {
                state.suppressions[try row["address_hash", as: String.self]] = reason
            }
        }
        return state
    }

    private static func readMemberships(_ session: PostgresSession, subscribers: [Int64], into state: inout ImportState) async throws {
        for row in try await session.rows(
            "SELECT subscriber_id, newsletter_id, status FROM subscriptions WHERE subscriber_id = ANY(\(subscribers))")
        {
            guard let status = SubscriptionStatus(rawValue: try row["status", as: String.self]) else { continue }
            state.memberships[MembershipKey(subscriber: try row["subscriber_id"], newsletter: try row["newsletter_id"])] = status
        }
    }

    /// Decides and (unless a dry run) writes one row; returns its outcome and whether a
    /// confirmation email was queued.
    private static func importRow(
        _ row: ImportRow, index: Int, into newsletter: Newsletter, batch: ImportBatch, state: inout ImportState, stamp: String,
        _ session: PostgresSession
    ) async throws -> (ImportRowOutcome, Bool) {
        if let first = state.duplicateOf[index] { return (.duplicate(ofLine: first), false) }
        if let reason = state.suppressions[row.addressHash] { return (.suppressed(reason), false) }
        let createdAt = row.createdAt.map(Timestamp.format)
        var existing = state.subscribers[row.normalizedEmail]
        var inserted = false
        if existing == nil, !batch.options.dryRun {
            // Inserted before deciding (SQLite inserts after, the outcome is the same: a new
            // subscriber has no membership). When another daemon created the address since the
            // batch looked, its row is locked and read, and the row is decided on what it holds.
            if let id = try await insertSubscriber(
                session, email: row.email, normalized: row.normalizedEmail, name: row.name, locale: row.locale,
                attributes: row.attributes, createdAt: createdAt, at: stamp)
            {
                state.subscribers[row.normalizedEmail] = KnownSubscriber(
                    id: id, details: SubscriberDetails(name: row.name, locale: row.locale, attributes: row.attributes))
                inserted = true
            } else if let found = try await session.row(
                "SELECT id, name, locale, attributes FROM subscribers WHERE email_normalized = \(row.normalizedEmail) FOR UPDATE")
            {
                let known = KnownSubscriber(id: try found["id"], details: try SubscriberDetails(stored: found))
                state.subscribers[row.normalizedEmail] = known
                try await readMemberships(session, subscribers: [known.id], into: &state)
                existing = known
            } else {
                throw SubscriberRowContention()
            }
        }
        let subscriberID = existing?.id
        let current = subscriberID.flatMap { state.memberships[MembershipKey(subscriber: $0, newsletter: newsletter.id)] }
        let plan = ImportRowPlan(row: row, current: current, options: batch.options)
        guard !batch.options.dryRun, let subscriber = state.subscribers[row.normalizedEmail]?.id else { return (plan.outcome, false) }

        if !inserted, let existing {
            state.subscribers[row.normalizedEmail] = try await fillBlanks(session, subscriber: existing, with: row, at: stamp)
        }
        guard plan.writesMembership else { return (plan.outcome, false) }
        try await setMembership(
            session, subscriber: subscriber, newsletter: newsletter.id, to: row.state, exists: current != nil,
            createdAt: createdAt ?? stamp, at: stamp)
        state.memberships[MembershipKey(subscriber: subscriber, newsletter: newsletter.id)] = row.state
        guard plan.recordsConsent else { return (plan.outcome, false) }
        let consent = try await insertListConsent(
            session, subscriber: subscriber, newsletter: newsletter.id, action: ImportRowPlan.consentAction, source: batch.options.source,
            basis: batch.options.basis, locale: row.locale, confirmed: row.state == .confirmed, at: stamp)
        guard plan.asksConfirmation, try await !hasRecentConfirmation(session, subscriber: subscriber, at: batch.time) else {
            return (plan.outcome, false)
        }
        try await save(
            .confirmation(consent: consent, subscriber: try await contact(session, subscriber: subscriber), newsletter: newsletter, at: batch.time),
            session)
        return (plan.outcome, true)
    }

    /// Fills the subscriber's empty name and locale, and adds attributes it lacks; never
    /// overwrites what is there (so a re-run changes nothing). Returns the subscriber as it now is.
    private static func fillBlanks(
        _ session: PostgresSession, subscriber: KnownSubscriber, with row: ImportRow, at stamp: String
    ) async throws -> KnownSubscriber {
        var filled = subscriber
        filled.details = subscriber.details.filled(from: row)
        guard filled.details != subscriber.details else { return subscriber }
        try await session.execute(
            """
            UPDATE subscribers SET name = \(filled.details.name), locale = \(filled.details.locale),
                attributes = \(JSONText.object(filled.details.attributes)), updated_at = \(stamp)
            WHERE id = \(subscriber.id)
            """)
        return filled
    }

    private static func hasRecentConfirmation(_ session: PostgresSession, subscriber: Int64, at time: Date) async throws -> Bool {
        try await session.value(
            """
            SELECT EXISTS (SELECT 1 FROM outbox WHERE subscriber_id = \(subscriber) AND kind IN \(unescaped: StoreSQL.cappedKinds)
                AND created_at > \(Timestamp.format(SignupEmail.capWindowStart(before: time))))
            """, as: Bool.self) ?? false
    }

}

import Foundation
import PostgresNIO
import SideEffects
import StoredRows
public import SubscriberLists

/// Imports, one transaction per batch, set-based: a batch reads what it needs in a few
/// statements, decides every row in Swift, and writes in a few more, whatever its size.
///
/// Duplicates across the whole file are found, as in SQLite, with a table per run holding a
/// 64-bit fingerprint of each (address, newsletter) seen and its line. SQLite's is a TEMP table
/// on its single writer connection; here a batch may run on any pooled connection, so the table
/// is a real UNLOGGED one (scratch data: no WAL, emptied by a crash) named after the run, created
/// by the first batch and dropped by ``finishImport(run:)``.
///
/// A batch reads the fingerprints, the existing subscribers (locked), their memberships and the
/// suppressions; inserts the new subscribers in one statement; decides the rows in file order,
/// each seeing what the rows before it decided; and writes the details filled in, the
/// memberships, the consent records and the confirmations in one statement
/// (``ImportWrites``). Written row by row, three or four round trips a row, an import of
/// 100,000 rows took 83 s, 22 times SQLite's (Ops/bench/README.md, "PostgreSQL import").
extension PostgresStore {
    /// Rows per transaction when the operator names none. Larger batches were no faster here
    /// (1,000,000 rows: 54 s at 5,000, 52.5 s at 20,000) and held twice the memory.
    public var preferredImportBatchSize: Int { 5_000 }

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
            let options = batch.options
            let stamp = Timestamp.format(batch.time)
            var state = try await Self.importState(session, rows: rows, seen: seen, lock: !options.dryRun)
            if !options.dryRun {
                try await Self.insertNewSubscribers(session, rows: rows, state: &state, stamp: stamp)
                if options.sendConfirmations {
                    // Only a subscriber this batch did not create can have had one.
                    let earlier = state.subscribers.filter { !state.inserted.contains($0.key) }.map(\.value.id)
                    state.recentlyConfirmed = try await Self.recentlyConfirmed(session, subscribers: earlier, at: batch.time)
                }
            }
            var writes = ImportWrites()
            var outcomes: [ImportRowOutcome] = []
            outcomes.reserveCapacity(rows.count)
            for (index, (row, newsletter)) in rows.enumerated() {
                outcomes.append(
                    Self.decide(row, index: index, into: newsletter, options: options, stamp: stamp, state: &state, writes: &writes))
            }
            guard !options.dryRun else { return ImportBatchResult(outcomes: outcomes, confirmationsQueued: 0) }
            let consentIDs = try await Self.newConsentIDs(session, count: writes.consents.count)
            var effects = Effects.none
            for confirmation in writes.confirmations {
                effects += .confirmation(
                    consent: consentIDs[confirmation.consent], subscriber: confirmation.subscriber, newsletter: confirmation.newsletter,
                    at: batch.time)
            }
            effects += .importApplied(
                batch, outcomes: outcomes, newsletters: Array(newsletters.keys), confirmations: writes.confirmations.count)
            try await Self.save(
                effects, session,
                with: writes.statements(consentIDs: consentIDs, source: options.source, basis: options.basis, at: stamp))
            return ImportBatchResult(outcomes: outcomes, confirmationsQueued: writes.confirmations.count)
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
        /// Addresses whose subscriber this batch inserted and no row has been decided on yet.
        var inserted: Set<String> = []
        /// Subscribers with a confirmation in the cap's window, this batch's included.
        var recentlyConfirmed: Set<Int64> = []
    }

    struct KnownSubscriber {
        var id: Int64
        /// The address as stored (mailbox form): where a confirmation goes.
        var email: String
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
        let ids = try await lockSubscribers(
            session, normalized: Array(Set(fresh.map(\.normalizedEmail))), into: &state, lock: lock)
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

    /// Reads (and unless `lock` is false locks, in id order: the order every multi-row lock here
    /// takes) the subscribers of `normalized` addresses into `state`; returns their ids.
    private static func lockSubscribers(
        _ session: PostgresSession, normalized: [String], into state: inout ImportState, lock: Bool = true
    ) async throws -> [Int64] {
        var query: PostgresQuery = """
            SELECT id, email, email_normalized, name, locale, attributes FROM subscribers
            WHERE email_normalized = ANY(\(normalized)) ORDER BY id
            """
        if lock { query.sql += " FOR UPDATE" }
        var ids: [Int64] = []
        for row in try await session.rows(query) {
            let known = KnownSubscriber(id: try row["id"], email: try row["email"], details: try SubscriberDetails(stored: row))
            state.subscribers[try row["email_normalized", as: String.self]] = known
            ids.append(known.id)
        }
        return ids
    }

    private static func readMemberships(_ session: PostgresSession, subscribers: [Int64], into state: inout ImportState) async throws {
        for row in try await session.rows(
            "SELECT subscriber_id, newsletter_id, status FROM subscriptions WHERE subscriber_id = ANY(\(subscribers))")
        {
            guard let status = SubscriptionStatus(rawValue: try row["status", as: String.self]) else { continue }
            state.memberships[MembershipKey(subscriber: try row["subscriber_id"], newsletter: try row["newsletter_id"])] = status
        }
    }

    /// Inserts, in one statement, the subscribers the batch's rows name and the database lacks
    /// (the first row of each address gives the details), and locks and reads those another
    /// daemon created since the batch looked: their rows are decided on what they hold.
    private static func insertNewSubscribers(
        _ session: PostgresSession, rows: [(row: ImportRow, newsletter: Newsletter)], state: inout ImportState, stamp: String
    ) async throws {
        var newcomers: [ImportRow] = []
        var named = Set<String>()
        for (index, (row, _)) in rows.enumerated()
        where state.duplicateOf[index] == nil && state.suppressions[row.addressHash] == nil
            && state.subscribers[row.normalizedEmail] == nil && named.insert(row.normalizedEmail).inserted
        {
            newcomers.append(row)
        }
        guard !newcomers.isEmpty else { return }
        // A name or locale is never empty (the importer reads a blank field as none), so ""
        // stands for NULL in the arrays, which postgres-nio cannot bind.
        let inserted = try await session.rows(
            """
            INSERT INTO subscribers (email, email_normalized, name, locale, attributes, created_at, updated_at)
            SELECT v.email, v.normalized, NULLIF(v.name, ''), NULLIF(v.locale, ''), v.attributes, v.created_at, \(stamp)
            FROM unnest(\(newcomers.map(\.email))::text[], \(newcomers.map(\.normalizedEmail))::text[],
                \(newcomers.map { $0.name ?? "" })::text[], \(newcomers.map { $0.locale ?? "" })::text[],
                \(newcomers.map { JSONText.object($0.attributes) })::text[],
                \(newcomers.map { $0.createdAt.map(Timestamp.format) ?? stamp })::text[])
                WITH ORDINALITY AS v (email, normalized, name, locale, attributes, created_at, n)
            ORDER BY v.n
            ON CONFLICT (email_normalized) DO NOTHING
            RETURNING id, email_normalized
            """)
        var ids: [String: Int64] = [:]
        for row in inserted { ids[try row["email_normalized", as: String.self]] = try row["id", as: Int64.self] }
        var taken: [String] = []
        for row in newcomers {
            guard let id = ids[row.normalizedEmail] else {
                taken.append(row.normalizedEmail)
                continue
            }
            state.subscribers[row.normalizedEmail] = KnownSubscriber(
                id: id, email: row.email, details: SubscriberDetails(name: row.name, locale: row.locale, attributes: row.attributes))
            state.inserted.insert(row.normalizedEmail)
        }
        guard !taken.isEmpty else { return }
        let found = try await lockSubscribers(session, normalized: taken, into: &state)
        // Created and erased again by others meanwhile: the caller may try the batch again.
        guard found.count == taken.count else { throw SubscriberRowContention() }
        try await readMemberships(session, subscribers: found, into: &state)
    }

    /// The subscribers already asked for a confirmation within the cap's window: an import
    /// sends none of them another.
    private static func recentlyConfirmed(_ session: PostgresSession, subscribers: [Int64], at time: Date) async throws -> Set<Int64> {
        guard !subscribers.isEmpty else { return [] }
        var found = Set<Int64>()
        for row in try await session.rows(
            """
            SELECT DISTINCT subscriber_id FROM outbox WHERE subscriber_id = ANY(\(subscribers))
                AND kind IN \(unescaped: StoreSQL.cappedKinds) AND created_at > \(Timestamp.format(SignupEmail.capWindowStart(before: time)))
            """)
        {
            found.insert(try row["subscriber_id", as: Int64.self])
        }
        return found
    }

    /// Decides one row on what the batch knows, in file order, and adds what it writes to
    /// `writes` (nothing on a dry run); returns its outcome.
    private static func decide(
        _ row: ImportRow, index: Int, into newsletter: Newsletter, options: ImportOptions, stamp: String, state: inout ImportState,
        writes: inout ImportWrites
    ) -> ImportRowOutcome {
        if let first = state.duplicateOf[index] { return .duplicate(ofLine: first) }
        if let reason = state.suppressions[row.addressHash] { return .suppressed(reason) }
        // The first row of an address the batch inserted finds no subscriber before it, as when
        // rows were written one by one; a later row of the same address finds that one.
        let inserted = state.inserted.remove(row.normalizedEmail) != nil
        let known = state.subscribers[row.normalizedEmail]
        let current = inserted ? nil : known.flatMap { state.memberships[MembershipKey(subscriber: $0.id, newsletter: newsletter.id)] }
        let plan = ImportRowPlan(row: row, current: current, options: options)
        guard !options.dryRun, var subscriber = known else { return plan.outcome }

        if !inserted {
            let filled = subscriber.details.filled(from: row)
            if filled != subscriber.details {
                subscriber.details = filled
                state.subscribers[row.normalizedEmail] = subscriber
                writes.details[subscriber.id] = filled
            }
        }
        guard plan.writesMembership else { return plan.outcome }
        writes.memberships.append(
            MembershipWrite(
                subscriber: subscriber.id, newsletter: newsletter.id, status: row.state, exists: current != nil,
                createdAt: row.createdAt.map(Timestamp.format) ?? stamp))
        state.memberships[MembershipKey(subscriber: subscriber.id, newsletter: newsletter.id)] = row.state
        guard plan.recordsConsent else { return plan.outcome }
        writes.consents.append(
            ImportWrites.Consent(subscriber: subscriber.id, newsletter: newsletter.id, locale: row.locale, confirmed: row.state == .confirmed))
        // One confirmation per subscriber in the cap's window, this batch's included.
        guard plan.asksConfirmation, state.recentlyConfirmed.insert(subscriber.id).inserted else { return plan.outcome }
        writes.confirmations.append(
            ImportWrites.Confirmation(
                consent: writes.consents.count - 1,
                subscriber: SubscriberContact(
                    id: subscriber.id, email: subscriber.email, normalizedEmail: row.normalizedEmail, locale: subscriber.details.locale),
                newsletter: newsletter))
        return plan.outcome
    }
}

import Foundation
import GRDB
import SideEffects
import StoredRows
import SubscriberLists

/// One import batch staged in a temporary table of the writer connection and applied by
/// statements over the whole table, with the outcome a row-by-row import in file order has:
/// - a row repeating an (address, newsletter) seen earlier in the run is a duplicate of that line;
/// - a suppressed address is rejected;
/// - every other row is decided on its membership as it stood before the batch (a batch holds an
///   (address, newsletter) once, so no row changes another's), by the plans ``ImportRowPlan``
///   gives for every (current, wanted) pair, tabulated once per batch: the rules stay in Swift;
/// - the first row of a new address creates its subscriber; the blanks of a subscriber's details
///   are filled from the rows after, in file order, never overwritten.
///
/// The tables' names come from the run's number, never from input. `live` rows are those
/// neither duplicated nor suppressed.
struct StagedImport {
    let db: Database
    let options: ImportOptions
    /// The batch's rows and what was decided about each.
    let rows: String
    /// Every plan, by (current state or '', wanted state).
    let plans: String
    /// The run's fingerprints with the line each was first seen on.
    let seen: String

    private static let live = "duplicate_of IS NULL AND suppressed IS NULL"

    static func names(run: Int64) -> (rows: String, plans: String, seen: String) {
        ("import_rows_\(UInt64(bitPattern: run))", "import_plans_\(UInt64(bitPattern: run))", "import_seen_\(UInt64(bitPattern: run))")
    }

    /// Creates the run's tables on its first batch and empties the batch's.
    init(_ db: Database, run: Int64, options: ImportOptions) throws {
        self.db = db
        self.options = options
        (rows, plans, seen) = Self.names(run: run)
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS \(seen) (fingerprint INTEGER PRIMARY KEY, line INTEGER NOT NULL);
            CREATE TEMP TABLE IF NOT EXISTS \(plans) (
                current TEXT NOT NULL, wanted TEXT NOT NULL, outcome TEXT NOT NULL,
                writes INTEGER NOT NULL, consents INTEGER NOT NULL, asks INTEGER NOT NULL,
                PRIMARY KEY (current, wanted)) WITHOUT ROWID;
            CREATE TEMP TABLE IF NOT EXISTS \(rows) (
                idx INTEGER PRIMARY KEY, line INTEGER NOT NULL, email TEXT NOT NULL, normalized TEXT NOT NULL,
                address_hash TEXT NOT NULL, fingerprint INTEGER NOT NULL, newsletter_id INTEGER NOT NULL, state TEXT NOT NULL,
                name TEXT, locale TEXT, attributes TEXT NOT NULL, created_at TEXT,
                duplicate_of INTEGER, suppressed TEXT, subscriber_id INTEGER, current TEXT, outcome TEXT,
                writes INTEGER NOT NULL DEFAULT 0, consents INTEGER NOT NULL DEFAULT 0, asks INTEGER NOT NULL DEFAULT 0);
            DELETE FROM \(rows);
            DELETE FROM \(plans);
            """)
        // Room for about a million fingerprints before the table spills to its temporary file.
        try db.execute(sql: "PRAGMA temp.cache_size = -16384")
    }

    static func drop(_ db: Database, run: Int64) throws {
        let (rows, plans, seen) = names(run: run)
        try db.execute(sql: "DROP TABLE IF EXISTS temp.\(rows); DROP TABLE IF EXISTS temp.\(plans); DROP TABLE IF EXISTS temp.\(seen)")
    }

    /// Puts the batch's rows in the table, `idx` being each one's place in the batch.
    func stage(_ batch: [ImportRow], newsletters: [String: Newsletter]) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO \(rows) (idx, line, email, normalized, address_hash, fingerprint, newsletter_id, state, name, locale,
                attributes, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (index, row) in batch.enumerated() {
            guard let newsletter = newsletters[row.newsletter] else { throw NewsletterError.notFound(row.newsletter) }
            try insert.execute(arguments: [
                index, row.line, row.email, row.normalizedEmail, row.addressHash,
                ImportFingerprint.of(addressHash: row.addressHash, newsletter: newsletter.id), newsletter.id, row.state.rawValue,
                row.name, row.locale, JSONText.object(row.attributes), row.createdAt.map(Timestamp.format),
            ])
        }
        let plan = try db.cachedStatement(sql: "INSERT INTO \(plans) VALUES (?, ?, ?, ?, ?, ?)")
        for current in [nil] + SubscriptionStatus.allCases {
            for wanted in SubscriptionStatus.allCases {
                let decided = ImportRowPlan(wanted: wanted, current: current, options: options)
                try plan.execute(arguments: [
                    current?.rawValue ?? "", wanted.rawValue, decided.outcome.reportKey, decided.writesMembership,
                    decided.recordsConsent, decided.asksConfirmation,
                ])
            }
        }
    }

    /// Finds duplicates, suppressed addresses, the subscribers and memberships there are, and
    /// each live row's plan. Writes nothing but the run's fingerprints.
    func decide() throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO \(seen) (fingerprint, line) SELECT fingerprint, line FROM \(rows) ORDER BY idx;
            UPDATE \(rows) SET (duplicate_of, suppressed, subscriber_id) = (
                nullif((SELECT s.line FROM \(seen) s WHERE s.fingerprint = \(rows).fingerprint), line),
                (SELECT reason FROM suppressions s WHERE s.address_hash = \(rows).address_hash),
                (SELECT id FROM subscribers s WHERE s.email_normalized = \(rows).normalized));
            UPDATE \(rows) SET current = (SELECT status FROM subscriptions m
                    WHERE m.subscriber_id = \(rows).subscriber_id AND m.newsletter_id = \(rows).newsletter_id)
                WHERE \(Self.live) AND subscriber_id IS NOT NULL;
            UPDATE \(rows) SET (outcome, writes, consents, asks) = (SELECT outcome, writes, consents, asks FROM \(plans) p
                    WHERE p.current = coalesce(\(rows).current, '') AND p.wanted = \(rows).state)
                WHERE \(Self.live);
            """)
    }

    /// Creates a subscriber for each new address from its first live row, in file order (the
    /// address's later rows find it there and do nothing).
    func insertNewSubscribers(at stamp: String) throws {
        try db.execute(
            sql: """
                INSERT INTO subscribers (email, email_normalized, name, locale, attributes, created_at, updated_at)
                    SELECT email, normalized, name, locale, attributes, coalesce(created_at, :stamp), :stamp
                    FROM \(rows) WHERE \(Self.live) AND subscriber_id IS NULL ORDER BY idx
                    ON CONFLICT (email_normalized) DO NOTHING;
                UPDATE \(rows) SET subscriber_id = (SELECT id FROM subscribers s WHERE s.email_normalized = \(rows).normalized)
                    WHERE \(Self.live) AND subscriber_id IS NULL;
                """,
            arguments: ["stamp": stamp])
    }

    /// Fills the blanks of the batch's subscribers from the rows that can (in file order), and
    /// writes the subscribers whose details changed. The rows that can fill a blank are found in
    /// SQL (usually none: a new address's first row wrote its details, so it is never one); the
    /// filling is ``SubscriberDetails/filled(from:)``'s.
    func fillBlanks(of batch: [ImportRow], at stamp: String) throws {
        let candidates = try Row.fetchCursor(db, sql: """
            SELECT r.idx, r.subscriber_id, s.name, s.locale, s.attributes FROM \(rows) r JOIN subscribers s ON s.id = r.subscriber_id
            WHERE r.duplicate_of IS NULL AND r.suppressed IS NULL AND (
                (s.name IS NULL AND r.name IS NOT NULL) OR (s.locale IS NULL AND r.locale IS NOT NULL)
                OR (r.attributes <> s.attributes AND EXISTS (SELECT 1 FROM json_each(r.attributes) a WHERE NOT EXISTS (
                    SELECT 1 FROM json_each(CASE WHEN json_valid(s.attributes) THEN s.attributes ELSE '{}' END) b WHERE b.key = a.key))))
            ORDER BY r.idx
            """)
        var stored: [Int64: SubscriberDetails] = [:]
        var filled: [Int64: SubscriberDetails] = [:]
        while let candidate = try candidates.next() {
            let id: Int64 = candidate["subscriber_id"]
            let index: Int = candidate["idx"]
            if stored[id] == nil { stored[id] = try SubscriberDetails(stored: candidate) }
            guard let details = filled[id] ?? stored[id], batch.indices.contains(index) else { continue }
            filled[id] = details.filled(from: batch[index])
        }
        let update = try db.cachedStatement(sql: "UPDATE subscribers SET name = ?, locale = ?, attributes = ?, updated_at = ? WHERE id = ?")
        for (id, details) in filled.sorted(by: { $0.key < $1.key }) where details != stored[id] {
            try update.execute(arguments: [details.name, details.locale, JSONText.object(details.attributes), stamp, id])
        }
    }

    /// Writes the memberships whose plan writes one, with the timestamps their state carries
    /// (as `SQLiteStore.setMembership` does for one).
    func writeMemberships(at stamp: String) throws {
        try db.execute(
            sql: """
                INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at,
                    unsubscribed_at, pending_since)
                SELECT subscriber_id, newsletter_id, state, coalesce(created_at, :stamp), :stamp,
                    CASE WHEN state = 'confirmed' THEN :stamp END, CASE WHEN state = 'unsubscribed' THEN :stamp END,
                    CASE WHEN state = 'pending' THEN :stamp END
                FROM \(rows) WHERE writes AND current IS NULL ORDER BY idx;
                UPDATE subscriptions SET status = r.state, updated_at = :stamp,
                    confirmed_at = coalesce(CASE WHEN r.state = 'confirmed' THEN :stamp END, subscriptions.confirmed_at),
                    unsubscribed_at = CASE WHEN r.state = 'unsubscribed' THEN :stamp END,
                    pending_since = CASE WHEN r.state = 'pending' THEN :stamp END
                FROM \(rows) r
                WHERE r.writes AND r.current IS NOT NULL
                    AND subscriptions.subscriber_id = r.subscriber_id AND subscriptions.newsletter_id = r.newsletter_id;
                """,
            arguments: ["stamp": stamp])
    }

    /// Keeps a consent record for each row whose plan records one, in file order. An `INSERT …
    /// SELECT` numbers its rows one after another from the largest id, so the batch's records are
    /// the last `count` ids, the n-th consenting row's the n-th (a check refuses the batch
    /// otherwise); returns the first, nil when there is none.
    func recordConsents(at stamp: String) throws -> Int64? {
        try db.execute(
            sql: """
                INSERT INTO consent_records (subscriber_id, action, source, basis, locale, recorded_at, confirmed_at)
                SELECT subscriber_id, :action, :source, :basis, locale, :stamp, CASE WHEN state = 'confirmed' THEN :stamp END
                FROM \(rows) WHERE consents ORDER BY idx
                """,
            arguments: ["action": ImportRowPlan.consentAction, "source": options.source, "basis": options.basis, "stamp": stamp])
        let count = db.changesCount
        guard count > 0 else { return nil }
        let first = db.lastInsertedRowID - Int64(count) + 1
        let numbered = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM consent_records WHERE id BETWEEN ? AND ?", arguments: [first, db.lastInsertedRowID])
        guard numbered == count else { throw StagedImportError.consentIDsNotConsecutive }
        try db.execute(
            sql: """
                INSERT INTO consent_newsletters (consent_id, newsletter_id)
                SELECT \(consentID), newsletter_id FROM \(rows) WHERE consents ORDER BY idx
                """,
            arguments: ["first": first])
        return first
    }

    /// The id of a consenting row's record, the first being `:first`.
    private let consentID = ":first - 1 + row_number() OVER (ORDER BY idx)"

    /// The rows whose plan asks for a confirmation, in file order, with their consent records
    /// (the first of the batch's being `firstConsent`).
    func confirmationsAsked(firstConsent: Int64?) throws -> [(subscriber: Int64, consent: Int64, newsletter: Int64)] {
        guard options.sendConfirmations, let firstConsent else { return [] }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT subscriber_id, consent_id, newsletter_id
                FROM (SELECT subscriber_id, newsletter_id, asks, \(consentID) AS consent_id FROM \(rows) WHERE consents)
                WHERE asks ORDER BY consent_id
                """,
            arguments: ["first": firstConsent]
        ).map { ($0["subscriber_id"], $0["consent_id"], $0["newsletter_id"]) }
    }

    /// Each of the batch's `count` rows' outcome, in order. Most rows of a large import are
    /// added, so only the others are read.
    func outcomes(count: Int) throws -> [ImportRowOutcome] {
        var outcomes = Array(repeating: ImportRowOutcome.added, count: count)
        let others = try Row.fetchCursor(
            db, sql: "SELECT idx, outcome, duplicate_of, suppressed, current FROM \(rows) WHERE outcome IS NOT 'added'")
        while let row = try others.next() {
            let index: Int = row["idx"]
            guard outcomes.indices.contains(index) else { continue }
            if let line: Int = row["duplicate_of"] {
                outcomes[index] = .duplicate(ofLine: line)
            } else if let reason: String = row["suppressed"] {
                // The table's CHECK allows only the reasons there are.
                outcomes[index] = .suppressed(SuppressionReason(rawValue: reason) ?? .manual)
            } else {
                switch row["outcome"] as String? {
                case "updated": outcomes[index] = .updated
                case "kept": outcomes[index] = .kept(SubscriptionStatus(rawValue: row["current"] ?? "") ?? .unsubscribed)
                default: outcomes[index] = .unchanged
                }
            }
        }
        return outcomes
    }
}

enum StagedImportError: Error, CustomStringConvertible {
    case consentIDsNotConsecutive

    var description: String {
        "the import's consent records did not take consecutive ids (has consent_records reached the largest id?); the batch was not applied"
    }
}

import NewsletterSignup
import PostgresNIO
import SideEffects
import StoredRows
import SubscriberLists

/// The three statements of a batch of sign-ups (its two reads and its one write), as named
/// prepared statements: PostgreSQL parses and plans each once per connection instead of once per
/// batch (the pool's connections keep generic plans: `PostgresLocation`). Parsing and planning were
/// about a third of the server's CPU per sign-up (Ops/bench/README.md, "PostgreSQL sign-up").
/// Every statement takes the batch's rows as arrays (`unnest`), so its text is the same whatever
/// the batch holds; a batch never holds one address twice (`SignupQueue`).
///
/// Their columns are named, not `*`: a prepared statement whose result changes shape (a
/// migration adding a column while a daemon runs) fails until its connection is replaced.
/// A connection pooler in front of PostgreSQL must keep prepared statements (PgBouncer in
/// transaction mode needs `max_prepared_statements`, version 1.21 or later).
///
/// postgres-nio binds no NULL inside an array, so an optional value travels with a flag
/// (`has_locale`): a missing id as 0 and a missing reason as "" where neither can be real.
enum SignupStatements {
    /// The open newsletters, one row each (one row of NULLs when none is open), each with the
    /// batch's suppressions (`suppressed_for`, "" for none) and subscribers' ids (`subscriber_ids`,
    /// 0 for a suppressed address), in the batch's order. Unless its address is suppressed, each
    /// subscriber is inserted or, when the address is known, its locale changed if one was given;
    /// either way its row stays locked until commit, which serialises sign-ups of one address.
    /// The rows are locked in address order, so two daemons' batches cannot deadlock on them.
    /// (A batch with a sign-up the library refuses is rolled back, upserts and all.)
    /// COLLATE "C": byte order, as SQLite sorts, whatever the database's collation.
    struct NewslettersAndSubscribers: RowsStatement {
        static let name = "masthead_signups_newsletters_and_subscribers"
        static let sql = """
            WITH held AS (
                SELECT v.*, (SELECT reason FROM suppressions WHERE address_hash = v.address_hash) AS reason
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[])
                    WITH ORDINALITY AS v (address_hash, mailbox, normalized, locale, has_locale, stamp, ordinal)),
            upserted AS (
                INSERT INTO subscribers (email, email_normalized, locale, created_at, updated_at)
                SELECT mailbox, normalized, CASE WHEN has_locale THEN locale END, stamp, stamp FROM held
                WHERE reason IS NULL ORDER BY normalized COLLATE "C"
                ON CONFLICT (email_normalized) DO UPDATE SET
                    locale = COALESCE(EXCLUDED.locale, subscribers.locale),
                    updated_at = CASE WHEN EXCLUDED.locale IS NULL THEN subscribers.updated_at ELSE EXCLUDED.updated_at END
                RETURNING id, email_normalized),
            batch AS (
                SELECT array_agg(COALESCE(held.reason, '') ORDER BY held.ordinal) AS suppressed_for,
                    array_agg(COALESCE(upserted.id, 0) ORDER BY held.ordinal) AS subscriber_ids
                FROM held LEFT JOIN upserted ON upserted.email_normalized = held.normalized)
            SELECT batch.suppressed_for, batch.subscriber_ids, n.id, n.slug, n.name,
                n.description, n.visibility, n.opt_in, n.archived_at, n.created_at, n.updated_at
            FROM batch LEFT JOIN newsletters n ON n.archived_at IS NULL ORDER BY n.slug COLLATE "C"
            """
        var signups: [SignupRecord]

        func makeBindings() throws -> PostgresBindings {
            try .of(
                signups.map(\.addressHash), signups.map(\.mailbox), signups.map(\.normalizedAddress),
                signups.map { $0.locale ?? "" }, signups.map { $0.locale != nil }, signups.map { Timestamp.format($0.time) })
        }
    }

    /// For each subscriber in order, the rows of ``PostgresStore/snapshotSQL(subscriber:since:more:)``
    /// with the address's suppression, read again now that the subscriber is locked, and the next
    /// consent record's id; `ordinal` (from 1) says whose rows they are.
    struct LockedStates: RowsStatement {
        static let name = "masthead_signups_locked_states"
        static let sql = """
            SELECT v.ordinal, s.* FROM unnest($1::bigint[], $2::text[], $3::text[])
                WITH ORDINALITY AS v (subscriber_id, since, address_hash, ordinal)
            CROSS JOIN LATERAL (\(PostgresStore.snapshotSQL(subscriber: "v.subscriber_id", since: "v.since", more: """
                , (SELECT reason FROM suppressions WHERE address_hash = v.address_hash) AS suppressed_for,
                nextval('consent_records_id_seq') AS consent_id
                """))) AS s
            ORDER BY v.ordinal
            """
        var subscribers: [Int64]
        var signups: [SignupRecord]

        func makeBindings() throws -> PostgresBindings {
            try .of(
                subscribers, signups.map { PostgresStore.capWindowStart($0.time) }, signups.map(\.addressHash))
        }
    }
}

extension SignupStatements {
    /// Everything the accepted sign-ups of a batch write, as one statement: the subscriptions
    /// their plans move, their consent records (ids reserved by ``LockedStates``) with the
    /// newsletters each covers, and their effects; one row, `count`, the webhook deliveries queued.
    struct Write: FragmentStatement {
        static let name = "masthead_signups_write"
        static let sql = Write().fragment.numberedSQL

        struct Subscription {
            var subscriber: Int64
            var newsletter: Int64
            var status: SubscriptionStatus
            var stamp: String
        }

        struct Consent {
            var id: Int64
            var subscriber: Int64
            var record: SignupRecord
        }

        var subscriptions: [Subscription] = []
        var consents: [Consent] = []
        /// (consent record's id, newsletter's id) for each newsletter a consent record covers.
        var covered: [(consent: Int64, newsletter: Int64)] = []
        var effects = Effects.none

        /// Adds a sign-up the library accepted: `plan`'s changes and its consent record for `newsletters`.
        mutating func add(_ record: SignupRecord, subscriber: Int64, consent: Int64, newsletters: [Newsletter], plan: SignupPlan) {
            let stamp = Timestamp.format(record.time)
            for (newsletter, status) in plan.changes.sorted(by: { $0.key < $1.key }) {
                subscriptions.append(Subscription(subscriber: subscriber, newsletter: newsletter, status: status, stamp: stamp))
            }
            consents.append(Consent(id: consent, subscriber: subscriber, record: record))
            covered += newsletters.map { (consent, $0.id) }
        }

        var fragment: SQLFragment {
            let records = consents.map(\.record)
            let subscriptions: SQLFragment = """
                INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at, pending_since)
                SELECT v.subscriber_id, v.newsletter_id, v.status, v.stamp, v.stamp,
                    CASE WHEN v.status = 'confirmed' THEN v.stamp END, CASE WHEN v.status = 'pending' THEN v.stamp END
                FROM unnest(\(self.subscriptions.map(\.subscriber))::bigint[], \(self.subscriptions.map(\.newsletter))::bigint[],
                    \(self.subscriptions.map(\.status.rawValue))::text[], \(self.subscriptions.map(\.stamp))::text[])
                    AS v (subscriber_id, newsletter_id, status, stamp)
                ORDER BY v.subscriber_id, v.newsletter_id
                ON CONFLICT (subscriber_id, newsletter_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
                    confirmed_at = EXCLUDED.confirmed_at, pending_since = EXCLUDED.pending_since, unsubscribed_at = NULL
                """
            let consentRecords: SQLFragment = """
                INSERT INTO consent_records
                    (id, subscriber_id, action, source, client_ip, user_agent, consent_text_version, locale, recorded_at)
                SELECT v.id, v.subscriber_id, 'signup', CASE WHEN v.has_source THEN v.source END,
                    CASE WHEN v.has_client_ip THEN v.client_ip END, CASE WHEN v.has_user_agent THEN v.user_agent END,
                    v.consent_text_version, CASE WHEN v.has_locale THEN v.locale END, v.stamp
                FROM unnest(\(consents.map(\.id))::bigint[], \(consents.map(\.subscriber))::bigint[],
                    \(records.map { $0.source ?? "" })::text[], \(records.map { $0.source != nil })::bool[],
                    \(records.map { $0.client.ipAddress ?? "" })::text[], \(records.map { $0.client.ipAddress != nil })::bool[],
                    \(records.map { $0.client.userAgent ?? "" })::text[], \(records.map { $0.client.userAgent != nil })::bool[],
                    \(records.map(\.consentTextVersion))::text[], \(records.map { $0.locale ?? "" })::text[],
                    \(records.map { $0.locale != nil })::bool[], \(records.map { Timestamp.format($0.time) })::text[])
                    AS v (id, subscriber_id, source, has_source, client_ip, has_client_ip, user_agent, has_user_agent,
                        consent_text_version, locale, has_locale, stamp)
                """
            let coveredNewsletters: SQLFragment = """
                INSERT INTO consent_newsletters (consent_id, newsletter_id)
                SELECT * FROM unnest(\(covered.map(\.consent))::bigint[], \(covered.map(\.newsletter))::bigint[])
                """
            return SQLFragment(writes: [subscriptions, consentRecords, coveredNewsletters], effects: effects)
        }
    }
}

/// A prepared statement whose rows are read by column name, as ``PostgresSession/rows(_:)`` reads a query's.
protocol RowsStatement: PostgresPreparedStatement where Row == PostgresRow {}

/// A prepared statement built as an ``SQLFragment`` from its values, whose text depends on none of
/// them: its `sql` is the fragment's ``SQLFragment/numberedSQL`` for any values.
protocol FragmentStatement: RowsStatement {
    var fragment: SQLFragment { get }
}

extension FragmentStatement {
    func makeBindings() throws -> PostgresBindings { try fragment.bindings() }
}

extension RowsStatement {
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresSession {
    /// Every row of `statement`, prepared on this connection the first time it runs there.
    func rows<Statement: RowsStatement>(_ statement: Statement) async throws -> [PostgresRandomAccessRow] {
        guard !connection.isClosed else { throw ClosedConnection() }
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }
}

extension PostgresBindings {
    /// Bindings of `values` in order, nil as NULL: what a prepared statement's `makeBindings()` returns.
    static func of(_ values: (any PostgresThrowingDynamicTypeEncodable)?...) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            if let value { try bindings.append(value) } else { bindings.appendNull() }
        }
        return bindings
    }
}

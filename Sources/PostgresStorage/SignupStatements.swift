import PostgresNIO
import SideEffects
import StoredRows
import SubscriberLists

/// The three statements of a sign-up (its two reads and its one write), as named prepared
/// statements: PostgreSQL parses and plans each once per connection instead of once per sign-up
/// (the pool's connections keep generic plans: `PostgresLocation`). Parsing and planning were
/// about a third of the server's CPU per sign-up (Ops/bench/README.md, "PostgreSQL sign-up").
///
/// Their columns are named, not `*`: a prepared statement whose result changes shape (a
/// migration adding a column while a daemon runs) fails until its connection is replaced.
/// A connection pooler in front of PostgreSQL must keep prepared statements (PgBouncer in
/// transaction mode needs `max_prepared_statements`, version 1.21 or later).
enum SignupStatements {
    /// The open newsletters, one row each (one row of NULLs when none is open), each with the
    /// address's suppression and the subscriber's id. Unless the address is suppressed, the
    /// subscriber is inserted or, when the address is known, its locale changed if one was given;
    /// either way its row stays locked until commit, which serialises sign-ups of one address.
    /// (A sign-up the library then refuses rolls the upsert back with its transaction.)
    /// COLLATE "C": byte order, as SQLite sorts, whatever the database's collation.
    struct NewslettersAndSubscriber: RowsStatement {
        static let name = "masthead_signup_newsletters_and_subscriber"
        static let sql = """
            WITH held AS (SELECT (SELECT reason FROM suppressions WHERE address_hash = $1) AS reason),
            upserted AS (
                INSERT INTO subscribers (email, email_normalized, locale, created_at, updated_at)
                SELECT $2, $3, $4, $5, $5 FROM held WHERE held.reason IS NULL
                ON CONFLICT (email_normalized) DO UPDATE SET
                    locale = COALESCE(EXCLUDED.locale, subscribers.locale),
                    updated_at = CASE WHEN EXCLUDED.locale IS NULL THEN subscribers.updated_at ELSE EXCLUDED.updated_at END
                RETURNING id)
            SELECT held.reason AS suppressed_for, (SELECT id FROM upserted) AS subscriber_id, n.id, n.slug, n.name,
                n.description, n.visibility, n.opt_in, n.archived_at, n.created_at, n.updated_at
            FROM held LEFT JOIN newsletters n ON n.archived_at IS NULL ORDER BY n.slug COLLATE "C"
            """
        var addressHash: String
        var mailbox: String
        var normalizedAddress: String
        var locale: String?
        var stamp: String

        func makeBindings() throws -> PostgresBindings { try .of(addressHash, mailbox, normalizedAddress, locale, stamp) }
    }

    /// ``PostgresStore/snapshotSQL(more:)`` with the address's suppression, read again now that
    /// the subscriber is locked, and the next consent record's id.
    struct LockedState: RowsStatement {
        static let name = "masthead_signup_locked_state"
        static let sql = PostgresStore.snapshotSQL(
            more: """
                , (SELECT reason FROM suppressions WHERE address_hash = $3) AS suppressed_for,
                nextval('consent_records_id_seq') AS consent_id
                """)
        var subscriber: Int64
        var since: String
        var addressHash: String

        func makeBindings() throws -> PostgresBindings { try .of(subscriber, since, addressHash) }
    }
}

extension SignupStatements {
    /// Everything a sign-up the library accepted writes, as one statement: the subscriptions its
    /// plan moves, its consent record (id reserved by ``LockedState``) with the newsletters it
    /// covers, and its effects; one row, `count`, the webhook deliveries queued. Every part takes
    /// its rows as arrays, empty when it has none, so the text is the same for every sign-up and
    /// is prepared once per connection: PostgreSQL no longer parses and plans it per sign-up.
    struct Write: FragmentStatement {
        static let name = "masthead_signup_write"
        static let sql = Write(
            subscriber: 0, stamp: "", changes: [:], consent: 0, newsletters: [], source: nil, clientIP: nil, userAgent: nil,
            consentTextVersion: "", locale: nil, effects: .none
        ).fragment.numberedSQL
        var subscriber: Int64
        var stamp: String
        var changes: [Int64: SubscriptionStatus]
        var consent: Int64
        var newsletters: [Int64]
        var source: String?
        var clientIP: String?
        var userAgent: String?
        var consentTextVersion: String
        var locale: String?
        var effects: Effects

        var fragment: SQLFragment {
            let moved = changes.sorted { $0.key < $1.key }
            let subscriptions: SQLFragment = """
                INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at, pending_since)
                SELECT \(subscriber)::bigint, v.newsletter_id, v.status, \(stamp)::text, \(stamp)::text,
                    CASE WHEN v.status = 'confirmed' THEN \(stamp)::text END, CASE WHEN v.status = 'pending' THEN \(stamp)::text END
                FROM unnest(\(moved.map(\.key))::bigint[], \(moved.map(\.value.rawValue))::text[]) AS v (newsletter_id, status)
                ORDER BY v.newsletter_id
                ON CONFLICT (subscriber_id, newsletter_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
                    confirmed_at = EXCLUDED.confirmed_at, pending_since = EXCLUDED.pending_since, unsubscribed_at = NULL
                """
            let record: SQLFragment = """
                INSERT INTO consent_records
                    (id, subscriber_id, action, source, client_ip, user_agent, consent_text_version, locale, recorded_at)
                VALUES (\(consent)::bigint, \(subscriber)::bigint, 'signup', \(source)::text, \(clientIP)::text, \(userAgent)::text,
                    \(consentTextVersion)::text, \(locale)::text, \(stamp)::text)
                """
            let covered: SQLFragment = """
                INSERT INTO consent_newsletters (consent_id, newsletter_id) SELECT \(consent)::bigint, unnest(\(newsletters)::bigint[])
                """
            return SQLFragment(writes: [subscriptions, record, covered], effects: effects)
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

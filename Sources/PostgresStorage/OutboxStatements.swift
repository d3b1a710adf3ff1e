import PostgresNIO

/// The delivery worker's two statements, run for every batch, as named prepared statements:
/// unnamed, PostgreSQL parsed and planned the claim for each batch, about half a millisecond
/// (Ops/bench/README.md, "PostgreSQL delivery: the claim and the mark prepared"). Their generic
/// plans search the indexes as the planned ones did (`EXPLAIN ANALYZE EXECUTE` with 40,000
/// queued: index scans, 0.4 ms).
enum OutboxStatements {
    /// Claims up to `$3` due messages until `$2`: those of a worker whose lease ran out before `$1`
    /// (its daemon died), then queued ones due by `$1`. Each kind is its own search of
    /// outbox_due in order, so a claim reads about `limit` rows: as one search with OR,
    /// PostgreSQL sorted every due row to take the first few (15 ms a claim with 40,000 queued).
    /// SKIP LOCKED: a row another daemon is claiming right now is left to it, not waited for.
    /// `= ANY(ARRAY(…))`, not `IN (…)`: a generic plan does not know the limit, and for `IN` it
    /// guessed 167 rows and scanned the whole table to update them (`PostgresPreparedStatementTests`).
    struct Claim: RowsStatement {
        static let name = "masthead_outbox_claim"
        static let sql = """
            WITH expired AS (
                SELECT id FROM outbox WHERE state = 'sending' AND lease_until <= $1::text
                ORDER BY next_attempt_at LIMIT $3::bigint FOR UPDATE SKIP LOCKED),
            queued AS (
                SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $1::text
                ORDER BY next_attempt_at LIMIT $3::bigint - (SELECT count(*) FROM expired) FOR UPDATE SKIP LOCKED)
            UPDATE outbox SET state = 'sending', lease_until = $2::text, attempts = attempts + 1
            WHERE id = ANY(ARRAY(SELECT id FROM expired UNION ALL SELECT id FROM queued))
            RETURNING id, kind, recipient, payload, attempts, created_at
            """
        var now: String
        var leaseUntil: String
        var limit: Int64

        func makeBindings() throws -> PostgresBindings { try .of(now, leaseUntil, limit) }
    }

    /// Marks messages `$2` sent at `$1`.
    struct MarkSent: RowsStatement {
        static let name = "masthead_outbox_mark_sent"
        static let sql = """
            UPDATE outbox SET state = 'sent', sent_at = $1::text, lease_until = NULL, last_error = NULL
            WHERE id = ANY($2::bigint[])
            """
        var time: String
        var ids: [Int64]

        func makeBindings() throws -> PostgresBindings { try .of(time, ids) }
    }
}

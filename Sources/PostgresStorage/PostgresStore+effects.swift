import PostgresNIO
import SideEffects

extension PostgresStore {
    /// Saves what a library decided a change causes: its webhook events (one delivery per
    /// endpoint that asked for the type, migration 0007), its audit records (`events`, migration
    /// 0001) and its queued mail (`outbox`, the transactional outbox), in the change's own
    /// transaction, together with the change's own `writes` as one statement.
    static func save(_ effects: Effects, _ session: PostgresSession, with writes: [SQLFragment] = []) async throws {
        var writes = writes
        if !effects.audit.isEmpty { writes.append(auditInsert(effects.audit)) }
        if !effects.mail.isEmpty { writes.append(outboxInsert(effects.mail)) }
        let queued = try await session.execute(together: writes, counting: effects.events.isEmpty ? nil : deliveriesInsert(effects.events))
        wakeWebhookWorker(ifQueued: queued, session)
    }

    /// Runs a prepared write built by ``SQLFragment/init(writes:effects:)`` (its one row counts
    /// the webhook deliveries it queued) and wakes this daemon's webhook worker for them once the
    /// transaction commits.
    static func save(prepared statement: some RowsStatement, _ session: PostgresSession) async throws {
        let queued = try await session.rows(statement).first?["count", as: Int.self] ?? 0
        wakeWebhookWorker(ifQueued: queued, session)
    }

    /// Wakes this daemon's webhook worker once the transaction commits, when `queued` deliveries were written.
    static func wakeWebhookWorker(ifQueued queued: Int, _ session: PostgresSession) {
        if queued > 0 { session.committed.wake(OutgoingEvent.committed) }
    }

    // Each insert takes its rows as arrays, one per column (`unnest`), so its text is the same
    // whatever the rows: the writes of a sign-up and of a link are prepared statements built
    // from them (`SignupStatements.Write`, `LinkStatements`). postgres-nio binds no NULL inside an array, so a missing id
    // travels as 0 and a missing address as "" (ids start at 1; an address is never empty), and
    // NULLIF turns them back.

    /// One delivery of each event per endpoint that asked for its type, in the events' order.
    static func deliveriesInsert(_ events: [OutgoingEvent]) -> SQLFragment {
        let stamps = events.map { Timestamp.format($0.occurredAt) }
        return """
            INSERT INTO webhook_deliveries (endpoint_id, event_type, address, payload, next_attempt_at, retry_since, created_at)
            SELECT e.id, v.type, NULLIF(v.address, ''), v.payload, v.stamp, v.stamp, v.stamp
            FROM unnest(\(events.map(\.type))::text[], \(events.map { $0.address ?? "" })::text[],
                \(events.map { String(decoding: $0.body, as: UTF8.self) })::text[], \(stamps)::text[])
                WITH ORDINALITY AS v (type, address, payload, stamp, n)
            JOIN webhook_endpoints e ON e.events = '*' OR ',' || e.events || ',' LIKE '%,' || v.type || ',%'
            ORDER BY v.n, e.id
            RETURNING 1
            """
    }

    static func auditInsert(_ records: [AuditRecord]) -> SQLFragment {
        """
        INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
        SELECT v.occurred_at, v.actor, v.action, v.subject_type, NULLIF(v.subject_id, 0), NULLIF(v.subscriber_id, 0), v.details
        FROM unnest(\(records.map { Timestamp.format($0.occurredAt) })::text[], \(records.map(\.actor))::text[],
            \(records.map(\.action))::text[], \(records.map(\.subjectType))::text[], \(records.map { $0.subjectID ?? 0 })::bigint[],
            \(records.map { $0.subscriberID ?? 0 })::bigint[], \(records.map { JSONText.object($0.details) })::text[])
            WITH ORDINALITY AS v (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details, n)
        ORDER BY v.n
        """
    }

    static func outboxInsert(_ drafts: [OutboxDraft]) -> SQLFragment {
        """
        INSERT INTO outbox (kind, recipient, subscriber_id, payload, state, attempts, next_attempt_at, created_at)
        SELECT v.kind, v.recipient, NULLIF(v.subscriber_id, 0), v.payload, 'queued', 0, v.stamp, v.stamp
        FROM unnest(\(drafts.map(\.kind))::text[], \(drafts.map(\.recipient))::text[], \(drafts.map { $0.subscriberID ?? 0 })::bigint[],
            \(drafts.map { String(decoding: $0.payload, as: UTF8.self) })::text[], \(drafts.map { Timestamp.format($0.queuedAt) })::text[])
            WITH ORDINALITY AS v (kind, recipient, subscriber_id, payload, stamp, n)
        ORDER BY v.n
        """
    }
}

extension SQLFragment {
    /// `writes` and every part of `effects`, each present even when it has no rows, as one
    /// statement that returns the webhook deliveries queued (`count`): the same text whatever
    /// the effects, for a prepared statement (``PostgresStore/save(prepared:_:)``).
    init(writes: [SQLFragment], effects: Effects) {
        self.init(
            together: writes + [PostgresStore.auditInsert(effects.audit), PostgresStore.outboxInsert(effects.mail)],
            counting: PostgresStore.deliveriesInsert(effects.events))
    }
}

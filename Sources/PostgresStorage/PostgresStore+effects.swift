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
        // Wake this daemon's webhook worker once the transaction commits.
        if queued > 0 { session.committed.wake(OutgoingEvent.committed) }
    }

    /// One delivery of each event per endpoint that asked for its type, in the events' order.
    private static func deliveriesInsert(_ events: [OutgoingEvent]) -> SQLFragment {
        let rows = events.enumerated().map { index, event in
            let stamp = Timestamp.format(event.occurredAt)
            return "(\(Int64(index)), \(event.type), \(event.address), \(String(decoding: event.body, as: UTF8.self)), \(stamp))" as SQLFragment
        }
        return """
            INSERT INTO webhook_deliveries (endpoint_id, event_type, address, payload, next_attempt_at, retry_since, created_at)
            SELECT e.id, v.type, v.address, v.payload, v.stamp, v.stamp, v.stamp
            FROM (VALUES \(SQLFragment(joining: rows, separator: ", "))) AS v (n, type, address, payload, stamp)
            JOIN webhook_endpoints e ON e.events = '*' OR ',' || e.events || ',' LIKE '%,' || v.type || ',%'
            ORDER BY v.n, e.id
            RETURNING 1
            """
    }

    private static func auditInsert(_ records: [AuditRecord]) -> SQLFragment {
        let rows = records.map { record in
            """
            (\(Timestamp.format(record.occurredAt)), \(record.actor), \(record.action), \(record.subjectType),
                \(record.subjectID), \(record.subscriberID), \(JSONText.object(record.details)))
            """ as SQLFragment
        }
        return """
            INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
            VALUES \(SQLFragment(joining: rows, separator: ", "))
            """
    }

    private static func outboxInsert(_ drafts: [OutboxDraft]) -> SQLFragment {
        let rows = drafts.map { draft in
            let stamp = Timestamp.format(draft.queuedAt)
            return """
                (\(draft.kind), \(draft.recipient), \(draft.subscriberID), \(String(decoding: draft.payload, as: UTF8.self)),
                    'queued', 0, \(stamp), \(stamp))
                """ as SQLFragment
        }
        return """
            INSERT INTO outbox (kind, recipient, subscriber_id, payload, state, attempts, next_attempt_at, created_at)
            VALUES \(SQLFragment(joining: rows, separator: ", "))
            """
    }
}

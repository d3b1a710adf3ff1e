import PostgresNIO
import SideEffects

extension PostgresStore {
    /// Saves what a library decided a change causes: its webhook events (one delivery per
    /// endpoint that asked for the type, migration 0007), its audit records (`events`, migration
    /// 0001) and its queued mail (`outbox`, the transactional outbox), in the change's own transaction.
    static func save(_ effects: Effects, _ session: PostgresSession) async throws {
        for event in effects.events {
            let stamp = Timestamp.format(event.occurredAt)
            let queued = try await session.execute(
                """
                INSERT INTO webhook_deliveries (endpoint_id, event_type, address, payload, next_attempt_at, retry_since, created_at)
                SELECT id, \(event.type), \(event.address), \(String(decoding: event.body, as: UTF8.self)), \(stamp), \(stamp), \(stamp)
                FROM webhook_endpoints WHERE events = '*' OR ',' || events || ',' LIKE \("%,\(event.type),%")
                RETURNING 1
                """)
            // Wake this daemon's webhook worker once the transaction commits.
            if queued > 0 { session.committed.wake(OutgoingEvent.committed) }
        }
        for record in effects.audit {
            try await session.execute(
                """
                INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
                VALUES (\(Timestamp.format(record.occurredAt)), \(record.actor), \(record.action), \(record.subjectType),
                    \(record.subjectID), \(record.subscriberID), \(JSONText.object(record.details)))
                """)
        }
        for draft in effects.mail {
            let stamp = Timestamp.format(draft.queuedAt)
            try await session.execute(
                """
                INSERT INTO outbox (kind, recipient, subscriber_id, payload, state, attempts, next_attempt_at, created_at)
                VALUES (\(draft.kind), \(draft.recipient), \(draft.subscriberID), \(String(decoding: draft.payload, as: UTF8.self)),
                    'queued', 0, \(stamp), \(stamp))
                """)
        }
    }
}

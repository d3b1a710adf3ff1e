import GRDB
import SideEffects

extension SQLiteStore {
    /// Saves what a library decided a change causes: its webhook events (one delivery per
    /// endpoint that asked for the type, migration 0007), its audit records (`events`, migration
    /// 0001) and its queued mail (`outbox`, the transactional outbox), in the change's own transaction.
    static func save(_ effects: Effects, _ db: Database) throws {
        // Cached statements: every write path saves effects, and parsing each time showed in the profile.
        if !effects.events.isEmpty {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO webhook_deliveries (endpoint_id, event_type, address, payload, next_attempt_at, retry_since, created_at)
                SELECT id, ?, ?, ?, ?, ?, ? FROM webhook_endpoints WHERE events = '*' OR instr(',' || events || ',', ?) > 0
                """)
            var queued = 0
            for event in effects.events {
                let stamp = Timestamp.format(event.occurredAt)
                try insert.execute(arguments: [
                    event.type, event.address, String(decoding: event.body, as: UTF8.self), stamp, stamp, stamp,
                    // instr, not LIKE: SQLite re-prepares a statement whose LIKE pattern is a
                    // parameter each time the pattern changes (measured: +100 µs a sign-up).
                    ",\(event.type),",
                ])
                queued += db.changesCount
            }
            // Wake this daemon's webhook worker once the rows are visible (no wake-up without an endpoint).
            if queued > 0 { db.afterNextTransaction(onCommit: { _ in OutgoingEvent.committed.notify() }) }
        }
        if !effects.audit.isEmpty {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for record in effects.audit {
                try insert.execute(arguments: [
                    Timestamp.format(record.occurredAt), record.actor, record.action, record.subjectType, record.subjectID,
                    record.subscriberID, JSONText.object(record.details),
                ])
            }
        }
        if !effects.mail.isEmpty {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO outbox (kind, recipient, subscriber_id, payload, state, attempts, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)
                """)
            for draft in effects.mail {
                let stamp = Timestamp.format(draft.queuedAt)
                try insert.execute(arguments: [
                    draft.kind, draft.recipient, draft.subscriberID, String(decoding: draft.payload, as: UTF8.self), stamp, stamp,
                ])
            }
        }
    }
}

import GRDB
import SideEffects

extension SQLiteStore {
    /// Saves what a library decided a change causes: its audit records (`events`, migration 0001)
    /// and its queued mail (`outbox`, the transactional outbox), in the change's own transaction.
    static func save(_ effects: Effects, _ db: Database) throws {
        // Cached statements: every write path saves effects, and parsing each time showed in the profile.
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

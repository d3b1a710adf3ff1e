public import Foundation
public import Mail
import GRDB
import StoredRows
import SideEffects
import SubscriberLists

/// The outbox table (migration 0001) as the delivery worker drains it.
extension SQLiteStore: OutboxStore {
    public func claimDueMessages(limit: Int, at now: Date, leaseUntil: Date) async throws -> [OutboxItem] {
        let stamp = Timestamp.format(now)
        let lease = Timestamp.format(leaseUntil)
        return try await write { db in
            // Due: queued and due, or claimed by a worker whose lease ran out (it crashed). Each
            // kind is its own search of outbox_due, limited before the two are merged: as one
            // search with OR, SQLite sorted every due row to take the first few, and a claim
            // cost as much as the backlog was long.
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE outbox SET state = 'sending', lease_until = ?, attempts = attempts + 1
                        WHERE id IN (
                            SELECT id FROM (
                                SELECT id, next_attempt_at FROM (
                                    SELECT id, next_attempt_at FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?
                                    ORDER BY next_attempt_at LIMIT ?)
                                UNION ALL
                                SELECT id, next_attempt_at FROM (
                                    SELECT id, next_attempt_at FROM outbox WHERE state = 'sending' AND lease_until <= ?
                                    ORDER BY next_attempt_at LIMIT ?)
                                ORDER BY 2 LIMIT ?))
                        RETURNING id, kind, recipient, payload, attempts, created_at
                        """),
                arguments: [lease, stamp, limit, stamp, limit, limit])
            return try rows.map(OutboxItem.init(stored:)).sorted { $0.id < $1.id }
        }
    }

    public func markSent(_ messages: [SentMessage], at time: Date) async throws {
        guard !messages.isEmpty else { return }
        try await write { db in
            let stamp = Timestamp.format(time)
            let markSent = try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?")
            for message in messages {
                try markSent.execute(arguments: [stamp, message.id])
                if message.forgetsRecipient { try Self.forgetRecipient(message.id, db) }
            }
        }
    }

    public func reschedule(_ id: Int64, nextAttempt: Date, error: String) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'queued', next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?"
            ).execute(arguments: [Timestamp.format(nextAttempt), error, id])
        }
    }

    public func postpone(_ id: Int64, until: Date, reason: String) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE outbox SET state = 'queued', next_attempt_at = ?, lease_until = NULL, last_error = ?,
                        attempts = max(attempts - 1, 0) WHERE id = ?
                    """
            ).execute(arguments: [Timestamp.format(until), reason, id])
        }
    }

    public func markDead(_ id: Int64, error: String, at time: Date, forgettingRecipient: Bool) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE outbox SET state = 'dead', lease_until = NULL, last_error = ? WHERE id = ?"
            ).execute(arguments: [error, id])
            if forgettingRecipient { try Self.forgetRecipient(id, db) }
        }
    }

    static func forgetRecipient(_ id: Int64, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE outbox SET recipient = ?, payload = '{}' WHERE id = ?", arguments: [ErasedAddress.placeholder, id])
    }

    /// Puts back in the queue, due at once, every message an earlier run left `sending`: run at
    /// a daemon's start, when its predecessor died (kill -9, power loss) holding leases. The
    /// embedded store has one daemon, so no live worker can hold them. Returns how many.
    public func reclaimOutboxLeases(at time: Date) async throws -> Int? {
        try await write { db in
            try db.execute(
                sql: "UPDATE outbox SET state = 'queued', lease_until = NULL, next_attempt_at = ? WHERE state = 'sending'",
                arguments: [Timestamp.format(time)])
            return db.changesCount
        }
    }
}

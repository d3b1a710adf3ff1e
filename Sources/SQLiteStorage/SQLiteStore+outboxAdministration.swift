public import Foundation
public import Mail
import GRDB
import StoredRows
import SideEffects
import SubscriberLists

/// `masthead outbox …` and the queue gauges, on the outbox table (migration 0001).
extension SQLiteStore: OutboxAdministration {
    public func outboxEntries(state: OutboxState?, limit: Int) async throws -> [OutboxEntry] {
        try await read { db in
            let filter = state == nil ? "" : "WHERE state = ?"
            let arguments: StatementArguments = state.map { [$0.rawValue, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
                .map(OutboxEntry.init(stored:))
        }
    }

    public func outboxEntry(_ id: Int64) async throws -> (entry: OutboxEntry, item: OutboxItem)? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]) else { return nil }
            return (try OutboxEntry(stored: row), try OutboxItem(stored: row))
        }
    }

    public func retryOutboxEntry(_ id: Int64, at time: Date, actor: String) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, lease_until = NULL
                    WHERE id = ? AND state IN ('dead', 'queued')
                    """, arguments: [Timestamp.format(time), id])
            guard db.changesCount > 0 else { return false }
            try Self.save(.outboxRetried(id: id, actor: actor, at: time), db)
            return true
        }
    }

    public func retryDeadOutboxEntries(at time: Date, actor: String) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, lease_until = NULL WHERE state = 'dead'",
                arguments: [Timestamp.format(time)])
            let count = db.changesCount
            if count > 0 { try Self.save(.deadOutboxRetried(count: count, actor: actor, at: time), db) }
            return count
        }
    }

    public func purgeSentOutboxEntries(before time: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?", arguments: [Timestamp.format(time)])
            return db.changesCount
        }
    }

    public func outboxQueueStatistics(at time: Date) async throws -> OutboxQueueStatistics {
        try await read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT count(*) FILTER (WHERE state IN ('queued', 'sending')) AS depth,
                           count(*) FILTER (WHERE state = 'dead') AS dead,
                           min(created_at) FILTER (WHERE state IN ('queued', 'sending')) AS oldest
                    FROM outbox WHERE state != 'sent'
                    """))
            let oldest = try row?.value("oldest", as: Date?.self)
            return OutboxQueueStatistics(
                depth: row?["depth"] ?? 0, dead: row?["dead"] ?? 0, oldestWaiting: oldest.map { time.timeIntervalSince($0) })
        }
    }
}

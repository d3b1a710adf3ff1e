public import Foundation
public import Mail
import PostgresNIO
import StoredRows
import SideEffects
import SubscriberLists

/// `masthead outbox …` and the queue gauges, on the outbox table (migration 0001).
extension PostgresStore: OutboxAdministration {
    public func outboxEntries(state: OutboxState?, limit: Int) async throws -> [OutboxEntry] {
        try await read { session in
            let query: PostgresQuery =
                if let state {
                    "SELECT * FROM outbox WHERE state = \(state.rawValue) ORDER BY id DESC LIMIT \(limit)"
                } else {
                    "SELECT * FROM outbox ORDER BY id DESC LIMIT \(limit)"
                }
            return try await session.rows(query).map(OutboxEntry.init(stored:))
        }
    }

    public func outboxEntry(_ id: Int64) async throws -> (entry: OutboxEntry, item: OutboxItem)? {
        try await read { session in
            guard let row = try await session.row("SELECT * FROM outbox WHERE id = \(id)") else { return nil }
            return (try OutboxEntry(stored: row), try OutboxItem(stored: row))
        }
    }

    public func retryOutboxEntry(_ id: Int64, at time: Date, actor: String) async throws -> Bool {
        try await write { session in
            // A row a worker claimed meanwhile is 'sending' when the UPDATE rechecks it, and is left alone.
            let retried = try await session.execute(
                """
                UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = \(Timestamp.format(time)), lease_until = NULL
                WHERE id = \(id) AND state IN ('dead', 'queued')
                RETURNING 1
                """) > 0
            if retried { try await Self.save(.outboxRetried(id: id, actor: actor, at: time), session) }
            return retried
        }
    }

    public func retryDeadOutboxEntries(at time: Date, actor: String) async throws -> Int {
        try await write { session in
            // Counted in the database: a mass retry need not send a row per message back.
            let count = try await session.value(
                """
                WITH retried AS (
                    UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = \(Timestamp.format(time)), lease_until = NULL
                    WHERE state = 'dead' RETURNING 1)
                SELECT count(*) FROM retried
                """, as: Int.self) ?? 0
            if count > 0 { try await Self.save(.deadOutboxRetried(count: count, actor: actor, at: time), session) }
            return count
        }
    }

    public func purgeSentOutboxEntries(before time: Date) async throws -> Int {
        try await write { session in
            try await session.value(
                """
                WITH purged AS (DELETE FROM outbox WHERE state = 'sent' AND sent_at < \(Timestamp.format(time)) RETURNING 1)
                SELECT count(*) FROM purged
                """, as: Int.self) ?? 0
        }
    }

    public func outboxQueueStatistics(at time: Date) async throws -> OutboxQueueStatistics {
        try await read { session in
            let row = try await session.row(
                """
                SELECT count(*) FILTER (WHERE state IN ('queued', 'sending')) AS depth,
                       count(*) FILTER (WHERE state = 'dead') AS dead,
                       min(created_at) FILTER (WHERE state IN ('queued', 'sending')) AS oldest
                FROM outbox WHERE state <> 'sent'
                """)
            let oldest = try row?.value("oldest", as: Date?.self)
            return OutboxQueueStatistics(
                depth: try row.map { try $0["depth", as: Int.self] } ?? 0, dead: try row.map { try $0["dead", as: Int.self] } ?? 0,
                oldestWaiting: oldest.map { time.timeIntervalSince($0) })
        }
    }
}

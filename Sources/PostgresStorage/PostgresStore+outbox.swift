public import Foundation
public import Mail
import PostgresNIO
import StoredRows
import SideEffects
import SubscriberLists

/// The outbox table (migration 0001) as the delivery workers of several daemons drain it.
extension PostgresStore: OutboxStore {
    public func claimDueMessages(limit: Int, at now: Date, leaseUntil: Date) async throws -> [OutboxItem] {
        let stamp = Timestamp.format(now)
        let lease = Timestamp.format(leaseUntil)
        return try await write { session in
            try await session.rows(OutboxStatements.Claim(now: stamp, leaseUntil: lease, limit: Int64(limit)))
                .map(OutboxItem.init(stored:)).sorted { $0.id < $1.id }
        }
    }

    public func markSent(_ messages: [SentMessage], at time: Date) async throws {
        guard !messages.isEmpty else { return }
        try await write { session in
            _ = try await session.rows(OutboxStatements.MarkSent(time: Timestamp.format(time), ids: messages.map(\.id)))
            for message in messages where message.forgetsRecipient { try await Self.forgetRecipient(message.id, session) }
        }
    }

    public func reschedule(_ id: Int64, nextAttempt: Date, error: String) async throws {
        try await write { session in
            try await session.execute(
                """
                UPDATE outbox SET state = 'queued', next_attempt_at = \(Timestamp.format(nextAttempt)), lease_until = NULL,
                    last_error = \(error)
                WHERE id = \(id)
                """)
        }
    }

    public func postpone(_ id: Int64, until: Date, reason: String) async throws {
        try await write { session in
            try await session.execute(
                """
                UPDATE outbox SET state = 'queued', next_attempt_at = \(Timestamp.format(until)), lease_until = NULL,
                    last_error = \(reason), attempts = greatest(attempts - 1, 0)
                WHERE id = \(id)
                """)
        }
    }

    public func markDead(_ id: Int64, error: String, at time: Date, forgettingRecipient: Bool) async throws {
        try await write { session in
            try await session.execute("UPDATE outbox SET state = 'dead', lease_until = NULL, last_error = \(error) WHERE id = \(id)")
            if forgettingRecipient { try await Self.forgetRecipient(id, session) }
        }
    }

    static func forgetRecipient(_ id: Int64, _ session: PostgresSession) async throws {
        try await session.execute("UPDATE outbox SET recipient = \(ErasedAddress.placeholder), payload = '{}' WHERE id = \(id)")
    }
}

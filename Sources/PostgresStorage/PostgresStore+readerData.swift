public import Foundation
public import NewsletterSignup
import PostgresNIO
public import SideEffects
import StoredRows

/// A reader's own data requests: who a link names, and the mail they ask for.
extension PostgresStore {
    public func reader(consent: Int64, isBound: @escaping @Sendable (String) -> Bool) async throws -> ReaderIdentity? {
        try await read { session in
            let row = try await session.row(
                """
                SELECT s.id, s.email, s.email_normalized, s.locale FROM consent_records c
                JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = \(consent)
                """)
            guard let row, isBound(try row.value("email_normalized", as: String.self)) else { return nil }
            return try ReaderIdentity(stored: row)
        }
    }

    public func queueReaderMail(_ draft: OutboxDraft, limit: Int, since: Date) async throws -> Bool {
        try await write { session in
            // The subscriber's row is locked, so two requests at once cannot both pass the count.
            _ = try await session.execute("SELECT 1 FROM subscribers WHERE id = \(draft.subscriberID) FOR UPDATE")
            let recent = try await session.value(
                """
                SELECT count(*) FROM outbox
                WHERE subscriber_id = \(draft.subscriberID) AND kind = \(draft.kind) AND created_at >= \(Timestamp.format(since))
                """, as: Int64.self) ?? 0
            guard recent < limit else { return false }
            try await Self.save(Effects(mail: [draft]), session)
            return true
        }
    }
}

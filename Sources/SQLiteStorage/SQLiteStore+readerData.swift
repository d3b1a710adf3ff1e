public import Foundation
import GRDB
public import NewsletterSignup
public import SideEffects
import StoredRows

/// A reader's own data requests: who a link names, and the mail they ask for.
extension SQLiteStore {
    public func reader(consent: Int64, isBound: @escaping @Sendable (String) -> Bool) async throws -> ReaderIdentity? {
        try await read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT s.id, s.email, s.email_normalized, s.locale FROM consent_records c
                    JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = ?
                    """), arguments: [consent])
            guard let row, isBound(row["email_normalized"]) else { return nil }
            return try ReaderIdentity(stored: row)
        }
    }

    public func queueReaderMail(_ draft: OutboxDraft, limit: Int, since: Date) async throws -> Bool {
        try await write { db in
            let recent = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM outbox WHERE subscriber_id = ? AND kind = ? AND created_at >= ?",
                arguments: [draft.subscriberID, draft.kind, Timestamp.format(since)]) ?? 0
            guard recent < limit else { return false }
            try Self.save(Effects(mail: [draft]), db)
            return true
        }
    }
}

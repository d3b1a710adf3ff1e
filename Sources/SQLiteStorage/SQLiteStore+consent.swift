import Foundation
import GRDB
public import SideEffects
import StoredRows
public import SubscriberLists

/// Consent texts (migration 0013): inserted, never updated (triggers refuse it).
extension SQLiteStore {
    public func addConsentText(_ text: ConsentText, effects: Effects) async throws -> ConsentText? {
        try await write { db in
            if let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM consent_texts WHERE version = ? AND locale = ?", arguments: [text.version, text.locale])
            {
                return try ConsentText(stored: existing)
            }
            try db.execute(
                sql: "INSERT INTO consent_texts (version, locale, body, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [text.version, text.locale, text.body, Timestamp.format(text.createdAt), text.createdBy])
            try Self.save(effects, db)
            return nil
        }
    }

    public func consentTexts() async throws -> [ConsentText] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM consent_texts ORDER BY version, locale").map(ConsentText.init(stored:))
        }
    }
}

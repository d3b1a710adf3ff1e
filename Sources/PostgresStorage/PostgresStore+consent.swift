import Foundation
import PostgresNIO
public import SideEffects
import StoredRows
public import SubscriberLists

/// Consent texts (migration 0013): inserted, never updated (a trigger refuses it).
extension PostgresStore {
    public func addConsentText(_ text: ConsentText, effects: Effects) async throws -> ConsentText? {
        try await write { session in
            let inserted = try await session.execute(
                """
                INSERT INTO consent_texts (version, locale, body, created_at, created_by)
                VALUES (\(text.version), \(text.locale), \(text.body), \(Timestamp.format(text.createdAt)), \(text.createdBy))
                ON CONFLICT (version, locale) DO NOTHING RETURNING 1
                """)
            guard inserted == 0 else {
                try await Self.save(effects, session)
                return nil
            }
            let existing = try await session.row(
                "SELECT * FROM consent_texts WHERE version = \(text.version) AND locale = \(text.locale)")
            return try existing.map(ConsentText.init(stored:))
        }
    }

    public func consentTexts() async throws -> [ConsentText] {
        try await read { session in
            try await session.rows("SELECT * FROM consent_texts ORDER BY version COLLATE \"C\", locale COLLATE \"C\"").map(ConsentText.init(stored:))
        }
    }
}

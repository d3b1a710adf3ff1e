public import Foundation
import GRDB
import StoredRows
public import NewsletterSignup
import SideEffects
import SubscriberLists

/// The preferences page: a reader's public newsletters, read and set through a `manage` link.
extension SQLiteStore {
    public func preferences(
        consent: Int64, choice: PreferencesChoice?, at time: Date, client: ClientContext?, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> Preferences? {
        try await write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT s.id, s.email, s.email_normalized, s.locale FROM consent_records c
                    JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = ?
                    """), arguments: [consent]),
                isBound(row["email_normalized"])
            else { return nil }
            let subscriber: Int64 = row["id"]
            let newsletters = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM newsletters WHERE archived_at IS NULL AND visibility = 'public' ORDER BY name")
            ).map(Newsletter.init(stored:))
            let shown = Preferences(
                address: row["email"],
                entries: try newsletters.map {
                    Preferences.Entry(newsletter: $0, status: try Self.membershipStatus(db, subscriber: subscriber, newsletter: $0.id))
                })
            guard let choice else { return shown }
            let change = shown.change(to: choice)
            let stamp = Timestamp.format(time)
            for entry in change.joining {
                try Self.setMembership(
                    db, subscriber: subscriber, newsletter: entry.newsletter.id, to: .confirmed, exists: entry.status != nil,
                    createdAt: stamp, at: stamp)
                _ = try Self.insertListConsent(
                    db, subscriber: subscriber, newsletter: entry.newsletter.id, action: "signup",
                    source: PreferencesChange.consentSource, basis: PreferencesChange.consentBasis, locale: row["locale"],
                    confirmed: true, client: client, at: stamp)
            }
            for newsletter in change.leaving {
                try Self.setMembership(
                    db, subscriber: subscriber, newsletter: newsletter.id, to: .unsubscribed, exists: true, createdAt: stamp, at: stamp)
            }
            try Self.save(
                .preferencesChosen(change, subscriber: subscriber, address: row["email_normalized"], client: client, at: time), db)
            return shown.applying(change)
        }
    }
}

public import Foundation
public import NewsletterSignup
import PostgresNIO
import StoredRows
import SideEffects
import SubscriberLists

/// The preferences page: a reader's public newsletters, read and set through a `manage` link.
extension PostgresStore {
    public func preferences(
        consent: Int64, choice: PreferencesChoice?, at time: Date, client: ClientContext?, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> Preferences? {
        try await write { session in
            // FOR UPDATE OF s locks the subscriber before its memberships are read: the same form sent
            // twice, or a confirm click, on another daemon waits and then sees this one's changes.
            guard let row = try await session.row(
                """
                SELECT s.id, s.email, s.email_normalized, s.locale FROM consent_records c
                JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = \(consent) FOR UPDATE OF s
                """),
                isBound(try row["email_normalized", as: String.self])
            else { return nil }
            let subscriber = try row["id", as: Int64.self]
            // COLLATE "C": byte order, as SQLite sorts, whatever the database's collation.
            let newsletters = try await session.rows(
                """
                SELECT * FROM newsletters WHERE archived_at IS NULL AND visibility = 'public' ORDER BY name COLLATE "C"
                """
            ).map(Newsletter.init(stored:))
            var entries: [Preferences.Entry] = []
            for newsletter in newsletters {
                entries.append(Preferences.Entry(
                    newsletter: newsletter,
                    status: try await Self.membershipStatus(session, subscriber: subscriber, newsletter: newsletter.id)))
            }
            let shown = Preferences(address: try row["email", as: String.self], entries: entries)
            guard let choice else { return shown }
            let change = shown.change(to: choice)
            let stamp = Timestamp.format(time)
            for entry in change.joining {
                try await Self.setMembership(
                    session, subscriber: subscriber, newsletter: entry.newsletter.id, to: .confirmed, exists: entry.status != nil,
                    createdAt: stamp, at: stamp)
                _ = try await Self.insertListConsent(
                    session, subscriber: subscriber, newsletter: entry.newsletter.id, action: "signup",
                    source: PreferencesChange.consentSource, basis: PreferencesChange.consentBasis,
                    locale: try row["locale", as: String?.self], confirmed: true, client: client, at: stamp)
            }
            for newsletter in change.leaving {
                try await Self.setMembership(
                    session, subscriber: subscriber, newsletter: newsletter.id, to: .unsubscribed, exists: true, createdAt: stamp,
                    at: stamp)
            }
            try await Self.save(
                .preferencesChosen(
                    change, subscriber: subscriber, address: try row["email_normalized", as: String.self], client: client, at: time),
                session)
            return shown.applying(change)
        }
    }
}

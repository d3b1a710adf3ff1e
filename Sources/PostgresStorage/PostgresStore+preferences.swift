public import Foundation
public import NewsletterSignup
import PostgresNIO
import StoredRows
import SideEffects
import SubscriberLists

/// The preferences page: a reader's public newsletters, read and set through a `manage` link.
extension PostgresStore {
    public func preferences(
        consent: Int64, wanted: Set<String>?, at time: Date, client: ClientContext?, isBound: @escaping @Sendable (String) -> Bool
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
            if let wanted {
                try await Self.setPreferences(
                    session, subscriber: subscriber, locale: try row["locale", as: String?.self], newsletters: newsletters,
                    wanted: wanted, at: time, client: client)
            }
            var entries: [Preferences.Entry] = []
            for newsletter in newsletters {
                entries.append(Preferences.Entry(
                    newsletter: newsletter,
                    status: try await Self.membershipStatus(session, subscriber: subscriber, newsletter: newsletter.id)))
            }
            return Preferences(address: try row["email", as: String.self], entries: entries)
        }
    }

    /// Joins the wanted newsletters (confirmed: the signed link proved the address) and leaves
    /// the others. Bounced and complained memberships are left alone: the address is the problem.
    private static func setPreferences(
        _ session: PostgresSession, subscriber: Int64, locale: String?, newsletters: [Newsletter], wanted: Set<String>,
        at time: Date, client: ClientContext?
    ) async throws {
        let stamp = Timestamp.format(time)
        var joined: [String] = []
        var left: [String] = []
        for newsletter in newsletters {
            let current = try await membershipStatus(session, subscriber: subscriber, newsletter: newsletter.id)
            if wanted.contains(newsletter.slug) {
                guard current != .confirmed, current != .bounced, current != .complained else { continue }
                try await setMembership(
                    session, subscriber: subscriber, newsletter: newsletter.id, to: .confirmed, exists: current != nil,
                    createdAt: stamp, at: stamp)
                let consent = try await insertListConsent(
                    session, subscriber: subscriber, newsletter: newsletter.id, action: "signup", source: "preferences",
                    basis: "chosen on the preferences page reached by a signed link", locale: locale, confirmed: true, at: stamp)
                try await session.execute(
                    "UPDATE consent_records SET client_ip = \(client?.ipAddress), user_agent = \(client?.userAgent) WHERE id = \(consent)")
                joined.append(newsletter.slug)
            } else if current?.isActive == true {
                try await setMembership(
                    session, subscriber: subscriber, newsletter: newsletter.id, to: .unsubscribed, exists: true, createdAt: stamp,
                    at: stamp)
                left.append(newsletter.slug)
            }
        }
        try await save(.preferencesChosen(subscriber: subscriber, joined: joined, left: left, client: client, at: time), session)
    }
}

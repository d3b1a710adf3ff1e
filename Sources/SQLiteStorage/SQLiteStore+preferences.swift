public import Foundation
import GRDB
import StoredRows
public import NewsletterSignup
import SideEffects
import SubscriberLists

/// The preferences page: a reader's public newsletters, read and set through a `manage` link.
extension SQLiteStore {
    public func preferences(
        consent: Int64, wanted: Set<String>?, at time: Date, client: ClientContext?, isBound: @escaping @Sendable (String) -> Bool
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
            if let wanted {
                try Self.setPreferences(
                    db, subscriber: subscriber, locale: row["locale"], newsletters: newsletters, wanted: wanted, at: time,
                    client: client)
            }
            let entries = try newsletters.map { newsletter in
                Preferences.Entry(newsletter: newsletter, status: try Self.membershipStatus(db, subscriber: subscriber, newsletter: newsletter.id))
            }
            return Preferences(address: row["email"], entries: entries)
        }
    }

    /// Joins the wanted newsletters (confirmed: the signed link proved the address) and leaves
    /// the others. Bounced and complained memberships are left alone: the address is the problem.
    private static func setPreferences(
        _ db: Database, subscriber: Int64, locale: String?, newsletters: [Newsletter], wanted: Set<String>, at time: Date,
        client: ClientContext?
    ) throws {
        let stamp = Timestamp.format(time)
        var joined: [String] = []
        var left: [String] = []
        for newsletter in newsletters {
            let current = try membershipStatus(db, subscriber: subscriber, newsletter: newsletter.id)
            if wanted.contains(newsletter.slug) {
                guard current != .confirmed, current != .bounced, current != .complained else { continue }
                try setMembership(
                    db, subscriber: subscriber, newsletter: newsletter.id, to: .confirmed, exists: current != nil, createdAt: stamp,
                    at: stamp)
                let consent = try insertListConsent(
                    db, subscriber: subscriber, newsletter: newsletter.id, action: "signup", source: "preferences",
                    basis: "chosen on the preferences page reached by a signed link", locale: locale, confirmed: true, at: stamp)
                try db.cachedStatement(sql: "UPDATE consent_records SET client_ip = ?, user_agent = ? WHERE id = ?")
                    .execute(arguments: [client?.ipAddress, client?.userAgent, consent])
                joined.append(newsletter.slug)
            } else if current?.isActive == true {
                try setMembership(
                    db, subscriber: subscriber, newsletter: newsletter.id, to: .unsubscribed, exists: true, createdAt: stamp, at: stamp)
                left.append(newsletter.slug)
            }
        }
        try save(.preferencesChosen(subscriber: subscriber, joined: joined, left: left, client: client, at: time), db)
    }
}

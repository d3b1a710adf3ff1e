import Foundation
import GRDB
public import SubscriberLists

/// Pages of memberships for streaming exports, in subscription id order (keyset pagination:
/// each page starts after the last id of the previous one, so a page costs the same at the
/// end of a million rows as at the start).
extension SQLiteStore {
    public func exportMemberships(
        newsletter: String?, state: SubscriptionStatus?, withConsent: Bool, after cursor: Int64, limit: Int
    ) async throws -> [MembershipRow] {
        try await read { db in
            // The latest consent record covering the membership.
            let consentColumns = withConsent ? """
                , c.id AS consent_id, c.action AS consent_action, c.source AS consent_source, c.client_ip AS consent_client_ip,
                  c.user_agent AS consent_user_agent, c.consent_text_version AS consent_text_version,
                  c.basis AS consent_basis, c.recorded_at AS consent_recorded_at, c.confirmed_at AS consent_confirmed_at
                """ : ""
            let consentJoin = withConsent ? """
                LEFT JOIN consent_records c ON c.id = (
                    SELECT max(cr.id) FROM consent_records cr
                    JOIN consent_newsletters cn ON cn.consent_id = cr.id AND cn.newsletter_id = s.newsletter_id
                    WHERE cr.subscriber_id = s.subscriber_id)
                """ : ""
            let sql = """
                SELECT s.id AS subscription_id, sub.email, sub.name, sub.locale, sub.attributes, n.slug AS newsletter,
                       s.status, s.created_at, s.confirmed_at, s.unsubscribed_at \(consentColumns)
                FROM subscriptions s
                JOIN subscribers sub ON sub.id = s.subscriber_id
                JOIN newsletters n ON n.id = s.newsletter_id
                \(consentJoin)
                WHERE s.id > ? AND (? IS NULL OR n.slug = ?) AND (? IS NULL OR s.status = ?)
                ORDER BY s.id LIMIT ?
                """
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: sql),
                arguments: [cursor, newsletter, newsletter, state?.rawValue, state?.rawValue, limit])
            var page: [MembershipRow] = []
            page.reserveCapacity(limit)
            while let row = try rows.next() {
                page.append(try Self.membershipRow(from: row, consent: withConsent ? try Self.exportedConsent(row) : nil))
            }
            return page
        }
    }

    private static func exportedConsent(_ row: Row) throws -> ConsentRecord? {
        guard let id: Int64 = row["consent_id"] else { return nil }
        return ConsentRecord(
            id: id, action: row["consent_action"], newsletters: [row["newsletter"]], source: row["consent_source"],
            clientIP: row["consent_client_ip"], userAgent: row["consent_user_agent"],
            consentTextVersion: row["consent_text_version"], basis: row["consent_basis"],
            recordedAt: try date(row, "consent_recorded_at"), confirmedAt: try optionalDate(row, "consent_confirmed_at"))
    }
}

import Foundation
import PostgresNIO
public import SubscriberLists

/// Pages of memberships for streaming exports, in subscription id order (keyset pagination:
/// each page starts after the last id of the previous one, so a page costs the same at the
/// end of a million rows as at the start).
extension PostgresStore {
    public func exportMemberships(
        newsletter: String?, state: SubscriptionStatus?, withConsent: Bool, after cursor: Int64, limit: Int
    ) async throws -> [MembershipRow] {
        // The latest consent record covering the membership (fixed SQL fragments, no values).
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
        let status = state?.rawValue
        let query: PostgresQuery = """
            SELECT s.id AS subscription_id, sub.email, sub.name, sub.locale, sub.attributes, n.slug AS newsletter,
                   s.status, s.created_at, s.confirmed_at, s.unsubscribed_at \(unescaped: consentColumns)
            FROM subscriptions s
            JOIN subscribers sub ON sub.id = s.subscriber_id
            JOIN newsletters n ON n.id = s.newsletter_id
            \(unescaped: consentJoin)
            WHERE s.id > \(cursor) AND (\(newsletter)::text IS NULL OR n.slug = \(newsletter))
                AND (\(status)::text IS NULL OR s.status = \(status))
            ORDER BY s.id LIMIT \(limit)
            """
        return try await read { session in
            try await session.rows(query).map { row in
                try Self.membershipRow(from: row, consent: withConsent ? try Self.exportedConsent(row) : nil)
            }
        }
    }

    private static func exportedConsent(_ row: PostgresRandomAccessRow) throws -> ConsentRecord? {
        guard let id = try row["consent_id", as: Int64?.self] else { return nil }
        return ConsentRecord(
            id: id, action: try row["consent_action"], newsletters: [try row["newsletter"]], source: try row["consent_source"],
            clientIP: try row["consent_client_ip"], userAgent: try row["consent_user_agent"],
            consentTextVersion: try row["consent_text_version"], basis: try row["consent_basis"],
            recordedAt: try row.date("consent_recorded_at"), confirmedAt: try row.optionalDate("consent_confirmed_at"))
    }
}

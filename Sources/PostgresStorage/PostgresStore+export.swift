public import Foundation
import PostgresNIO
import SideEffects
import StoredRows
public import SubscriberLists

/// Pages of memberships for streaming exports, in subscription id order (keyset pagination:
/// each page starts after the last id of the previous one, so a page costs the same at the
/// end of a million rows as at the start).
extension PostgresStore {
    public func exportMemberships(
        newsletter: String?, state: SubscriptionStatus?, updatedSince: Date?, withConsent: Bool, after cursor: Int64, limit: Int
    ) async throws -> [MembershipRow] {
        let status = state?.rawValue
        let updated = updatedSince.map(Timestamp.format)
        let query: PostgresQuery = """
            \(unescaped: StoreSQL.membershipExport(withConsent: withConsent))
            WHERE s.id > \(cursor) AND (\(newsletter)::text IS NULL OR n.slug = \(newsletter))
                AND (\(status)::text IS NULL OR s.status = \(status)) AND (\(updated)::text IS NULL OR s.updated_at >= \(updated))
            ORDER BY s.id LIMIT \(limit)
            """
        return try await read { session in
            try await session.rows(query).map { row in
                try MembershipRow(stored: row, consent: withConsent ? try ConsentRecord(exported: row) : nil)
            }
        }
    }
}

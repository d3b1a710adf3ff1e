public import Foundation
import GRDB
import SideEffects
import StoredRows
public import SubscriberLists

/// Pages of memberships for streaming exports, in subscription id order (keyset pagination:
/// each page starts after the last id of the previous one, so a page costs the same at the
/// end of a million rows as at the start).
extension SQLiteStore {
    public func exportMemberships(
        newsletter: String?, state: SubscriptionStatus?, updatedSince: Date?, withConsent: Bool, after cursor: Int64, limit: Int
    ) async throws -> [MembershipRow] {
        try await read { db in
            let sql = """
                \(StoreSQL.membershipExport(withConsent: withConsent))
                WHERE s.id > ? AND (? IS NULL OR n.slug = ?) AND (? IS NULL OR s.status = ?) AND (? IS NULL OR s.updated_at >= ?)
                ORDER BY s.id LIMIT ?
                """
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: sql),
                arguments: [
                    cursor, newsletter, newsletter, state?.rawValue, state?.rawValue, updatedSince.map(Timestamp.format),
                    updatedSince.map(Timestamp.format), limit,
                ])
            var page: [MembershipRow] = []
            page.reserveCapacity(limit)
            while let row = try rows.next() {
                page.append(try MembershipRow(stored: row, consent: withConsent ? try ConsentRecord(exported: row) : nil))
            }
            return page
        }
    }
}

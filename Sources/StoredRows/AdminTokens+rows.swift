public import AdminAccess
import Foundation

extension AdminToken {
    /// An `admin_tokens` row (migration 0008). A scope this version does not know (written by a
    /// newer one) is left out rather than refusing the row: it grants nothing here.
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), name: try row.value("name"),
            scopes: try row.value("scopes", as: String.self).split(separator: ",").compactMap { AdminScope(rawValue: String($0)) },
            createdAt: try row.value("created_at"), expiresAt: try row.value("expires_at"), revokedAt: try row.value("revoked_at"))
    }
}

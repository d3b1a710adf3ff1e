public import Foundation

/// The persistence admin API tokens need. Implementations: `SQLiteStore` and `PostgresStore`
/// (migration 0008, table `admin_tokens`).
public protocol AdminTokenStore: Sendable {
    /// Stores a token with its audit record; throws ``AdminTokenError/nameTaken(_:)`` when an
    /// active token has the name.
    func addAdminToken(_ token: NewAdminToken, actor: String, at time: Date) async throws -> AdminToken
    /// Every token, revoked and expired ones included, oldest first.
    func adminTokens() async throws -> [AdminToken]
    /// The token a selector names, with its stored secret hash.
    func adminToken(selector: String) async throws -> (token: AdminToken, secretHash: String)?
    /// Revokes the active token named `name`, with its audit record; nil when there is none.
    func revokeAdminToken(name: String, actor: String, at time: Date) async throws -> AdminToken?
}

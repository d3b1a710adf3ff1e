public import AdminAccess
public import Foundation
import PostgresNIO
import SideEffects
import StoredRows

/// Admin API tokens (migration 0008), shared by every daemon on the database.
extension PostgresStore: AdminTokenStore {
    public func addAdminToken(_ token: NewAdminToken, actor: String, at time: Date) async throws -> AdminToken {
        try await write { session in
            let scopes = token.scopes.map(\.rawValue).joined(separator: ",")
            // The partial unique index decides between two creations of one name at once.
            guard let id = try await session.value(
                """
                INSERT INTO admin_tokens (name, selector, secret_hash, scopes, created_at, expires_at)
                VALUES (\(token.name), \(token.selector), \(token.secretHash), \(scopes), \(Timestamp.format(time)),
                    \(token.expiresAt.map(Timestamp.format)))
                ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING RETURNING id
                """, as: Int64.self)
            else { throw AdminTokenError.nameTaken(token.name) }
            let stored = AdminToken(id: id, name: token.name, scopes: token.scopes, createdAt: time, expiresAt: token.expiresAt, revokedAt: nil)
            try await Self.save(.adminTokenCreated(stored, actor: actor, at: time), session)
            return stored
        }
    }

    public func adminTokens() async throws -> [AdminToken] {
        try await read { session in try await session.rows("SELECT * FROM admin_tokens ORDER BY id").map(AdminToken.init(stored:)) }
    }

    public func adminToken(selector: String) async throws -> (token: AdminToken, secretHash: String)? {
        try await read { session in
            guard let row = try await session.row("SELECT * FROM admin_tokens WHERE selector = \(selector)") else { return nil }
            return (try AdminToken(stored: row), try row.value("secret_hash"))
        }
    }

    public func revokeAdminToken(name: String, actor: String, at time: Date) async throws -> AdminToken? {
        try await write { session in
            guard let row = try await session.row(
                "UPDATE admin_tokens SET revoked_at = \(Timestamp.format(time)) WHERE name = \(name) AND revoked_at IS NULL RETURNING *")
            else { return nil }
            let token = try AdminToken(stored: row)
            try await Self.save(.adminTokenRevoked(token, actor: actor, at: time), session)
            return token
        }
    }
}

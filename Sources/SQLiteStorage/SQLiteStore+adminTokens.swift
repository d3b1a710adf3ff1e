public import AdminAccess
public import Foundation
import GRDB
import SideEffects
import StoredRows

/// Admin API tokens (migration 0008).
extension SQLiteStore: AdminTokenStore {
    public func addAdminToken(_ token: NewAdminToken, actor: String, at time: Date) async throws -> AdminToken {
        try await write { db in
            // One writer: nothing can take the name between this check and the insert.
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM admin_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [token.name]) ?? false {
                throw AdminTokenError.nameTaken(token.name)
            }
            try db.execute(
                sql: """
                    INSERT INTO admin_tokens (name, selector, secret_hash, scopes, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.name, token.selector, token.secretHash, token.scopes.map(\.rawValue).joined(separator: ","), Timestamp.format(time),
                    token.expiresAt.map(Timestamp.format),
                ])
            let stored = AdminToken(
                id: db.lastInsertedRowID, name: token.name, scopes: token.scopes, createdAt: time, expiresAt: token.expiresAt, revokedAt: nil)
            try Self.save(.adminTokenCreated(stored, actor: actor, at: time), db)
            return stored
        }
    }

    public func adminTokens() async throws -> [AdminToken] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM admin_tokens ORDER BY id").map(AdminToken.init(stored:)) }
    }

    public func adminToken(selector: String) async throws -> (token: AdminToken, secretHash: String)? {
        try lookup { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM admin_tokens WHERE selector = ?"), arguments: [selector])
            else { return nil }
            return (try AdminToken(stored: row), try row.value("secret_hash"))
        }
    }

    public func revokeAdminToken(name: String, actor: String, at time: Date) async throws -> AdminToken? {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM admin_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name])
            else { return nil }
            var token = try AdminToken(stored: row)
            token.revokedAt = time
            try db.execute(sql: "UPDATE admin_tokens SET revoked_at = ? WHERE id = ?", arguments: [Timestamp.format(time), token.id])
            try Self.save(.adminTokenRevoked(token, actor: actor, at: time), db)
            return token
        }
    }
}

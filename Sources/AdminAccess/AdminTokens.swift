public import Foundation

/// Issuing, listing, revoking and checking admin API tokens (`masthead tokens …` and the
/// admin API's bearer check).
///
/// ```swift
/// let (token, secret) = try await tokens.create(name: "crm-sync", scopes: [.subscribersRead], lifetime: nil, actor: "admin:alice")
/// let caller = try await tokens.authenticate(bearer: secret)   // the token, or nil
/// ```
public struct AdminTokens: Sendable {
    let store: any AdminTokenStore
    let now: @Sendable () -> Date

    public init(store: any AdminTokenStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// Issues a token; its secret is in the answer and nowhere else (only its hash is stored).
    public func create(name: String, scopes: [AdminScope], lifetime: TimeInterval?, actor: String) async throws -> (
        token: AdminToken, secret: String
    ) {
        guard Self.isValid(name: name) else { throw AdminTokenError.invalidName(name) }
        guard !scopes.isEmpty else { throw AdminTokenError.noScope }
        if let lifetime, lifetime <= 0 { throw AdminTokenError.invalidLifetime }
        let time = now()
        let secret = try AdminTokenSecret.generate()
        let token = try await store.addAdminToken(
            NewAdminToken(
                name: name, scopes: Array(Set(scopes)).sorted(), selector: secret.selector, secretHash: secret.hash,
                expiresAt: lifetime.map { time.addingTimeInterval($0) }),
            actor: actor, at: time)
        return (token, secret.text)
    }

    /// Every token, oldest first.
    public func list() async throws -> [AdminToken] { try await store.adminTokens() }

    /// Revokes the active token named `name`: from now on it is refused like an unknown one.
    public func revoke(name: String, actor: String) async throws -> AdminToken {
        guard let token = try await store.revokeAdminToken(name: name, actor: actor, at: now()) else {
            throw AdminTokenError.unknownToken(name)
        }
        return token
    }

    /// The usable token `presented` is the secret of; nil for anything else (malformed,
    /// unknown, wrong secret, revoked, expired), so every refusal looks the same.
    public func authenticate(bearer presented: String) async throws -> AdminToken? {
        guard let secret = AdminTokenSecret(presented: presented),
            let (token, stored) = try await store.adminToken(selector: secret.selector),
            secret.matches(storedHash: stored), token.isUsable(at: now())
        else { return nil }
        return token
    }

    /// 1–64 of `A–Z a–z 0–9 . _ -`: it is printed in the audit trail and in tables.
    static func isValid(name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 46 || byte == 95 || byte == 45
            }
    }
}

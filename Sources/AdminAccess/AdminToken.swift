public import Foundation

/// A bearer token of the admin API as stored: its name (the audit trail's `token:NAME`), its
/// scopes and lifetime. The secret itself is never stored, only its SHA-256.
public struct AdminToken: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var scopes: [AdminScope]
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: Int64, name: String, scopes: [AdminScope], createdAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may be used at `time`: neither revoked nor expired.
    public func isUsable(at time: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { time < $0 } ?? true)
    }

    /// Whether the token grants `scope`.
    public func grants(_ scope: AdminScope) -> Bool { scopes.contains(scope) }

    /// Who the audit trail names for what this token does.
    public var actor: String { "token:\(name)" }

    /// The stored form of ``scopes``.
    public var scopesText: String { scopes.map(\.rawValue).joined(separator: ",") }

    /// `active`, `expired` or `revoked`, at `time`.
    public func state(at time: Date) -> String {
        if revokedAt != nil { return "revoked" }
        return isUsable(at: time) ? "active" : "expired"
    }
}

/// A token about to be stored: everything but its id, and the hash of its secret.
public struct NewAdminToken: Sendable, Equatable {
    public var name: String
    public var scopes: [AdminScope]
    /// The public half of the secret, by which it is found (`mht_SELECTOR_…`).
    public var selector: String
    /// SHA-256 of the whole secret, hex.
    public var secretHash: String
    public var expiresAt: Date?

    public init(name: String, scopes: [AdminScope], selector: String, secretHash: String, expiresAt: Date?) {
        self.name = name
        self.scopes = scopes
        self.selector = selector
        self.secretHash = secretHash
        self.expiresAt = expiresAt
    }
}

public import Foundation
public import SideEffects

/// The audit records of managing admin API tokens (never the secret or its hash).
extension Effects {
    /// A token was created.
    public static func adminTokenCreated(_ token: AdminToken, actor: String, at time: Date) -> Effects {
        var details = ["name": token.name, "scopes": token.scopesText]
        if let expires = token.expiresAt { details["expires_at"] = Timestamp.format(expires) }
        return .record(AuditRecord(
            occurredAt: time, actor: actor, action: "admin_token.created", subjectType: "admin_token", subjectID: token.id,
            details: details))
    }

    /// A token was revoked.
    public static func adminTokenRevoked(_ token: AdminToken, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "admin_token.revoked", subjectType: "admin_token", subjectID: token.id,
            details: ["name": token.name]))
    }
}

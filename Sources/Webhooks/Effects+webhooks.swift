public import Foundation
public import SideEffects

/// The side effects of managing webhook endpoints: their audit records, and the operator's
/// alert when an endpoint is paused for failing.
extension Effects {
    /// An endpoint was added.
    public static func endpointAdded(_ endpoint: WebhookEndpoint, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "webhook.added", subjectType: "webhook", subjectID: endpoint.id,
            details: ["url": endpoint.url, "events": endpoint.eventsText]))
    }

    /// An endpoint was removed, with its deliveries.
    public static func endpointRemoved(id: Int64, url: String, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "webhook.removed", subjectType: "webhook", subjectID: id, details: ["url": url]))
    }

    /// Staff paused, resumed or rotated an endpoint (`action`: `paused`, `resumed`, `secret_rotated`).
    public static func endpointChanged(_ endpoint: WebhookEndpoint, action: String, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "webhook.\(action)", subjectType: "webhook", subjectID: endpoint.id,
            details: ["url": endpoint.url]))
    }

    /// The worker paused an endpoint that failed for the whole retry window; the operator is
    /// mailed when `alertRecipient` is set.
    public static func endpointPaused(
        id: Int64, url: String, failingSince: Date, alertRecipient: String?, at time: Date
    ) -> Effects {
        var effects = Effects.record(AuditRecord(
            occurredAt: time, actor: "system", action: "webhook.paused", subjectType: "webhook", subjectID: id,
            details: ["url": url, "failing_since": Timestamp.format(failingSince), "reason": "failing"]))
        if let alertRecipient {
            effects.mail.append(EndpointPausedAlert(endpoint: id, url: url, failingSince: failingSince).draft(
                recipient: alertRecipient, queuedAt: time))
        }
        return effects
    }
}

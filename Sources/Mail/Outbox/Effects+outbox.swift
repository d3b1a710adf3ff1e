public import Foundation
public import SideEffects

/// The audit records of staff sending mail again (`masthead outbox retry`, the admin API).
extension Effects {
    /// One message was queued again.
    public static func outboxRetried(id: Int64, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(occurredAt: time, actor: actor, action: "outbox.retried", subjectType: "outbox", subjectID: id))
    }

    /// Every dead message was queued again.
    public static func deadOutboxRetried(count: Int, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "outbox.dead_retried", subjectType: "outbox", details: ["count": String(count)]))
    }
}

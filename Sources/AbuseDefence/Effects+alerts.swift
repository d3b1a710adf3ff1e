public import Foundation
public import SideEffects

extension Effects {
    /// The detector raised an alert: an audit record, the webhook event `alert.raised`, and the
    /// operator's email when `recipient` is set (the caller passes nil within an hour of the
    /// last one of its kind).
    public static func alertRaised(_ notice: AlertNotice, recipient: String?) -> Effects {
        var effects = Effects.record(AuditRecord(
            occurredAt: notice.at, actor: "system", action: "alert.raised", subjectType: "alert",
            details: ["kind": notice.kind.rawValue, "subject": notice.subject, "detail": notice.detail]))
        effects.events.append(OutgoingEvent(
            type: "alert.raised", at: notice.at, about: nil,
            data: ["kind": .string(notice.kind.rawValue), "subject": .string(notice.subject), "detail": .string(notice.detail)]))
        if let recipient { effects.mail.append(OperatorAlert(notice: notice).draft(recipient: recipient)) }
        return effects
    }

    /// An alert ended (its condition did not hold for the cool-down).
    public static func alertCleared(_ notice: AlertNotice) -> Effects {
        .record(AuditRecord(
            occurredAt: notice.at, actor: "system", action: "alert.cleared", subjectType: "alert",
            details: ["kind": notice.kind.rawValue, "subject": notice.subject]))
    }
}

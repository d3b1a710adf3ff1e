public import Foundation
public import Mail
public import SideEffects

/// The operator's email about an alert (outbox kind `operator_alert`).
public struct OperatorAlert: Codable, Sendable, Equatable {
    public static let kind = "operator_alert"

    public var notice: AlertNotice

    /// The outbox row for it.
    public func draft(recipient: String) -> OutboxDraft {
        let payload = (try? JSONEncoder().encode(self)).map(Array.init) ?? []
        return OutboxDraft(kind: Self.kind, recipient: recipient, subscriberID: nil, payload: payload, queuedAt: notice.at)
    }
}

/// Composes ``OperatorAlert``: plain text in English, like the daemon's logs.
public struct OperatorAlertComposer: MessageComposer {
    let from: Mailbox
    let newsroom: String

    public init(from: Mailbox, newsroom: String) {
        self.from = from
        self.newsroom = newsroom
    }

    public var kinds: Set<String> { [OperatorAlert.kind] }

    public func compose(_ item: OutboxItem) throws -> MailMessage {
        let notice = try item.payload(as: OperatorAlert.self).notice
        let about = notice.subject.isEmpty ? "" : " (\(notice.subject))"
        return .operatorNotice(
            from: from, item: item, subject: "[\(newsroom)] Alert: \(notice.kind.rawValue)\(about) since \(Timestamp.format(notice.at))",
            text: """
                Masthead raised an alert at \(Timestamp.format(notice.at)): \(notice.detail).

                While it lasts, sign-up and pledge forms ask browsers for a proof of work (when \
                MASTHEAD_CHALLENGE is adaptive), and confirmation emails stay within the hourly budget. \
                The alert ends after a quiet cool-down; no more emails of this kind are sent for an hour.

                To see the alerts and what is happening:

                    masthead alerts list --all
                    masthead domains block DOMAIN     (when one domain floods the form)

                """)
    }
}

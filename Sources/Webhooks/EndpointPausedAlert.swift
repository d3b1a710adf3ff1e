public import Foundation
public import Mail
public import SideEffects

/// The operator's email when an endpoint is paused for failing (outbox kind `webhook_paused`).
public struct EndpointPausedAlert: Codable, Sendable, Equatable {
    public static let kind = "webhook_paused"

    public var endpoint: Int64
    public var url: String
    public var failingSince: Date

    /// The outbox row for it.
    public func draft(recipient: String, queuedAt: Date) -> OutboxDraft {
        let payload = (try? JSONEncoder().encode(self)).map(Array.init) ?? []
        return OutboxDraft(kind: Self.kind, recipient: recipient, subscriberID: nil, payload: payload, queuedAt: queuedAt)
    }
}

/// Composes ``EndpointPausedAlert``: plain text, in English (the operator's language is not
/// configured; the daemon's logs are in English too).
public struct WebhookAlertComposer: MessageComposer {
    let from: Mailbox
    let newsroom: String

    public init(from: Mailbox, newsroom: String) {
        self.from = from
        self.newsroom = newsroom
    }

    public var kinds: Set<String> { [EndpointPausedAlert.kind] }

    public func compose(_ item: OutboxItem) throws -> MailMessage {
        let alert = try item.payload(as: EndpointPausedAlert.self)
        return .operatorNotice(
            from: from, item: item,
            subject: "[\(newsroom)] Webhook endpoint \(alert.endpoint) paused: failing since \(Timestamp.format(alert.failingSince))",
            text: """
                Masthead paused webhook endpoint \(alert.endpoint) (\(alert.url)): every delivery to it has failed since \
                \(Timestamp.format(alert.failingSince)).

                Events for it are held, not lost. To see why it failed:

                    masthead webhooks deliveries \(alert.endpoint) --failed

                Once the receiver works again, resume delivery (held events are sent, failed ones can be replayed):

                    masthead webhooks resume \(alert.endpoint)
                    masthead webhooks replay --endpoint \(alert.endpoint) --failed

                """)
    }
}

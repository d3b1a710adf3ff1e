import Foundation
import SideEffects

/// An endpoint as `masthead webhooks list` and the admin API show it (never its secret).
public struct EndpointRow: Encodable, Sendable {
    public let id: Int64
    public let url: String
    public let events: String
    public let state: String
    public let failingSince: String?
    public let description: String?
    public let created: String

    public init(_ endpoint: WebhookEndpoint) {
        id = endpoint.id
        url = endpoint.url
        events = endpoint.eventsText
        state = endpoint.pausedAt.map { "paused (\(endpoint.pausedReason ?? "")) since \(Timestamp.format($0))" } ?? "active"
        failingSince = endpoint.failingSince.map(Timestamp.format)
        description = endpoint.description
        created = Timestamp.format(endpoint.createdAt)
    }
}

public import Foundation
import SideEffects

/// A receiver of webhook events: its URL, the event types it asked for, the secret its
/// messages are signed with, and whether delivery to it is paused.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: Int64
    public var url: String
    /// The event types it receives; `["*"]` for every type.
    public var events: [String]
    public var description: String?
    /// The signing secret, `whsec_…`.
    public var secret: String
    /// The secret before the last rotation, which signs too until ``previousSecretExpiresAt``.
    public var previousSecret: String?
    public var previousSecretExpiresAt: Date?
    public var pausedAt: Date?
    public var pausedReason: String?
    /// When the current run of failed attempts began (nil after a success).
    public var failingSince: Date?
    public var createdAt: Date

    public init(
        id: Int64, url: String, events: [String], description: String?, secret: String, previousSecret: String?,
        previousSecretExpiresAt: Date?, pausedAt: Date?, pausedReason: String?, failingSince: Date?, createdAt: Date
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.pausedAt = pausedAt
        self.pausedReason = pausedReason
        self.failingSince = failingSince
        self.createdAt = createdAt
    }

    /// The endpoint `draft` became, stored as `id`.
    public init(added draft: EndpointDraft, id: Int64, at time: Date) {
        self.init(
            id: id, url: draft.url, events: draft.events, description: draft.description, secret: draft.secret, previousSecret: nil,
            previousSecretExpiresAt: nil, pausedAt: nil, pausedReason: nil, failingSince: nil, createdAt: time)
    }

    /// The secrets that sign a message sent at `time`: the current one, and the previous one
    /// while its overlap lasts.
    public func signingSecrets(at time: Date) -> [String] {
        guard let previousSecret, let expires = previousSecretExpiresAt, expires > time else { return [secret] }
        return [secret, previousSecret]
    }

    /// Whether delivery is paused.
    public var isPaused: Bool { pausedAt != nil }

    /// The stored form of ``events``.
    public var eventsText: String { events.joined(separator: ",") }
}

/// A new endpoint, validated: `add` refuses anything else.
public struct EndpointDraft: Sendable, Equatable {
    public var url: String
    public var events: [String]
    public var description: String?
    public var secret: String

    /// Validates the parts of `masthead webhooks add`. `events` is `*` or a list of known types
    /// (``OutgoingEvent/types``); production (`requireHTTPS`) takes only `https` URLs.
    public init(url: String, events: [String], description: String?, secret: String, requireHTTPS: Bool) throws(WebhookError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil
        else { throw .invalid(field: "url", "must be an http or https URL with a host and no credentials") }
        if requireHTTPS, scheme != "https" { throw .invalid(field: "url", "must be https in production") }
        let wanted = events.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !wanted.isEmpty else { throw .invalid(field: "events", "name at least one event type, or *") }
        if wanted != ["*"] {
            for type in wanted where !OutgoingEvent.types.contains(type) {
                throw .invalid(field: "events", "unknown event type \(type) (known: \(OutgoingEvent.types.joined(separator: ", ")))")
            }
        }
        guard StandardWebhookSecret.isValid(secret) else {
            throw .invalid(field: "secret", "must be whsec_ followed by base64 of at least 24 bytes")
        }
        self.url = url
        self.events = wanted == ["*"] ? ["*"] : Array(Set(wanted)).sorted()
        self.description = description
        self.secret = secret
    }
}

/// Why a webhook operation was refused.
public enum WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field of the request is wrong.
    case invalid(field: String, String)
    /// No endpoint with that id.
    case unknownEndpoint(Int64)
    /// No delivery with that id.
    case unknownDelivery(Int64)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .unknownEndpoint(let id): "no webhook endpoint \(id)"
        case .unknownDelivery(let id): "no webhook delivery \(id)"
        }
    }
}

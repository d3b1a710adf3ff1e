public import Foundation
import SideEffects
import Signing

/// What staff do with webhook endpoints (`masthead webhooks …`, the admin API): add,
/// list, remove, pause, resume, rotate the secret, send a test, read the delivery log, replay.
public struct WebhookAdministration: Sendable {
    let store: any WebhookStore
    let deliverer: WebhookDeliverer
    /// Production: `https` only (the address guard refuses private receivers when sending).
    let requireHTTPS: Bool
    let now: @Sendable () -> Date

    public init(store: any WebhookStore, deliverer: WebhookDeliverer, requireHTTPS: Bool, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.deliverer = deliverer
        self.requireHTTPS = requireHTTPS
        self.now = now
    }

    /// Adds an endpoint for `events` (`*` for all). Without `secret` one is generated; either
    /// way it is in the returned endpoint, to be shown once.
    public func add(url: String, events: [String], description: String?, secret: String?, actor: String) async throws -> WebhookEndpoint {
        let draft = try EndpointDraft(
            url: url, events: events, description: description, secret: try secret ?? StandardWebhookSignature.newSecret(),
            requireHTTPS: requireHTTPS)
        return try await store.addEndpoint(draft, actor: actor, at: now())
    }

    public func endpoints() async throws -> [WebhookEndpoint] { try await store.webhookEndpoints() }

    public func endpoint(_ id: Int64) async throws -> WebhookEndpoint {
        guard let endpoint = try await store.webhookEndpoint(id: id) else { throw WebhookError.unknownEndpoint(id) }
        return endpoint
    }

    public func remove(_ id: Int64, actor: String) async throws {
        guard try await store.removeEndpoint(id: id, actor: actor, at: now()) else { throw WebhookError.unknownEndpoint(id) }
    }

    /// Pauses delivery: new events are held for the endpoint until it is resumed.
    public func pause(_ id: Int64, actor: String) async throws -> WebhookEndpoint {
        try await change(id) { endpoint, time in
            guard !endpoint.isPaused else { return EndpointChange(endpoint: endpoint, effects: .none) }
            var paused = endpoint
            paused.pausedAt = time
            paused.pausedReason = "paused by \(actor)"
            return EndpointChange(endpoint: paused, effects: .endpointChanged(paused, action: "paused", actor: actor, at: time))
        }
    }

    /// Resumes delivery: what was held is sent now, and the failure streak starts afresh.
    public func resume(_ id: Int64, actor: String) async throws -> WebhookEndpoint {
        try await change(id) { endpoint, time in
            guard endpoint.isPaused else { return EndpointChange(endpoint: endpoint, effects: .none) }
            var resumed = endpoint
            resumed.pausedAt = nil
            resumed.pausedReason = nil
            resumed.failingSince = nil
            return EndpointChange(
                endpoint: resumed, effects: .endpointChanged(resumed, action: "resumed", actor: actor, at: time), releaseHeld: true)
        }
    }

    /// Replaces the secret; the old one keeps signing (beside the new) for `overlap`, so the
    /// receiver can switch without losing a message.
    public func rotateSecret(_ id: Int64, to secret: String?, overlap: Duration, actor: String) async throws -> WebhookEndpoint {
        let secret = try secret ?? StandardWebhookSignature.newSecret()
        guard StandardWebhookSecret.isValid(secret) else {
            throw WebhookError.invalid(field: "secret", "must be whsec_ followed by base64 of at least 24 bytes")
        }
        return try await change(id) { endpoint, time in
            var rotated = endpoint
            rotated.previousSecret = endpoint.secret
            rotated.previousSecretExpiresAt = time.addingTimeInterval(TimeInterval(overlap.components.seconds))
            rotated.secret = secret
            return EndpointChange(endpoint: rotated, effects: .endpointChanged(rotated, action: "secret_rotated", actor: actor, at: time))
        }
    }

    /// Sends a `webhook.test` event to the endpoint now (even a paused one) and returns the
    /// outcome; it is in the delivery log like any other.
    public func test(_ id: Int64) async throws -> (delivery: Int64, outcome: WebhookSender.Outcome) {
        let time = now()
        let event = OutgoingEvent(
            type: "webhook.test", at: time, about: nil, data: ["endpoint": .integer(id), "message": .string("A test event from Masthead")])
        guard let claimed = try await store.queueClaimedDelivery(endpoint: id, event: event, leaseUntil: time.addingTimeInterval(60))
        else { throw WebhookError.unknownEndpoint(id) }
        return (claimed.id, await deliverer.attempt(claimed, retrying: false))
    }

    public func deliveries(endpoint id: Int64, failedOnly: Bool, limit: Int) async throws -> [DeliveryRecord] {
        _ = try await endpoint(id)
        return try await store.deliveries(endpoint: id, failedOnly: failedOnly, limit: limit)
    }

    /// Sends deliveries again, due now, with the same `webhook-id`.
    public func replay(_ ids: [Int64]) async throws -> Int {
        for id in ids where try await store.delivery(id: id) == nil { throw WebhookError.unknownDelivery(id) }
        return try await store.replayDeliveries(ids, at: now())
    }

    /// Sends every failed delivery of an endpoint again (after fixing the receiver).
    public func replayFailed(endpoint id: Int64) async throws -> Int {
        let failed = try await deliveries(endpoint: id, failedOnly: true, limit: Int(Int32.max))
        return try await store.replayDeliveries(failed.map(\.id), at: now())
    }

    private func change(
        _ id: Int64, _ decide: @escaping @Sendable (WebhookEndpoint, Date) -> EndpointChange
    ) async throws -> WebhookEndpoint {
        let time = now()
        guard let endpoint = try await store.changeEndpoint(id: id, at: time, { decide($0, time) }) else {
            throw WebhookError.unknownEndpoint(id)
        }
        return endpoint
    }
}

public import Foundation
public import Webhooks

extension DeliveryRecord.State: StoredState {}

extension WebhookEndpoint {
    /// A `webhook_endpoints` row (migration 0007).
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), url: try row.value("url"),
            events: try row.value("events", as: String.self).split(separator: ",").map(String.init),
            description: try row.value("description"), secret: try row.value("secret"), previousSecret: try row.value("previous_secret"),
            previousSecretExpiresAt: try row.value("previous_secret_expires_at"), pausedAt: try row.value("paused_at"),
            pausedReason: try row.value("paused_reason"), failingSince: try row.value("failing_since"),
            createdAt: try row.value("created_at"))
    }
}

extension DeliveryRecord {
    /// A `webhook_deliveries` row for the delivery log.
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), endpointID: try row.value("endpoint_id"), eventType: try row.value("event_type"),
            payload: Array(try row.value("payload", as: String.self).utf8), state: try row.value("state"),
            attempts: try row.value("attempts"), nextAttemptAt: try row.value("next_attempt_at"),
            lastStatus: try row.value("last_status"), lastError: try row.value("last_error"),
            lastAttemptAt: try row.value("last_attempt_at"), createdAt: try row.value("created_at"),
            deliveredAt: try row.value("delivered_at"))
    }
}

extension ClaimedDelivery {
    /// A claimed `webhook_deliveries` row joined with its endpoint (``StoreSQL/claimedDeliveryColumns``),
    /// with the secrets that sign at `time`.
    public init(stored row: some StoredRow, at time: Date) throws {
        let endpoint = WebhookEndpoint(
            id: try row.value("endpoint_id"), url: try row.value("url"), events: [], description: nil,
            secret: try row.value("secret"), previousSecret: try row.value("previous_secret"),
            previousSecretExpiresAt: try row.value("previous_secret_expires_at"), pausedAt: nil, pausedReason: nil,
            failingSince: nil, createdAt: time)
        self.init(
            id: try row.value("id"), endpointID: endpoint.id, url: endpoint.url, secrets: endpoint.signingSecrets(at: time),
            eventType: try row.value("event_type"), payload: Array(try row.value("payload", as: String.self).utf8),
            attempts: try row.value("attempts"), retrySince: try row.value("retry_since"))
    }
}

extension StoreSQL {
    /// What a claim returns: the delivery and its endpoint's URL and secrets (`d` and `e`).
    public static let claimedDeliveryColumns = """
        d.id, d.endpoint_id, d.event_type, d.payload, d.attempts, d.retry_since, e.url, e.secret, e.previous_secret,
        e.previous_secret_expires_at
        """
}

public import Foundation
import PostgresNIO
public import SideEffects
import StoredRows
public import Webhooks

/// The webhook tables (migration 0007) shared by several daemons: claims skip rows another
/// daemon holds (`FOR UPDATE SKIP LOCKED`), as the mail outbox's do.
extension PostgresStore: WebhookStore {
    public func addEndpoint(_ draft: EndpointDraft, actor: String, at time: Date) async throws -> WebhookEndpoint {
        try await write { session in
            let stamp = Timestamp.format(time)
            let id = try await session.value(
                """
                INSERT INTO webhook_endpoints (url, events, description, secret, created_at, updated_at)
                VALUES (\(draft.url), \(draft.events.joined(separator: ",")), \(draft.description), \(draft.secret), \(stamp), \(stamp))
                RETURNING id
                """, as: Int64.self) ?? 0
            let endpoint = WebhookEndpoint(added: draft, id: id, at: time)
            try await Self.save(.endpointAdded(endpoint, actor: actor, at: time), session)
            return endpoint
        }
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        try await read { session in
            try await session.rows("SELECT * FROM webhook_endpoints ORDER BY id").map(WebhookEndpoint.init(stored:))
        }
    }

    public func webhookEndpoint(id: Int64) async throws -> WebhookEndpoint? {
        try await read { session in try await Self.endpoint(session, id: id, locking: false) }
    }

    public func removeEndpoint(id: Int64, actor: String, at time: Date) async throws -> Bool {
        try await write { session in
            guard let endpoint = try await Self.endpoint(session, id: id, locking: true) else { return false }
            // Its deliveries go with it (ON DELETE CASCADE).
            try await session.execute("DELETE FROM webhook_endpoints WHERE id = \(id)")
            try await Self.save(.endpointRemoved(id: id, url: endpoint.url, actor: actor, at: time), session)
            return true
        }
    }

    public func changeEndpoint(
        id: Int64, at time: Date, _ change: @escaping @Sendable (WebhookEndpoint) -> EndpointChange
    ) async throws -> WebhookEndpoint? {
        try await write { session in
            guard let current = try await Self.endpoint(session, id: id, locking: true) else { return nil }
            let decided = change(current)
            guard decided.endpoint != current || !decided.effects.isEmpty else { return current }
            let endpoint = decided.endpoint
            try await session.execute(
                """
                UPDATE webhook_endpoints SET secret = \(endpoint.secret), previous_secret = \(endpoint.previousSecret),
                    previous_secret_expires_at = \(endpoint.previousSecretExpiresAt.map(Timestamp.format)),
                    paused_at = \(endpoint.pausedAt.map(Timestamp.format)), paused_reason = \(endpoint.pausedReason),
                    failing_since = \(endpoint.failingSince.map(Timestamp.format)), updated_at = \(Timestamp.format(time))
                WHERE id = \(id)
                """)
            if decided.releaseHeld {
                try await session.execute(
                    "UPDATE webhook_deliveries SET next_attempt_at = \(Timestamp.format(time)) WHERE endpoint_id = \(id) AND state = 'pending'")
                session.committed.wake(OutgoingEvent.committed)
            }
            try await Self.save(decided.effects, session)
            return endpoint
        }
    }

    public func queueClaimedDelivery(endpoint: Int64, event: OutgoingEvent, leaseUntil: Date) async throws -> ClaimedDelivery? {
        try await write { session in
            let stamp = Timestamp.format(event.occurredAt)
            guard try await Self.endpoint(session, id: endpoint, locking: false) != nil else { return nil }
            return try await session.row(
                """
                WITH d AS (
                    INSERT INTO webhook_deliveries (endpoint_id, event_type, payload, state, attempts, next_attempt_at, lease_until,
                        retry_since, created_at)
                    VALUES (\(endpoint), \(event.type), \(String(decoding: event.body, as: UTF8.self)), 'sending', 1, \(stamp),
                        \(Timestamp.format(leaseUntil)), \(stamp), \(stamp))
                    RETURNING *)
                SELECT \(unescaped: StoreSQL.claimedDeliveryColumns) FROM d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                """
            ).map { try ClaimedDelivery(stored: $0, at: event.occurredAt) }
        }
    }

    public func claimDueDeliveries(limit: Int, at time: Date, leaseUntil: Date) async throws -> [ClaimedDelivery] {
        let stamp = Timestamp.format(time)
        return try await write { session in
            // SKIP LOCKED: a delivery another daemon is claiming right now is left to it, not waited for.
            try await session.rows(
                """
                WITH d AS (
                    UPDATE webhook_deliveries SET state = 'sending', lease_until = \(Timestamp.format(leaseUntil)), attempts = attempts + 1
                    WHERE id IN (
                        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                        WHERE e.paused_at IS NULL
                            AND ((d.state = 'pending' AND d.next_attempt_at <= \(stamp))
                                OR (d.state = 'sending' AND d.lease_until <= \(stamp)))
                        ORDER BY d.next_attempt_at LIMIT \(limit)
                        FOR UPDATE OF d SKIP LOCKED)
                    RETURNING *)
                SELECT \(unescaped: StoreSQL.claimedDeliveryColumns) FROM d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                """
            ).map { try ClaimedDelivery(stored: $0, at: time) }
        }
    }

    public func recordDelivered(_ attempts: [DeliveredAttempt], at time: Date) async throws {
        guard !attempts.isEmpty else { return }
        let stamp = Timestamp.format(time)
        try await write { session in
            // One statement for the batch: the ids and their statuses side by side.
            try await session.execute(
                """
                UPDATE webhook_deliveries d SET state = 'delivered', delivered_at = \(stamp), last_attempt_at = \(stamp),
                    last_status = a.status, last_error = NULL, lease_until = NULL
                FROM unnest(\(attempts.map(\.delivery.id)), \(attempts.map { Int64($0.status) })) AS a (id, status)
                WHERE d.id = a.id
                """)
            try await session.execute(
                """
                UPDATE webhook_endpoints SET failing_since = NULL
                WHERE id = ANY(\(Array(Set(attempts.map(\.delivery.endpointID))))) AND failing_since IS NOT NULL
                """)
        }
    }

    public func recordFailure(
        _ delivery: ClaimedDelivery, _ failure: AttemptFailure, at time: Date,
        decide: @escaping @Sendable (Date?, Bool) -> FailurePlan
    ) async throws -> FailurePlan {
        let stamp = Timestamp.format(time)
        return try await write { session in
            // Locked: two daemons failing at once agree on when the endpoint began failing, and pause it once.
            let endpoint = try await Self.endpoint(session, id: delivery.endpointID, locking: true)
            let plan = decide(endpoint?.failingSince, endpoint?.isPaused ?? false)
            try await session.execute(
                """
                UPDATE webhook_deliveries SET state = \(plan.nextAttempt == nil ? "failed" : "pending"),
                    next_attempt_at = COALESCE(\(plan.nextAttempt.map(Timestamp.format)), next_attempt_at), last_attempt_at = \(stamp),
                    last_status = \(failure.status.map(Int64.init)), last_error = \(String(failure.error.prefix(500))), lease_until = NULL
                WHERE id = \(delivery.id)
                """)
            try await session.execute(
                """
                UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, \(stamp)),
                    paused_at = CASE WHEN \(plan.pause) THEN \(stamp) ELSE paused_at END,
                    paused_reason = CASE WHEN \(plan.pause) THEN 'failing' ELSE paused_reason END, updated_at = \(stamp)
                WHERE id = \(delivery.endpointID)
                """)
            try await Self.save(plan.effects, session)
            return plan
        }
    }

    public func deliveries(endpoint: Int64, failedOnly: Bool, limit: Int) async throws -> [DeliveryRecord] {
        try await read { session in
            try await session.rows(
                """
                SELECT * FROM webhook_deliveries WHERE endpoint_id = \(endpoint) AND (NOT \(failedOnly) OR state = 'failed')
                ORDER BY id DESC LIMIT \(limit)
                """
            ).map(DeliveryRecord.init(stored:))
        }
    }

    public func delivery(id: Int64) async throws -> DeliveryRecord? {
        try await read { session in
            try await session.row("SELECT * FROM webhook_deliveries WHERE id = \(id)").map(DeliveryRecord.init(stored:))
        }
    }

    public func replayDeliveries(_ ids: [Int64], at time: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let stamp = Timestamp.format(time)
        return try await write { session in
            let replayed = try await session.execute(
                """
                UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = \(stamp), retry_since = \(stamp), lease_until = NULL
                WHERE id = ANY(\(ids)) AND state <> 'sending'
                RETURNING 1
                """)
            if replayed > 0 { session.committed.wake(OutgoingEvent.committed) }
            return replayed
        }
    }

    public func purgeDeliveries(before cutoff: Date) async throws -> Int {
        try await write { session in
            try await session.execute(
                "DELETE FROM webhook_deliveries WHERE created_at < \(Timestamp.format(cutoff)) AND state <> 'sending' RETURNING 1")
        }
    }

    public func webhookQueueStatus(at time: Date) async throws -> WebhookQueueStatus {
        let stamp = Timestamp.format(time)
        return try await read { session in
            guard let row = try await session.row(
                """
                SELECT (SELECT min(d.created_at) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                     WHERE e.paused_at IS NULL AND d.state = 'pending' AND d.next_attempt_at <= \(stamp)) AS oldest,
                    (SELECT count(*) FROM webhook_endpoints WHERE paused_at IS NOT NULL) AS paused
                """)
            else { return WebhookQueueStatus(oldestDueAge: 0, pausedEndpoints: 0) }
            let oldest: Date? = try row.value("oldest")
            return WebhookQueueStatus(
                oldestDueAge: oldest.map { max(0, time.timeIntervalSince($0)) } ?? 0,
                pausedEndpoints: try row.value("paused"))
        }
    }

    private static func endpoint(_ session: PostgresSession, id: Int64, locking: Bool) async throws -> WebhookEndpoint? {
        let row =
            locking
            ? try await session.row("SELECT * FROM webhook_endpoints WHERE id = \(id) FOR UPDATE")
            : try await session.row("SELECT * FROM webhook_endpoints WHERE id = \(id)")
        return try row.map(WebhookEndpoint.init(stored:))
    }
}

public import Foundation
import GRDB
public import SideEffects
import StoredRows
public import Webhooks

/// The webhook tables (migration 0007): endpoints, and the deliveries `save(_ effects:)` queues.
extension SQLiteStore: WebhookStore {
    public func addEndpoint(_ draft: EndpointDraft, actor: String, at time: Date) async throws -> WebhookEndpoint {
        try await write { db in
            let stamp = Timestamp.format(time)
            try db.execute(
                sql: """
                    INSERT INTO webhook_endpoints (url, events, description, secret, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [draft.url, draft.events.joined(separator: ","), draft.description, draft.secret, stamp, stamp])
            let endpoint = WebhookEndpoint(added: draft, id: db.lastInsertedRowID, at: time)
            try Self.save(.endpointAdded(endpoint, actor: actor, at: time), db)
            return endpoint
        }
    }

    public func webhookEndpoints() async throws -> [WebhookEndpoint] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM webhook_endpoints ORDER BY id").map(WebhookEndpoint.init(stored:)) }
    }

    public func webhookEndpoint(id: Int64) async throws -> WebhookEndpoint? {
        try lookup { db in try Self.endpoint(db, id: id) }
    }

    public func removeEndpoint(id: Int64, actor: String, at time: Date) async throws -> Bool {
        try await write { db in
            guard let endpoint = try Self.endpoint(db, id: id) else { return false }
            // Its deliveries go with it (ON DELETE CASCADE).
            try db.execute(sql: "DELETE FROM webhook_endpoints WHERE id = ?", arguments: [id])
            try Self.save(.endpointRemoved(id: id, url: endpoint.url, actor: actor, at: time), db)
            return true
        }
    }

    public func changeEndpoint(
        id: Int64, at time: Date, _ change: @escaping @Sendable (WebhookEndpoint) -> EndpointChange
    ) async throws -> WebhookEndpoint? {
        try await write { db in
            guard let current = try Self.endpoint(db, id: id) else { return nil }
            let decided = change(current)
            guard decided.endpoint != current || !decided.effects.isEmpty else { return current }
            try Self.writeEndpointState(decided.endpoint, db, at: time)
            if decided.releaseHeld {
                try db.execute(
                    sql: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE endpoint_id = ? AND state = 'pending'",
                    arguments: [Timestamp.format(time), id])
            }
            try Self.save(decided.effects, db)
            if decided.releaseHeld { db.afterNextTransaction(onCommit: { _ in OutgoingEvent.committed.notify() }) }
            return decided.endpoint
        }
    }

    public func queueClaimedDelivery(endpoint: Int64, event: OutgoingEvent, leaseUntil: Date) async throws -> ClaimedDelivery? {
        try await write { db in
            let stamp = Timestamp.format(event.occurredAt)
            guard try Self.endpoint(db, id: endpoint) != nil else { return nil }
            try db.execute(
                sql: """
                    INSERT INTO webhook_deliveries (endpoint_id, event_type, payload, state, attempts, next_attempt_at, lease_until,
                        retry_since, created_at)
                    VALUES (?, ?, ?, 'sending', 1, ?, ?, ?, ?)
                    """,
                arguments: [
                    endpoint, event.type, String(decoding: event.body, as: UTF8.self), stamp, Timestamp.format(leaseUntil), stamp, stamp,
                ])
            return try Row.fetchOne(
                db, sql: "SELECT \(StoreSQL.claimedDeliveryColumns) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ?",
                arguments: [db.lastInsertedRowID]
            ).map { try ClaimedDelivery(stored: $0, at: event.occurredAt) }
        }
    }

    public func claimDueDeliveries(limit: Int, at time: Date, leaseUntil: Date) async throws -> [ClaimedDelivery] {
        let stamp = Timestamp.format(time)
        return try await write { db in
            let ids = try Int64.fetchAll(
                db.cachedStatement(sql: """
                    UPDATE webhook_deliveries SET state = 'sending', lease_until = ?, attempts = attempts + 1
                    WHERE id IN (
                        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                        WHERE e.paused_at IS NULL
                            AND ((d.state = 'pending' AND d.next_attempt_at <= ?) OR (d.state = 'sending' AND d.lease_until <= ?))
                        ORDER BY d.next_attempt_at LIMIT ?)
                    RETURNING id
                    """), arguments: [Timestamp.format(leaseUntil), stamp, stamp, limit])
            guard !ids.isEmpty else { return [] }
            return try Row.fetchAll(
                db, sql: """
                    SELECT \(StoreSQL.claimedDeliveryColumns) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                    WHERE d.id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    """, arguments: StatementArguments(ids)
            ).map { try ClaimedDelivery(stored: $0, at: time) }
        }
    }

    public func recordDelivered(_ attempts: [DeliveredAttempt], at time: Date) async throws {
        guard !attempts.isEmpty else { return }
        let stamp = Timestamp.format(time)
        try await write { db in
            let delivered = try db.cachedStatement(sql: """
                UPDATE webhook_deliveries SET state = 'delivered', delivered_at = ?, last_attempt_at = ?, last_status = ?,
                    last_error = NULL, lease_until = NULL
                WHERE id = ?
                """)
            for attempt in attempts { try delivered.execute(arguments: [stamp, stamp, attempt.status, attempt.delivery.id]) }
            let recovered = try db.cachedStatement(
                sql: "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL")
            for endpoint in Set(attempts.map(\.delivery.endpointID)) { try recovered.execute(arguments: [endpoint]) }
        }
    }

    public func recordFailure(
        _ delivery: ClaimedDelivery, _ failure: AttemptFailure, at time: Date,
        decide: @escaping @Sendable (Date?, Bool) -> FailurePlan
    ) async throws -> FailurePlan {
        let stamp = Timestamp.format(time)
        return try await write { db in
            let endpoint = try Self.endpoint(db, id: delivery.endpointID)
            let plan = decide(endpoint?.failingSince, endpoint?.isPaused ?? false)
            try db.execute(
                sql: """
                    UPDATE webhook_deliveries SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_attempt_at = ?,
                        last_status = ?, last_error = ?, lease_until = NULL
                    WHERE id = ?
                    """,
                arguments: [
                    plan.nextAttempt == nil ? "failed" : "pending", plan.nextAttempt.map(Timestamp.format), stamp, failure.status,
                    String(failure.error.prefix(500)), delivery.id,
                ])
            try db.execute(
                sql: """
                    UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?),
                        paused_at = CASE WHEN ? THEN ? ELSE paused_at END,
                        paused_reason = CASE WHEN ? THEN 'failing' ELSE paused_reason END, updated_at = ?
                    WHERE id = ?
                    """, arguments: [stamp, plan.pause, stamp, plan.pause, stamp, delivery.endpointID])
            try Self.save(plan.effects, db)
            return plan
        }
    }

    public func deliveries(endpoint: Int64, failedOnly: Bool, limit: Int) async throws -> [DeliveryRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND (? = 0 OR state = 'failed') ORDER BY id DESC LIMIT ?
                    """, arguments: [endpoint, failedOnly, limit]
            ).map(DeliveryRecord.init(stored:))
        }
    }

    public func delivery(id: Int64) async throws -> DeliveryRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_deliveries WHERE id = ?", arguments: [id]).map(DeliveryRecord.init(stored:))
        }
    }

    public func replayDeliveries(_ ids: [Int64], at time: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let stamp = Timestamp.format(time)
        return try await write { db in
            var replayed = 0
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, retry_since = ?, lease_until = NULL
                        WHERE id = ? AND state <> 'sending'
                        """, arguments: [stamp, stamp, id])
                replayed += db.changesCount
            }
            if replayed > 0 { db.afterNextTransaction(onCommit: { _ in OutgoingEvent.committed.notify() }) }
            return replayed
        }
    }

    public func purgeDeliveries(before cutoff: Date) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM webhook_deliveries WHERE created_at < ? AND state <> 'sending'", arguments: [Timestamp.format(cutoff)])
            return db.changesCount
        }
    }

    public func webhookQueueStatus(at time: Date) async throws -> WebhookQueueStatus {
        let stamp = Timestamp.format(time)
        return try await read { db in
            guard let row = try Row.fetchOne(
                db, sql: """
                    SELECT (SELECT min(d.created_at) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                         WHERE e.paused_at IS NULL AND d.state = 'pending' AND d.next_attempt_at <= ?) AS oldest,
                        (SELECT count(*) FROM webhook_endpoints WHERE paused_at IS NOT NULL) AS paused
                    """, arguments: [stamp])
            else { return WebhookQueueStatus(oldestDueAge: 0, pausedEndpoints: 0) }
            let oldest: Date? = try row.value("oldest")
            return WebhookQueueStatus(
                oldestDueAge: oldest.map { max(0, time.timeIntervalSince($0)) } ?? 0,
                pausedEndpoints: try row.value("paused"))
        }
    }

    private static func endpoint(_ db: Database, id: Int64) throws -> WebhookEndpoint? {
        try Row.fetchOne(db, sql: "SELECT * FROM webhook_endpoints WHERE id = ?", arguments: [id]).map(WebhookEndpoint.init(stored:))
    }

    private static func writeEndpointState(_ endpoint: WebhookEndpoint, _ db: Database, at time: Date) throws {
        try db.execute(
            sql: """
                UPDATE webhook_endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?, paused_at = ?,
                    paused_reason = ?, failing_since = ?, updated_at = ?
                WHERE id = ?
                """,
            arguments: [
                endpoint.secret, endpoint.previousSecret, endpoint.previousSecretExpiresAt.map(Timestamp.format),
                endpoint.pausedAt.map(Timestamp.format), endpoint.pausedReason, endpoint.failingSince.map(Timestamp.format),
                Timestamp.format(time), endpoint.id,
            ])
    }
}

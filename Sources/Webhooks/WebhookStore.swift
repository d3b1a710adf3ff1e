public import Foundation
public import SideEffects

/// The webhook tables (migration 0007) as the worker and `masthead webhooks` need them. The
/// deliveries themselves are written by the stores' `save(_ effects:)`, in the transaction of
/// the change that causes them; this protocol manages endpoints and drains the queue.
public protocol WebhookStore: Sendable {
    /// Adds an endpoint (with its audit record).
    func addEndpoint(_ draft: EndpointDraft, actor: String, at time: Date) async throws -> WebhookEndpoint
    /// Every endpoint, oldest first.
    func webhookEndpoints() async throws -> [WebhookEndpoint]
    /// One endpoint.
    func webhookEndpoint(id: Int64) async throws -> WebhookEndpoint?
    /// Removes an endpoint and its deliveries; false when there was none.
    func removeEndpoint(id: Int64, actor: String, at time: Date) async throws -> Bool
    /// Changes an endpoint as `change` decides from its current row (pause, resume, rotate), in
    /// one transaction; nil when there is no such endpoint.
    func changeEndpoint(
        id: Int64, at time: Date, _ change: @escaping @Sendable (WebhookEndpoint) -> EndpointChange
    ) async throws -> WebhookEndpoint?

    /// Queues `event` for one endpoint, already claimed until `leaseUntil` (`webhooks test`
    /// sends it at once); nil when there is no such endpoint.
    func queueClaimedDelivery(endpoint: Int64, event: OutgoingEvent, leaseUntil: Date) async throws -> ClaimedDelivery?
    /// Claims up to `limit` due deliveries of endpoints that are not paused (pending and due, or
    /// claimed by a worker whose lease ran out), marks them `sending` until `leaseUntil` and
    /// counts the attempt. On PostgreSQL several daemons claim side by side (`SKIP LOCKED`).
    func claimDueDeliveries(limit: Int, at time: Date, leaseUntil: Date) async throws -> [ClaimedDelivery]
    /// Marks claimed deliveries delivered, in one transaction (a worker records its whole batch
    /// at once); their endpoints are no longer failing.
    func recordDelivered(_ attempts: [DeliveredAttempt], at time: Date) async throws
    /// Records a failed attempt as `decide` plans it from the endpoint's state: retry later or
    /// give up, and pause the endpoint or not (with the plan's effects). Returns the plan.
    func recordFailure(
        _ delivery: ClaimedDelivery, _ failure: AttemptFailure, at time: Date,
        decide: @escaping @Sendable (_ failingSince: Date?, _ alreadyPaused: Bool) -> FailurePlan
    ) async throws -> FailurePlan

    /// An endpoint's deliveries, newest first.
    func deliveries(endpoint: Int64, failedOnly: Bool, limit: Int) async throws -> [DeliveryRecord]
    /// One delivery.
    func delivery(id: Int64) async throws -> DeliveryRecord?
    /// Sends deliveries again: each becomes due now with a fresh retry window (same `webhook-id`).
    /// Returns how many there were.
    func replayDeliveries(_ ids: [Int64], at time: Date) async throws -> Int
    /// Deletes deliveries created before `cutoff` (the delivery log's retention). Returns how many.
    func purgeDeliveries(before cutoff: Date) async throws -> Int
    /// The queue as metrics report it.
    func webhookQueueStatus(at time: Date) async throws -> WebhookQueueStatus
}

/// What changing an endpoint writes: its new state, what it leaves (audit, alert mail), and
/// whether the deliveries it held while paused become due now.
public struct EndpointChange: Sendable {
    public var endpoint: WebhookEndpoint
    public var effects: Effects
    public var releaseHeld: Bool

    public init(endpoint: WebhookEndpoint, effects: Effects, releaseHeld: Bool = false) {
        self.endpoint = endpoint
        self.effects = effects
        self.releaseHeld = releaseHeld
    }
}

/// A delivery a worker holds: the message and where it goes.
public struct ClaimedDelivery: Sendable, Equatable {
    public var id: Int64
    public var endpointID: Int64
    public var url: String
    /// The endpoint's secrets that sign it now (``WebhookEndpoint/signingSecrets(at:)``).
    public var secrets: [String]
    public var eventType: String
    public var payload: [UInt8]
    /// Attempts so far, this one included.
    public var attempts: Int
    /// When the retry window began (creation, or the last replay).
    public var retrySince: Date

    public init(
        id: Int64, endpointID: Int64, url: String, secrets: [String], eventType: String, payload: [UInt8], attempts: Int,
        retrySince: Date
    ) {
        self.id = id
        self.endpointID = endpointID
        self.url = url
        self.secrets = secrets
        self.eventType = eventType
        self.payload = payload
        self.attempts = attempts
        self.retrySince = retrySince
    }

    /// The `webhook-id` header: stable across retries and replays.
    public var messageID: String { "msg_\(id)" }
}

/// A delivery the receiver took, with its answer's status.
public struct DeliveredAttempt: Sendable, Equatable {
    public var delivery: ClaimedDelivery
    public var status: Int

    public init(delivery: ClaimedDelivery, status: Int) {
        self.delivery = delivery
        self.status = status
    }
}

/// Why an attempt failed: the receiver's status, or the connection's error.
public struct AttemptFailure: Sendable, Equatable {
    public var status: Int?
    public var error: String

    public init(status: Int?, error: String) {
        self.status = status
        self.error = error
    }
}

/// What a failed attempt leads to (decided by ``WebhookRetryPolicy``).
public struct FailurePlan: Sendable, Equatable {
    /// When to try again; nil gives up (the delivery is `failed`, `replay` sends it again).
    public var nextAttempt: Date?
    /// Pause the endpoint: it has failed for the whole retry window.
    public var pause: Bool
    /// What pausing leaves (audit record, operator alert).
    public var effects: Effects

    public init(nextAttempt: Date?, pause: Bool, effects: Effects = .none) {
        self.nextAttempt = nextAttempt
        self.pause = pause
        self.effects = effects
    }
}

/// One row of the delivery log.
public struct DeliveryRecord: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case pending, sending, delivered, failed
    }

    public var id: Int64
    public var endpointID: Int64
    public var eventType: String
    public var payload: [UInt8]
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
    public var lastAttemptAt: Date?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(
        id: Int64, endpointID: Int64, eventType: String, payload: [UInt8], state: State, attempts: Int, nextAttemptAt: Date,
        lastStatus: Int?, lastError: String?, lastAttemptAt: Date?, createdAt: Date, deliveredAt: Date?
    ) {
        self.id = id
        self.endpointID = endpointID
        self.eventType = eventType
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.lastAttemptAt = lastAttemptAt
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// How far behind delivery is.
public struct WebhookQueueStatus: Sendable, Equatable {
    /// Age of the oldest delivery due now at an endpoint that is not paused; zero when none is.
    public var oldestDueAge: TimeInterval
    /// Endpoints paused.
    public var pausedEndpoints: Int

    public init(oldestDueAge: TimeInterval, pausedEndpoints: Int) {
        self.oldestDueAge = oldestDueAge
        self.pausedEndpoints = pausedEndpoints
    }
}

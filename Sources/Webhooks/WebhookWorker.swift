public import CoreMetrics
public import Foundation
public import Logging
public import ServiceLifecycle
public import SideEffects

/// Sends webhook deliveries: claims due ones, posts each to its endpoint (at most
/// `perEndpoint` at once per endpoint), and records the outcome as ``WebhookRetryPolicy``
/// decides. Woken when a transaction that saved events commits (``OutgoingEvent/committed``),
/// else it polls: other daemons sharing a PostgreSQL database find their peers' events there.
///
/// At least once: a claim is a lease, so a worker that dies mid-attempt leaves the delivery to
/// be claimed again once the lease runs out, with the same `webhook-id` (receivers dedupe on it).
/// Deliveries are not ordered; each body carries its `timestamp`.
public struct WebhookWorker: Service {
    let deliverer: WebhookDeliverer
    let signal: WakeSignal
    let perEndpoint: Int
    let batchSize: Int
    let lease: Duration
    let idlePoll: Duration
    let retention: Duration
    let queueAge: Gauge
    let pausedEndpoints: Gauge

    public init(
        deliverer: WebhookDeliverer, signal: WakeSignal = OutgoingEvent.committed, perEndpoint: Int = 4, batchSize: Int = 64,
        lease: Duration = .seconds(60), idlePoll: Duration = .seconds(1), retention: Duration = .seconds(30 * 86_400),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.deliverer = deliverer
        self.signal = signal
        self.perEndpoint = max(1, perEndpoint)
        self.batchSize = batchSize
        self.lease = lease
        self.idlePoll = idlePoll
        self.retention = retention
        queueAge = Gauge(label: "masthead_webhook_queue_age_seconds", factory: metrics)
        pausedEndpoints = Gauge(label: "masthead_webhook_endpoints_paused", factory: metrics)
    }

    public func run() async throws {
        var nextHousekeeping = Date.distantPast
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var handled = 0
            do {
                handled = try await deliverDue()
                let time = deliverer.now()
                if time >= nextHousekeeping {
                    try await housekeeping(at: time)
                    nextHousekeeping = time.addingTimeInterval(60)
                }
            } catch is CancellationError {
                // Shutting down: a query cut short is not the queue failing.
                return
            } catch {
                deliverer.logger.error("webhook queue unavailable", metadata: ["error": "\(error)"])
            }
            if handled == 0 { await cancelWhenGracefulShutdown { await signal.wait(timeout: idlePoll) } }
        }
    }

    /// Claims one batch of due deliveries and sends them. Returns how many were claimed.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let time = deliverer.now()
        let claimed = try await deliverer.store.claimDueDeliveries(
            limit: batchSize, at: time, leaseUntil: time.addingTimeInterval(TimeInterval(lease.components.seconds)))
        // Lanes: each endpoint's deliveries split over at most `perEndpoint` sequential tasks.
        var lanes: [[ClaimedDelivery]] = []
        for (_, deliveries) in Dictionary(grouping: claimed, by: \.endpointID).sorted(by: { $0.key < $1.key }) {
            let count = min(perEndpoint, deliveries.count)
            var split = Array(repeating: [ClaimedDelivery](), count: count)
            for (index, delivery) in deliveries.sorted(by: { $0.id < $1.id }).enumerated() { split[index % count].append(delivery) }
            lanes += split
        }
        // Failures are recorded as they happen; successes, the common case, in one write at the end.
        let delivered = await withTaskGroup(of: [DeliveredAttempt].self) { group in
            for lane in lanes {
                group.addTask {
                    var delivered: [DeliveredAttempt] = []
                    for delivery in lane {
                        switch await deliverer.send(delivery) {
                        case .delivered(let status): delivered.append(DeliveredAttempt(delivery: delivery, status: status))
                        case .failed(let failure): await deliverer.recordFailure(delivery, failure, retrying: true)
                        }
                    }
                    return delivered
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        await deliverer.recordDelivered(delivered)
        return claimed.count
    }

    /// Trims the delivery log to its retention and refreshes the queue gauges.
    private func housekeeping(at time: Date) async throws {
        let purged = try await deliverer.store.purgeDeliveries(
            before: time.addingTimeInterval(-TimeInterval(retention.components.seconds)))
        if purged > 0 { deliverer.logger.info("webhook delivery log trimmed", metadata: ["deleted": "\(purged)"]) }
        let status = try await deliverer.store.webhookQueueStatus(at: time)
        queueAge.record(status.oldestDueAge)
        pausedEndpoints.record(status.pausedEndpoints)
    }
}

/// One attempt of one delivery, and its bookkeeping: shared by the worker and `webhooks test`.
public struct WebhookDeliverer: Sendable {
    let store: any WebhookStore
    let sender: WebhookSender
    let policy: WebhookRetryPolicy
    let alertRecipient: String?
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let logger: Logger
    let metrics: any MetricsFactory

    public init(
        store: any WebhookStore, sender: WebhookSender, policy: WebhookRetryPolicy = .standard, alertRecipient: String?,
        now: @escaping @Sendable () -> Date = Date.init, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.store = store
        self.sender = sender
        self.policy = policy
        self.alertRecipient = alertRecipient
        self.now = now
        self.jitter = jitter
        self.metrics = metrics
        self.logger = logger
    }

    /// Sends `delivery` and records the outcome; returns it. Without `retrying` a failure is
    /// final (`webhooks test`).
    public func attempt(_ delivery: ClaimedDelivery, retrying: Bool = true) async -> WebhookSender.Outcome {
        let outcome = await send(delivery)
        switch outcome {
        case .delivered(let status): await recordDelivered([DeliveredAttempt(delivery: delivery, status: status)])
        case .failed(let failure): await recordFailure(delivery, failure, retrying: retrying)
        }
        return outcome
    }

    /// Posts `delivery`, signed now; records nothing.
    func send(_ delivery: ClaimedDelivery) async -> WebhookSender.Outcome {
        await sender.send(delivery, at: now())
    }

    /// Records deliveries the receivers took.
    func recordDelivered(_ attempts: [DeliveredAttempt]) async {
        guard !attempts.isEmpty else { return }
        do {
            try await store.recordDelivered(attempts, at: now())
            for attempt in attempts { count(attempt.delivery, "delivered") }
        } catch {
            // The leases run out and the deliveries are claimed again: sent twice at worst, never lost.
            logger.error(
                "webhook bookkeeping failed; the deliveries will be sent again",
                metadata: ["error": "\(error)", "count": "\(attempts.count)"])
        }
    }

    /// Records a failed attempt as the retry policy decides (or as final, without `retrying`).
    func recordFailure(_ delivery: ClaimedDelivery, _ failure: AttemptFailure, retrying: Bool) async {
        var logger = self.logger
        logger[metadataKey: "webhook.endpoint"] = "\(delivery.endpointID)"
        logger[metadataKey: "webhook.delivery"] = "\(delivery.id)"
        let time = now()
        do {
            let (policy, jitter, alertRecipient) = (self.policy, self.jitter(), self.alertRecipient)
            let plan = try await store.recordFailure(delivery, failure, at: time) { failingSince, paused in
                guard retrying else { return FailurePlan(nextAttempt: nil, pause: false) }
                return policy.plan(
                    delivery, failingSince: failingSince, alreadyPaused: paused, at: time, jitter: jitter,
                    alertRecipient: alertRecipient)
            }
            count(delivery, plan.nextAttempt == nil ? "failed" : "retried")
            logger.warning(
                plan.nextAttempt == nil
                    ? "webhook delivery failed; giving up (replay sends it again)" : "webhook delivery failed; will retry",
                metadata: ["error": "\(failure.error)", "attempts": "\(delivery.attempts)"])
            if plan.pause {
                logger.error(
                    "webhook endpoint paused: it failed for the whole retry window; its events are held until it is resumed",
                    metadata: ["url": "\(delivery.url)"])
            }
        } catch {
            // The lease runs out and the delivery is claimed again: tried again, never lost.
            logger.error("webhook bookkeeping failed; the delivery will be retried", metadata: ["error": "\(error)"])
        }
    }

    private func count(_ delivery: ClaimedDelivery, _ outcome: String) {
        Counter(
            label: "masthead_webhook_deliveries_total",
            dimensions: [("endpoint", String(delivery.endpointID)), ("outcome", outcome)], factory: metrics
        ).increment()
    }
}

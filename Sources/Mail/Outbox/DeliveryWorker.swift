public import CoreMetrics
public import Foundation
public import Logging
public import ServiceLifecycle

/// Drains the outbox: claims due messages, composes and renders them, hands them to the mailer,
/// and records the outcome. Run by the daemon under service lifecycle.
///
/// A claim is a lease: a worker that dies between claiming and recording leaves the row
/// `sending`, and once the lease runs out any worker claims it again, so a crash delays a
/// message but never loses it. Transient failures are retried with backoff; permanent ones,
/// and rows that cannot be composed, go to the dead letters. Up to `concurrency` messages are in
/// flight at once (the SMTP pool size), optionally paced to a rate.
public struct DeliveryWorker: Service {
    let store: any OutboxStore
    let mailer: any Mailer
    let composers: [String: any MessageComposer]
    let listeners: [String: [any DeliveryFailureListener]]
    let signal: OutboxSignal
    let concurrency: Int
    let pacer: DeliveryPacer?
    let metrics: DeliveryMetrics
    let retry: RetryPolicy
    let lease: Duration
    let batchSize: Int
    let idlePoll: Duration
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let logger: Logger

    /// Creates a worker; `composers` together must know every kind the libraries queue.
    public init(
        store: any OutboxStore, mailer: any Mailer, composers: [any MessageComposer],
        failureListeners: [any DeliveryFailureListener] = [], signal: OutboxSignal,
        concurrency: Int = 1, messagesPerSecond: Double? = nil,
        retry: RetryPolicy = .standard, lease: Duration = .seconds(300), batchSize: Int = 32,
        idlePoll: Duration = .seconds(5), now: @escaping @Sendable () -> Date = Date.init,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        var byKind: [String: any MessageComposer] = [:]
        for composer in composers {
            for kind in composer.kinds { byKind[kind] = composer }
        }
        var listening: [String: [any DeliveryFailureListener]] = [:]
        for listener in failureListeners {
            for kind in listener.kinds { listening[kind, default: []].append(listener) }
        }
        self.store = store
        self.mailer = mailer
        self.composers = byKind
        self.listeners = listening
        self.signal = signal
        self.concurrency = max(1, concurrency)
        self.pacer = messagesPerSecond.map(DeliveryPacer.init(perSecond:))
        self.metrics = DeliveryMetrics(factory: metrics)
        self.retry = retry
        self.lease = lease
        self.batchSize = batchSize
        self.idlePoll = idlePoll
        self.now = now
        self.jitter = jitter
        self.logger = logger
    }

    public func run() async throws {
        // On graceful shutdown the current batch finishes; the wait for more work is cut short.
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let handled: Int
            do {
                handled = try await deliverDueMessages()
            } catch {
                logger.error("outbox claim failed", metadata: ["error": "\(error)"])
                handled = 0
            }
            if handled == 0 {
                await cancelWhenGracefulShutdown { await signal.wait(timeout: idlePoll) }
            }
        }
        await mailer.shutdown()
    }

    /// Claims one batch of due messages and delivers each. Returns how many were claimed.
    @discardableResult
    public func deliverDueMessages() async throws -> Int {
        let time = now()
        let items = try await store.claimDueMessages(limit: batchSize, at: time, leaseUntil: time.adding(lease))
        await withTaskGroup(of: Void.self) { group in
            for (index, item) in items.enumerated() {
                if index >= concurrency { await group.next() }
                group.addTask { await deliver(item) }
            }
        }
        return items.count
    }

    private func deliver(_ item: OutboxItem) async {
        var logger = self.logger
        logger[metadataKey: "outbox.id"] = "\(item.id)"
        logger[metadataKey: "outbox.kind"] = "\(item.kind)"
        let delivery: Delivery
        do {
            guard let composer = composers[item.kind] else { throw CompositionError("no composer for kind \(item.kind)") }
            let message = try composer.compose(item)
            delivery = Delivery(
                outboxID: item.id, sender: message.envelopeSender ?? message.from.address, recipient: message.to.address,
                data: MIMERenderer.render(message), requiresSMTPUTF8: message.requiresSMTPUTF8)
        } catch {
            await record(logger) { try await store.markDead(item.id, error: "\(error)", at: now()) }
            logger.error("outbox message cannot be composed; moved to dead letters", metadata: ["error": "\(error)"])
            return
        }
        do {
            try? await pacer?.waitForSlot()
            let started = ContinuousClock.now
            try await mailer.deliver(delivery)
            metrics.latency.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            metrics.sent.increment()
            await record(logger) { try await store.markSent(item.id, at: now()) }
            logger.debug("outbox message sent")
        } catch {
            metrics.failed.increment()
            let failed = now()
            if !error.isPermanent, let next = retry.nextAttempt(after: item.attempts, at: failed, jitter: jitter()) {
                metrics.retried.increment()
                await record(logger) { try await store.reschedule(item.id, nextAttempt: next, error: error.reason) }
                logger.warning("outbox delivery failed; will retry", metadata: ["error": "\(error)", "attempts": "\(item.attempts)"])
            } else {
                metrics.dead.increment()
                await record(logger) { try await store.markDead(item.id, error: error.reason, at: failed) }
                logger.error("outbox delivery failed; moved to dead letters", metadata: ["error": "\(error)"])
                for listener in listeners[item.kind] ?? [] {
                    await record(logger) { try await listener.deliveryFailedPermanently(item, reason: error.reason, at: failed) }
                }
            }
        }
    }

    /// Records an outcome; if the store fails the row stays claimed and is retried after its lease.
    private func record(_ logger: Logger, _ write: () async throws -> Void) async {
        do {
            try await write()
        } catch {
            logger.error("outbox bookkeeping failed; the lease will expire and the message be retried", metadata: ["error": "\(error)"])
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Date {
    /// The date `duration` later.
    func adding(_ duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

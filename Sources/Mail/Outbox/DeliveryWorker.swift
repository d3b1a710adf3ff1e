public import CoreMetrics
public import Foundation
public import Logging
public import ServiceLifecycle
public import SideEffects

/// Drains the outbox: claims due messages, composes and renders them, hands them to the mailer,
/// and records the outcome. Run by the daemon under service lifecycle.
///
/// A claim is a lease: a worker that dies between claiming and recording leaves the row
/// `sending`, and once the lease runs out any worker claims it again, so a crash delays a
/// message but never loses it. Transient failures are retried with backoff; permanent ones,
/// and rows that cannot be composed, go to the dead letters. Up to `concurrency` messages are in
/// flight at once (the daemon passes twice its SMTP pool: the pool holds the extra ones back,
/// composed and ready, until a connection frees), optionally paced to a rate. When the relay
/// itself is unavailable, delivery pauses and one message probes it (``RelayBreaker``).
///
/// What can be sent twice: a message the relay accepted whose "sent" mark cannot be written
/// (the disk is full) is marked again and again while its lease lasts; only if that fails
/// throughout, or the process dies between the relay's answer and the mark, is it sent again
/// once the lease runs out. The marks of a batch's sent messages are written together once the
/// batch is done, while the next batch goes out, so that window spans about two batches (a
/// batch is claimed under one lease, the next while the one before is sent).
public struct DeliveryWorker: Service {
    let store: any OutboxStore
    let mailer: any Mailer
    let composers: [String: any MessageComposer]
    /// Kinds whose rows forget their recipient once done (``MessageComposer/forgetsRecipient``).
    let forgetting: Set<String>
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
    /// Told of each message the mailer accepted (the runtime logs confirmation links in development).
    let delivered: (@Sendable (MailMessage, Logger) -> Void)?
    /// Signs each rendered message with DKIM, when keys are configured.
    let dkim: DKIMSigner?
    /// Gives each message its own VERP envelope sender; nil keeps the message's own.
    let returnPath: ReturnPath?
    /// Caps some kinds per hour (the confirmation budget); nil sends everything.
    let budget: SendingBudget?
    /// Pauses delivery while the relay is unavailable.
    public let breaker = RelayBreaker()

    /// Creates a worker; `composers` together must know every kind the libraries queue.
    public init(
        store: any OutboxStore, mailer: any Mailer, composers: [any MessageComposer],
        failureListeners: [any DeliveryFailureListener] = [], signal: OutboxSignal,
        concurrency: Int = 1, messagesPerSecond: Double? = nil,
        retry: RetryPolicy = .standard, lease: Duration = .seconds(300), batchSize: Int = 32,
        idlePoll: Duration = .seconds(5), now: @escaping @Sendable () -> Date = Date.init,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger,
        delivered: (@Sendable (MailMessage, Logger) -> Void)? = nil, dkim: DKIMSigner? = nil, returnPath: ReturnPath? = nil,
        budget: SendingBudget? = nil
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
        self.forgetting = composers.reduce(into: []) { $0.formUnion($1.forgetsRecipient) }
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
        self.delivered = delivered
        self.dkim = dkim
        self.returnPath = returnPath
        self.budget = budget
    }

    public func run() async throws {
        // Batches overlap: the next is claimed while this one goes out, and this one's sent
        // marks are written while the next goes out, so neither write (nor the slow last few
        // messages of a batch) holds the connections idle. On SQLite the claim and the marks
        // share the group commit. On graceful shutdown the batches already claimed finish; the
        // wait for more work is cut short.
        var claimed = Batch()
        var marking: Task<Void, Never>?
        while true {
            var batch = claimed
            if batch.items.isEmpty {
                guard !isStopping else { break }
                batch = await claimOrLog()
                if batch.items.isEmpty {
                    await cancelWhenGracefulShutdown { await signal.wait(timeout: idleWait()) }
                    continue
                }
            }
            let claimAhead = batch.isFull && !batch.probing && !isStopping
            async let next = claimAhead ? claimOrLog() : Batch()
            let sent = await send(batch)
            let previous = marking
            marking = Task {
                await previous?.value
                await recordSent(sent, of: batch)
            }
            claimed = await next
        }
        await marking?.value
        await mailer.shutdown()
    }

    /// Claims one batch of due messages and delivers each (only one, as a probe, after the
    /// relay was unavailable; none while delivery is paused). Returns how many were claimed.
    @discardableResult
    public func deliverDueMessages() async throws -> Int {
        let batch = try await claim()
        await recordSent(await send(batch), of: batch)
        return batch.items.count
    }

    /// Messages claimed together, under one lease.
    private struct Batch: Sendable {
        var items: [OutboxItem] = []
        var leaseEnds = ContinuousClock.now
        /// One message, trying whether the relay is back.
        var probing = false
        /// As many as were asked for: more are likely due.
        var isFull = false
    }

    private var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    private func claim() async throws -> Batch {
        let time = now()
        let limit: Int
        switch breaker.permission(at: time) {
        case .deliver: limit = batchSize
        case .probe: limit = 1
        case .pausedUntil: return Batch()
        }
        let leaseEnds = ContinuousClock.now + lease
        let items = try await store.claimDueMessages(limit: limit, at: time, leaseUntil: time.adding(lease))
        return Batch(items: items, leaseEnds: leaseEnds, probing: limit == 1, isFull: items.count == limit)
    }

    /// A claim, or no messages when it failed (logged).
    private func claimOrLog() async -> Batch {
        do {
            return try await claim()
        } catch {
            logger.error("outbox claim failed", metadata: ["error": "\(error)"])
            return Batch()
        }
    }

    /// Delivers a batch, `concurrency` messages at a time, and returns those the relay accepted.
    /// Their sent marks are written together afterwards: a mark per message, each waiting for
    /// its own commit, held a connection's slot until the disk had synced, and delivery fell
    /// behind a steady sign-up load (Ops/bench/confirmation-latency).
    private func send(_ batch: Batch) async -> [SentMessage] {
        await withTaskGroup(of: SentMessage?.self) { group in
            var sent: [SentMessage] = []
            for (index, item) in batch.items.enumerated() {
                if index >= concurrency, case let done?? = await group.next() { sent.append(done) }
                group.addTask { await deliver(item, leaseEnds: batch.leaseEnds, probing: batch.probing) }
            }
            for await case let done? in group { sent.append(done) }
            return sent
        }
    }

    /// The batch's sent marks, in one write.
    private func recordSent(_ sent: [SentMessage], of batch: Batch) async {
        await record(logger, until: batch.leaseEnds) { try await store.markSent(sent, at: now()) }
    }

    /// How long to wait for work when there was none: the idle poll, or less when a paused
    /// delivery resumes sooner.
    private func idleWait() -> Duration {
        guard let resumeAt = breaker.resumeAt else { return idlePoll }
        let untilResume = Duration.milliseconds(Int64(max(0, resumeAt.timeIntervalSince(now())) * 1000) + 1)
        return min(idlePoll, untilResume)
    }

    /// Delivers one claimed message and records what became of it, except a success: that is
    /// returned, for the batch's one write.
    private func deliver(_ item: OutboxItem, leaseEnds: ContinuousClock.Instant, probing: Bool) async -> SentMessage? {
        // Made only when something is logged: setting metadata copies the log handler, a few
        // µs a message on the path that logs nothing.
        lazy var logger = {
            var logger = self.logger
            logger[metadataKey: "outbox.id"] = "\(item.id)"
            logger[metadataKey: "outbox.kind"] = "\(item.kind)"
            return logger
        }()
        let forget = forgetting.contains(item.kind)
        // A row that forgets its recipient keeps no error quoting the address either.
        let forgotten = { (error: String) in
            forget ? error.replacingOccurrences(of: item.recipient, with: "(erased)", options: .caseInsensitive) : error
        }
        switch budget?.decide(item, at: now()) ?? .send {
        case .send: break
        case .hold(let until):
            metrics.held.increment()
            await record(logger, until: leaseEnds) {
                try await store.postpone(item.id, until: until, reason: "held: this hour's sending budget for \(item.kind) is spent")
            }
            return nil
        case .drop:
            metrics.dead.increment()
            await record(logger, until: leaseEnds) {
                try await store.markDead(
                    item.id, error: "not sent: held by the sending budget until its link expired", at: now(), forgettingRecipient: forget)
            }
            logger.notice("outbox message dropped: held by the sending budget until its link expired")
            return nil
        }
        let delivery: Delivery
        let message: MailMessage
        do {
            guard let composer = composers[item.kind] else { throw CompositionError("no composer for kind \(item.kind)") }
            message = try composer.compose(item)
            let rendered = MIMERenderer.render(message)
            delivery = Delivery(
                outboxID: item.id, sender: returnPath?.address(for: item, at: now()) ?? message.envelopeSender ?? message.from.address,
                recipient: message.to.address,
                data: dkim?.sign(rendered, at: now()) ?? rendered, requiresSMTPUTF8: message.requiresSMTPUTF8)
        } catch {
            await record(logger, until: leaseEnds) { try await store.markDead(item.id, error: forgotten("\(error)"), at: now(), forgettingRecipient: forget) }
            logger.error("outbox message cannot be composed; moved to dead letters", metadata: ["error": "\(error)"])
            return nil
        }
        if case .pausedUntil(let resumeAt) = breaker.permission(at: now()) {
            // The relay went down while this batch was under way: do not dial it again.
            await record(logger, until: leaseEnds) {
                try await store.reschedule(item.id, nextAttempt: resumeAt, error: "not tried: the SMTP relay is unavailable")
            }
            return nil
        }
        do {
            try? await pacer?.waitForSlot()
            let started = ContinuousClock.now
            try await mailer.deliver(delivery)
            metrics.latency.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            metrics.sent.increment()
            if breaker.delivered() { logger.notice("SMTP relay available again; delivery resumes") }
            if let delivered { delivered(message, logger) }
            self.logger.debug("outbox message sent", metadata: ["outbox.id": "\(item.id)", "outbox.kind": "\(item.kind)"])
            return SentMessage(id: item.id, forgetsRecipient: forget)
        } catch {
            metrics.failed.increment()
            let failed = now()
            if error.isRelayUnavailable {
                // Not the message's fault: it waits for the relay, however long that takes,
                // and never goes to the dead letters for it.
                metrics.retried.increment()
                let (pause, began) = breaker.relayFailed(at: failed)
                await record(logger, until: leaseEnds) {
                    try await store.reschedule(item.id, nextAttempt: failed.addingTimeInterval(pause), error: error.reason)
                }
                if began || probing {
                    logger.warning(
                        began ? "SMTP relay unavailable; delivery paused, one message will probe it" : "SMTP relay still unavailable",
                        metadata: ["error": "\(error)", "next_probe_in": "\(Int(pause)) s"])
                }
            } else if !error.isPermanent, let next = retry.nextAttempt(after: item.attempts, at: failed, jitter: jitter()) {
                metrics.retried.increment()
                await record(logger, until: leaseEnds) { try await store.reschedule(item.id, nextAttempt: next, error: error.reason) }
                logger.warning("outbox delivery failed; will retry", metadata: ["error": "\(error)", "attempts": "\(item.attempts)"])
            } else {
                metrics.dead.increment()
                await record(logger, until: leaseEnds) { try await store.markDead(item.id, error: forgotten(error.reason), at: failed, forgettingRecipient: forget) }
                logger.error("outbox delivery failed; moved to dead letters", metadata: ["error": "\(error)"])
                for listener in listeners[item.kind] ?? [] {
                    await record(logger, until: leaseEnds) {
                        try await listener.deliveryFailedPermanently(item, reason: error.reason, at: failed)
                    }
                }
            }
        }
        return nil
    }

    /// Records an outcome. A failed write (a full disk, a lost database connection) is tried
    /// again, with growing pauses, while the message's lease lasts: giving up on a "sent" mark
    /// means sending the message again once the lease runs out. On graceful shutdown it stops
    /// at once.
    private func record(_ logger: Logger, until leaseEnds: ContinuousClock.Instant, _ write: () async throws -> Void) async {
        // Stop short of the lease, so no other worker can have claimed the row meanwhile.
        let deadline = leaseEnds - .seconds(1)
        var pause = Duration.milliseconds(50)
        var failures = 0
        while true {
            do {
                try await write()
                if failures > 0 { logger.notice("outbox bookkeeping succeeded after failing", metadata: ["failures": "\(failures)"]) }
                return
            } catch {
                failures += 1
                guard ContinuousClock.now + pause < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled else {
                    logger.error(
                        "outbox bookkeeping failed; the lease will expire and the message be retried",
                        metadata: ["error": "\(error)", "failures": "\(failures)"])
                    return
                }
                if failures == 1 {
                    logger.warning("outbox bookkeeping failed; trying again while the lease lasts", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
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

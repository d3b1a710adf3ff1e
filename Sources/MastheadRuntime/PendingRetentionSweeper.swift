public import Logging
public import Metrics
public import ServiceLifecycle
public import SubscriberLists

/// Retention, on a schedule: erases the sign-ups nobody confirmed once their confirmation link
/// has expired and the grace period passed (`MASTHEAD_RETENTION_PENDING_DAYS`), shortly after
/// start and then every `interval`. Each run logs how many it erased and counts them in
/// `masthead_retention_erased_total`. Several daemons may sweep the same database: a second
/// sweep finds nothing left.
public struct PendingRetentionSweeper: Service {
    let directory: SubscriberDirectory
    let retention: PendingRetention?
    let interval: Duration
    let firstDelay: Duration
    let erased: Counter
    let logger: Logger

    /// The audit trail's actor for what the schedule erases.
    public static let actor = "mastheadd (retention)"

    /// Creates the sweeper; nil `retention` keeps every sign-up (the service then only waits).
    public init(
        directory: SubscriberDirectory, retention: PendingRetention?, interval: Duration = .seconds(3_600),
        firstDelay: Duration = .seconds(60), metrics: any MetricsFactory, logger: Logger
    ) {
        self.directory = directory
        self.retention = retention
        self.interval = interval
        self.firstDelay = firstDelay
        self.erased = Counter(label: "masthead_retention_erased_total", factory: metrics)
        self.logger = logger
    }

    public func run() async throws {
        guard retention != nil else {
            // A service that returns stops the daemon: wait for shutdown instead.
            try? await gracefulShutdown()
            return
        }
        var wait = firstDelay
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let pause = wait
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: pause) })) != nil else { return }
            await sweep()
            wait = interval
        }
    }

    /// One sweep; returns how many subscribers it erased (nil when it failed: logged, retried next time).
    @discardableResult
    public func sweep() async -> Int? {
        guard let retention else { return 0 }
        do {
            let count = try await directory.eraseNeverConfirmed(retention, actor: Self.actor)
            erased.increment(by: count)
            if count > 0 { logger.notice("retention erased sign-ups nobody confirmed", metadata: ["count": "\(count)"]) }
            return count
        } catch {
            logger.error("retention sweep failed; it runs again later", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

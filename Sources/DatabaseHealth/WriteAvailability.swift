import Synchronization

/// Whether the store's writes are failing for a reason of the server's own — a full disk, a
/// read-only file, an I/O error, a lost database connection — as the store saw its last writes.
///
/// A store records every write's outcome here; readiness reads it, so `/readyz` answers 503
/// while writes fail even though reads (and a fresh connection) still work. A success clears it
/// at once. Without traffic nothing clears it, so a failure counts for ``window`` only: after
/// that readiness says ready again and the next write decides (a load balancer's probe then
/// sends it one request, which either works or marks the store failing again).
public final class WriteAvailability: Sendable {
    /// How long a failure keeps the store not ready when no write succeeds after it.
    public let window: Duration
    private let lastFailure = Mutex<(reason: String, at: ContinuousClock.Instant)?>(nil)
    /// Set with the failure and read first, so a healthy store's writes take no lock.
    private let failing = Atomic<Bool>(false)

    /// Creates the record; 10 seconds is about a load balancer's probe interval.
    public init(window: Duration = .seconds(10)) {
        self.window = window
    }

    /// A write committed.
    public func succeeded() {
        guard failing.load(ordering: .relaxed) else { return }
        lastFailure.withLock { $0 = nil }
        failing.store(false, ordering: .relaxed)
    }

    /// A write failed for `reason` (from ``DatabaseProbe/unavailability(of:)``).
    public func failed(_ reason: String) {
        lastFailure.withLock { $0 = (reason, ContinuousClock.now) }
        failing.store(true, ordering: .relaxed)
    }

    /// The reason writes are failing, if the last one failed within the window.
    public var recentFailure: String? {
        guard failing.load(ordering: .relaxed) else { return nil }
        return lastFailure.withLock { failure in
            guard let failure, ContinuousClock.now - failure.at < window else { return nil }
            return failure.reason
        }
    }
}

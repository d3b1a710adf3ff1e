import Synchronization

/// Whether the store's writes are failing for a reason of the server's own — a full disk, a
/// read-only file, an I/O error, a lost database connection — as the store saw its last writes.
///
/// A store records every such failure here; readiness reads it, so `/readyz` answers 503 for
/// ``window`` after the last one, even though reads (and a fresh connection) still work. A
/// success does not clear it: on a nearly full disk small writes (an outbox claim) still fit
/// while sign-ups do not, and readiness must not flap with whichever came last. After the
/// window without failures readiness says ready again.
public final class WriteAvailability: Sendable {
    /// How long a failure keeps the store not ready.
    public let window: Duration
    private let lastFailure = Mutex<(reason: String, at: ContinuousClock.Instant)?>(nil)

    /// Creates the record; 10 seconds is about a load balancer's probe interval.
    public init(window: Duration = .seconds(10)) {
        self.window = window
    }

    /// A write failed for `reason` (from ``DatabaseProbe/unavailability(of:)``).
    public func failed(_ reason: String) {
        lastFailure.withLock { $0 = (reason, ContinuousClock.now) }
    }

    /// The reason writes are failing, if one failed within the window.
    public var recentFailure: String? {
        lastFailure.withLock { failure in
            guard let failure, ContinuousClock.now - failure.at < window else { return nil }
            return failure.reason
        }
    }
}

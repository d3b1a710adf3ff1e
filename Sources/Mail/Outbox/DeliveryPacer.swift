import Synchronization

/// Spaces deliveries to at most `perSecond` (providers that enforce a sending rate), without
/// holding a lock across the wait: each caller reserves the next free slot and sleeps until it.
final class DeliveryPacer: Sendable {
    private let interval: Duration
    private let nextSlot = Mutex<ContinuousClock.Instant?>(nil)

    init(perSecond: Double) {
        self.interval = .nanoseconds(Int64(1_000_000_000 / perSecond))
    }

    /// Waits for this delivery's slot.
    func waitForSlot() async throws {
        let now = ContinuousClock.now
        let slot = nextSlot.withLock { next -> ContinuousClock.Instant in
            let slot = max(next ?? now, now)
            next = slot + interval
            return slot
        }
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}

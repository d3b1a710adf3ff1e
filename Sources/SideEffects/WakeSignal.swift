import Synchronization

/// Wakes a worker when there is new work (a queued message, a committed webhook event), so it
/// leaves at once instead of at the next poll. Signals that arrive while the worker is busy
/// coalesce into one. The mail outbox's is `OutboxSignal`; webhook events have
/// ``OutgoingEvent/committed``.
public final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Creates a signal.
    public init() {}

    /// Says that there is work.
    public func notify() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next ``notify()`` (at once if one came since the last wait) or after `timeout`.
    ///
    /// The timeout simply notifies; a timer that fires just after a real notification leaves one
    /// spare wake-up behind, which costs the worker one empty poll.
    public func wait(timeout: Duration) async {
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self.notify() }
        }
        defer { timer.cancel() }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                guard !state.pending else {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

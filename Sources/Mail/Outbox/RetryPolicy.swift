public import Foundation

/// When to try a transiently failed delivery again: exponential backoff with jitter, capped,
/// and a maximum number of attempts after which the message is dead.
public struct RetryPolicy: Sendable, Equatable {
    /// Delay after the first failure.
    public var base: Duration
    /// Longest delay between attempts.
    public var cap: Duration
    /// Attempts (the first included) before giving up.
    public var maximumAttempts: Int

    /// 30 s, doubling, capped at 1 h, 10 attempts (about 5 hours of trying).
    public static let standard = RetryPolicy(base: .seconds(30), cap: .seconds(3600), maximumAttempts: 10)

    /// Creates a policy.
    public init(base: Duration, cap: Duration, maximumAttempts: Int) {
        self.base = base
        self.cap = cap
        self.maximumAttempts = maximumAttempts
    }

    /// The next attempt after the `attempts`-th failure, or nil when it is time to give up.
    /// `jitter` in 0...1 spreads retries (a random source is injected so tests are exact).
    public func nextAttempt(after attempts: Int, at now: Date, jitter: Double) -> Date? {
        guard attempts < maximumAttempts else { return nil }
        let exponent = min(max(attempts - 1, 0), 30)
        let delay = min(Double(base.components.seconds) * pow(2, Double(exponent)), Double(cap.components.seconds))
        // Full delay plus up to half again: retries of many messages do not arrive together.
        return now.addingTimeInterval(delay * (1 + 0.5 * min(max(jitter, 0), 1)))
    }
}

/// What the detector counts.
public enum TrafficSignal: String, Sendable, CaseIterable {
    /// Sign-up posts that passed validation (refused domains included: they are attempts too).
    case signups
    /// Confirmation links followed.
    case confirmations
    /// Payments the provider declined or that failed.
    case failedPayments = "failed_payments"
}

/// How sensitive the detector is. The defaults suit a site with tens of sign-ups a minute at
/// its busiest; `floor` keeps a quiet site from alerting on its first busy minute.
public struct SpikeSettings: Sendable, Equatable {
    /// A rate alerts when the last minute's count exceeds `factor` × its baseline …
    public var factor: Double
    /// … and also exceeds `floor` events a minute (sign-ups, confirmations) …
    public var floor: Int
    /// … or `paymentFloor` failed payments a minute.
    public var paymentFloor: Int
    /// One network (/24, IPv6 /48) or one domain alerts when it makes more than this share of at
    /// least `floor` sign-ups in the last minute.
    public var share: Double
    /// An alert ends once its condition has not held for this long (seconds).
    public var cooldown: Int64

    public init(factor: Double = 5, floor: Int = 60, paymentFloor: Int = 10, share: Double = 0.5, cooldown: Int64 = 900) {
        self.factor = factor
        self.floor = floor
        self.paymentFloor = paymentFloor
        self.share = share
        self.cooldown = cooldown
    }

    func floor(of signal: TrafficSignal) -> Int { signal == .failedPayments ? paymentFloor : floor }
}

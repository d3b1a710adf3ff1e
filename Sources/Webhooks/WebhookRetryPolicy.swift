public import Foundation
import SideEffects

/// When a failed delivery is tried again, when it is given up, and when its endpoint is paused.
///
/// Exponential backoff with jitter (5 s, 10 s, 20 s, … capped at an hour, each plus up to half
/// again) for as long as the retry window lasts (3 days by default) from the delivery's creation
/// or last replay. An endpoint that has failed every attempt for the whole window is paused:
/// deliveries for it are held (not lost) until `webhooks resume`, and the operator is told.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    public var window: Duration

    /// 5 s doubling, capped at 1 h, for 3 days.
    public static let standard = WebhookRetryPolicy(base: .seconds(5), cap: .seconds(3600), window: .seconds(3 * 86_400))

    public init(base: Duration, cap: Duration, window: Duration) {
        self.base = base
        self.cap = cap
        self.window = window
    }

    /// The plan after a failed attempt of `delivery` at `time`. `failingSince` is when its
    /// endpoint's current run of failures began (nil: this is the first); `jitter` in 0...1.
    public func plan(
        _ delivery: ClaimedDelivery, failingSince: Date?, alreadyPaused: Bool, at time: Date, jitter: Double,
        alertRecipient: String?
    ) -> FailurePlan {
        let windowSeconds = seconds(window)
        var next: Date?
        if time.timeIntervalSince(delivery.retrySince) < windowSeconds {
            let exponent = Double(min(max(delivery.attempts - 1, 0), 30))
            let delay = min(seconds(base) * pow(2, exponent), seconds(cap)) * (1 + 0.5 * min(max(jitter, 0), 1))
            next = time.addingTimeInterval(delay)
        }
        let failingFor = time.timeIntervalSince(failingSince ?? time)
        guard !alreadyPaused, failingFor >= windowSeconds else { return FailurePlan(nextAttempt: next, pause: false) }
        return FailurePlan(
            nextAttempt: next, pause: true,
            effects: .endpointPaused(
                id: delivery.endpointID, url: delivery.url, failingSince: failingSince ?? time, alertRecipient: alertRecipient,
                at: time))
    }

    private func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

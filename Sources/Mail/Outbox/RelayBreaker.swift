public import Foundation
import Synchronization

/// A circuit breaker in front of the mailer: when the relay is unavailable for every message
/// (``MailerError/isRelayUnavailable``), delivery pauses and a single message probes the relay,
/// at growing intervals, until one gets through; then the queue drains.
///
/// Without it every queued message dialed a relay that was down on its own, and logged it:
/// 1,002 warning lines for 500 messages in the outage trial, and as many connection attempts.
/// Times come from the worker's injected clock.
public final class RelayBreaker: Sendable {
    /// What the worker may do now.
    public enum Permission: Equatable, Sendable {
        /// The relay works: deliver as usual.
        case deliver
        /// The relay was unavailable and the pause is over: send one message to find out.
        case probe
        /// The relay is unavailable: claim nothing until then.
        case pausedUntil(Date)
    }

    /// The first pause after the relay fails; it doubles with each failed probe up to ``longestPause``.
    public static let firstPause: TimeInterval = 5
    /// The longest pause between probes.
    public static let longestPause: TimeInterval = 60

    private struct Outage {
        var resumeAt: Date
        var failedProbes: Int
    }

    private let outage = Mutex<Outage?>(nil)

    public init() {}

    /// What the worker may do at `now`.
    public func permission(at now: Date) -> Permission {
        outage.withLock { outage in
            guard let outage else { return .deliver }
            return now >= outage.resumeAt ? .probe : .pausedUntil(outage.resumeAt)
        }
    }

    /// When delivery resumes, if the relay is down.
    public var resumeAt: Date? { outage.withLock { $0?.resumeAt } }

    /// A message got through. Returns true if that ended an outage.
    @discardableResult
    public func delivered() -> Bool {
        outage.withLock { outage in
            defer { outage = nil }
            return outage != nil
        }
    }

    /// The relay was unavailable at `now`. Returns the pause until the next probe and whether
    /// this began the outage (false: a probe, or a message already under way, failed too).
    public func relayFailed(at now: Date) -> (pause: TimeInterval, began: Bool) {
        outage.withLock { outage in
            var failedProbes = 0
            if let current = outage {
                // A probe sent after the pause failed; a message already under way when the
                // outage began only fails with it.
                failedProbes = now >= current.resumeAt ? current.failedProbes + 1 : current.failedProbes
            }
            let began = outage == nil
            let pause = min(Self.longestPause, Self.firstPause * pow(2, Double(failedProbes)))
            outage = Outage(resumeAt: now.addingTimeInterval(pause), failedProbes: failedProbes)
            return (pause, began)
        }
    }
}

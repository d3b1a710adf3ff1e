public import Foundation
import Synchronization

/// A cap on how many messages of some kinds this daemon sends per clock hour (the confirmation
/// budget: however many addresses a botnet signs up, the newsroom mails at most this many
/// strangers an hour). Messages over the budget wait for the next hour; one that waited past
/// `lifetime` (its link no longer works) is dropped.
public final class SendingBudget: Sendable {
    /// What to do with a claimed message.
    public enum Decision: Sendable, Equatable {
        case send
        /// Over the budget: back to the queue until `until`.
        case hold(until: Date)
        /// Held for longer than its link lives: not sent.
        case drop
    }

    /// The kinds it counts; others always go.
    public let kinds: Set<String>
    let lifetime: TimeInterval
    /// Messages per hour now (nil: no cap).
    public let limit: @Sendable () -> Int?
    private let used = Mutex<(hour: Int64, count: Int)>((0, 0))

    public init(kinds: Set<String>, lifetime: TimeInterval, limit: @escaping @Sendable () -> Int?) {
        self.kinds = kinds
        self.lifetime = lifetime
        self.limit = limit
    }

    /// Decides for `item`, and counts it when it is sent.
    public func decide(_ item: OutboxItem, at now: Date) -> Decision {
        guard kinds.contains(item.kind), let limit = limit() else { return .send }
        if now.timeIntervalSince(item.createdAt) >= lifetime { return .drop }
        let hour = Int64(now.timeIntervalSince1970 / 3600)
        let allowed = used.withLock { used -> Bool in
            if used.hour != hour { used = (hour, 0) }
            guard used.count < limit else { return false }
            used.count += 1
            return true
        }
        return allowed ? .send : .hold(until: Date(timeIntervalSince1970: Double(hour + 1) * 3600))
    }

    /// Messages counted in the current hour.
    public func spent(at now: Date) -> Int {
        let hour = Int64(now.timeIntervalSince1970 / 3600)
        return used.withLock { $0.hour == hour ? $0.count : 0 }
    }
}

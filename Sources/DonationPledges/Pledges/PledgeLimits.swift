public import Foundation

/// The card-testing defence: a $1 minimum draws people who try stolen cards one small payment at
/// a time (one Newspack site took 120,000 attempts). Besides the per-client request rate, a
/// reader address and a client address may each make `dailyPledges` pledges in 24 hours, and
/// once `declinedPayments` payments from either were declined within `cooldown`, new pledges
/// from it are refused until the oldest of those declines is that old. Zero turns a limit off.
public struct PledgeLimits: Sendable, Equatable {
    public var dailyPledges: Int
    public var declinedPayments: Int
    public var cooldown: TimeInterval

    public init(dailyPledges: Int = 10, declinedPayments: Int = 5, cooldown: TimeInterval = 6 * 3600) {
        self.dailyPledges = dailyPledges
        self.declinedPayments = declinedPayments
        self.cooldown = cooldown
    }

    /// The window pledges are counted in.
    public static let day: TimeInterval = 86_400

    /// The refusal `attempts` earn at `now`, if any: the first limit reached, and when the
    /// source may try again (when the oldest counted attempt leaves its window).
    public func refusal(_ attempts: PledgeAttempts, at now: Date) -> PledgeLimitReached? {
        let checks: [(PledgeLimitReached.Reason, PledgeAttempts.Count, Int, TimeInterval)] = [
            (.declinesFromClient, attempts.declinesByClient, declinedPayments, cooldown),
            (.declinesFromAddress, attempts.declinesByAddress, declinedPayments, cooldown),
            (.pledgesFromClient, attempts.pledgesByClient, dailyPledges, Self.day),
            (.pledgesFromAddress, attempts.pledgesByAddress, dailyPledges, Self.day),
        ]
        for (reason, count, limit, window) in checks where limit > 0 && count.number >= limit {
            let free = (count.oldest ?? now).addingTimeInterval(window)
            return PledgeLimitReached(reason: reason, retryAfter: max(1, Int(free.timeIntervalSince(now).rounded(.up))))
        }
        return nil
    }
}

/// What one source did lately, as the store counts it: pledges made in the last 24 hours and
/// payments declined within the cool-down, by reader address and by client address.
public struct PledgeAttempts: Sendable, Equatable {
    /// How many in the window (up to the limit), and the oldest of them: when it leaves the
    /// window, the source is under the limit again.
    public struct Count: Sendable, Equatable {
        public var number: Int
        public var oldest: Date?

        public init(number: Int, oldest: Date?) {
            self.number = number
            self.oldest = oldest
        }
    }

    /// What to count: attempts since `since`, the newest `atMost` of them.
    public struct Window: Sendable, Equatable {
        public var since: Date
        public var atMost: Int

        public init(since: Date, atMost: Int) {
            self.since = since
            self.atMost = atMost
        }
    }

    public var pledgesByAddress: Count
    public var pledgesByClient: Count
    public var declinesByAddress: Count
    public var declinesByClient: Count

    public init(pledgesByAddress: Count, pledgesByClient: Count, declinesByAddress: Count, declinesByClient: Count) {
        self.pledgesByAddress = pledgesByAddress
        self.pledgesByClient = pledgesByClient
        self.declinesByAddress = declinesByAddress
        self.declinesByClient = declinesByClient
    }
}

/// A pledge refused because its source reached a limit (429 with `Retry-After`). The reader is
/// told only to try later: a card tester learns nothing about which limit it met.
public struct PledgeLimitReached: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case pledgesFromAddress = "pledges_from_address"
        case pledgesFromClient = "pledges_from_client"
        case declinesFromAddress = "declines_from_address"
        case declinesFromClient = "declines_from_client"
    }

    public var reason: Reason
    /// Seconds until the source is under the limit again.
    public var retryAfter: Int

    public var description: String { "pledge limit reached (\(reason.rawValue)); try again in \(retryAfter) s" }
}

public import Foundation
import SideEffects

/// How a newsletter is doing: members per state, the opt-in rate and growth per day.
public struct NewsletterStats: Sendable, Equatable, Encodable {
    public struct Day: Sendable, Equatable, Codable {
        /// `YYYY-MM-DD` (UTC).
        public var date: String
        public var signUps: Int
        public var confirmations: Int
        public var unsubscribes: Int

        /// Creates a day.
        public init(date: String, signUps: Int, confirmations: Int, unsubscribes: Int) {
            self.date = date
            self.signUps = signUps
            self.confirmations = confirmations
            self.unsubscribes = unsubscribes
        }
    }

    public var newsletter: String
    public var states: [String: Int]
    /// Memberships ever created (every sign-up and import).
    public var signUps: Int
    /// Of those, how many were confirmed.
    public var confirmations: Int
    /// `confirmations / signUps`, or nil before any sign-up.
    public var optInRate: Double? { signUps == 0 ? nil : Double(confirmations) / Double(signUps) }
    /// The last days, oldest first.
    public var days: [Day]

    /// Creates statistics.
    public init(newsletter: String, states: [String: Int], signUps: Int, confirmations: Int, days: [Day]) {
        self.newsletter = newsletter
        self.states = states
        self.signUps = signUps
        self.confirmations = confirmations
        self.days = days
    }

    enum CodingKeys: String, CodingKey {
        case newsletter, states, signUps, confirmations, optInRate, days
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(newsletter, forKey: .newsletter)
        try container.encode(states, forKey: .states)
        try container.encode(signUps, forKey: .signUps)
        try container.encode(confirmations, forKey: .confirmations)
        try container.encodeIfPresent(optInRate, forKey: .optInRate)
        try container.encode(days, forKey: .days)
    }
}

extension NewsletterStats.Day {
    /// The `count` UTC days ending on `time`'s day, each at zero, keyed by `YYYY-MM-DD`, and when
    /// the first of them began: every store fills in the counts it finds from there.
    public static func zeroes(days count: Int, endingAt time: Date) -> (start: Date, days: [String: NewsletterStats.Day]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let start = calendar.startOfDay(for: time.addingTimeInterval(-Double(max(count - 1, 0)) * 86_400))
        var days: [String: NewsletterStats.Day] = [:]
        for offset in 0..<max(count, 0) {
            let date = String(Timestamp.format(start.addingTimeInterval(Double(offset) * 86_400)).prefix(10))
            days[date] = NewsletterStats.Day(date: date, signUps: 0, confirmations: 0, unsubscribes: 0)
        }
        return (start, days)
    }
}

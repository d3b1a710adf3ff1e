import Foundation

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

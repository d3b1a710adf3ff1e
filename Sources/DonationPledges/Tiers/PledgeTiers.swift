/// How often a pledge is paid.
public enum PledgeInterval: String, Sendable, Codable, CaseIterable {
    case once
    case monthly
    /// Paid once a year (a newsroom's "annual membership").
    case annual

    /// Whether the provider charges it again (monthly, annual) until it is canceled.
    public var isRecurring: Bool { self != .once }

    /// ` a month`, ` a year`, or nothing: what follows an amount in English.
    public var suffix: String {
        switch self {
        case .once: ""
        case .monthly: " a month"
        case .annual: " a year"
        }
    }
}

/// A named amount offered on the support page (`supporter`, $5 a month).
public struct Tier: Sendable, Equatable, Codable {
    public var name: String
    public var interval: PledgeInterval
    public var amount: Money

    public init(name: String, interval: PledgeInterval, amount: Money) {
        self.name = name
        self.interval = interval
        self.amount = amount
    }

    /// `$5.00 a month`, `$50.00 a year`, `$1.00 once`.
    public var display: String { amount.formatted + (interval == .once ? " once" : interval.suffix) }
}

/// What a currency accepts: its minimum (the "$1" of "support us for as little as $1"), a
/// maximum that stops typos and card testing, whether readers may type their own amount, and
/// its tiers.
public struct CurrencyOffer: Sendable, Equatable, Codable {
    public var currency: Currency
    public var minimum: Money
    public var maximum: Money
    public var customAmount: Bool
    public var tiers: [Tier]

    public init(currency: Currency, minimum: Money, maximum: Money, customAmount: Bool, tiers: [Tier]) {
        self.currency = currency
        self.minimum = minimum
        self.maximum = maximum
        self.customAmount = customAmount
        self.tiers = tiers
    }

    /// The tier with this name and interval.
    public func tier(_ name: String, interval: PledgeInterval) -> Tier? {
        tiers.first { $0.name == name && $0.interval == interval }
    }

    /// Checks an amount against the limits.
    public func check(_ amount: Money) throws(PledgeError) {
        guard amount.minorUnits >= minimum.minorUnits else { throw .belowMinimum(minimum) }
        guard amount.minorUnits <= maximum.minorUnits else { throw .aboveMaximum(maximum) }
    }
}

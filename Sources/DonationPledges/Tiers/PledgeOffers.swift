public import Foundation

/// What the support page offers, as staff change it: each currency's limits and its tiers.
/// The rules (a tier's name, its amount within its currency's limits, sane limits) live here;
/// `masthead tiers` and any other front end go through it.
///
/// ```swift
/// let offers = PledgeOffers(store: store, now: Date.init)
/// let five = Money.parse("5", currency: usd)!
/// try await offers.setTier("supporter", amount: five, interval: .monthly, actor: "admin:alice")
/// ```
public struct PledgeOffers: Sendable {
    let store: any PledgeStore
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(store: any PledgeStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// The longest tier name.
    public static let maximumTierNameLength = 40

    /// Every currency taken, with its tiers.
    public func all() async throws -> [CurrencyOffer] {
        try await store.currencyOffers()
    }

    /// Creates or changes a tier. Its name is 1-40 letters, digits or hyphens; its currency must
    /// take pledges and its amount lie within that currency's limits.
    public func setTier(_ name: String, amount: Money, interval: PledgeInterval, actor: String) async throws -> Tier {
        guard Self.isTierName(name) else { throw OfferError.invalidTierName }
        guard let offer = try await store.currencyOffer(amount.currency.code) else {
            throw OfferError.currencyNotTaken(amount.currency.code)
        }
        do {
            try offer.check(amount)
        } catch {
            throw OfferError.outsideLimits(amount, reason: error)
        }
        let tier = Tier(name: name, interval: interval, amount: amount)
        try await store.setTier(tier, at: now(), actor: actor)
        return tier
    }

    /// Removes a tier (pledges already made keep its name); false when there was none.
    public func removeTier(_ name: String, currency: Currency, interval: PledgeInterval, actor: String) async throws -> Bool {
        try await store.removeTier(name: name, currency: currency.code, interval: interval, at: now(), actor: actor)
    }

    /// Takes pledges in a currency, or changes its limits: a minimum above zero, not above the maximum.
    public func setLimits(minimum: Money, maximum: Money, customAmount: Bool, actor: String) async throws {
        guard minimum.currency == maximum.currency, minimum.minorUnits > 0, maximum.minorUnits >= minimum.minorUnits else {
            throw OfferError.invalidLimits
        }
        try await store.setCurrencyLimits(minimum: minimum, maximum: maximum, customAmount: customAmount, at: now(), actor: actor)
    }

    /// Whether `name` may name a tier.
    public static func isTierName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maximumTierNameLength
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// A refused change to the offer, said so staff know what to do.
public enum OfferError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTierName
    case currencyNotTaken(String)
    case outsideLimits(Money, reason: PledgeError)
    case invalidLimits

    public var description: String {
        switch self {
        case .invalidTierName:
            "a tier name is 1-\(PledgeOffers.maximumTierNameLength) letters, digits or hyphens"
        case .currencyNotTaken(let code):
            "\(code) takes no pledges yet; set its limits first: masthead tiers currency \(code) --minimum … --maximum …"
        case .outsideLimits(let amount, let reason):
            "\(amount.formatted) is outside \(amount.currency.code)'s limits: \(reason)"
        case .invalidLimits:
            "the minimum must be above zero and not above the maximum"
        }
    }
}

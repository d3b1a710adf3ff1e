import Foundation

/// What creating a pledge answers: the pledge, where to pay, and how it reads (`$5.00 a month`).
/// Kept with the pledge under its idempotency key, so a retry gets the very same answer.
///
/// Its `Codable` form is the API's (`amount_minor`, `checkout_url`, …); the HTTP layer encodes it
/// as the 201 body, the store keeps that text as it is.
public struct PledgeAnswer: Sendable, Equatable, Codable {
    /// The pledge's public id (`pl_…`).
    public var pledge: String
    public var status: PledgeStatus
    public var amount: Money
    public var interval: PledgeInterval
    public var tier: String?
    /// Where the reader pays.
    public var checkoutURL: String

    /// Creates an answer.
    public init(pledge: String, status: PledgeStatus, amount: Money, interval: PledgeInterval, tier: String?, checkoutURL: String) {
        self.pledge = pledge
        self.status = status
        self.amount = amount
        self.interval = interval
        self.tier = tier
        self.checkoutURL = checkoutURL
    }

    /// `$5.00 a month`.
    public var display: String { amount.formatted + interval.suffix }

    enum CodingKeys: String, CodingKey {
        case pledge, status, currency, interval, tier, display
        case amountMinor = "amount_minor"
        case checkoutURL = "checkout_url"
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        let code = try values.decode(String.self, forKey: .currency)
        guard let currency = Currency.named(code) else {
            throw DecodingError.dataCorruptedError(forKey: .currency, in: values, debugDescription: "unknown currency \(code)")
        }
        self.init(
            pledge: try values.decode(String.self, forKey: .pledge), status: try values.decode(PledgeStatus.self, forKey: .status),
            amount: Money(minorUnits: try values.decode(Int64.self, forKey: .amountMinor), currency: currency),
            interval: try values.decode(PledgeInterval.self, forKey: .interval),
            tier: try values.decodeIfPresent(String.self, forKey: .tier),
            checkoutURL: try values.decode(String.self, forKey: .checkoutURL))
    }

    public func encode(to encoder: any Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(pledge, forKey: .pledge)
        try values.encode(status, forKey: .status)
        try values.encode(amount.minorUnits, forKey: .amountMinor)
        try values.encode(amount.currency.code, forKey: .currency)
        try values.encode(interval, forKey: .interval)
        try values.encodeIfPresent(tier, forKey: .tier)
        try values.encode(display, forKey: .display)
        try values.encode(checkoutURL, forKey: .checkoutURL)
    }

    /// The answer as the store keeps it (the API's JSON: sorted keys, unescaped slashes).
    var storedText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and enums: the encoder has nothing it could refuse.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads an answer the store kept.
    init(storedText: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(storedText.utf8))
    }
}

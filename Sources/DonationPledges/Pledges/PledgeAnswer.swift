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
    /// What a page of the newsroom's own needs to take the card with Stripe.js, for a provider
    /// whose card form sits in the page: never stored (a replay reads it from the provider again).
    public var cardForm: CardForm?

    /// Creates an answer.
    public init(
        pledge: String, status: PledgeStatus, amount: Money, interval: PledgeInterval, tier: String?, checkoutURL: String,
        cardForm: CardForm? = nil
    ) {
        self.pledge = pledge
        self.status = status
        self.amount = amount
        self.interval = interval
        self.tier = tier
        self.checkoutURL = checkoutURL
        self.cardForm = cardForm
    }

    /// `$5.00 a month`.
    public var display: String { amount.formatted + interval.suffix }

    enum CodingKeys: String, CodingKey {
        case pledge, status, currency, interval, tier, display
        case amountMinor = "amount_minor"
        case checkoutURL = "checkout_url"
        case clientSecret = "client_secret"
        case publishableKey = "publishable_key"
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
        try values.encodeIfPresent(cardForm?.clientSecret, forKey: .clientSecret)
        try values.encodeIfPresent(cardForm?.publishableKey, forKey: .publishableKey)
    }

    /// The answer as the store keeps it (the API's JSON: sorted keys, unescaped slashes), without
    /// the card form's client secret: a secret is not kept where it is not needed.
    var storedText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var stored = self
        stored.cardForm = nil
        // Strings, integers and enums: the encoder has nothing it could refuse.
        return String(decoding: (try? encoder.encode(stored)) ?? Data(), as: UTF8.self)
    }

    /// Reads an answer the store kept.
    init(storedText: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(storedText.utf8))
    }
}

/// What Stripe.js needs to take a pledge's card in a page: the intent's client secret (a
/// PaymentIntent's, `pi_…_secret_…`, for a one-time pledge: `confirmCardPayment`; a
/// SetupIntent's, `seti_…_secret_…`, for a monthly or annual one: `confirmCardSetup`, then a
/// form post to the checkout URL starts it) and the account's publishable key.
public struct CardForm: Sendable, Equatable, Codable {
    public var clientSecret: String
    public var publishableKey: String

    public init(clientSecret: String, publishableKey: String) {
        self.clientSecret = clientSecret
        self.publishableKey = publishableKey
    }
}

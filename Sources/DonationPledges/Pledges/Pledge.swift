public import Foundation

/// A recorded pledge, as staff and the reader's pledge page see it.
public struct Pledge: Sendable, Equatable {
    public var id: Int64
    /// The identifier readers, providers and the CLI use (`pl_…`); the row id stays internal.
    public var publicID: String
    public var email: String
    public var name: String?
    public var amount: Money
    public var interval: PledgeInterval
    public var tier: String?
    public var status: PledgeStatus
    /// As the provider reported it (`visa`), never more than the brand and the last four digits.
    public var card: CardSummary?
    public var checkoutURL: String?
    /// Where the checkout sends the reader afterwards.
    public var returnURL: String?
    public var provider: String
    /// The provider's id for the payment (Stripe's PaymentIntent `pi_…`).
    public var providerReference: String?
    /// The reader's locale as the form gave it (`uk`): their receipts are in that language.
    public var locale: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, publicID: String, email: String, name: String?, amount: Money, interval: PledgeInterval, tier: String?,
        status: PledgeStatus, card: CardSummary?, checkoutURL: String?, returnURL: String?, provider: String, createdAt: Date, updatedAt: Date,
        providerReference: String? = nil, locale: String? = nil
    ) {
        self.id = id
        self.publicID = publicID
        self.email = email
        self.name = name
        self.amount = amount
        self.interval = interval
        self.tier = tier
        self.status = status
        self.card = card
        self.checkoutURL = checkoutURL
        self.returnURL = returnURL
        self.provider = provider
        self.providerReference = providerReference
        self.locale = locale
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// `$5.00 a month`.
    public var display: String { amount.formatted + interval.suffix }
}

/// The card a payment used, as the provider reports it: brand and last four digits only.
public struct CardSummary: Sendable, Equatable, Codable {
    public var brand: String
    public var last4: String

    /// Nil unless `brand` is a known brand and `last4` is exactly four digits: a provider's
    /// report is checked like any other input.
    public init?(brand: String, last4: String) {
        guard Self.brandNames[brand] != nil, last4.utf8.count == 4, last4.allSatisfy(\.isASCIIDigit) else { return nil }
        self.brand = brand
        self.last4 = last4
    }

    /// `Visa ending in 4242`.
    public var display: String { "\(Self.brandNames[brand] ?? brand) ending in \(last4)" }

    /// The brands the support page shows.
    public static let brandNames = ["visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"]
}

/// One line of a pledge's history.
public struct PledgeHistoryEntry: Sendable, Equatable, Codable {
    public var occurredAt: Date
    public var actor: String
    public var action: String
    public var details: [String: String]

    public init(occurredAt: Date, actor: String, action: String, details: [String: String]) {
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.details = details
    }
}

import Foundation
import SideEffects

/// What creating a pledge answers: the pledge, where to pay, and how it reads (`$5.00 a month`).
/// Kept with the pledge under its idempotency key, so a retry gets the very same answer.
///
/// ``json`` is the API's form (`amount_minor`, `checkout_url`, …), the 201 body; the store keeps
/// ``storedText``, the same without the card form. Both are written by hand (`JSONValue`, keys
/// sorted): `JSONEncoder` encoding it twice cost about 30 µs of a pledge's CPU.
public struct PledgeAnswer: Sendable, Equatable {
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

    /// The answer in the API's JSON (sorted keys, unescaped slashes), card form included.
    public var json: String { jsonValue(withCardForm: true).text }

    /// The answer as the store keeps it, without the card form's client secret: a secret is not
    /// kept where it is not needed.
    var storedText: String { jsonValue(withCardForm: false).text }

    private func jsonValue(withCardForm: Bool) -> JSONValue {
        var fields: [String: JSONValue] = [
            "pledge": .string(pledge), "status": .string(status.rawValue), "amount_minor": .integer(amount.minorUnits),
            "currency": .string(amount.currency.code), "interval": .string(interval.rawValue), "display": .string(display),
            "checkout_url": .string(checkoutURL),
        ]
        if let tier { fields["tier"] = .string(tier) }
        if withCardForm, let cardForm {
            fields["client_secret"] = .string(cardForm.clientSecret)
            fields["publishable_key"] = .string(cardForm.publishableKey)
        }
        return .object(fields)
    }

    /// Reads an answer the store kept.
    init(storedText: String) throws(UnreadableStoredAnswer) {
        guard case .object(let fields)? = try? JSONDocument.parse(Array(storedText.utf8)),
            case .string(let pledge)? = fields["pledge"],
            case .string(let status)? = fields["status"], let status = PledgeStatus(rawValue: status),
            case .number(let minorUnits)? = fields["amount_minor"], let minorUnits = Int64(minorUnits),
            case .string(let code)? = fields["currency"], let currency = Currency.named(code),
            case .string(let interval)? = fields["interval"], let interval = PledgeInterval(rawValue: interval),
            case .string(let checkoutURL)? = fields["checkout_url"]
        else { throw UnreadableStoredAnswer(text: storedText) }
        var tier: String?
        if case .string(let name)? = fields["tier"] { tier = name }
        self.init(
            pledge: pledge, status: status, amount: Money(minorUnits: minorUnits, currency: currency), interval: interval,
            tier: tier, checkoutURL: checkoutURL)
    }
}

/// A kept answer the code cannot read: the database was written by something else.
public struct UnreadableStoredAnswer: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "a pledge's stored answer is not one this version wrote: \(text)" }
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

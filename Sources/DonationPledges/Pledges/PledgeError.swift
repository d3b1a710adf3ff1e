public import EmailAddress

/// Why a pledge was refused; each case names the field at fault. A value the reader typed is
/// never repeated (it could be a card number typed into the wrong box); only values Masthead
/// itself knows (a currency it offers, its limits) are.
public enum PledgeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(AddressProblem)
    case unknownCurrency
    case currencyNotOffered(String)
    case invalidAmount(String)
    case belowMinimum(Money)
    case aboveMaximum(Money)
    case customAmountNotOffered
    case unknownTier
    case invalidInterval
    case intervalNotOffered
    case missing(field: String)
    case fieldTooLong(field: String)
    case looksLikeCardNumber(field: String)
    case invalidReturnURL

    /// The request field the error is about.
    public var field: String {
        switch self {
        case .invalidAddress: "email"
        case .unknownCurrency, .currencyNotOffered: "currency"
        case .invalidAmount, .belowMinimum, .aboveMaximum, .customAmountNotOffered: "amount"
        case .unknownTier: "tier"
        case .invalidInterval, .intervalNotOffered: "interval"
        case .missing(let field), .fieldTooLong(let field), .looksLikeCardNumber(let field): field
        case .invalidReturnURL: "return_url"
        }
    }

    /// A short machine-readable code.
    public var code: String {
        switch self {
        case .invalidAddress(let problem): problem.code
        case .unknownCurrency, .currencyNotOffered: "currency_not_offered"
        case .invalidAmount: "invalid_amount"
        case .belowMinimum: "below_minimum"
        case .aboveMaximum: "above_maximum"
        case .customAmountNotOffered: "custom_amount_not_offered"
        case .unknownTier: "unknown_tier"
        case .invalidInterval: "invalid_interval"
        case .intervalNotOffered: "interval_not_offered"
        case .missing: "required"
        case .fieldTooLong: "too_long"
        case .looksLikeCardNumber: "card_number"
        case .invalidReturnURL: "invalid_url"
        }
    }

    /// What the reader is told. Never repeats a card number.
    public var description: String {
        switch self {
        case .invalidAddress(let problem): "Please, enter correct email address: \(problem)"
        case .unknownCurrency: "That is not a currency we know"
        case .currencyNotOffered(let code): "We do not take pledges in \(code)"
        case .invalidAmount: "Enter the amount as a number, such as 5 or 5.00"
        case .belowMinimum(let minimum): "Support us for as little as \(minimum.formatted)"
        case .aboveMaximum(let maximum): "The most we take in one pledge is \(maximum.formatted)"
        case .customAmountNotOffered: "Please choose one of the amounts offered"
        case .unknownTier: "There is no tier of that name"
        case .invalidInterval: "interval must be once, monthly or annual"
        case .intervalNotOffered: "Monthly pledges are not offered here yet; choose a one-time pledge"
        case .missing(let field): "\(field) is required"
        case .fieldTooLong(let field): "\(field) is too long"
        case .looksLikeCardNumber(let field):
            "\(field) looks like a card number. Never type your card number here: you enter it on the payment page"
        case .invalidReturnURL: "return_url must be a page of one of our sites"
        }
    }
}

/// Why a list command was refused; each case says what to do.
public enum SubscriberError: Error, Equatable, CustomStringConvertible {
    /// The address does not parse.
    case invalidAddress(String, reason: String)
    /// No subscriber has this address.
    case unknownSubscriber(String)
    /// No newsletter has this slug.
    case unknownNewsletter(String)
    /// `--confirmed` without `--consent-basis`.
    case confirmedNeedsBasis
    /// The address is on the suppression list.
    case suppressed(SuppressionReason)
    /// The address is not on the suppression list.
    case notSuppressed
    /// A number option out of range.
    case invalidLimit(Int)

    public var description: String {
        switch self {
        case .invalidAddress(let text, let reason): "'\(text)' is not a valid address: \(reason)"
        case .unknownSubscriber(let address): "no subscriber has the address \(address)"
        case .unknownNewsletter(let slug): "no newsletter has slug '\(slug)'; `masthead newsletters list` shows them"
        case .confirmedNeedsBasis:
            "--confirmed needs --consent-basis \"...\" saying how the person agreed (kept as proof of consent)"
        case .suppressed(let reason):
            "the address is on the suppression list (\(reason.rawValue)); if the person asks to come back, "
                + "lift it with `masthead subscribers unsuppress` first"
        case .notSuppressed: "the address is not on the suppression list"
        case .invalidLimit(let limit): "--limit must be between 1 and 100000, not \(limit)"
        }
    }
}

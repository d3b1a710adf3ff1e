public import EmailAddress

/// Why a sign-up was refused, field by field, so a form can say what to fix.
/// Nothing here depends on the address's state: refusals never reveal who is subscribed.
public enum SignupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address is not one we accept.
    case invalidAddress(AddressProblem)
    /// These slugs name no public, open newsletter (unknown, private and archived look the same).
    case unknownNewsletters([String])
    /// No newsletter named and no default configured.
    case noNewsletterChosen
    /// No public newsletter is open at all: staff have not created one yet.
    case noNewsletterOpen
    /// More newsletters than one request may name.
    case tooManyNewsletters(maximum: Int)
    /// A field is longer than allowed.
    case fieldTooLong(field: String, maximum: Int)
    /// A field has characters it may not have.
    case invalidField(field: String)
    /// The address's domain is refused (staff's rule, or an email-to-SMS gateway).
    case refusedDomain(String)
    /// DNS says the domain receives no mail (no MX and no address, or a null MX).
    case noMailServer(String)
    /// The domain reached its sign-ups for this hour.
    case domainBusy(String)

    public var description: String {
        switch self {
        case .invalidAddress(let problem): "invalid address: \(problem)"
        case .unknownNewsletters(let slugs): "unknown newsletters: \(slugs.joined(separator: ", "))"
        case .noNewsletterChosen: "no newsletter chosen"
        case .noNewsletterOpen: "no newsletter is open for sign-up yet — create one with `masthead newsletters add`"
        case .tooManyNewsletters(let maximum): "more than \(maximum) newsletters"
        case .fieldTooLong(let field, let maximum): "\(field) is longer than \(maximum) characters"
        case .invalidField(let field): "\(field) has characters that are not allowed"
        case .refusedDomain(let domain): "addresses at \(domain) are refused"
        case .noMailServer(let domain): "\(domain) receives no mail"
        case .domainBusy(let domain): "\(domain) reached its sign-ups for this hour"
        }
    }
}

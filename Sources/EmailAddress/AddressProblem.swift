/// Why a string is not an address we accept, precise enough for a form to say *why*.
///
/// ``code`` is stable and machine-readable (the HTTP layer puts it in problem+json);
/// ``description`` is an English sentence for logs and the CLI.
public enum AddressProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which side of the `@` a problem is on.
    public enum Part: String, Sendable, Hashable {
        case localPart = "local part"
        case domain
    }

    /// Nothing was typed.
    case empty
    /// `Anna <anna@example.org>` or `<anna@example.org>`: only the address itself is wanted.
    case displayNameOrAngleBrackets
    /// A space, tab, line break or other control character somewhere in the address.
    case whitespaceOrControl
    /// No `@` at all.
    case missingAt
    /// More than one `@` outside quotes.
    case multipleAt
    /// Nothing before the `@`.
    case emptyLocalPart
    /// Nothing after the `@`.
    case emptyDomain
    /// The local part is longer than 64 octets (RFC 5321 §4.5.3.1.1).
    case localPartTooLong
    /// The whole address is longer than 254 octets (RFC 5321 path limit less the brackets).
    case addressTooLong
    /// A dot at the start or end of the local part or domain.
    case dotAtEdge(Part)
    /// Two dots in a row.
    case consecutiveDots(Part)
    /// A character that is not allowed in that part (the character is named).
    case invalidCharacter(Character, Part)
    /// `"john doe"@example.org`: legal but refused unless the option allows it.
    case quotedLocalPart
    /// A quoted local part that is not well formed.
    case malformedQuotedLocalPart
    /// `anna@[192.0.2.1]`: legal but refused unless the option allows it.
    case domainLiteral
    /// A domain literal that is not an IPv4 or `IPv6:` address.
    case malformedDomainLiteral
    /// `anna@localhost`: a mail domain needs at least one dot.
    case domainWithoutDot
    /// `anna@example.123`: the top-level label is all digits.
    case numericTopLevelDomain
    /// A label longer than 63 octets (in its ASCII form).
    case labelTooLong
    /// A label starting or ending with a hyphen.
    case labelHyphenAtEdge
    /// The domain is longer than 253 octets (in its ASCII form).
    case domainTooLong
    /// The Unicode domain cannot be converted to ASCII under IDNA 2008 / UTS #46.
    case idnaConversionFailed(reason: String)

    /// A stable snake_case code for APIs and forms.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .displayNameOrAngleBrackets: "display_name_or_angle_brackets"
        case .whitespaceOrControl: "whitespace_or_control"
        case .missingAt: "missing_at"
        case .multipleAt: "multiple_at"
        case .emptyLocalPart: "empty_local_part"
        case .emptyDomain: "empty_domain"
        case .localPartTooLong: "local_part_too_long"
        case .addressTooLong: "address_too_long"
        case .dotAtEdge: "dot_at_edge"
        case .consecutiveDots: "consecutive_dots"
        case .invalidCharacter: "invalid_character"
        case .quotedLocalPart: "quoted_local_part"
        case .malformedQuotedLocalPart: "malformed_quoted_local_part"
        case .domainLiteral: "domain_literal"
        case .malformedDomainLiteral: "malformed_domain_literal"
        case .domainWithoutDot: "domain_without_dot"
        case .numericTopLevelDomain: "numeric_top_level_domain"
        case .labelTooLong: "label_too_long"
        case .labelHyphenAtEdge: "label_hyphen_at_edge"
        case .domainTooLong: "domain_too_long"
        case .idnaConversionFailed: "idna_conversion_failed"
        }
    }

    public var description: String {
        switch self {
        case .empty: "the address is empty"
        case .displayNameOrAngleBrackets: "give only the address, without a name or angle brackets"
        case .whitespaceOrControl: "the address contains a space or a control character"
        case .missingAt: "the address has no @"
        case .multipleAt: "the address has more than one @"
        case .emptyLocalPart: "nothing before the @"
        case .emptyDomain: "nothing after the @"
        case .localPartTooLong: "the part before the @ is longer than 64 bytes"
        case .addressTooLong: "the address is longer than 254 bytes"
        case .dotAtEdge(let part): "the \(part.rawValue) starts or ends with a dot"
        case .consecutiveDots(let part): "the \(part.rawValue) has two dots in a row"
        case .invalidCharacter(let character, let part):
            "the \(part.rawValue) contains '\(character)', which is not allowed there"
        case .quotedLocalPart: "quoted local parts are not accepted"
        case .malformedQuotedLocalPart: "the quoted part before the @ is not well formed"
        case .domainLiteral: "an IP address in brackets is not accepted as a domain"
        case .malformedDomainLiteral: "the bracketed domain is not an IP address"
        case .domainWithoutDot: "the domain has no dot"
        case .numericTopLevelDomain: "the domain ends in a number"
        case .labelTooLong: "a part of the domain is longer than 63 bytes"
        case .labelHyphenAtEdge: "a part of the domain starts or ends with a hyphen"
        case .domainTooLong: "the domain is longer than 253 bytes"
        case .idnaConversionFailed(let reason): "the domain is not a valid internationalised name (\(reason))"
        }
    }
}

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
    /// A space, tab, line break, other control character or invisible character (zero-width
    /// space or joiner, bidi control, soft hyphen, variation selector, …) somewhere in the address.
    case whitespaceOrControl
    /// A private-use character, a noncharacter or an unassigned code point somewhere in the address.
    case unusableCharacter(Unicode.Scalar)
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
    /// A local part (or a piece of it after a dot) that starts with a combining mark.
    case leadingCombiningMark
    /// A character whose Unicode compatibility decomposition (NFKD) holds an ASCII character not
    /// allowed in that part: `≮` is `<` + U+0338, `＠` is `@`, `＿` is `_`.
    case decomposesToSpecial(Character, Part, special: Character)
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
    /// `anna@example.123`: the top-level label is all digits (RFC 3696 §2).
    case numericTopLevelDomain
    /// `anna@example.c0m`, `anna@a.b`: the top-level label is not two or more letters (or an
    /// A-label of letters), so no registry could have delegated it.
    case invalidTopLevelDomain
    /// A label longer than 63 octets (in its ASCII form).
    case labelTooLong
    /// A label starting or ending with a hyphen.
    case labelHyphenAtEdge
    /// `ab--cd.example`: `--` in the third and fourth places is reserved for A-labels (`xn--`,
    /// RFC 5890 §2.3.1, RFC 5891 §4.2.3.1).
    case reservedHyphens
    /// The domain is longer than 253 octets (in its ASCII form).
    case domainTooLong
    /// The Unicode domain cannot be converted to ASCII under IDNA 2008 / UTS #46.
    case idnaConversionFailed(reason: String)
    /// A domain with a right-to-left label has a label that breaks RFC 5893's Bidi rule (named
    /// in its Unicode form), so it would be displayed in an order that is not its real one.
    case bidiRuleViolation(label: String)

    /// A stable snake_case code for APIs and forms.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .displayNameOrAngleBrackets: "display_name_or_angle_brackets"
        case .whitespaceOrControl: "whitespace_or_control"
        case .unusableCharacter: "unusable_character"
        case .missingAt: "missing_at"
        case .multipleAt: "multiple_at"
        case .emptyLocalPart: "empty_local_part"
        case .emptyDomain: "empty_domain"
        case .localPartTooLong: "local_part_too_long"
        case .addressTooLong: "address_too_long"
        case .dotAtEdge: "dot_at_edge"
        case .consecutiveDots: "consecutive_dots"
        case .invalidCharacter: "invalid_character"
        case .leadingCombiningMark: "leading_combining_mark"
        case .decomposesToSpecial: "decomposes_to_special"
        case .quotedLocalPart: "quoted_local_part"
        case .malformedQuotedLocalPart: "malformed_quoted_local_part"
        case .domainLiteral: "domain_literal"
        case .malformedDomainLiteral: "malformed_domain_literal"
        case .domainWithoutDot: "domain_without_dot"
        case .numericTopLevelDomain: "numeric_top_level_domain"
        case .invalidTopLevelDomain: "invalid_top_level_domain"
        case .labelTooLong: "label_too_long"
        case .labelHyphenAtEdge: "label_hyphen_at_edge"
        case .reservedHyphens: "reserved_hyphens"
        case .domainTooLong: "domain_too_long"
        case .idnaConversionFailed: "idna_conversion_failed"
        case .bidiRuleViolation: "bidi_rule_violation"
        }
    }

    public var description: String {
        switch self {
        case .empty: "the address is empty"
        case .displayNameOrAngleBrackets: "give only the address, without a name or angle brackets"
        case .whitespaceOrControl: "the address contains a space, a control character or an invisible character"
        case .unusableCharacter(let scalar):
            "the address contains \(scalar.codePointName), \(Self.kind(of: scalar)), which is not allowed"
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
        case .leadingCombiningMark: "the local part starts with a combining mark, or has one right after a dot"
        case .decomposesToSpecial(let character, let part, let special):
            "the \(part.rawValue) contains '\(character)', which Unicode normalisation turns into '\(special)'"
        case .quotedLocalPart: "quoted local parts are not accepted"
        case .malformedQuotedLocalPart: "the quoted part before the @ is not well formed"
        case .domainLiteral: "an IP address in brackets is not accepted as a domain"
        case .malformedDomainLiteral: "the bracketed domain is not an IP address"
        case .domainWithoutDot: "the domain has no dot"
        case .numericTopLevelDomain: "the domain ends in a number"
        case .invalidTopLevelDomain: "the domain does not end in a possible top-level domain (two or more letters)"
        case .labelTooLong: "a part of the domain is longer than 63 bytes"
        case .labelHyphenAtEdge: "a part of the domain starts or ends with a hyphen"
        case .reservedHyphens: "a part of the domain has '--' as its third and fourth characters, which only 'xn--' names may have"
        case .domainTooLong: "the domain is longer than 253 bytes"
        case .idnaConversionFailed(let reason): "the domain is not a valid internationalised name (\(reason))"
        case .bidiRuleViolation(let label):
            "the domain's part '\(label)' breaks the rule for names with right-to-left text: it could be shown out of order"
        }
    }

    /// What kind of unusable character `scalar` is, for ``description``.
    private static func kind(of scalar: Unicode.Scalar) -> String {
        if scalar.properties.isNoncharacterCodePoint { return "a noncharacter" }
        if scalar.properties.generalCategory == .privateUse { return "a private-use character" }
        return "a code point Unicode has not assigned"
    }
}

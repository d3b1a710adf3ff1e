#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rules for the part after the `@`: a host name with at least one dot, checked label by
/// label, converted to A-labels, or (when allowed) an address literal.
///
/// The limits are those of the ASCII form, what DNS and SMTP carry: every label and the whole
/// name are measured after IDNA conversion. Then the top-level label (``TopLevelDomain``) and,
/// when any label is right-to-left, RFC 5893's Bidi rule across all labels (``BidiRule``).
enum DomainName {
    /// Full stops that UTS #46 maps to "." (ideographic, fullwidth, halfwidth).
    private static let alternativeDots: Set<Unicode.Scalar> = ["\u{3002}", "\u{FF0E}", "\u{FF61}"]

    static func normalize(_ domain: String, allowsLiteral: Bool) throws(AddressProblem) -> (ascii: String, unicode: String) {
        var scalars = domain.unicodeScalars
        if scalars.first == "[" {
            guard allowsLiteral else { throw .domainLiteral }
            let literal = try normalizeLiteral(domain)
            return (literal, literal)
        }
        if scalars.contains(where: alternativeDots.contains) {
            scalars = String.UnicodeScalarView(scalars.map { alternativeDots.contains($0) ? "." : $0 })
        }
        guard scalars.first != ".", scalars.last != "." else { throw .dotAtEdge(.domain) }
        let labels = scalars.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty }) else { throw .consecutiveDots(.domain) }
        for label in labels where label.first == "-" || label.last == "-" {
            throw .labelHyphenAtEdge
        }
        let domain = String(scalars)

        let ascii: String
        let unicode: String
        if domain.utf8.allSatisfy({ $0 < 0x80 }) {
            ascii = EmailAddress.lowercasedASCII(domain)
            try checkASCIILabels(ascii)
            // A-labels written by hand must be valid IDNA; the reader sees their Unicode form.
            unicode = containsACEPrefix(ascii) ? try IDNA.toUnicode(ascii) : ascii
        } else {
            try refuseHiddenNonLDH(domain)
            ascii = try IDNA.toASCII(domain)
            try checkASCIILabels(ascii)
            unicode = try IDNA.toUnicode(ascii)
        }
        // A hand-written A-label is held to the rules typed text is: IDNA allows the joiners
        // (CONTEXTJ) in a U-label, `EmailAddress.refuseWhitespaceOrControl` does not.
        if unicode != ascii { try EmailAddress.refuseWhitespaceOrControl(unicode.unicodeScalars) }
        guard ascii.utf8.count <= EmailAddress.maximumDomainLength else { throw .domainTooLong }
        let asciiLabels = ascii.split(separator: ".")
        guard asciiLabels.count >= 2, let top = asciiLabels.last else { throw .domainWithoutDot }
        try TopLevelDomain.check(ascii: top, unicode: unicode.split(separator: ".").last ?? top)
        try BidiRule.check(unicode)
        return (ascii, unicode)
    }

    private static let acePrefix: [UInt8] = Array("xn--".utf8)

    /// Whether `xn--` occurs anywhere in the (lowercased) name. A byte scan: the generic
    /// substring search cost about 3 µs a sign-up.
    static func containsACEPrefix(_ ascii: String) -> Bool {
        let prefix = acePrefix
        var matched = 0
        for byte in ascii.utf8 {
            matched = byte == prefix[matched] ? matched + 1 : (byte == prefix[0] ? 1 : 0)
            if matched == prefix.count { return true }
        }
        return false
    }

    /// Letters, digits and hyphens (RFC 1034 "LDH"), 1–63 octets, no hyphen at either end, and
    /// no `--` in the third and fourth places unless the label is an A-label (`xn--`): the other
    /// "reserved LDH labels" are kept for future prefixes and are never valid (RFC 5890 §2.3.1,
    /// RFC 5891 §4.2.3.1). A-labels are then decoded and round-tripped by ``IDNA``.
    private static func checkASCIILabels(_ ascii: String) throws(AddressProblem) {
        for label in ascii.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw .consecutiveDots(.domain) }
            guard label.utf8.count <= EmailAddress.maximumLabelLength else { throw .labelTooLong }
            for byte in label.utf8 {
                let ok = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
                    || (byte >= 0x41 && byte <= 0x5A)
                guard ok else { throw .invalidCharacter(Character(Unicode.Scalar(byte)), .domain) }
            }
            guard label.first != "-", label.last != "-" else { throw .labelHyphenAtEdge }
            guard !hasReservedHyphens(label) || label.hasPrefix("xn--") else { throw .reservedHyphens }
        }
    }

    /// Before libidn2 sees a Unicode name: every ASCII character must be a letter, digit, hyphen
    /// or dot, and no other character may decompose (NFKD) into one that is not. UTS #46 with
    /// STD3 rules disallows them (`_`, `＿`, `≮`, `℀`), but libidn2 2.3 *drops* them and converts
    /// the rest, so `bü_cher.example` would become `bücher.example`, somebody else's domain.
    private static func refuseHiddenNonLDH(_ domain: String) throws(AddressProblem) {
        for scalar in domain.unicodeScalars {
            if scalar.isASCII {
                guard isLDH(scalar) || scalar == "." else { throw .invalidCharacter(Character(scalar), .domain) }
            } else if let hidden = scalar.hiddenASCII(allowed: isLDH) {
                throw .decomposesToSpecial(Character(scalar), .domain, special: Character(hidden))
            }
        }
    }

    private static func isLDH(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-": true
        default: false
        }
    }

    /// `--` as the third and fourth characters (`ab--cd`, `xn--…`).
    private static func hasReservedHyphens(_ label: Substring) -> Bool {
        let bytes = label.utf8.dropFirst(2).prefix(2)
        return bytes.count == 2 && bytes.allSatisfy { $0 == 0x2D }
    }

    /// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3), returned in canonical case.
    private static func normalizeLiteral(_ domain: String) throws(AddressProblem) -> String {
        guard domain.last == "]", domain.count > 2 else { throw .malformedDomainLiteral }
        let inner = String(domain.dropFirst().dropLast())
        var v4 = in_addr()
        if inet_pton(AF_INET, inner, &v4) == 1 { return "[\(inner)]" }
        if inner.lowercased().hasPrefix("ipv6:") {
            let address = String(inner.dropFirst(5))
            var v6 = in6_addr()
            if inet_pton(AF_INET6, address, &v6) == 1 { return "[IPv6:\(address.lowercased())]" }
        }
        throw .malformedDomainLiteral
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rules for the part after the `@`: a host name with at least one dot, checked label by
/// label, converted to A-labels, or (when allowed) an address literal.
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
            unicode = ascii.contains("xn--") ? try IDNA.toUnicode(ascii) : ascii
        } else {
            ascii = try IDNA.toASCII(domain)
            try checkASCIILabels(ascii)
            unicode = try IDNA.toUnicode(ascii)
        }
        guard ascii.utf8.count <= EmailAddress.maximumDomainLength else { throw .domainTooLong }
        let asciiLabels = ascii.split(separator: ".")
        guard asciiLabels.count >= 2, let top = asciiLabels.last else { throw .domainWithoutDot }
        guard !top.allSatisfy(\.isNumber) else { throw .numericTopLevelDomain }
        return (ascii, unicode)
    }

    /// Letters, digits and hyphens (RFC 1034 "LDH"), 1–63 octets, no hyphen at either end.
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
        }
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

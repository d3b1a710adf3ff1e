import CIDN2

/// Conversions between Unicode and ASCII domain names through libidn2: IDNA 2008 (RFC 5890–5893)
/// with UTS #46 non-transitional processing and STD3 rules, which is what browsers and mail
/// providers do today (libidn2 is also what GnuTLS, curl and glibc's resolver use).
enum IDNA {
    private static let flags = Int32(IDN2_NONTRANSITIONAL.rawValue | IDN2_USE_STD3_ASCII_RULES.rawValue | IDN2_NFC_INPUT.rawValue)

    /// `bücher.example` → `xn--bcher-kva.example`.
    static func toASCII(_ domain: String) throws(AddressProblem) -> String {
        try convert(domain) { input, output in idn2_to_ascii_8z(input, output, flags) }
    }

    /// `xn--bcher-kva.example` → `bücher.example` (also validates hand-written A-labels).
    static func toUnicode(_ domain: String) throws(AddressProblem) -> String {
        let unicode = try convert(domain) { input, output in idn2_to_unicode_8z8z(input, output, flags) }
        // A valid A-label converts back to itself; anything else was not a real A-label.
        guard try toASCII(unicode) == domain else { throw .idnaConversionFailed(reason: "an A-label does not round-trip") }
        return unicode
    }

    private static func convert(
        _ input: String, _ call: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32
    ) throws(AddressProblem) -> String {
        var output: UnsafeMutablePointer<CChar>?
        let status = input.withCString { call($0, &output) }
        defer { idn2_free(output) }
        guard status == Int32(IDN2_OK.rawValue), let output else {
            switch status {
            case Int32(IDN2_TOO_BIG_LABEL.rawValue), Int32(IDN2_PUNYCODE_BIG_OUTPUT.rawValue): throw .labelTooLong
            case Int32(IDN2_TOO_BIG_DOMAIN.rawValue): throw .domainTooLong
            // `ab--cd` in a Unicode name: the same rule the ASCII path checks itself.
            case Int32(IDN2_2HYPHEN.rawValue): throw .reservedHyphens
            default: throw .idnaConversionFailed(reason: String(cString: idn2_strerror(status)))
            }
        }
        return String(cString: output)
    }
}

import EmailAddress
import Testing

/// Rule 1: a label is at most 63 octets and a domain at most 253, measured on the ASCII form
/// (A-labels) that DNS and SMTP carry, not on what the reader typed.
@Suite struct DomainLengthTests {
    static let ü57 = String(repeating: "ü", count: 57)

    @Test func aLabelIsMeasuredAfterConversionNotAsTyped() {
        // 114 octets of UTF-8, but its A-label `xn--tda` + 56 × `a` is exactly 63.
        #expect(ParsingOutcome("user@\(Self.ü57).example") == .accepted("user@xn--tda\(String(repeating: "a", count: 56)).example"))
        #expect(ParsingOutcome("user@\(Self.ü57)ü.example") == .refused(.labelTooLong))
        #expect(ParsingOutcome("user@\(Self.ü57)ü.bücher.example") == .refused(.labelTooLong))
    }

    @Test func aHandWrittenALabelCountsAsWritten() {
        #expect(ParsingOutcome("user@xn--\(String(repeating: "a", count: 60)).example") == .refused(.labelTooLong))
    }

    @Test func aShortUnicodeDomainCanBeTooLongInASCII() {
        // 40 labels `ü`: 122 octets of UTF-8, 322 as A-labels.
        let domain = Array(repeating: "ü", count: 40).joined(separator: ".") + ".de"
        #expect(domain.utf8.count < EmailAddress.maximumDomainLength)
        #expect(ParsingOutcome("user@\(domain)") == .refused(.domainTooLong))
    }

    @Test func charactersIDNAWouldDeleteDoNotHideALongDomain() {
        // libidn2 (UTS #46 with STD3 rules) drops these and would convert what is left: a
        // 500-octet name would come out as `xn--bcher-kva.example`. They are refused first.
        let fullwidthLowLines = String(repeating: "＿", count: 100)
        let variationSelectors = String(repeating: "\u{FE0F}", count: 100)
        #expect(ParsingOutcome("user@bü\(fullwidthLowLines)cher.example") == .refused(.decomposesToSpecial("＿", .domain, special: "_")))
        #expect(ParsingOutcome("user@bü\(variationSelectors)cher.example") == .refused(.whitespaceOrControl))
    }

    /// Three 63-octet A-labels, one of `ü` × `last` (6 + `last` octets) and `.de`.
    static func domain(lastLabel last: Int) -> String {
        [ü57, ü57, ü57, String(repeating: "ü", count: last)].joined(separator: ".") + ".de"
    }

    @Test func theDomainLimitIsExactlyTwoHundredFiftyThreeASCIIOctets() throws {
        // ASCII 252: with a one-letter local part, the longest address (254).
        let longest = try EmailAddress(parsing: "a@\(Self.domain(lastLabel: 51))")
        #expect(longest.asciiDomain.utf8.count == 252)
        // ASCII 253: a legal domain, but one octet too many for the whole address.
        #expect(ParsingOutcome("a@\(Self.domain(lastLabel: 52))") == .refused(.addressTooLong))
        // ASCII 254: too long a domain.
        #expect(ParsingOutcome("a@\(Self.domain(lastLabel: 53))") == .refused(.domainTooLong))
    }
}

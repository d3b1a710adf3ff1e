import EmailAddress
import Testing

/// Rule 2: `--` in the third and fourth places is reserved (RFC 5890 §2.3.1 "R-LDH labels",
/// RFC 5891 §4.2.3.1); only A-labels (`xn--`) may have it, and an A-label must decode to a
/// valid U-label that encodes back to itself.
@Suite struct ReservedHyphenTests {
    @Test(arguments: [
        "user@ab--cd.example", "user@AB--CD.example", "user@sub.ab--cd.example", "user@xy--z.com",
        "user@a1--b.example", "user@example.ab--cd", "user@zz--top.example.org",
        // In a Unicode name the same rule comes from libidn2, with the same answer.
        "user@ab--cd.bücher.example", "user@bü--cher.example",
        // An A-label whose U-label (`aü--x`) breaks the rule itself.
        "user@xn--a--x-0ra.example",
    ])
    func hyphensInThirdAndFourthPlaceAreOnlyForALabels(_ input: String) {
        #expect(ParsingOutcome(input) == .refused(.reservedHyphens))
    }

    @Test(arguments: [
        ("user@a-b--c.example", "user@a-b--c.example"),
        ("user@abc--d.example", "user@abc--d.example"),
        ("user@a-b.example", "user@a-b.example"),
        ("user@xn--mnchen-3ya.de", "user@xn--mnchen-3ya.de"),
        ("user@XN--MNCHEN-3YA.de", "user@xn--mnchen-3ya.de"),
    ])
    func otherHyphensAndRealALabelsPass(_ input: String, _ normalized: String) {
        #expect(ParsingOutcome(input) == .accepted(normalized))
    }

    @Test(arguments: [
        "user@xn--abc.org",           // not Punycode of anything valid
        "user@xn--ls8h.example",      // an emoji, which IDNA 2008 disallows
        "user@xn--uber-vwc.example",  // `u` + U+0308, not NFC: encodes back as xn--ber-goa
        "user@xn--ber-ska.example",   // `Über`, upper case: encodes back as xn--ber-goa
        "user@xn--a-0hc.example",     // `a` + Hebrew alef: breaks the Bidi rule inside the label
    ])
    func aLabelsThatDoNotRoundTripToAValidULabelAreRefused(_ input: String) {
        guard case .refused(let problem) = ParsingOutcome(input) else {
            Issue.record("\(input) was accepted")
            return
        }
        #expect(problem.code == "idna_conversion_failed", "\(problem)")
    }
}

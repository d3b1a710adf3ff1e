import EmailAddress
import Testing

/// Rule 3: RFC 5893 §2. Once any label of a domain is right-to-left (has a character of Bidi
/// class R, AL or AN), every label must satisfy the six conditions, not only the RTL ones
/// (libidn2 checks RTL labels alone). A left-to-right label must then start with a letter and
/// end with a letter or digit.
@Suite struct BidiRuleTests {
    @Test(arguments: [
        ("user@123.שלום.example", "123"),            // condition 1: starts with a digit (EN)
        ("user@שלום.1a.example", "1a"),
        ("user@1example.שלום.com", "1example"),
        ("user@123.xn--9dbne9b.example", "123"),     // the same, with the Hebrew label written as an A-label
        ("user@مثال.9ab.com", "9ab"),               // Arabic
        ("user@ア・.שלום.example", "ア・"),          // condition 6: ends with a neutral (katakana middle dot, ON)
    ])
    func everyLabelOfABidiDomainFollowsTheRule(_ input: String, _ label: String) {
        #expect(ParsingOutcome(input) == .refused(.bidiRuleViolation(label: label)))
    }

    @Test(arguments: [
        ("user@שלום.example", "user@xn--9dbne9b.example"),
        ("user@a1.שלום.example", "user@a1.xn--9dbne9b.example"),       // ends with a digit: allowed
        ("user@a-1.שלום.example", "user@a-1.xn--9dbne9b.example"),
        ("user@שלום1.example", "user@xn--1-9hcuf1d.example"),         // an RTL label may end with a digit
        ("user@ア・ア.שלום.example", "user@xn--ccka0y.xn--9dbne9b.example"),
        ("user@مثال.إختبار", "user@xn--mgbh0fb.xn--kgbechtv"),
        ("user@דוגמה.ישראל", "user@xn--6dbbec0c.xn--4dbrk0ce"),
        ("user@example.امارات", "user@example.xn--mgbaam7a8h"),
    ])
    func wellFormedBidiDomainsPass(_ input: String, _ normalized: String) {
        #expect(ParsingOutcome(input) == .accepted(normalized))
    }

    @Test(arguments: ["user@123.example.com", "user@1a.example.com", "user@1-800-flowers.example"])
    func domainsWithoutRightToLeftLabelsAreNotHeldToTheRule(_ input: String) {
        #expect(ParsingOutcome(input) == .accepted(input))
    }
}

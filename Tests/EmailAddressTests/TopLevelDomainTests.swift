import EmailAddress
import Testing

/// Rule 4: the top-level label is two or more letters, in ASCII (a–z) or as an A-label whose
/// U-label is letters and combining marks. RFC 3696 §2 (never all digits); ICANN's Applicant
/// Guidebook, §2.2.1.3.2 (letters only; two-letter codes are ISO 3166-1's).
@Suite struct TopLevelDomainTests {
    @Test(arguments: [
        "user@example.c0m", "user@example.co-uk", "user@example.x1", "user@example.1x", "user@example.a", "user@a.b",
        "user@example.ü1", "user@example.xn--1-dha", // `ü1`: a digit in an IDN TLD
        "user@example.ü", "user@example.xn--tda",    // one letter
    ])
    func aTopLevelDomainIsTwoOrMoreLetters(_ input: String) {
        #expect(ParsingOutcome(input) == .refused(.invalidTopLevelDomain))
    }

    @Test(arguments: ["user@example.123", "user@1.2.3.4", "user@example.0"])
    func anAllNumericTopLevelDomainKeepsItsOwnReason(_ input: String) {
        #expect(ParsingOutcome(input) == .refused(.numericTopLevelDomain))
    }

    @Test(arguments: [
        ("a@b.co", "a@b.co"),
        ("user@example.museum", "user@example.museum"),
        ("user@mail.example.technology", "user@mail.example.technology"),
        ("user@123.example.com", "user@123.example.com"),             // digits in other labels are fine
        ("user@a1.b2.example.org", "user@a1.b2.example.org"),
        ("user@example.xn--p1ai", "user@example.xn--p1ai"),           // .рф
        ("user@example.コム", "user@example.xn--tckwe"),
        ("user@example.アマゾン", "user@example.xn--cckwcxetd"),       // ー is a modifier letter (Lm)
        ("user@example.भारत", "user@example.xn--h2brj9c"),            // vowel signs are marks
        ("user@example.இந்தியா", "user@example.xn--xkc2dl3a5ee0h"),
    ])
    func lettersAndALabelsOfLettersPass(_ input: String, _ normalized: String) {
        #expect(ParsingOutcome(input) == .accepted(normalized))
    }
}

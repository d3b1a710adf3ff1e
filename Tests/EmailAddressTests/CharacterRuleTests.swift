import EmailAddress
import Testing

/// Rule 5: characters that make an address other than it looks. Input is normalised to NFC
/// (what some keyboards send decomposed is accepted composed), and then:
/// - no character may decompose (NFKD) into an ASCII character its part refuses (`≮` → `<`);
/// - the local part, or a piece of it after a dot, may not start with a combining mark;
/// - no private-use, noncharacter or unassigned code point anywhere;
/// - no invisible character anywhere: format characters (zero-width space and joiners, bidi
///   controls, BOM, word joiner) and other default-ignorables (variation selectors, CGJ, Hangul fillers).
@Suite struct CharacterRuleTests {
    static let quoted = AddressParsingOptions(allowsQuotedLocalPart: true)
    /// U+FDD0: Swift refuses this noncharacter in a string literal, so it is built here.
    static let fdd0 = Unicode.Scalar(0xFDD0)!

    @Test(arguments: [
        ("a≮b@example.org", "≮", "<"),
        ("a<\u{338}b@example.org", "≮", "<"),  // typed decomposed: NFC makes it ≮, still refused
        ("a≯b@example.org", "≯", ">"),
        ("a＜b@example.org", "＜", "<"),
        ("anna﹫x@example.org", "﹫", "@"),
        ("a․b@example.org", "․", "."),         // U+2024 ONE DOT LEADER
        ("a‥b@example.org", "‥", "."),
        ("a＂b@example.org", "＂", "\""),
        ("a⑴b@example.org", "⑴", "("),
        ("a¨b@example.org", "¨", " "),
    ] as [(String, Character, Character)])
    func localPartCharactersMayNotHideASpecial(_ input: String, _ character: Character, _ special: Character) {
        #expect(ParsingOutcome(input) == .refused(.decomposesToSpecial(character, .localPart, special: special)))
    }

    @Test func insideQuotesOnlyAHiddenQuoteOrBackslashMatters() {
        #expect(ParsingOutcome("\"a＂b\"@example.org", options: Self.quoted) == .refused(.decomposesToSpecial("＂", .localPart, special: "\"")))
        #expect(ParsingOutcome("\"a≮b\"@example.org", options: Self.quoted) == .accepted("\"a≮b\"@example.org"))
    }

    @Test(arguments: [
        ("user@bü＿cher.example", "＿", "_"),
        ("user@bü≠cher.example", "≠", "="),
        ("user@bü℀cher.example", "℀", "/"),
        ("user@bü․cher.example", "․", "."),
        ("anna@a≮b.example", "≮", "<"),
    ] as [(String, Character, Character)])
    func domainCharactersMayNotHideANonLDHCharacter(_ input: String, _ character: Character, _ special: Character) {
        // libidn2 drops these instead of refusing them: `bü＿cher` would become `bücher`.
        #expect(ParsingOutcome(input) == .refused(.decomposesToSpecial(character, .domain, special: special)))
    }

    @Test(arguments: [("user@bü_cher.example", "_"), ("user@bü!cher.example", "!"), ("user@bü+cher.example", "+")] as [(String, Character)])
    func aUnicodeDomainIsHeldToLettersDigitsAndHyphensLikeAnASCIIOne(_ input: String, _ character: Character) {
        #expect(ParsingOutcome(input) == .refused(.invalidCharacter(character, .domain)))
    }

    @Test(arguments: [
        ("a≠b@example.org", "a≠b@example.org"),      // `=` is allowed in a local part
        ("ｕｓｅｒ@example.org", "ｕｓｅｒ@example.org"),
        ("ﬁ@example.org", "ﬁ@example.org"),
        ("cafe\u{301}@example.org", "café@example.org"),
        ("anna\u{301}@example.org", "anná@example.org"),
        ("user@ＥＸＡＭＰＬＥ.org", "user@example.org"),
    ])
    func harmlessCompatibilityCharactersAndNFDInputPass(_ input: String, _ normalized: String) {
        #expect(ParsingOutcome(input) == .accepted(normalized))
    }

    @Test(arguments: ["\u{301}anna@example.org", "anna.\u{301}b@example.org", "\u{93F}abc@example.org", "\u{20DD}a@example.org"])
    func aLocalPartMayNotStartWithACombiningMark(_ input: String) {
        #expect(ParsingOutcome(input) == .refused(.leadingCombiningMark))
    }

    @Test func aQuotedLocalPartMayNotStartWithACombiningMark() {
        #expect(ParsingOutcome("\"\u{301}a\"@example.org", options: Self.quoted) == .refused(.leadingCombiningMark))
    }

    @Test(arguments: [
        ("anna\u{E000}@example.org", "\u{E000}"),       // private use
        ("anna\u{F0000}@example.org", "\u{F0000}"),     // private use, plane 15
        ("anna\(Character(fdd0))@example.org", fdd0),   // noncharacter
        ("anna\u{FFFE}@example.org", "\u{FFFE}"),
        ("anna\u{1FFFF}@example.org", "\u{1FFFF}"),
        ("anna\u{10FFFF}@example.org", "\u{10FFFF}"),
        ("anna\u{378}@example.org", "\u{378}"),         // unassigned
        ("anna@exa\u{E000}mple.org", "\u{E000}"),
        ("anna@example.org\u{F8FF}", "\u{F8FF}"),       // trailing, after the domain
    ] as [(String, Unicode.Scalar)])
    func privateUseNoncharactersAndUnassignedAreRefusedAnywhere(_ input: String, _ scalar: Unicode.Scalar) {
        #expect(ParsingOutcome(input) == .refused(.unusableCharacter(scalar)))
    }

    @Test func insideQuotesToo() {
        #expect(ParsingOutcome("\"a\u{E000}\"@example.org", options: Self.quoted) == .refused(.unusableCharacter("\u{E000}")))
        #expect(ParsingOutcome("\"a\u{200D}\"@example.org", options: Self.quoted) == .refused(.whitespaceOrControl))
    }

    @Test(arguments: [
        "anna\u{200D}@example.org", "anna\u{200C}@example.org", "anna\u{2060}@example.org", "anna\u{2066}@example.org",
        "anna\u{61C}@example.org", "anna\u{FE0F}@example.org", "anna\u{115F}@example.org", "anna\u{3164}@example.org",
        "anna@exa\u{34F}mple.org", "anna@exa\u{FE0F}mple.org", "user@a\u{200D}b.example",
        // Trailing after the domain: UTS #46 maps some of these to nothing, so they used to vanish.
        "anna@example.org\u{200B}", "anna@example.org\u{200D}", "anna@example.org\u{FE0F}", "anna@example.org\u{E0001}",
        // A joiner IDNA allows in context (Persian ZWNJ): refused all the same, see Docs/address-policy.md.
        "user@\u{0646}\u{0627}\u{0645}\u{0647}\u{200C}\u{0627}\u{06CC}.example", "user@xn--mgba3gch31f060k.example",
    ])
    func invisibleCharactersAreRefusedAnywhere(_ input: String) {
        #expect(ParsingOutcome(input) == .refused(.whitespaceOrControl))
    }

    @Test func newProblemsHaveStableCodesAndSentences() {
        #expect(AddressProblem.unusableCharacter("\u{E000}").code == "unusable_character")
        #expect(AddressProblem.unusableCharacter("\u{E000}").description == "the address contains U+E000, a private-use character, which is not allowed")
        #expect(AddressProblem.unusableCharacter(Self.fdd0).description == "the address contains U+FDD0, a noncharacter, which is not allowed")
        #expect(AddressProblem.unusableCharacter("\u{378}").description == "the address contains U+0378, a code point Unicode has not assigned, which is not allowed")
        #expect(AddressProblem.decomposesToSpecial("≮", .localPart, special: "<").code == "decomposes_to_special")
        #expect(AddressProblem.decomposesToSpecial("≮", .localPart, special: "<").description == "the local part contains '≮', which Unicode normalisation turns into '<'")
        #expect(AddressProblem.leadingCombiningMark.code == "leading_combining_mark")
        #expect(AddressProblem.reservedHyphens.code == "reserved_hyphens")
        #expect(AddressProblem.invalidTopLevelDomain.code == "invalid_top_level_domain")
        #expect(AddressProblem.bidiRuleViolation(label: "123").code == "bidi_rule_violation")
        #expect(AddressProblem.bidiRuleViolation(label: "123").description.contains("'123'"))
        #expect(AddressProblem.whitespaceOrControl.description == "the address contains a space, a control character or an invisible character")
    }
}

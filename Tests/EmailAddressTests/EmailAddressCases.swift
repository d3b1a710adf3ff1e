import EmailAddress
import Testing

/// The table of addresses the parser is held to, built from RFC 5321 §4.1.2 / §4.5.3.1,
/// RFC 5322 §3.2.3 / §3.4.1, RFC 3696 §3 (with its errata), RFC 6531 §3.3 and the IDNA
/// documents (RFC 5890–5893, UTS #46). A-labels were cross-checked with Python's
/// independent `idna` package (IDNA 2008 + UTS #46 non-transitional).
enum EmailAddressCases {
    enum Expected: Sendable {
        /// Accepted, with its normalised form and whether the local part needs SMTPUTF8.
        case valid(String, smtpUTF8: Bool = false)
        /// Refused for this reason.
        case invalid(AddressProblem)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: Expected
        var options: AddressParsingOptions = .strict
        var testDescription: String { input.debugDescription }
    }

    static func valid(_ input: String, _ normalized: String, smtpUTF8: Bool = false) -> Case {
        Case(input: input, expected: .valid(normalized, smtpUTF8: smtpUTF8))
    }

    static func valid(_ input: String) -> Case {
        Case(input: input, expected: .valid(input))
    }

    static func invalid(_ input: String, _ problem: AddressProblem) -> Case {
        Case(input: input, expected: .invalid(problem))
    }

    static let l63 = String(repeating: "a", count: 63)
    static let l64 = String(repeating: "b", count: 64)

    static let all: [Case] = ascii + letterCase + unicode + refusedShapes + localPartRules + domainRules
        + lengths + idna + literals + quoted

    /// Ordinary and unusual-but-legal ASCII addresses (RFC 3696 §3, RFC 5322 §3.2.3 atext).
    static let ascii: [Case] = [
        valid("simple@example.com"),
        valid("very.common@example.com"),
        valid("disposable.style.email.with+symbol@example.com"),
        valid("other.email-with-hyphen@example.com"),
        valid("fully-qualified-domain@example.com"),
        valid("user.name+tag+sorting@example.com"),
        valid("x@example.com"),
        valid("example-indeed@strange-example.com"),
        valid("test/test@test.com"),
        valid("mailhost!username@example.org"),
        valid("user%example.com@example.org"),
        valid("user-@example.org"),
        valid("customer/department=shipping@example.com"),
        valid("$A12345@example.com", "$a12345@example.com"),
        valid("!def!xyz%abc@example.com"),
        valid("_somename@example.com"),
        valid("a.b.c.d@example.org"),
        valid("1234567890@example.org"),
        valid("first.last@sub.domain.example.co.uk"),
        valid("o'reilly@example.ie"),
        valid("john.smith@example.museum"),
        valid("{braces}@example.org"),
        valid("pipe|user@example.org"),
        valid("a#b@example.org"),
        valid("a&b@example.org"),
        valid("a*b@example.org"),
        valid("a=b@example.org"),
        valid("a?b@example.org"),
        valid("a^b@example.org"),
        valid("a`b@example.org"),
        valid("a~b@example.org"),
        valid("a'b@example.org"),
        valid("a/b@example.org"),
        valid("a%b@example.org"),
        valid("a!b@example.org"),
        valid("a$b@example.org"),
        valid("a-b@example.org"),
        valid("a_b@example.org"),
        valid("a+b@example.org"),
        valid("user@a-b.example"),
        valid("user@1example.org"),
        valid("user@example.co"),
        valid("user@123.example"),
        valid("user@sub-1.sub-2.example.org"),
        valid("user@a.bc"),
        valid("x@x.io"),
        valid("user@example.xn--p1ai"),
        valid("user@xn--80ak6aa92e.com"),
        valid("first.middle.last@example.org"),
        valid("user@mail.example.technology"),
        valid("ukraine.daily+news@kyiv.example.ua"),
    ]

    /// The local part keeps its case for display; comparison lower-cases ASCII; the domain is lower-cased.
    static let letterCase: [Case] = [
        valid("Abc@example.com", "abc@example.com"),
        valid("Anna@Example.org", "anna@example.org"),
        valid("anna@example.ORG", "anna@example.org"),
        valid("ANNA@EXAMPLE.ORG", "anna@example.org"),
        valid("USER+TAG@Example.Org", "user+tag@example.org"),
        valid("John.Smith@Example.Museum", "john.smith@example.museum"),
        valid("MiXeD.CaSe@ExAmPlE.CoM", "mixed.case@example.com"),
        valid("x@XN--BCHER-KVA.EXAMPLE", "x@xn--bcher-kva.example"),
    ]

    /// Internationalised addresses (RFC 6531 local parts, IDNA domains).
    static let unicode: [Case] = [
        valid("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v", smtpUTF8: true),
        valid("अजय@डाटा.भारत", "अजय@xn--c2bd1gb.xn--h2brj9c", smtpUTF8: true),
        valid("квіточка@пошта.укр", "квіточка@xn--80a1acn3a.xn--j1amh", smtpUTF8: true),
        valid("θσερ@εχαμπλε.ψομ", "θσερ@xn--mxahbxey0c.xn--xxaf0a", smtpUTF8: true),
        valid("Dörte@Sörensen.example.com", "dörte@xn--srensen-90a.example.com", smtpUTF8: true),
        valid("коля@пример.рф", "коля@xn--e1afmkfd.xn--p1ai", smtpUTF8: true),
        valid("user@bücher.example", "user@xn--bcher-kva.example"),
        valid("user@BÜCHER.example", "user@xn--bcher-kva.example"),
        valid("user@straße.de", "user@xn--strae-oqa.de"),
        valid("user@faß.de", "user@xn--fa-hia.de"),
        valid("user@例え.テスト", "user@xn--r8jz45g.xn--zckzah"),
        valid("user@例え。テスト", "user@xn--r8jz45g.xn--zckzah"),
        valid("user@例え．テスト", "user@xn--r8jz45g.xn--zckzah"),
        valid("user@ＥＸＡＭＰＬＥ.org", "user@example.org"),
        valid("cafe\u{301}@example.org", "café@example.org", smtpUTF8: true),
        valid("José@example.com", "josé@example.com", smtpUTF8: true),
        valid("δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp", smtpUTF8: true),
        valid("我買@屋企.香港", "我買@xn--hoqu73a.xn--j6w193g", smtpUTF8: true),
        valid("二ノ宮@黒川.日本", "二ノ宮@xn--5rtw95l.xn--wgv71a", smtpUTF8: true),
        valid("medium@münchen.de", "medium@xn--mnchen-3ya.de"),
        valid("user@ñandú.com.ar", "user@xn--and-6ma2c.com.ar"),
        valid("user@zürich.example", "user@xn--zrich-kva.example"),
        valid("émile@école.fr", "émile@xn--cole-9oa.fr", smtpUTF8: true),
        valid("user@xn--mnchen-3ya.de"),
        valid("user@דוגמה.ישראל", "user@xn--6dbbec0c.xn--4dbrk0ce"),
        valid("user@مثال.إختبار", "user@xn--mgbh0fb.xn--kgbechtv"),
        valid("редакція@київ.укр", "редакція@xn--b1alf1j.xn--j1amh", smtpUTF8: true),
        valid("news@україна.укр", "news@xn--80aa2annq7l.xn--j1amh"),
        valid("news@новини.укр", "news@xn--b1amarcd.xn--j1amh"),
        valid("user@ελληνικά.gr", "user@xn--hxargifdar.gr"),
        valid("user@日本語.jp", "user@xn--wgv71a119e.jp"),
        valid("user@한국.kr", "user@xn--3e0b707e.kr"),
        valid("user@ไทย.th", "user@xn--o3cw4h.th"),
        valid("user@中国.cn", "user@xn--fiqs8s.cn"),
        valid("user@ümlaut.de", "user@xn--mlaut-jva.de"),
        valid("user@ağ.tr", "user@xn--a-eja.tr"),
        valid("user@fußball.example", "user@xn--fuball-cta.example"),
        valid("user@ÄÖÜ.example", "user@xn--4ca0bs.example"),
        valid("Ärger@example.org", "Ärger@example.org", smtpUTF8: true),
        valid("用户@example.com", "用户@example.com", smtpUTF8: true),
    ]

    /// Things that are not a bare address at all.
    static let refusedShapes: [Case] = [
        invalid("", .empty),
        invalid("Anna <anna@example.org>", .displayNameOrAngleBrackets),
        invalid("<anna@example.org>", .displayNameOrAngleBrackets),
        invalid("anna@example.org>", .displayNameOrAngleBrackets),
        invalid("\"Anna\" <anna@example.org>", .quotedLocalPart),
        invalid("Anna Smith <a@b.org>", .displayNameOrAngleBrackets),
        invalid(" anna@example.org", .whitespaceOrControl),
        invalid("anna@example.org ", .whitespaceOrControl),
        invalid("anna @example.org", .whitespaceOrControl),
        invalid("anna@ example.org", .whitespaceOrControl),
        invalid("an na@example.org", .whitespaceOrControl),
        invalid("anna@exa mple.org", .whitespaceOrControl),
        invalid("anna\t@example.org", .whitespaceOrControl),
        invalid("anna\n@example.org", .whitespaceOrControl),
        invalid("anna@example.org\r\n", .whitespaceOrControl),
        invalid("anna\u{00A0}@example.org", .whitespaceOrControl),
        invalid("anna\u{200B}@example.org", .whitespaceOrControl),
        invalid("anna\u{202E}@example.org", .whitespaceOrControl),
        invalid("anna\u{FEFF}@example.org", .whitespaceOrControl),
        invalid("anna\u{0000}@example.org", .whitespaceOrControl),
        invalid("anna\u{7F}@example.org", .whitespaceOrControl),
        invalid("anna\u{2028}@example.org", .whitespaceOrControl),
        invalid("anna\u{3000}@example.org", .whitespaceOrControl),
        invalid("anna\u{0085}@example.org", .whitespaceOrControl),
        invalid("anna@exam\u{00AD}ple.org", .whitespaceOrControl),
        invalid("annaexample.org", .missingAt),
        invalid("Abc.example.com", .missingAt),
        invalid("anna", .missingAt),
        invalid("anna.example.org", .missingAt),
        invalid("anna＠example.org", .missingAt),
        invalid("A@b@c@example.com", .multipleAt),
        invalid("a@b@example.org", .multipleAt),
        invalid("anna@@example.org", .multipleAt),
        invalid("@anna@example.org", .multipleAt),
        invalid("@example.org", .emptyLocalPart),
        invalid("anna@", .emptyDomain),
        invalid("@", .emptyLocalPart),
    ]

    /// Dot-string rules and the characters allowed before the @.
    static let localPartRules: [Case] = [
        invalid(".anna@example.org", .dotAtEdge(.localPart)),
        invalid("anna.@example.org", .dotAtEdge(.localPart)),
        invalid(".@example.org", .dotAtEdge(.localPart)),
        invalid("john..doe@example.org", .consecutiveDots(.localPart)),
        invalid("a...b@example.org", .consecutiveDots(.localPart)),
        invalid("just\"not\"right@example.com", .invalidCharacter("\"", .localPart)),
        invalid("a(b@example.org", .invalidCharacter("(", .localPart)),
        invalid("a)b@example.org", .invalidCharacter(")", .localPart)),
        invalid("a,b@example.org", .invalidCharacter(",", .localPart)),
        invalid("a:b@example.org", .invalidCharacter(":", .localPart)),
        invalid("a;b@example.org", .invalidCharacter(";", .localPart)),
        invalid("a[b@example.org", .invalidCharacter("[", .localPart)),
        invalid("a]b@example.org", .invalidCharacter("]", .localPart)),
        invalid("Fred\\Bloggs@example.com", .invalidCharacter("\\", .localPart)),
        invalid("a\"b(c)d,e:f;g@example.com", .invalidCharacter("\"", .localPart)),
        invalid("this is\"not\\allowed@example.com", .whitespaceOrControl),
        invalid("\"john doe\"@example.org", .quotedLocalPart),
        invalid("\"very.unusual.@.unusual.com\"@example.com", .quotedLocalPart),
        invalid("\"\"@example.org", .quotedLocalPart),
    ]

    /// Host name rules after the @.
    static let domainRules: [Case] = [
        invalid("anna@.example.org", .dotAtEdge(.domain)),
        invalid("anna@example.org.", .dotAtEdge(.domain)),
        invalid("anna@.", .dotAtEdge(.domain)),
        invalid("anna@example..org", .consecutiveDots(.domain)),
        invalid("admin@mailserver1", .domainWithoutDot),
        invalid("user@localhost", .domainWithoutDot),
        invalid("anna@example", .domainWithoutDot),
        invalid("anna@bücher", .domainWithoutDot),
        invalid("user@example.123", .numericTopLevelDomain),
        invalid("user@1.2.3.4", .numericTopLevelDomain),
        invalid("user@192.168.1.1", .numericTopLevelDomain),
        invalid("user@-example.org", .labelHyphenAtEdge),
        invalid("user@example-.org", .labelHyphenAtEdge),
        invalid("user@example.-org", .labelHyphenAtEdge),
        invalid("user@example.org-", .labelHyphenAtEdge),
        invalid("user@-bücher.example", .labelHyphenAtEdge),
        invalid("user@exa_mple.org", .invalidCharacter("_", .domain)),
        invalid("user@example!.org", .invalidCharacter("!", .domain)),
        invalid("user@ex%ample.org", .invalidCharacter("%", .domain)),
        invalid("user@exam'ple.org", .invalidCharacter("'", .domain)),
        invalid("user@exa+mple.org", .invalidCharacter("+", .domain)),
        invalid("user@exa/mple.org", .invalidCharacter("/", .domain)),
        invalid("user@example.org,", .invalidCharacter(",", .domain)),
        invalid("user@example(comment).org", .invalidCharacter("(", .domain)),
        invalid("user@example.org\\", .invalidCharacter("\\", .domain)),
        invalid("user@exa\"mple.org", .invalidCharacter("\"", .domain)),
        invalid("user@192.168.1.1]", .invalidCharacter("]", .domain)),
    ]

    /// The octet limits of RFC 5321 §4.5.3.1.
    static let lengths: [Case] = [
        valid(String(repeating: "a", count: 64) + "@example.org"),
        invalid(String(repeating: "a", count: 65) + "@example.org", .localPartTooLong),
        invalid(String(repeating: "é", count: 33) + "@example.org", .localPartTooLong),
        valid(String(repeating: "é", count: 32) + "@example.org", String(repeating: "é", count: 32) + "@example.org", smtpUTF8: true),
        valid("user@\(l63).example"),
        invalid("user@\(l64).example", .labelTooLong),
        invalid("user@\(String(repeating: "ü", count: 60)).example", .labelTooLong),
        // 1 + 1 + 252 = 254 octets: the longest address.
        valid("a@\(l63).\(l63).\(l63).\(String(repeating: "c", count: 60))"),
        // 1 + 1 + 253 = 255 octets: a legal domain, too long an address.
        invalid("a@\(l63).\(l63).\(l63).\(String(repeating: "c", count: 61))", .addressTooLong),
        invalid("a@\(l63).\(l63).\(l63).\(String(repeating: "c", count: 62))", .domainTooLong),
        // 64 + 1 + 190 = 255 octets, and 64 + 1 + 189 = 254.
        invalid("\(String(repeating: "a", count: 64))@\(l63).\(l63).\(String(repeating: "c", count: 62))", .addressTooLong),
        valid("\(String(repeating: "a", count: 64))@\(l63).\(l63).\(String(repeating: "c", count: 61))"),
    ]

    /// IDNA 2008 refusals (RFC 5891 §4, RFC 5892 CONTEXTJ, RFC 5893 bidi).
    static let idna: [Case] = [
        invalid("user@☃.example", .idnaConversionFailed(reason: "")),
        invalid("user@😀.example", .idnaConversionFailed(reason: "")),
        invalid("user@a\u{05D0}.example", .idnaConversionFailed(reason: "")),
        invalid("user@\u{0300}abc.example", .idnaConversionFailed(reason: "")),
        // A combining mark must not hide a dot or the @ inside one grapheme.
        invalid(".\u{0301}a@example.org", .dotAtEdge(.localPart)),
        invalid("a..\u{0301}b@example.org", .consecutiveDots(.localPart)),
        valid("user\u{0301}@example.org", "useŕ@example.org", smtpUTF8: true),
        // Refused before IDNA sees it: joiners are invisible (CharacterRuleTests).
        invalid("user@a\u{200D}b.example", .whitespaceOrControl),
        invalid("user@xn--abc.org", .idnaConversionFailed(reason: "")),
        invalid("user@xn--.org", .labelHyphenAtEdge),
        invalid("user@xn--a.example", .idnaConversionFailed(reason: "")),
        invalid("user@xn--zzzzzzzzzzz.example", .idnaConversionFailed(reason: "")),
        // A hand-written A-label past the first label, or in capitals, is checked all the same.
        invalid("user@mail.xn--a.example", .idnaConversionFailed(reason: "")),
        invalid("user@mail.XN--ABC.org", .idnaConversionFailed(reason: "")),
        invalid("user@xxn--a.xn--zz.example", .idnaConversionFailed(reason: "")),
        invalid("user@\u{05D0}1\u{05D1}a.example", .idnaConversionFailed(reason: "")),
    ]

    /// Address literals: refused by default, checked when allowed.
    static let literals: [Case] = [
        invalid("user@[192.168.2.1]", .domainLiteral),
        invalid("user@[IPv6:2001:db8::1]", .domainLiteral),
        Case(input: "user@[192.168.2.1]", expected: .valid("user@[192.168.2.1]"), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[IPv6:2001:DB8::1]", expected: .valid("user@[IPv6:2001:db8::1]"), options: .init(allowsDomainLiteral: true)),
        Case(input: "User@[ipv6:::1]", expected: .valid("user@[IPv6:::1]"), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[300.1.1.1]", expected: .invalid(.malformedDomainLiteral), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[example.org]", expected: .invalid(.malformedDomainLiteral), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[IPv6:zz]", expected: .invalid(.malformedDomainLiteral), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[]", expected: .invalid(.malformedDomainLiteral), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[2001:db8::1]", expected: .invalid(.malformedDomainLiteral), options: .init(allowsDomainLiteral: true)),
        Case(input: "user@[192.168.2.1", expected: .invalid(.malformedDomainLiteral), options: .init(allowsDomainLiteral: true)),
    ]

    /// Quoted local parts (RFC 5321 Quoted-string): refused by default, checked when allowed.
    static let quotedOptions = AddressParsingOptions(allowsQuotedLocalPart: true)
    static let quoted: [Case] = [
        Case(input: "\"john doe\"@example.org", expected: .valid("\"john doe\"@example.org"), options: quotedOptions),
        Case(input: "\"John Doe\"@Example.org", expected: .valid("\"john doe\"@example.org"), options: quotedOptions),
        Case(input: "\"very.unusual.@.unusual.com\"@example.com", expected: .valid("\"very.unusual.@.unusual.com\"@example.com"), options: quotedOptions),
        Case(input: #""very.(),:;<>[]\".VERY.\"very@\\ \"very\".unusual"@strange.example.com"#, expected: .valid(#""very.(),:;<>[]\".very.\"very@\\ \"very\".unusual"@strange.example.com"#), options: quotedOptions),
        Case(input: "\"a\\\"b\"@example.org", expected: .valid("\"a\\\"b\"@example.org"), options: quotedOptions),
        Case(input: "\"用户\"@example.org", expected: .valid("\"用户\"@example.org", smtpUTF8: true), options: quotedOptions),
        Case(input: "\"abc\"def@example.org", expected: .invalid(.malformedQuotedLocalPart), options: quotedOptions),
        Case(input: "\"unterminated@example.org", expected: .invalid(.malformedQuotedLocalPart), options: quotedOptions),
        Case(input: "\"\"@example.org", expected: .invalid(.emptyLocalPart), options: quotedOptions),
        Case(input: "\"tab\there\"@example.org", expected: .invalid(.whitespaceOrControl), options: quotedOptions),
        Case(input: "\"bell\u{7}\"@example.org", expected: .invalid(.whitespaceOrControl), options: quotedOptions),
        Case(input: "\"a\"@b@example.org", expected: .invalid(.multipleAt), options: quotedOptions),
        Case(input: "\"a\"", expected: .invalid(.missingAt), options: quotedOptions),
        Case(input: "\"a\"@", expected: .invalid(.emptyDomain), options: quotedOptions),
        Case(input: "\"a\"@example.org ", expected: .invalid(.whitespaceOrControl), options: quotedOptions),
    ]
}

import EmailAddress
import Testing

/// The new rules must not cost a real reader: ordinary international addresses still pass.
@Suite struct InternationalAddressTests {
    @Test(arguments: [
        ("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v"),
        ("пользователь@пример.рф", "пользователь@xn--e1afmkfd.xn--p1ai"),
        ("josé@exämple.de", "josé@xn--exmple-cua.de"),
        ("user@xn--mnchen-3ya.de", "user@xn--mnchen-3ya.de"),
        ("a@b.co", "a@b.co"),
        ("user@123.example.com", "user@123.example.com"),
        ("δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp"),
        ("अजय@डाटा.भारत", "अजय@xn--c2bd1gb.xn--h2brj9c"),
        ("user@דוגמה.ישראל", "user@xn--6dbbec0c.xn--4dbrk0ce"),
        ("user@مثال.إختبار", "user@xn--mgbh0fb.xn--kgbechtv"),
        ("二ノ宮@黒川.日本", "二ノ宮@xn--5rtw95l.xn--wgv71a"),
        ("user@straße.de", "user@xn--strae-oqa.de"),
        ("Dörte@Sörensen.example.com", "dörte@xn--srensen-90a.example.com"),
        ("first.last+news@gmail.com", "first.last+news@gmail.com"),
    ])
    func ordinaryAddressesStillPass(_ input: String, _ normalized: String) {
        #expect(ParsingOutcome(input) == .accepted(normalized))
    }
}

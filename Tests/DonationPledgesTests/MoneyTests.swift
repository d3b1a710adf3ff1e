import DonationPledges
import Testing

/// Amounts are integer minor units; parsing is strict and formatting follows the currency.
struct MoneyTests {
    let usd = Currency.named("USD")!
    let jpy = Currency.named("JPY")!
    let kwd = Currency.named("KWD")!

    @Test(arguments: [
        ("1", 100), ("1.00", 100), ("1.5", 150), ("0.99", 99), ("12345", 1_234_500), ("0.01", 1),
    ] as [(String, Int64)])
    func dollarsParse(text: String, minor: Int64) {
        #expect(Money.parse(text, currency: usd)?.minorUnits == minor)
    }

    @Test(arguments: ["1,50", "1.001", "-1", " 1", "1 ", "1e3", "", ".", "1.", ".5", "1.2.3", "+1", "1_000", "１", "9999999999999999999"])
    func sloppyAmountsAreRefused(text: String) {
        #expect(Money.parse(text, currency: usd) == nil)
    }

    @Test func aCommaIsTheSeparatorOnlyWhenTheLocaleSaysSo() {
        #expect(Money.parse("1,50", currency: usd, decimalSeparator: ",")?.minorUnits == 150)
        #expect(Money.parse("1.50", currency: usd, decimalSeparator: ",") == nil)
    }

    @Test func exponentsComeFromTheCurrencyTable() {
        #expect(usd.exponent == 2)
        #expect(jpy.exponent == 0)
        #expect(kwd.exponent == 3)
        #expect(Money.parse("150", currency: jpy)?.minorUnits == 150)
        #expect(Money.parse("150.5", currency: jpy) == nil)
        #expect(Money.parse("1.250", currency: kwd)?.minorUnits == 1250)
        #expect(Money.parse("0.001", currency: kwd)?.minorUnits == 1)
        #expect(Money.parse("0.0001", currency: kwd) == nil)
        for (code, currency) in Currency.table {
            #expect(code.count == 3 && code == code.uppercased() && currency.code == code)
            #expect((0...3).contains(currency.exponent))
        }
    }

    @Test func formattingFollowsTheCurrency() {
        #expect(Money(minorUnits: 100, currency: usd).formatted == "$1.00")
        #expect(Money(minorUnits: 5, currency: usd).formatted == "$0.05")
        #expect(Money(minorUnits: 150, currency: jpy).formatted == "¥150")
        #expect(Money(minorUnits: 1250, currency: kwd).formatted == "1.250 KWD")
        #expect(Money(minorUnits: 123_456, currency: Currency.named("eur")!).formatted == "€1,234.56")
        #expect(Money(minorUnits: 1_000_000, currency: usd).formatted == "$10,000.00")
        #expect(Money(minorUnits: 100_000_000, currency: jpy).formatted == "¥100,000,000")
        #expect(Money(minorUnits: 125_050, currency: Currency.named("PLN")!).formatted == "1,250.50 PLN")
    }

    @Test func ukrainianReadersSeeTheirOwnGroupingAndSeparator() {
        let uah = Currency.named("UAH")!
        let space = "\u{00A0}"
        #expect(Money(minorUnits: 1_000_000, currency: uah).formatted(language: "uk") == "10\(space)000,00\(space)₴")
        #expect(Money(minorUnits: 100, currency: uah).formatted(language: "uk") == "1,00\(space)₴")
        #expect(Money(minorUnits: 99_999, currency: usd).formatted(language: "uk") == "999,99\(space)$")
        #expect(Money(minorUnits: 1_250, currency: kwd).formatted(language: "uk") == "1,250\(space)KWD")
        #expect(Money(minorUnits: 1_000_000, currency: uah).formatted(language: "en") == "₴10,000.00")
        #expect(Money(minorUnits: 1250, currency: kwd).decimalText == "1.250")
    }

    @Test func parsingWhatFormattingWritesGivesTheSameAmount() {
        for currency in [usd, jpy, kwd] {
            for minor: Int64 in [1, 9, 10, 99, 100, 101, 1234, 1_000_000] {
                let money = Money(minorUnits: minor, currency: currency)
                #expect(Money.parse(money.decimalText, currency: currency) == money)
            }
        }
    }
}

/// Card numbers are recognised wherever they appear, with or without separators.
struct CardNumberDetectorTests {
    @Test(arguments: [
        "4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "Anna 4111 1111 1111 1111 Lviv",
        "378282246310005", "3782 822463 10005", "5555555555554444", "my card:5555-5555-5555-4444!", "4242 4242 4242 4242 ",
        // The spellings a hostile tester got past the first detector (hardening, item 3):
        "4242.4242.4242.4242", "4242  4242 4242 4242", "4242\t4242\t4242\t4242", "4242\u{A0}4242\u{A0}4242\u{A0}4242",
        "4242_4242_4242_4242", "4242/4242/4242/4242", "4242\u{200B}4242\u{200B}4242\u{200B}4242", "42424242\u{200B}42424242",
        "424 242 424 242 4242", "４２４２ ４２４２ ４２４２ ４２４２", "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", "4242\u{2013}4242\u{2013}4242\u{2013}4242",
        "ref 12 4242 4242 4242 4242", "4242 4242 4242 4242 12",
    ])
    func cardNumbersAreFound(text: String) {
        #expect(CardNumberDetector.containsCardNumber(text))
    }

    @Test(arguments: [
        "4242424242424241", "12345", "+380 44 123 4567", "2026-11-25", "anna@example.org", "4242  4242 4242 4241",
        "42424242424242424242424", "4242-42424242-4242", "2026-11-25 1234", "ref 1-2-3-4-5-6-7-8-9-0-1-2-3",
        "2026-11-25-12-34-56", "4242 4242 4242 4241 5",
    ])
    func otherNumbersAreNot(text: String) {
        #expect(!CardNumberDetector.containsCardNumber(text))
    }
}

/// The pledge states and the moves provider events may make.
struct PledgeStatusTests {
    @Test func movesOfAOneTimePledge() {
        #expect(PledgeStatus.pending.canMove(to: .succeeded, interval: .once))
        #expect(PledgeStatus.pending.canMove(to: .failed, interval: .once))
        #expect(PledgeStatus.failed.canMove(to: .succeeded, interval: .once))
        #expect(!PledgeStatus.pending.canMove(to: .active, interval: .once))
        #expect(!PledgeStatus.succeeded.canMove(to: .failed, interval: .once))
        #expect(!PledgeStatus.succeeded.canMove(to: .canceled, interval: .once))
    }

    @Test func movesOfAMonthlyPledge() {
        #expect(PledgeStatus.pending.canMove(to: .active, interval: .monthly))
        #expect(!PledgeStatus.pending.canMove(to: .succeeded, interval: .monthly))
        #expect(PledgeStatus.active.canMove(to: .canceled, interval: .monthly))
        #expect(!PledgeStatus.active.canMove(to: .failed, interval: .monthly))
        #expect(!PledgeStatus.canceled.canMove(to: .active, interval: .monthly))
        #expect(PledgeStatus.paid(.monthly) == .active && PledgeStatus.paid(.once) == .succeeded)
    }
}

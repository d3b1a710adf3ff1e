import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import SQLiteStorage
import Testing

/// The whole pledge loop over real HTTP: tiers, creation, the simulated checkout delivering a
/// signed webhook to the daemon, the state change, the receipt, and the reader's pledge page.
@Suite(.timeLimit(.minutes(3))) struct PledgeFlowTests {
    @Test(arguments: StoreKind.allCases) func oneTimePledgeFromTiersToReceipt(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await PledgeHTTP.live(test) { client in
            let tiers = try await client.execute(uri: "/v1/pledges/tiers?currency=USD", method: .get)
            #expect(tiers.status == .ok)
            let offer = try SignupHTTP.object(tiers)
            #expect(offer["minimum_minor"] as? Int == 100)
            #expect(offer["message"] as? String == "Support us for as little as $1.00")
            let names = (offer["tiers"] as? [[String: Any]] ?? []).map { "\($0["name"]!) \($0["interval"]!) \($0["display"]!)" }
            #expect(names.contains("friend once $1.00 once"))
            #expect(names.contains("supporter monthly $5.00 a month"))

            let created = try await PledgeHTTP.create(
                client, ["email": "Anna@Example.org", "tier": "friend", "currency": "USD", "interval": "once", "name": "Anna"])
            #expect(created.status == .created)
            let answer = try SignupHTTP.object(created)
            let id = try #require(answer["pledge"] as? String)
            #expect(answer["status"] as? String == "pending")
            #expect(answer["amount_minor"] as? Int == 100)
            #expect(answer["display"] as? String == "$1.00")
            let checkout = try PledgeHTTP.checkoutPath(created)
            #expect(checkout == "/v1/simulated-checkout/\(id)")

            let page = try await client.execute(uri: checkout, method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            for brand in ["Visa", "Mastercard", "American Express"] { #expect(html.contains(brand)) }
            #expect(html.contains("$1.00"))

            let paid = try await PledgeHTTP.pay(client, checkout, brand: "visa", outcome: "succeeded")
            #expect(paid.status == .ok)
            #expect(String(buffer: paid.body).contains("Thank you"))
            let pledge = try #require(try await test.pledge(id))
            #expect(pledge.status == .succeeded)
            #expect(pledge.card?.display == "Visa ending in 4242")
        }
        // The webhook came over HTTP and was recorded once.
        #expect(try await test.sql("SELECT type || ' ' || outcome FROM payment_events") == ["payment_succeeded moved pending -> succeeded"])
        try await test.deliver()
        let receipt = try await ParsedEmail.parse(try #require(try test.emails().first))
        #expect(receipt.header("To") == "Anna@example.org")
        #expect(receipt.header("Subject")?.contains("$1.00") == true)
        #expect(receipt.text.contains("Amount:    $1.00"))
        #expect(receipt.text.contains("Visa ending in 4242"))
        #expect(receipt.link("/v1/pledges/manage") != nil)
    }

    /// A pledge made on the Ukrainian page (the form's `locale`) gets its receipt in Ukrainian:
    /// the amount as Ukrainian readers write it, the card in their words, and a pledge link that
    /// opens the page in their language.
    @Test(arguments: StoreKind.allCases) func aReaderWhoPledgedInUkrainianGetsTheReceiptInUkrainian(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await PledgeHTTP.live(test) { client in
            let created = try await PledgeHTTP.create(client, ["email": "olena@example.org", "amount": "5", "currency": "USD", "locale": "uk"])
            #expect(created.status == .created)
            let paid = try await PledgeHTTP.pay(client, try PledgeHTTP.checkoutPath(created), brand: "visa", outcome: "succeeded")
            #expect(paid.status == .ok)
        }
        try await test.deliver()
        let receipt = try await ParsedEmail.parse(try #require(try test.emails().first))
        #expect(receipt.header("Subject")?.hasPrefix("Дякуємо") == true, "\(receipt.header("Subject") ?? "")")
        #expect(receipt.header("Content-Language") == "uk")
        #expect(receipt.text.contains("Сума:       5,00\u{00A0}$"), "\(receipt.text)")
        #expect(receipt.text.contains("Visa, картка, що закінчується на 4242"))
        let link = try #require(receipt.link("/v1/pledges/manage"))
        #expect(link.url.hasSuffix("&lang=uk"))
    }

    @Test(arguments: StoreKind.allCases) func monthlyPledgeRenewsAndTheReaderCancelsFromTheReceipt(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await PledgeHTTP.live(test) { client in
            let created = try await PledgeHTTP.create(
                client, ["email": "bohdan@example.org", "amount": "7.50", "currency": "usd", "interval": "monthly"])
            #expect(created.status == .created)
            let id = try #require(try SignupHTTP.object(created)["pledge"] as? String)
            #expect(try SignupHTTP.object(created)["display"] as? String == "$7.50 a month")
            _ = try await PledgeHTTP.pay(client, try PledgeHTTP.checkoutPath(created), brand: "mastercard", outcome: "succeeded")
            #expect(try await test.pledge(id)?.status == .active)

            // Two more months: the provider reports each renewal.
            for month in 1...2 {
                test.clock.advance(by: 30 * 86_400)
                let renewal = PaymentEvent(
                    id: "evt_renewal_\(month)", kind: .paymentSucceeded, pledge: id, occurredAt: test.clock.now, amountMinor: 750,
                    currency: "USD", card: CardSummary(brand: "mastercard", last4: "4444"))
                #expect(try await PledgeHTTP.webhook(client, test.simulated, renewal).status == .ok)
            }
            #expect(try await test.pledge(id)?.status == .active)
            #expect(try await test.sql("SELECT count(*) || ' ' || sum(amount_minor) FROM pledge_payments") == ["3 2250"])

            try await test.deliver()
            let receipts = try test.emails()
            #expect(receipts.count == 3)
            let link = try #require(try await ParsedEmail.parse(receipts[2]).link("/v1/pledges/manage"))
            #expect(try await ParsedEmail.parse(receipts[2]).text.contains("Mastercard ending in 4444"))

            let manage = try await client.execute(
                uri: "/v1/pledges/manage?token=\(link.token)", method: .get, headers: [.accept: "text/html"])
            #expect(manage.status == .ok)
            #expect(String(buffer: manage.body).contains("Cancel my recurring support"))
            let canceled = try await client.execute(
                uri: "/v1/pledges/manage", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", link.token)]))
            #expect(canceled.status == .ok)
            #expect(String(buffer: canceled.body).contains("has been canceled"))
            #expect(try await test.pledge(id)?.status == .canceled)
            // The page no longer offers to cancel; a forged link opens nothing.
            let after = try await client.execute(uri: "/v1/pledges/manage?token=\(link.token)", method: .get, headers: [.accept: "text/html"])
            #expect(!String(buffer: after.body).contains("Cancel my recurring support"))
            let forged = try await client.execute(uri: "/v1/pledges/manage?token=v1.AAAA", method: .get, headers: [.accept: "text/html"])
            #expect(forged.status == .badRequest)
        }
        #expect(try await test.sql("SELECT action FROM events WHERE subject_type = 'pledge' AND action = 'pledge.canceled'") == ["pledge.canceled"])
    }

    @Test(arguments: StoreKind.allCases) func belowTheMinimumIsRefusedWithTheMinimum(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            for body: [String: Any] in [
                ["email": "a@example.org", "amount": "0.99", "currency": "USD"],
                ["email": "a@example.org", "amount_minor": 99, "currency": "USD"],
            ] {
                let response = try await PledgeHTTP.create(client, body)
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let error = try #require((try SignupHTTP.object(response)["errors"] as? [[String: Any]])?.first)
                #expect(error["field"] as? String == "amount")
                #expect(error["code"] as? String == "below_minimum")
                #expect(error["message"] as? String == "Support us for as little as $1.00")
            }
            let tooMuch = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "10000.01", "currency": "USD"])
            #expect(try (SignupHTTP.object(tooMuch)["errors"] as? [[String: Any]])?.first?["code"] as? String == "above_maximum")
            let sloppy = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "1,50", "currency": "USD"])
            #expect(try (SignupHTTP.object(sloppy)["errors"] as? [[String: Any]])?.first?["code"] as? String == "invalid_amount")
            let badEmail = try SignupHTTP.object(try await PledgeHTTP.create(client, ["email": "reader.example.org", "amount": "5"]))
            #expect((badEmail["errors"] as? [[String: Any]])?.first?["field"] as? String == "email")
            #expect((badEmail["errors"] as? [[String: Any]])?.first?["code"] as? String == "missing_at")
            // The reason, as a sign-up's problem gives it, not only "enter a correct address".
            #expect((badEmail["detail"] as? String)?.hasPrefix("Please, enter correct email address: ") == true)
            #expect((badEmail["detail"] as? String)?.contains("@") == true, "\(badEmail)")
        }
        #expect(try await test.sql("SELECT count(*) FROM pledges") == ["0"])
    }

    @Test(arguments: StoreKind.allCases) func yenAndDinarFollowTheirExponents(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        let jpy = Currency.named("JPY")!
        let kwd = Currency.named("KWD")!
        try await test.runtime.store.setCurrencyLimits(
            minimum: Money(minorUnits: 150, currency: jpy), maximum: Money(minorUnits: 1_500_000, currency: jpy), customAmount: true,
            at: test.clock.now, actor: "test")
        try await test.runtime.store.setCurrencyLimits(
            minimum: Money(minorUnits: 300, currency: kwd), maximum: Money(minorUnits: 3_000_000, currency: kwd), customAmount: true,
            at: test.clock.now, actor: "test")
        try await test.application.test(.router) { client in
            let yen = try SignupHTTP.object(try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "150", "currency": "JPY"]))
            #expect(yen["amount_minor"] as? Int == 150)
            #expect(yen["display"] as? String == "¥150")
            let fractionOfAYen = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "150.5", "currency": "JPY"])
            #expect(fractionOfAYen.status == .unprocessableContent)
            let belowYen = try SignupHTTP.object(try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "149", "currency": "JPY"]))
            #expect((belowYen["errors"] as? [[String: Any]])?.first?["message"] as? String == "Support us for as little as ¥150")
            let dinar = try SignupHTTP.object(try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "1.250", "currency": "KWD"]))
            #expect(dinar["amount_minor"] as? Int == 1250)
            #expect(dinar["display"] as? String == "1.250 KWD")
            let tiers = try SignupHTTP.object(try await client.execute(uri: "/v1/pledges/tiers?currency=KWD", method: .get))
            #expect(tiers["minimum_display"] as? String == "0.300 KWD")
            #expect(tiers["exponent"] as? Int == 3)
            for code in ["EUR", "XYZ"] {
                let refused = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "5", "currency": code])
                #expect(refused.status == .unprocessableContent)
                #expect(try (SignupHTTP.object(refused)["errors"] as? [[String: Any]])?.first?["field"] as? String == "currency")
            }
            #expect(try await client.execute(uri: "/v1/pledges/tiers?currency=EUR", method: .get).status == .unprocessableContent)
        }
    }

    @Test(arguments: StoreKind.allCases) func theSameKeyReplaysTheAnswerAndAnotherBodyIsAConflict(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let body: [String: Any] = ["email": "a@example.org", "tier": "supporter", "interval": "monthly", "currency": "USD"]
            let first = try await PledgeHTTP.create(client, body, key: "key-1")
            #expect(first.status == .created)
            let again = try await PledgeHTTP.create(client, body, key: "key-1")
            #expect(again.status == .created)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(String(buffer: again.body) == String(buffer: first.body))
            // The same fields as a form are the same request.
            let form = try await client.execute(
                uri: "/v1/pledges", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .accept: "application/json", HTTPField.Name("Idempotency-Key")!: "key-1"],
                body: SignupHTTP.form([("currency", "USD"), ("email", "a@example.org"), ("interval", "monthly"), ("tier", "supporter")]))
            #expect(String(buffer: form.body) == String(buffer: first.body))

            let other = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "9", "currency": "USD"], key: "key-1")
            #expect(other.status == .unprocessableContent)
            #expect(try (SignupHTTP.object(other)["errors"] as? [[String: Any]])?.first?["code"] as? String == "key_reused")
            // The key is checked before anything else, a card number or an address that does not parse included.
            for changed in [["name": "4242 4242 4242 4242"], ["email": "not an address"], ["currency": "XYZ"]] {
                let conflict = try await PledgeHTTP.create(client, body.merging(changed) { $1 }, key: "key-1")
                #expect(try (SignupHTTP.object(conflict)["errors"] as? [[String: Any]])?.first?["code"] as? String == "key_reused")
            }
            let keyless = try await PledgeHTTP.create(client, body, key: nil)
            #expect(keyless.status == .badRequest)
            #expect(try (SignupHTTP.object(keyless)["errors"] as? [[String: Any]])?.first?["field"] as? String == "Idempotency-Key")
        }
        #expect(try await test.sql("SELECT count(*) FROM pledges") == ["1"])
    }

    static let cardNumbers = ["4242 4242 4242 4242", "4242424242424242", "5555-5555-5555-4444"]
    /// The card numbers above, and the digits alone.
    static let cardDigits = cardNumbers + ["4242424242424242", "5555555555554444"]

    /// Posts a pledge with a card number in each field in turn; each must be refused without echoing it.
    func postCardNumbers(_ test: TestRuntime) async throws {
        let numbers = Self.cardNumbers
        try await test.application.test(.router) { client in
            for (field, number) in [("name", numbers[0]), ("source", numbers[1]), ("note", numbers[2]), ("email", numbers[1] + "@example.org")] {
                var body: [String: Any] = ["email": "a@example.org", "amount": "5", "currency": "USD"]
                body[field] = number
                let response = try await PledgeHTTP.create(client, body)
                #expect(response.status == .unprocessableContent)
                let error = try #require((try SignupHTTP.object(response)["errors"] as? [[String: Any]])?.first)
                #expect(error["field"] as? String == field)
                #expect(error["code"] as? String == "card_number")
                for digits in Self.cardDigits {
                    #expect(!String(buffer: response.body).contains(digits))
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func cardNumbersAreRefusedInAnyFieldAndGoNowhere(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await postCardNumbers(test)
        #expect(try await test.sql("SELECT count(*) FROM pledges") == ["0"])
        for digits in Self.cardDigits { #expect(!test.log.text.contains(digits)) }
        #expect(test.log.text.contains("looks like a card number"))
    }

    /// The spellings that got past the first detector, and the two headers a pledge keeps: each
    /// is refused naming where it was, nothing is stored, and the number is never repeated
    /// (hardening, item 3).
    @Test(arguments: StoreKind.allCases) func cardNumbersInAnySpellingOrStoredHeaderAreRefused(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        let spellings = [
            "4242.4242.4242.4242", "4242  4242 4242 4242", "4242\t4242\t4242\t4242", "4242\u{A0}4242\u{A0}4242\u{A0}4242",
            "4242_4242_4242_4242", "4242/4242/4242/4242", "4242\u{200B}4242\u{200B}4242\u{200B}4242", "424 242 424 242 4242",
            "４２４２ ４２４２ ４２４２ ４２４２", "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢",
        ]
        try await test.application.test(.router) { client in
            for spelling in spellings {
                let response = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "5", "name": spelling])
                #expect(response.status == .unprocessableContent, "\(spelling)")
                let error = try #require((try SignupHTTP.object(response)["errors"] as? [[String: Any]])?.first)
                #expect(error["field"] as? String == "name")
                #expect(error["code"] as? String == "card_number")
                #expect(!String(buffer: response.body).contains(spelling))
            }
            let keyed = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "5"], key: "4242-4242-4242-4242")
            #expect(keyed.status == .unprocessableContent)
            #expect((try SignupHTTP.object(keyed)["errors"] as? [[String: Any]])?.first?["field"] as? String == "Idempotency-Key")
            var headers = PledgeHTTP.headers(key: UUID().uuidString)
            headers[.userAgent] = "Mozilla/5.0 card 4242 4242 4242 4242"
            let agent = try await client.execute(
                uri: "/v1/pledges", method: .post, headers: headers, body: SignupHTTP.json(["email": "a@example.org", "amount": "5"]))
            #expect(agent.status == .unprocessableContent)
            #expect((try SignupHTTP.object(agent)["errors"] as? [[String: Any]])?.first?["field"] as? String == "User-Agent")
            #expect(!String(buffer: agent.body).contains("4242"))
        }
        #expect(try await test.sql("SELECT count(*) FROM pledges") == ["0"])
    }

    /// The support form carries its key in a field; a UUID there whose digits happen to line up
    /// as a card number's (here 4242 4242 4242 000000, Luhn-valid) is a key, not a card number.
    @Test func aUUIDKeyInTheFormIsNeverTakenForACardNumber() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let key = "ABCDEFAB-4242-4242-4242-000000ABCDEF"
        #expect(UUID(uuidString: key) != nil && CardNumberDetector.containsCardNumber(key))
        try await test.application.test(.router) { client in
            let posted = try await client.execute(
                uri: "/v1/pledges", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([("idempotency_key", key), ("email", "a@example.org"), ("amount", "5"), ("currency", "USD")]))
            #expect(posted.status == .seeOther)
            #expect(posted.headers[.location]?.contains("card_number") == false, "\(posted.headers[.location] ?? "")")
        }
        #expect(try await test.sql("SELECT count(*) FROM pledges") == ["1"])
    }

    /// A refused tier, currency or interval is named, never repeated: what was typed there may
    /// be anything (hardening, item 3).
    @Test func refusedValuesAreNotEchoed() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            for (field, value) in [("tier", "tier-typed-7731"), ("currency", "QQQ7731"), ("interval", "weekly-7731")] {
                var body: [String: Any] = ["email": "a@example.org", "amount": "5"]
                body[field] = value
                let response = try await PledgeHTTP.create(client, body)
                #expect(response.status == .unprocessableContent, "\(field)")
                #expect((try SignupHTTP.object(response)["errors"] as? [[String: Any]])?.first?["field"] as? String == field)
                #expect(!String(buffer: response.body).contains("7731"), "\(field)")
            }
        }
    }

    // SQLite only: it reads the database file and its WAL byte by byte; PostgreSQL's files belong
    // to the server (not necessarily on this machine), out of the test's reach.
    @Test func cardNumbersNeverReachTheSQLiteFile() async throws {
        let test = try await TestRuntime(store: .sqlite)
        defer { test.shutdown() }
        try await postCardNumbers(test)
        for file in [test.databasePath, test.databasePath + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            for digits in Self.cardDigits { #expect(!bytes.contains(digits), "found in \(file)") }
        }
    }

    @Test(arguments: StoreKind.allCases) func aPledgeCanAlsoSignTheReaderUp(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        try await test.application.test(.router) { client in
            let refused = try await PledgeHTTP.create(
                client, ["email": "a@example.org", "amount": "5", "newsletter_opt_in": ["no-such-list"]])
            #expect(refused.status == .unprocessableContent)
            let created = try await PledgeHTTP.create(
                client, ["email": "a@example.org", "amount": "5", "newsletter_opt_in": ["ukraine-daily"]])
            #expect(created.status == .created)
        }
        #expect(try await test.sql("SELECT s.status FROM subscriptions s") == ["pending"])
        #expect(try await test.sql("SELECT source FROM consent_records") == ["pledge"])
    }

    @Test(arguments: StoreKind.allCases) func withPaymentsOffThePledgeRoutesSaySo(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.payments = .off }
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let created = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "5"])
            #expect(created.status == .serviceUnavailable)
            #expect(created.headers[.contentType] == "application/problem+json")
            #expect(try await client.execute(uri: "/v1/pledges/tiers", method: .get).status == .serviceUnavailable)
            #expect(try await PledgeHTTP.webhook(client, body: Array("{}".utf8), signature: "t=1,v1=00").status == .notFound)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import SQLiteStorage
import SubscriberLists
import Testing

/// The reader pages through the real router: content, language, security headers, and the
/// form round trips that work without JavaScript. (`BrowserPagesTests` drives them in Chromium.)
@Suite(.timeLimit(.minutes(3))) struct ReaderPagesTests {
    static let html: HTTPFields = [.accept: "text/html"]

    func page(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = html) async throws -> (TestResponse, String) {
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        return (response, String(buffer: response.body))
    }

    @Test(arguments: StoreKind.allCases) func theSubscribePageListsPublicNewslettersInTheReadersLanguage(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.siteLinks = [SiteLink(label: "Privacy", url: "https://news.example.org/privacy")] }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.newsletter("weekend-reads", name: "Weekend Reads")
        try await test.newsletter("staff-only", visibility: .private)
        try await test.application.test(.router) { client in
            let (english, text) = try await page(client, "/subscribe")
            #expect(english.status == .ok)
            #expect(text.contains(#"<html lang="en">"#))
            for expected in ["All Newsletters", "Ukraine Daily", "Weekend Reads", "* indicates required", "Enter your email to subscribe", ">Subscribe</button>", #"href="https://news.example.org/privacy">Privacy</a>"#] {
                #expect(text.contains(expected), "missing \(expected)")
            }
            #expect(!text.contains("staff-only"))
            #expect(english.headers[.init("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true)
            #expect(english.headers[.init("Content-Security-Policy")!]?.contains("script-src") == false)  // default-src 'none': no scripts
            #expect(english.headers[.init("X-Content-Type-Options")!] == "nosniff")

            let (_, ukrainian) = try await page(client, "/subscribe", headers: [.accept: "text/html", .acceptLanguage: "uk-UA,uk;q=0.9"])
            #expect(ukrainian.contains(#"<html lang="uk">"#))
            #expect(ukrainian.contains("Усі розсилки"))
            #expect(ukrainian.contains(">Підписатися</button>"))
            let (_, chosen) = try await page(client, "/subscribe?lang=en&newsletter=weekend-reads")
            #expect(chosen.contains(#"value="weekend-reads" checked"#))
            #expect(!chosen.contains(#"value="ukraine-daily" checked"#))
        }
    }

    @Test(arguments: StoreKind.allCases) func aPlainFormPostComesBackToThePageWithTheErrorOrTheThanks(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            func post(_ fields: [(String, String)], headers: HTTPFields = SignupHTTP.formHeaders) async throws -> TestResponse {
                try await client.execute(uri: "/v1/subscriptions", method: .post, headers: headers, body: SignupHTTP.form(fields))
            }
            let bad = try await post([("email", "anna@"), ("newsletters", "ukraine-daily"), ("return_to", "/subscribe?lang=uk"), ("locale", "uk")])
            #expect(bad.status == .seeOther)
            let back = try #require(bad.headers[.location])
            #expect(back.hasPrefix("https://news.example.org/masthead/subscribe?lang=uk&error=") && back.hasSuffix("&field=email"))
            let path = back.replacingOccurrences(of: "https://news.example.org/masthead", with: "")
            let (_, shown) = try await page(client, path)
            #expect(shown.contains(#"aria-invalid="true""#))
            #expect(shown.contains("Будь ласка, введіть правильну електронну адресу"))
            #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["0"])

            // return_to only ever leads back into this site.
            for hostile in ["//evil.example/x", "https://evil.example/", "/\\\\evil.example"] {
                let elsewhere = try await post([("email", "anna@"), ("newsletters", "ukraine-daily"), ("return_to", hostile)])
                #expect(elsewhere.headers[.location]?.contains("evil") != true)
            }

            var ukrainianBrowser = SignupHTTP.formHeaders
            ukrainianBrowser[.acceptLanguage] = "uk"
            let good = try await post(
                [("email", "anna@example.org"), ("newsletters", "ukraine-daily"), ("return_to", "/subscribe?lang=en")], headers: ukrainianBrowser)
            #expect(good.headers[.location] == "https://news.example.org/masthead/subscribe?lang=en&subscribed=1")
            let (_, thanks) = try await page(client, "/subscribe?lang=en&subscribed=1")
            #expect(thanks.contains("Thank you for signing up for this newsletter. We&#39;ve sent you a confirmation email.") || thanks.contains("We've sent you a confirmation email."))
        }
        #expect(try await test.sql("SELECT locale FROM subscribers") == ["uk"])  // remembered from the request for the emails
    }

    @Test(arguments: StoreKind.allCases) func theEmbeddableBoxMayBeFramedOnlyByTheNewsroomsSites(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.corsOrigins = ["https://news.example.org"] }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.newsletter("staff-only", visibility: .private)
        try await test.application.test(.router) { client in
            let (box, text) = try await page(client, "/embed/subscribe?newsletter=ukraine-daily&theme=dark")
            #expect(box.status == .ok)
            #expect(box.headers[.init("Content-Security-Policy")!]?.contains("frame-ancestors 'self' https://news.example.org;") == true)
            #expect(text.contains(#"<body class="dark">"#))
            #expect(text.contains(#"name="website""#))  // the honeypot is there, hidden
            #expect(text.contains(#"<input type="hidden" name="return_to" value="/embed/subscribe?newsletter=ukraine-daily&amp;theme=dark&amp;lang=en">"#))
            #expect(try await client.execute(uri: "/embed/subscribe?newsletter=staff-only", method: .get).status == .notFound)

            let script = try await client.execute(uri: "/embed/subscribe.js?lang=uk", method: .get)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            let source = String(buffer: script.body)
            #expect(source.contains(#"var base = "https://news.example.org/masthead";"#))
            #expect(source.contains("Підписатися"))
            #expect(source.contains("data-masthead-subscribe"))
        }
    }

    @Test(arguments: StoreKind.allCases) func thePreferencesPageFromTheEmailChangesMemberships(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.newsletter("weekend-reads", name: "Weekend Reads")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "anna@example.org", "newsletters": ["ukraine-daily"], "locale": "uk"])
            try await test.deliver()
            let email = try await ParsedEmail.parse(try #require(try test.emails().first))
            // The reader's language carries into the email and its links.
            #expect(email.header("Subject")?.hasPrefix("Підтвердьте підписку") == true)
            let manage = try #require(email.link("/v1/preferences"))
            #expect(manage.url.hasSuffix("&lang=uk"))

            let (opened, text) = try await page(client, "/v1/preferences?token=\(manage.token)&lang=uk")
            #expect(opened.status == .ok)
            #expect(text.contains(#"value="ukraine-daily" checked"#))
            #expect(text.contains("чекає на підтвердження"))
            let saved = try await client.execute(
                uri: "/v1/preferences?lang=en", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([("token", manage.token), ("newsletters", "weekend-reads")]))
            #expect(String(buffer: saved.body).contains("Your choices are saved."))
            #expect(try await test.sql("SELECT n.slug || ' ' || s.status FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id ORDER BY n.slug")
                == ["ukraine-daily unsubscribed", "weekend-reads confirmed"])
            #expect(try await test.sql("SELECT count(*) FROM consent_records WHERE source = 'preferences' AND confirmed_at IS NOT NULL") == ["1"])
            _ = try await client.execute(
                uri: "/v1/preferences", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([("token", manage.token), ("action", "unsubscribe_all")]))
            #expect(try await test.sql("SELECT count(*) FROM subscriptions WHERE status = 'unsubscribed'") == ["2"])
            let forged = try await client.execute(uri: "/v1/preferences?token=v1.AAAA", method: .get, headers: Self.html)
            #expect(forged.status == .badRequest)
        }
        #expect(try await test.sql("SELECT action FROM events WHERE action = 'subscription.preferences'").count == 2)
    }

    /// A `manage` link never expires (leaving must always work), but one older than 90 days no
    /// longer proves the address: re-joining through it sends a fresh confirmation instead.
    @Test(arguments: StoreKind.allCases) func anOldPreferencesLinkMayLeaveButRejoiningNeedsAFreshConfirmation(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "anna@example.org", "newsletters": ["ukraine-daily"]])
            try await test.deliver()
            let first = try await ParsedEmail.parse(try #require(try test.emails().first))
            let manage = try #require(first.link("/v1/preferences"))
            func confirm(_ email: ParsedEmail) async throws {
                let link = try #require(email.link("/v1/confirm"))
                _ = try await client.execute(
                    uri: "/v1/confirm", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", link.token)]))
            }
            try await confirm(first)
            func save(_ fields: [(String, String)]) async throws -> String {
                let saved = try await client.execute(
                    uri: "/v1/preferences?lang=en", method: .post, headers: SignupHTTP.formHeaders,
                    body: SignupHTTP.form([("token", manage.token)] + fields))
                #expect(saved.status == .ok)
                return String(buffer: saved.body)
            }
            func status() async throws -> [String] { try await test.sql("SELECT status FROM subscriptions") }

            test.clock.advance(by: 400 * 86_400)
            _ = try await save([("action", "unsubscribe_all")])
            await #expect(try status() == ["unsubscribed"], "leaving works through a link of any age")
            let rejoined = try await save([("newsletters", "ukraine-daily")])
            #expect(rejoined.contains("more than 90 days old"))
            await #expect(try status() == ["pending"], "not confirmed by an old link")
            #expect(try await test.sql("SELECT count(*) FROM consent_records WHERE source = 'preferences' AND confirmed_at IS NOT NULL") == ["0"])
            try await test.deliver()
            let fresh = try await ParsedEmail.parse(try #require(try test.emails().last))
            #expect(try test.emails().count == 2)
            try await confirm(fresh)
            await #expect(try status() == ["confirmed"], "the fresh confirmation's link joins")
        }
    }

    @Test(arguments: StoreKind.allCases) func theSupportPageEnforcesTheMinimumAndTheServerDoesAgain(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let (support, text) = try await page(client, "/support?currency=USD&interval=once")
            #expect(support.status == .ok)
            #expect(text.contains("Support us for as little as $1.00, and it only takes a minute."))
            #expect(text.contains(#"min="1.00""#) && text.contains(#"step="0.01""#))
            for brand in ["Visa", "Mastercard", "American Express"] { #expect(text.contains(#"aria-label="\#(brand)""#)) }
            #expect(text.contains(#"id="tier-friend""#) && !text.contains(#"id="tier-sustainer""#))
            // The form's idempotency key is letters only: a UUID's digit groups can pass for a card number.
            let formKey = try #require(text.firstMatch(of: /name="idempotency_key" value="([^"]*)"/)?.1)
            #expect(formKey.count == 26 && formKey.allSatisfy { $0.isLetter && $0.isLowercase })
            let (_, monthly) = try await page(client, "/support?interval=monthly&lang=uk")
            #expect(monthly.contains("5,00\u{00A0}$ на місяць"), "grouped and placed as Ukrainian readers write amounts")

            // The page's check bypassed: the server refuses and sends the reader back to the field.
            let key = UUID().uuidString
            let refused = try await client.execute(
                uri: "/v1/pledges", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([
                    ("idempotency_key", key), ("currency", "USD"), ("interval", "once"), ("locale", "en"), ("tier", ""),
                    ("amount", "0.50"), ("email", "a@example.org"),
                ]))
            #expect(refused.status == .seeOther)
            let back = try #require(refused.headers[.location])
            #expect(back == "https://news.example.org/masthead/support?currency=USD&interval=once&lang=en&error=below_minimum&field=amount&amount=0.50")
            let (_, shown) = try await page(client, back.replacingOccurrences(of: "https://news.example.org/masthead", with: ""))
            #expect(shown.contains(#"<p id="amount-error" class="error" aria-live="polite">Support us for as little as $1.00</p>"#))
            #expect(shown.contains(#"value="0.50""#) && shown.contains(#"value="" checked"#))  // the reader's own amount, still chosen

            // A tier with the amount box left empty goes through, the key from the form field.
            let paid = try await client.execute(
                uri: "/v1/pledges", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([
                    ("idempotency_key", UUID().uuidString), ("currency", "USD"), ("interval", "once"), ("tier", "friend"), ("amount", ""),
                    ("email", "a@example.org"), ("return_url", "https://news.example.org/masthead/support/thanks?lang=en"),
                ]))
            #expect(paid.status == .seeOther)
            #expect(paid.headers[.location]?.hasPrefix("https://news.example.org/masthead/v1/simulated-checkout/pl_") == true)
            #expect(paid.headers[.location]?.hasSuffix("?lang=en") == true)
            let (_, thanks) = try await page(client, "/support/thanks?lang=uk&payment=succeeded")
            #expect(thanks.contains("Дякуємо!"))
        }
        #expect(try await test.sql("SELECT tier || ' ' || amount_minor FROM pledges") == ["friend 100"])
    }
}

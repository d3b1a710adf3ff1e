import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import NewsletterSignup
import Signing
import SubscriberLists
import Testing

@testable import MastheadHTTP

/// The whole double opt-in loop through the real router, the real store (SQLite and PostgreSQL),
/// the file mailer and an independent MIME parser.
@Suite(.timeLimit(.minutes(3))) struct SignupFlowTests {
    func status(_ test: TestRuntime, _ email: String, _ slug: String) async throws -> String? {
        // Test-controlled literals: no quoting needed.
        try await test.sql("""
            SELECT s.status FROM subscriptions s JOIN subscribers r ON r.id = s.subscriber_id
            JOIN newsletters n ON n.id = s.newsletter_id WHERE r.email_normalized = '\(email)' AND n.slug = '\(slug)'
            """).first
    }

    @Test(arguments: StoreKind.allCases) func signUpEmailLinkButtonConfirm(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            let response = try await SignupHTTP.signUp(
                client, ["email": "Anna@Example.org", "newsletters": ["ukraine-daily"], "locale": "en", "source": "article-footer"])
            #expect(response.status == .accepted)
            #expect(try SignupHTTP.object(response)["message"] as? String
                == "Thank you for signing up for this newsletter. We've sent you a confirmation email.")
            await #expect(try status(test, "anna@example.org", "ukraine-daily") == "pending")

            #expect(try await test.deliver() == 1)
            let files = try test.emails()
            #expect(files.count == 1)
            let email = try await ParsedEmail.parse(try #require(files.first))
            #expect(email.defects.isEmpty)
            #expect(email.crlf_only)
            #expect(email.content_type == "multipart/alternative")
            #expect(email.header("To") == "Anna@example.org")
            #expect(email.header("Subject") == "Confirm your subscription to Ukraine Daily")
            #expect(email.header("Auto-Submitted") == "auto-generated")
            #expect(email.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            let unsubscribeHeader = try #require(email.header("List-Unsubscribe"))
            #expect(unsubscribeHeader.hasPrefix("<https://news.example.org/masthead/v1/unsubscribe?token=v1."))
            #expect(email.header("List-Id")?.contains("ukraine-daily.news.example.org") == true)
            #expect(email.header("Message-ID")?.hasSuffix("@news.example.org>") == true)
            #expect(email.html.contains("Confirm subscription"))
            #expect(email.text.contains("Ukraine Daily: About ukraine-daily"))  // name and description
            let link = try #require(email.link("/v1/confirm"))
            #expect(link.url.hasPrefix("https://news.example.org/masthead/v1/confirm?token="))
            #expect(email.html.contains(link.token))

            // GET shows a button and changes nothing.
            let page = try await client.execute(uri: "/v1/confirm?token=\(link.token)", method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains(#"<form id="confirm-form" method="post" action="https://news.example.org/masthead/v1/confirm?lang=en">"#))
            #expect(html.contains(#"value="\#(link.token)""#))
            #expect(page.headers[.init("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.init("Referrer-Policy")!] == "no-referrer")
            await #expect(try status(test, "anna@example.org", "ukraine-daily") == "pending")

            // POST confirms; twice is harmless.
            let confirmed = try await client.execute(
                uri: "/v1/confirm", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", link.token)]))
            #expect(confirmed.status == .ok)
            #expect(String(buffer: confirmed.body).contains("Successfully subscribed"))
            await #expect(try status(test, "anna@example.org", "ukraine-daily") == "confirmed")
            let again = try await client.execute(
                uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": link.token]))
            #expect(again.status == .ok)
            #expect(try SignupHTTP.object(again)["status"] as? String == "confirmed")
        }
        // The consent record keeps both halves: the sign-up and the click.
        let consent = try await test.sql("""
            SELECT source || '|' || consent_text_version || '|' || CASE WHEN confirmed_at IS NULL THEN 'unconfirmed' ELSE 'confirmed' END
            FROM consent_records
            """)
        #expect(consent == ["article-footer|1|confirmed"])
    }

    @Test(arguments: StoreKind.allCases) func answerIsIdenticalWhateverTheAddressState(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let body: [String: Any] = ["email": "reader@example.org", "newsletters": ["daily"]]
            let fresh = try await SignupHTTP.signUp(client, body)  // new
            let pending = try await SignupHTTP.signUp(client, body)  // pending
            try await test.deliver()
            let token = try #require(try await ParsedEmail.parse(try test.emails()[0]).link("/v1/confirm")).token
            _ = try await client.execute(uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": token]))
            let confirmed = try await SignupHTTP.signUp(client, body)
            let unsubscribeToken = try #require(try await ParsedEmail.parse(try test.emails()[0]).link("/v1/unsubscribe")).token
            _ = try await client.execute(uri: "/v1/unsubscribe?token=\(unsubscribeToken)", method: .post)
            let unsubscribed = try await SignupHTTP.signUp(client, body)
            let answers = [fresh, pending, confirmed, unsubscribed]
            #expect(answers.allSatisfy { $0.status == .accepted })
            #expect(Set(answers.map { String(buffer: $0.body) }).count == 1)
            #expect(Set(answers.map { $0.headers[.contentType] ?? "" }).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func fourthRequestInADaySendsNoFourthEmail(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            for _ in 1...4 {
                #expect(try await SignupHTTP.signUp(client, ["email": "target@example.org"]).status == .accepted)
                try await test.deliver()
                test.clock.advance(by: 600)  // past the repeat cooldown each time
            }
            #expect(try test.emails().count == 3)
            test.clock.advance(by: 86_400)
            #expect(try await SignupHTTP.signUp(client, ["email": "target@example.org"]).status == .accepted)
            try await test.deliver()
            #expect(try test.emails().count == 4)
        }
    }

    @Test(arguments: StoreKind.allCases) func repeatedRequestWithinTheCooldownSendsNothingNew(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.newsletter("weekly")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "a@example.org", "newsletters": ["daily"]])
            _ = try await SignupHTTP.signUp(client, ["email": "a@example.org", "newsletters": ["daily"]])
            try await test.deliver()
            #expect(try test.emails().count == 1)
            // A newsletter not asked for before is worth a new email at once.
            _ = try await SignupHTTP.signUp(client, ["email": "a@example.org", "newsletters": ["weekly"]])
            try await test.deliver()
            #expect(try test.emails().count == 2)
        }
    }

    @Test(arguments: StoreKind.allCases) func honeypotGetsTheNormalAnswerAndDoesNothing(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let response = try await SignupHTTP.signUp(client, ["email": "bot@example.org", "website": "http://spam.example"])
            #expect(response.status == .accepted)
            #expect(try SignupHTTP.object(response)["status"] as? String == "accepted")
        }
        #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["0"])
        #expect(try test.emails().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func invalidAddressIs422NamingTheFieldAndReason(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let response = try await SignupHTTP.signUp(client, ["email": "anna.example.org"])
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try SignupHTTP.object(response)
            let errors = try #require(problem["errors"] as? [[String: String]])
            #expect(errors == [["field": "email", "code": "missing_at", "message": "Please, enter correct email address"]])
            let empty = try await SignupHTTP.signUp(client, ["email": "  "])
            #expect((try SignupHTTP.object(empty)["errors"] as? [[String: String]])?.first?["code"] == "empty")
        }
        #expect(try test.emails().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func unknownOrPrivateNewsletterIs422NamingIt(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.newsletter("staff", visibility: .private)
        try await test.application.test(.router) { client in
            let response = try await SignupHTTP.signUp(client, ["email": "a@example.org", "newsletters": ["daily", "nope", "staff"]])
            #expect(response.status == .unprocessableContent)
            let errors = try #require(try SignupHTTP.object(response)["errors"] as? [[String: String]])
            #expect(errors.map { $0["code"] } == ["unknown_newsletter", "unknown_newsletter"])
            #expect(errors[0]["message"]?.contains("nope") == true)
            #expect(errors[1]["message"]?.contains("staff") == true)
            let wrongType = try await SignupHTTP.signUp(client, ["email": "a@example.org", "newsletters": [1, 2]])
            #expect(wrongType.status == .unprocessableContent)
            #expect((try SignupHTTP.object(wrongType)["errors"] as? [[String: String]])?.first?["field"] == "newsletters")
        }
    }

    /// A fresh install with no public newsletter says so, and what to do, rather than asking
    /// the reader to choose from nothing.
    @Test func withNoNewsletterOpenTheProblemSaysHowToCreateOne() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("staff", visibility: .private)
        try await test.application.test(.router) { client in
            let response = try await SignupHTTP.signUp(client, ["email": "first@example.org"])
            #expect(response.status == .unprocessableContent)
            let problem = try SignupHTTP.object(response)
            #expect((problem["detail"] as? String)?.contains("create one with `masthead newsletters add`") == true)
            #expect((problem["errors"] as? [[String: String]])?.first?["code"] == "none_open")
        }
        #expect(test.log.text.contains("sign-up refused: no newsletter is open for sign-up yet"))
    }

    @Test(arguments: StoreKind.allCases) func noNewsletterNamedUsesTheConfiguredDefault(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.signup.defaultNewsletters = ["weekly"] }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.newsletter("weekly")
        try await test.application.test(.router) { client in
            let response = try await SignupHTTP.signUp(client, ["email": "a@example.org"])
            #expect(response.status == .accepted)
        }
        await #expect(try status(test, "a@example.org", "weekly") == "pending")
        await #expect(try status(test, "a@example.org", "daily") == nil)
    }

    @Test(arguments: StoreKind.allCases) func formPostWithRepeatedNewslettersRedirectsBackToTheSite(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.corsOrigins = ["https://news.example.org"] }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.newsletter("weekly")
        try await test.application.test(.router) { client in
            var headers = SignupHTTP.formHeaders
            headers[.referer] = "https://news.example.org/world/article-1"
            let response = try await client.execute(
                uri: "/v1/subscriptions", method: .post, headers: headers,
                body: SignupHTTP.form([("email", "form@example.org"), ("newsletters", "daily"), ("newsletters[]", "weekly"), ("website", "")]))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "https://news.example.org/world/article-1?subscribed=1")

            let bad = try await client.execute(
                uri: "/v1/subscriptions", method: .post, headers: headers, body: SignupHTTP.form([("email", "nope")]))
            #expect(bad.headers[.location] == "https://news.example.org/world/article-1?error=missing_at&field=email")

            // A Referer from anywhere else is not followed (no open redirect): a page instead.
            headers[.referer] = "https://evil.example/phish"
            let foreign = try await client.execute(
                uri: "/v1/subscriptions", method: .post, headers: headers, body: SignupHTTP.form([("email", "nope")]))
            #expect(foreign.status == .unprocessableContent)
            #expect(String(buffer: foreign.body).contains("Please, enter correct email address"))
        }
        await #expect(try status(test, "form@example.org", "daily") == "pending")
        await #expect(try status(test, "form@example.org", "weekly") == "pending")
        try await test.deliver()
        let email = try await ParsedEmail.parse(try test.emails()[0])
        #expect(email.header("Subject") == "Confirm your subscription to Daily and Weekly")
    }

    @Test(arguments: StoreKind.allCases) func confirmationCanLandOnTheNewsroomsOwnPage(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.confirmRedirectURL = "https://news.example.org/thanks" }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "lands@example.org"])
            try await test.deliver()
            let token = try #require(try await ParsedEmail.parse(try test.emails()[0]).link("/v1/confirm")).token
            let response = try await client.execute(
                uri: "/v1/confirm", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", token)]))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "https://news.example.org/thanks")
        }
        await #expect(try status(test, "lands@example.org", "daily") == "confirmed")
    }

    @Test(arguments: StoreKind.allCases) func expiredLinkGetsAPolitePageAndTheReasonGoesToTheLog(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "late@example.org"])
            try await test.deliver()
            let token = try #require(try await ParsedEmail.parse(try test.emails()[0]).link("/v1/confirm")).token
            test.clock.advance(by: 7 * 86_400)
            let page = try await client.execute(
                uri: "/v1/confirm", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", token)]))
            #expect(page.status == .badRequest)
            let html = String(buffer: page.body)
            #expect(html.contains("This link is no longer valid."))
            #expect(html.contains(#"action="https://news.example.org/masthead/v1/subscriptions/resend""#))
            #expect(!html.contains("expired"))
            let json = try await client.execute(
                uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": token]))
            #expect(json.status == .badRequest)
            #expect(json.headers[.contentType] == "application/problem+json")
        }
        #expect(test.log.text.contains("reason=expired token"))
        await #expect(try status(test, "late@example.org", "daily") == "pending")
    }

    @Test(arguments: StoreKind.allCases) func aTokenForAnotherAddressFails(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "victim@example.org"])
            // A token for the victim's sign-up (consent 1) but bound to the attacker's address.
            let forged = test.runtime.services.signer.sign(.confirm, subject: 1, address: "attacker@example.org", at: test.clock.now, lifetime: .seconds(3600))
            let response = try await client.execute(
                uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": forged]))
            #expect(response.status == .badRequest)
        }
        await #expect(try status(test, "victim@example.org", "daily") == "pending")
        #expect(test.log.text.contains("token bound to another address"))
    }

    @Test(arguments: StoreKind.allCases, ["application/x-www-form-urlencoded", "multipart/form-data; boundary=XYZ"])
    func oneClickUnsubscribeTakesEffectAtOnce(_ store: StoreKind, contentType: String) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "leaver@example.org"])
            try await test.deliver()
            let email = try await ParsedEmail.parse(try test.emails()[0])
            let header = try #require(email.header("List-Unsubscribe"))
            let url = try #require(URL(string: String(header.dropFirst().prefix { $0 != ">" })))
            let body =
                contentType.hasPrefix("multipart")
                ? "--XYZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XYZ--\r\n"
                : "List-Unsubscribe=One-Click"
            let response = try await client.execute(
                uri: url.path.replacingOccurrences(of: "/masthead", with: "") + "?" + (url.query ?? ""), method: .post,
                headers: [.contentType: contentType, .cookie: "session=ignored"], body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            #expect(response.headers[.location] == nil)
            await #expect(try status(test, "leaver@example.org", "daily") == "unsubscribed")
            // Twice is harmless.
            let again = try await client.execute(uri: "/v1/unsubscribe?" + (url.query ?? ""), method: .post)
            #expect(again.status == .ok)
        }
    }

    @Test(arguments: StoreKind.allCases) func unsubscribingThenSigningUpAgainNeedsANewConfirmation(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "back@example.org"])
            try await test.deliver()
            let first = try await ParsedEmail.parse(try test.emails()[0])
            let confirm = try #require(first.link("/v1/confirm")).token
            _ = try await client.execute(uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": confirm]))
            let leave = try #require(first.link("/v1/unsubscribe")).token
            _ = try await client.execute(uri: "/v1/unsubscribe?token=\(leave)", method: .post)
            await #expect(try status(test, "back@example.org", "daily") == "unsubscribed")

            test.clock.advance(by: 600)
            _ = try await SignupHTTP.signUp(client, ["email": "back@example.org"])
            await #expect(try status(test, "back@example.org", "daily") == "pending")
            try await test.deliver()
            #expect(try test.emails().count == 2)
            // The old confirmation link does not re-subscribe: only the new sign-up's link does.
            let old = try await client.execute(uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": confirm]))
            #expect(try SignupHTTP.object(old)["status"] as? String == "nothing_to_confirm")
            await #expect(try status(test, "back@example.org", "daily") == "pending")
        }
    }

    @Test(arguments: StoreKind.allCases) func alreadyConfirmedGetsANoticeNotAConfirmation(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily", optIn: .single)
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "old@example.org"])
            await #expect(try status(test, "old@example.org", "daily") == "confirmed")
            try await test.deliver()
            #expect(try test.emails().isEmpty)  // single opt-in: nothing to confirm
            _ = try await SignupHTTP.signUp(client, ["email": "old@example.org"])
            try await test.deliver()
            let notice = try await ParsedEmail.parse(try test.emails()[0])
            #expect(notice.header("Subject") == "You are already subscribed to Daily")
            #expect(notice.link("/v1/confirm") == nil)
            #expect(notice.header("List-Unsubscribe") != nil)
        }
    }

    @Test(arguments: StoreKind.allCases) func resendSendsOnlyWhenSomethingIsPending(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let unknown = try await client.execute(
                uri: "/v1/subscriptions/resend", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["email": "ghost@example.org"]))
            #expect(unknown.status == .accepted)
            _ = try await SignupHTTP.signUp(client, ["email": "slow@example.org"])
            try await test.deliver()
            test.clock.advance(by: 8 * 86_400)  // the first link has expired
            let resent = try await client.execute(
                uri: "/v1/subscriptions/resend", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["email": "slow@example.org"]))
            #expect(resent.status == .accepted)
            #expect(String(buffer: resent.body) == String(buffer: unknown.body))
            // Again at once: the same answer, nothing sent, and the log says why.
            let again = try await client.execute(
                uri: "/v1/subscriptions/resend", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["email": "slow@example.org"]))
            #expect(String(buffer: again.body) == String(buffer: unknown.body))
            #expect(test.log.text.contains("queued=false reason=unknown address"))
            #expect(test.log.text.contains("queued=true"))
            #expect(test.log.text.contains("queued=false reason=cooldown"))
            try await test.deliver()
            let emails = try test.emails()
            #expect(emails.count == 2)
            let fresh = try #require(try await ParsedEmail.parse(emails[1]).link("/v1/confirm")).token
            let confirmed = try await client.execute(uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": fresh]))
            #expect(confirmed.status == .ok)
        }
        await #expect(try status(test, "slow@example.org", "daily") == "confirmed")
    }

    @Test(arguments: StoreKind.allCases) func aHundredConcurrentSignUpsMakeOneSubscriberAndOneEmail(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await SignupHTTP.signUp(client, ["email": "popular@example.org"]).status }
                }
                for try await status in group { #expect(status == .accepted) }
            }
        }
        try await test.deliver()
        #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["1"])
        #expect(try await test.sql("SELECT count(*) FROM consent_records") == ["100"])
        #expect(try test.emails().count == 1)
    }
}

import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MastheadRuntime
import MastheadSettings
import PaymentProviders
import Signing
import Testing
import TestSupport

/// The daemon with `MASTHEAD_PAYMENTS=stripe` against localstripe, over real HTTP both ways: a
/// pledge becomes a PaymentIntent, the payment page carries what Stripe.js needs, the test pays
/// as Stripe.js would (the same API calls), and localstripe's signed webhook reaches the daemon,
/// which marks the pledge and queues the receipt.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: LocalStripe.available || ProcessInfo.processInfo.environment["CI"] != nil, "localstripe is not installed; Ops/test installs it"))
struct StripePledgeFlowTests {
    static let webhookSecret = "whsec_masthead_daemon"

    /// A runtime taking pledges through `server` (the secrets in files, as an operator keeps them).
    static func runtime(_ store: StoreKind, apiURL: String, scriptURL: String) async throws -> TestRuntime {
        // Read once, as the runtime starts (the directory goes when this function returns).
        let secrets = try TemporaryDirectory()
        let keyFile = secrets.file("stripe-secret-key")
        let webhookFile = secrets.file("stripe-webhook-secret")
        try "sk_test_masthead\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        try "whsec_old_one\n\(webhookSecret)\n".write(toFile: webhookFile, atomically: true, encoding: .utf8)
        // localstripe signs with the wall clock, and the daemon checks the signature's time.
        return try await TestRuntime(store: store, clock: TestClock(Date())) { configuration in
            configuration.payments = .stripe
            configuration.stripe.secretKeyFile = keyFile
            configuration.stripe.webhookSecretFile = webhookFile
            configuration.stripe.publishableKey = "pk_test_masthead"
            configuration.stripe.apiURL = apiURL
            configuration.stripe.scriptURL = scriptURL
        }
    }

    /// Pays `intent` as Stripe.js would with `card` (a test card's PaymentMethod).
    static func pay(_ api: StripeAPI, _ intent: String, card: String) async throws {
        _ = try await api.post("/v1/payment_intents/\(intent)", [("payment_method", card)], idempotencyKey: "card-\(intent)")
        do {
            _ = try await api.post("/v1/payment_intents/\(intent)/confirm", [], idempotencyKey: "confirm-\(intent)")
        } catch let error as StripeError where error.isCardError {
            // Declined: Stripe.js shows the reader the message; the webhook follows.
        }
    }

    /// localstripe, a live daemon on `store` taking pledges through it, and localstripe's
    /// webhooks pointed at the daemon; `body` gets the runtime, a Stripe client, localstripe's
    /// URL and an HTTP client of the daemon.
    static func withStripe(
        _ store: StoreKind, _ body: @escaping @Sendable (TestRuntime, StripeAPI, String, any TestClientProtocol) async throws -> Void
    ) async throws {
        let server = try await LocalStripe.start()
        let test = try await Self.runtime(store, apiURL: server.url, scriptURL: server.url + "/js.stripe.com/v3/")
        defer { test.shutdown() }
        let api = StripeAPI(baseURL: server.url, secretKey: "sk_test_masthead", logger: Logger(label: "test"))
        // The daemon listens for real, for localstripe's webhooks; the test's own requests go
        // straight to the router. The live test client gives up on an answer after 20 s, and on
        // this 2-core machine, with the whole suite running, a pledge through localstripe once
        // took 21 s to answer (every request of the test was seconds slow): that is load, not a
        // failure, and the router's client waits for the answer however long it takes.
        try await PledgeHTTP.live(test) { live in
            try await Self.sendWebhooks(of: api, to: try #require(live.port))
            try await test.application.test(.router) { client in
                try await body(test, api, server.url, client)
            }
        }
    }

    /// Points localstripe's webhooks at the daemon listening on `port`.
    static func sendWebhooks(of api: StripeAPI, to port: Int) async throws {
        do {
            _ = try await api.post(
                "/_config/webhooks/masthead",
                [("url", "http://127.0.0.1:\(port)/v1/webhooks/payments"), ("secret", Self.webhookSecret)], idempotencyKey: "config")
        } catch let error as StripeError where error.status == 200 {
            // localstripe's configuration route answers with an empty body.
        }
    }

    /// The pledge once its status is `status` (localstripe sends its webhook after a second).
    static func pledge(_ test: TestRuntime, _ id: String, becomes status: PledgeStatus) async throws -> Pledge? {
        for _ in 0..<100 {
            if let pledge = try await test.pledge(id), pledge.status == status { return pledge }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await test.pledge(id)
    }

    @Test(arguments: StoreKind.allCases) func aPledgeIsPaidOnThePaymentPageAndStripesWebhookMarksIt(_ store: StoreKind) async throws {
        try await Self.withStripe(store) { test, api, server, client in

            // Every interval is offered through Stripe: the tiers and the support page's tabs.
            let tiers = try SignupHTTP.object(try await client.execute(uri: "/v1/pledges/tiers?currency=USD", method: .get))
            #expect(Set((tiers["tiers"] as? [[String: Any]] ?? []).compactMap { $0["interval"] as? String }) == ["once", "monthly", "annual"])
            let support = String(buffer: try await client.execute(uri: "/support", method: .get).body)
            #expect(support.contains("interval-once") && support.contains("interval-monthly") && support.contains("interval-annual"))

            let created = try await PledgeHTTP.create(client, ["email": "Anna@Example.org", "amount": "5", "currency": "USD"], key: "first-pledge")
            #expect(created.status == .created)
            let id = try #require(try SignupHTTP.object(created)["pledge"] as? String)
            // What a page of the newsroom's own needs to take the card with Stripe.js; a replay
            // carries it too, read from Stripe again (it is not stored).
            let answer = try SignupHTTP.object(created)
            #expect(answer["publishable_key"] as? String == "pk_test_masthead")
            let secret = try #require(answer["client_secret"] as? String)
            #expect(secret.hasPrefix("pi_"))
            let replay = try await PledgeHTTP.create(client, ["email": "Anna@Example.org", "amount": "5", "currency": "USD"], key: "first-pledge")
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try SignupHTTP.object(replay)["client_secret"] as? String == secret)
            #expect(try await test.sql("SELECT response FROM pledges WHERE public_id = '\(id)'").first?.contains("_secret_") == false)
            let payPath = try PledgeHTTP.checkoutPath(created)
            #expect(payPath == "/v1/pledges/\(id)/pay")
            let intent = try #require(try await test.pledge(id)?.providerReference)
            #expect(intent.hasPrefix("pi_"))
            let stored = try await api.get("/v1/payment_intents/\(intent)")
            #expect(stored.integer("amount") == 500 && stored.object("metadata")?.string("pledge") == id)

            // The page hands Stripe.js the publishable key and the client secret, and its policy
            // lets in Stripe.js and the page's own script by its hash, nothing inline besides.
            let page = try await client.execute(uri: payPath, method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains(#"data-key="pk_test_masthead""#))
            #expect(html.contains(#"data-secret="\#(intent)_secret_"#))
            #expect(html.contains(#"<script src="\#(server)/js.stripe.com/v3/"></script>"#))
            #expect(!html.contains("sk_test_masthead"), "the secret key never reaches a page")
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src \(server) 'sha256-"))
            #expect(policy.contains("connect-src \(server)"))
            let scripts = try #require(policy.split(separator: ";").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("script-src") })
            #expect(!scripts.contains("unsafe-inline"), "\(scripts)")
            // The hash names exactly the page's inline script, or a browser would not run it.
            let inline = try #require(html.range(of: "<script>").flatMap { start in
                html.range(of: "</script>", range: start.upperBound..<html.endIndex).map { String(html[start.upperBound..<$0.lowerBound]) }
            })
            let hash = Data(SHA256Digest.hash(Array(inline.utf8))).base64EncodedString()
            #expect(scripts.contains("'sha256-\(hash)'"), "\(scripts)")

            try await Self.pay(api, intent, card: "pm_card_visa")
            let paid = try await Self.pledge(test, id, becomes: .succeeded)
            #expect(paid?.status == .succeeded, "localstripe's signed webhook reached the daemon")
            let thanks = String(buffer: try await client.execute(uri: payPath, method: .get).body)
            #expect(thanks.contains("Thank you") && !thanks.contains("pay-form"))
            // The daemon's own worker may send it first; the test's run covers the other case.
            let outbox = try await test.sql("SELECT kind || '|' || state || '|' || coalesce(last_error, '') FROM outbox")
            let receipt = try #require(try await StripeRecurringFlowTests.receipts(test, atLeast: 1).last, "\(outbox)")
            #expect(receipt.text.contains("$5.00"))
            // localstripe's event carries no card details (as Stripe's of API versions after
            // 2022-11-15): the card is read from the PaymentIntent's PaymentMethod.
            #expect(receipt.text.contains("Visa ending in 4242"), "\(receipt.text)")
            #expect(paid?.card == CardSummary(brand: "visa", last4: "4242"))

            // A declined card: the pledge fails, and the page lets the reader try another card.
            let second = try await PledgeHTTP.create(client, ["email": "bohdan@example.org", "amount": "3", "currency": "USD"])
            let secondID = try #require(try SignupHTTP.object(second)["pledge"] as? String)
            try await Self.pay(api, try #require(try await test.pledge(secondID)?.providerReference), card: "pm_card_chargeCustomerFail")
            #expect(try await Self.pledge(test, secondID, becomes: .failed)?.status == .failed)
            #expect(String(buffer: try await client.execute(uri: "/v1/pledges/\(secondID)/pay", method: .get).body).contains("pay-form"))
        }
    }

    /// A refund made in Stripe (here through localstripe's API, as from the dashboard) and a
    /// dispute reach the daemon as Stripe sends them: localstripe sends no event for a refund
    /// and has no disputes, so the test signs Stripe's documented events itself, the refund's
    /// around localstripe's own refunded charge. The summary gives back what was returned.
    @Test(arguments: StoreKind.allCases) func aRefundAndADisputeMoveThePledgeAndTheSummaryGivesThemBack(_ store: StoreKind) async throws {
        try await Self.withStripe(store) { test, api, server, client in
            func paidPledge(_ email: String, _ amount: String) async throws -> (id: String, intent: String) {
                let created = try await PledgeHTTP.create(client, ["email": email, "amount": amount, "currency": "USD"])
                let id = try #require(try SignupHTTP.object(created)["pledge"] as? String)
                let intent = try #require(try await test.pledge(id)?.providerReference)
                try await Self.pay(api, intent, card: "pm_card_visa")
                #expect(try await Self.pledge(test, id, becomes: .succeeded)?.status == .succeeded)
                return (id, intent)
            }
            func send(_ type: String, _ object: String, id: String) async throws -> HTTPResponse.Status {
                let body = Array(
                    #"{"id":"\#(id)","object":"event","type":"\#(type)","created":\#(Int(Date().timeIntervalSince1970)),"data":{"object":\#(object)}}"#
                        .utf8)
                let signature = WebhookSignature.header(for: body, secret: Array(Self.webhookSecret.utf8), at: Date())
                return try await PledgeHTTP.webhook(client, body: body, signature: signature).status
            }

            let refunded = try await paidPledge("anna@example.org", "5")
            _ = try await api.post("/v1/refunds", [("payment_intent", refunded.intent)], idempotencyKey: "refund-\(refunded.id)")
            let charge = try #require(try await api.get("/v1/payment_intents/\(refunded.intent)").object("charges")?.objects("data").last?.string("id"))
            let refundedCharge = try await Executables.runProgram(
                "/usr/bin/curl", ["-sf", "-u", "sk_test_masthead:", "\(server)/v1/charges/\(charge)"]).stdout
            #expect(refundedCharge.contains(#""refunded": true"#) && refundedCharge.contains(refunded.intent), "\(refundedCharge)")
            #expect(try await send("charge.refunded", refundedCharge, id: "evt_refund") == .ok)
            #expect(try await test.pledge(refunded.id)?.status == .refunded)

            let disputed = try await paidPledge("bohdan@example.org", "3")
            func dispute(_ status: String) -> String {
                #"{"id":"du_1","object":"dispute","amount":300,"charge":"ch_1","currency":"usd","metadata":{},"payment_intent":"\#(disputed.intent)","reason":"fraudulent","status":"\#(status)"}"#
            }
            #expect(try await send("charge.dispute.created", dispute("needs_response"), id: "evt_dispute_opened") == .ok)
            #expect(try await test.pledge(disputed.id)?.status == .disputed)
            #expect(try await test.runtime.store.pledgeSummary(by: .currency, since: nil)
                == [PledgeSummaryRow(group: "USD", currency: "USD", pledges: 2, paying: 0, payments: 2, collectedMinor: 0, returnedMinor: 800)])

            #expect(try await send("charge.dispute.closed", dispute("won"), id: "evt_dispute_won") == .ok)
            #expect(try await test.pledge(disputed.id)?.status == .succeeded)
            #expect(try await test.runtime.store.pledgeSummary(by: .currency, since: nil)
                == [PledgeSummaryRow(group: "USD", currency: "USD", pledges: 2, paying: 1, payments: 2, collectedMinor: 300, returnedMinor: 500)])
            // A refund event replayed, or a dispute of a payment Masthead never took, changes nothing.
            #expect(try await send("charge.refunded", refundedCharge, id: "evt_refund") == .ok)
            #expect(try await send("charge.dispute.created", dispute("needs_response").replacingOccurrences(of: disputed.intent, with: "pi_elsewhere"), id: "evt_other") == .ok)
            #expect(try await test.pledge(disputed.id)?.status == .succeeded)
            let outcomes = try await test.sql(
                "SELECT event_id || ': ' || outcome FROM payment_events WHERE event_id IN ('evt_refund', 'evt_dispute_opened', 'evt_dispute_won', 'evt_other') ORDER BY event_id")
            #expect(outcomes == [
                "evt_dispute_opened: moved succeeded -> disputed", "evt_dispute_won: moved disputed -> succeeded", "evt_other: unknown pledge",
                "evt_refund: moved succeeded -> refunded",
            ])
        }
    }

    /// Stripe unreachable: the reader gets a 503 saying nothing was saved or charged, and nothing is.
    @Test func aStripeThatDoesNotAnswerIsA503AndNothingIsSaved() async throws {
        // Nothing listens on a free port; the client retries three times, then gives up.
        let nowhere = "http://127.0.0.1:\(try Loopback.freePort())"
        let test = try await Self.runtime(.sqlite, apiURL: nowhere, scriptURL: nowhere + "/js.stripe.com/v3/")
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            // The support form's post, beside the API's, at once: each waits out the same budget.
            async let formAnswer = client.execute(
                uri: "/v1/pledges", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([("email", "anna@example.org"), ("amount", "5"), ("currency", "USD"), ("idempotency_key", "downformkey")]))
            let refused = try await PledgeHTTP.create(client, ["email": "anna@example.org", "amount": "5", "currency": "USD"])
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] != nil)
            #expect(String(buffer: refused.body).contains("urn:masthead:problem:provider-unavailable"))
            let back = try #require(try await formAnswer.headers[.location]).replacingOccurrences(of: "https://news.example.org/masthead", with: "")
            #expect(back.contains("error=provider_unavailable"), "\(back)")
            #expect(String(buffer: try await client.execute(uri: back, method: .get).body).contains("Our payment provider did not answer"))
            #expect(try await test.sql("SELECT count(*) FROM pledges") == ["0"])
            let unknown = try await client.execute(uri: "/v1/pledges/pl_nosuchpledge/pay", method: .get)
            #expect(unknown.status == .notFound)
        }
    }
}

/// What the runtime checks in Stripe's secret files as it starts: a key pasted into the wrong
/// file, or live and test keys mixed, stop it with the setting named (the daemon's exit 78).
@Suite struct StripeSecretFileTests {
    func startError(secretKey: String, webhookSecret: String, publishableKey: String) async throws -> ConfigurationError? {
        let secrets = try TemporaryDirectory()
        try secretKey.write(toFile: secrets.file("key"), atomically: true, encoding: .utf8)
        try webhookSecret.write(toFile: secrets.file("webhook"), atomically: true, encoding: .utf8)
        do {
            let test = try await TestRuntime { configuration in
                configuration.payments = .stripe
                configuration.stripe.secretKeyFile = secrets.file("key")
                configuration.stripe.webhookSecretFile = secrets.file("webhook")
                configuration.stripe.publishableKey = publishableKey
            }
            test.shutdown()
            return nil
        } catch let error as ConfigurationError {
            return error
        }
    }

    @Test func keysInTheWrongFileOrOfMixedModesStopTheStart() async throws {
        #expect(try await startError(secretKey: "sk_test_a\n", webhookSecret: "whsec_a\n", publishableKey: "pk_test_a") == nil)
        #expect(try await startError(secretKey: "pk_test_a", webhookSecret: "whsec_a", publishableKey: "pk_test_a")?.setting == .stripeSecretKeyFile)
        #expect(try await startError(secretKey: "sk_test_a", webhookSecret: "sk_test_a", publishableKey: "pk_test_a")?.setting == .stripeWebhookSecretFile)
        #expect(try await startError(secretKey: "sk_live_a", webhookSecret: "whsec_a", publishableKey: "pk_test_a")?.setting == .stripePublishableKey)
        let unreadable = try #require(try await startError(secretKey: "", webhookSecret: "whsec_a", publishableKey: "pk_test_a"))
        #expect(unreadable.setting == .stripeSecretKeyFile)
        #expect(!unreadable.description.contains("whsec_a"), "a secret is never in a message")
    }

    /// Production takes live keys unless told it is a staging site, and refuses secret files
    /// every user of the machine may read.
    @Test func productionRefusesTestKeysAndSecretsOthersCanRead() async throws {
        var configuration = MastheadConfiguration()
        configuration.environment = .production
        configuration.publicURL = "https://news.example.org"
        configuration.mailer = .sendmail(path: "/usr/sbin/sendmail")
        configuration.mailFrom = "Ukraine Daily <news@example.org>"
        configuration.payments = .stripe
        configuration.stripe.publishableKey = "pk_test_a"
        #expect(throws: ConfigurationError.self) { try configuration.validateForProduction() }
        configuration.stripe.allowTestKeys = true
        try configuration.validateForProduction()
        configuration.stripe.allowTestKeys = false
        configuration.stripe.publishableKey = "pk_live_a"
        try configuration.validateForProduction()

        let directory = try TemporaryDirectory()
        configuration.database = .sqlite(path: directory.file("masthead.sqlite"))
        configuration.keysPath = directory.file("masthead.keys")
        try KeyRingFile.save(try KeyRing.generate(at: Date()), path: configuration.keysPath)
        try "sk_live_a\n".write(toFile: directory.file("key"), atomically: true, encoding: .utf8)
        try "whsec_a\n".write(toFile: directory.file("webhook"), atomically: true, encoding: .utf8)
        configuration.stripe.secretKeyFile = directory.file("key")
        configuration.stripe.webhookSecretFile = directory.file("webhook")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: directory.file("webhook"))
        for (mode, refused) in [(0o644, true), (0o640, false)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: directory.file("key"))
            do {
                let runtime = try await Runtime.start(configuration: configuration, logger: CapturedLog().logger)
                runtime.shutdown()
                #expect(!refused, "mode \(String(mode, radix: 8)) was taken")
            } catch let error as ConfigurationError {
                #expect(refused && error.setting == .stripeSecretKeyFile && error.description.contains("readable by every user"), "\(error)")
                #expect(!error.description.contains("sk_live_a"))
            }
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import Signing
import SubscriberLists
import Testing
import TestSupport

/// Mailgun's and SendGrid's event webhooks over the real router, with their documented bodies
/// (`Tests/mail-providers/`) signed as each provider signs them: Mailgun's HMAC with a signing
/// key, SendGrid's ECDSA P-256 by the `openssl` command line with a key it made.
@Suite(.timeLimit(.minutes(3))) struct MailProviderWebhookTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("mail-providers")

    static func fixture(_ name: String, _ values: [String: String]) throws -> String {
        try values.reduce(String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)) { text, pair in
            text.replacingOccurrences(of: "{{\(pair.key)}}", with: pair.value)
        }
    }

    /// Readers confirmed on `ukraine-daily`.
    static func readers(_ test: TestRuntime, _ addresses: [String]) async throws {
        try await test.newsletter("ukraine-daily")
        for address in addresses {
            _ = try await test.runtime.services.directory.add(address, newsletter: "ukraine-daily", confirmed: true, basis: "form", actor: "test")
        }
    }

    static func post(_ client: some TestClientProtocol, _ provider: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await client.execute(uri: "/v1/webhooks/mail/\(provider)", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test(arguments: StoreKind.allCases) func mailgunBouncesAndComplaintsApplyOnceAndForgeriesAreRefused(_ store: StoreKind) async throws {
        let keyFile = try TemporaryDirectory()
        let signingKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
        try (signingKey + "\n").write(toFile: keyFile.file("mailgun.key"), atomically: true, encoding: .utf8)
        let test = try await TestRuntime(store: store, clock: TestClock(Date())) { $0.mailgunSigningKeyFile = keyFile.file("mailgun.key") }
        defer { test.shutdown() }
        try await Self.readers(test, ["anna@example.org", "bohdan@example.org"])
        @Sendable func signed(_ name: String, _ recipient: String, token: String, at time: Date, key: String = signingKey) throws -> String {
            let timestamp = String(Int(time.timeIntervalSince1970))
            let signature = HMACSHA256.hexDigest(Array((timestamp + token).utf8), key: Array(key.utf8))
            return try Self.fixture(name, ["TIMESTAMP": timestamp, "TOKEN": token, "SIGNATURE": signature, "RECIPIENT": recipient])
        }
        let now = test.clock.function()
        try await test.application.test(.router) { client in
            let bounce = try signed("mailgun-failed-permanent.json", "anna@example.org", token: "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0", at: now)
            #expect(try await Self.post(client, "mailgun", bounce).status == .ok)
            #expect(try await Self.post(client, "mailgun", bounce).status == .ok)  // delivered again: applied once
            let complaint = try signed("mailgun-complained.json", "bohdan@example.org", token: "b9df1fec3ee9412eff2ed1e3f4", at: now)
            #expect(try await Self.post(client, "mailgun", complaint).status == .ok)

            for forged in [
                try signed("mailgun-complained.json", "anna@example.org", token: "c1", at: now, key: "key-not-the-one"),
                try signed("mailgun-complained.json", "anna@example.org", token: "c2", at: now.addingTimeInterval(-301)),
                #"{"event-data": {"event": "complained", "recipient": "anna@example.org"}}"#,
            ] {
                let refused = try await Self.post(client, "mailgun", forged)
                #expect(refused.status == .badRequest && refused.headers[.contentType] == "application/problem+json")
            }
            #expect(try await Self.post(client, "sendgrid", "[]").status == .notFound)  // not configured here
        }
        #expect(try await test.sql("SELECT p.email_normalized || ' ' || s.status FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id ORDER BY 1")
            == ["anna@example.org bounced", "bohdan@example.org complained"])
        #expect(try await test.sql("SELECT action || ' ' || actor FROM events WHERE actor LIKE 'provider:%' ORDER BY id")
            == ["subscription.bounced provider:mailgun", "subscription.complained provider:mailgun"])
        #expect(try await test.runtime.services.directory.suppression(of: "anna@example.org")?.reason == .bounced)
    }

    @Test func sendGridsSignedEventsApplyByKind() async throws {
        // A key pair made by the openssl command line, as SendGrid holds the private half.
        let keys = try TemporaryDirectory()
        let pem = keys.file("sendgrid.pem")
        func openssl(_ arguments: String) async throws -> Executables.Outcome {
            let outcome = try await Executables.runProgram("/bin/sh", ["-c", "openssl \(arguments)"], in: keys.path)
            try #require(outcome.status == 0, "\(outcome.stderr)")
            return outcome
        }
        _ = try await openssl("ecparam -name prime256v1 -genkey -noout -out \(pem)")
        let publicKey = try await openssl("ec -in \(pem) -pubout -outform DER 2>/dev/null | base64 -w0").stdout
        let test = try await TestRuntime(clock: TestClock(Date())) { $0.sendGridVerificationKey = publicKey }
        defer { test.shutdown() }
        let readers = ["BOUNCED": "bo@example.org", "COMPLAINED": "co@example.org", "UNSUBSCRIBED": "un@example.org",
                       "DEFERRED": "de@example.org", "DELIVERED": "dl@example.org", "PROCESSED": "pr@example.org"]
        try await Self.readers(test, readers.values.sorted())
        let body = try Self.fixture("sendgrid-events.json", readers)
        let timestamp = String(Int(test.clock.function().timeIntervalSince1970))
        try (timestamp + body).write(toFile: keys.file("signed"), atomically: true, encoding: .utf8)
        let signature = try await openssl("dgst -sha256 -sign \(pem) \(keys.file("signed")) | base64 -w0").stdout
        let headers: HTTPFields = [
            HTTPField.Name("X-Twilio-Email-Event-Webhook-Signature")!: signature,
            HTTPField.Name("X-Twilio-Email-Event-Webhook-Timestamp")!: timestamp,
        ]
        try await test.application.test(.router) { client in
            let tampered = body.replacingOccurrences(of: "co@example.org", with: "dl@example.org")
            #expect(try await Self.post(client, "sendgrid", tampered, headers: headers).status == .badRequest)
            #expect(try await Self.post(client, "sendgrid", body).status == .badRequest)  // unsigned
            let applied = try await Self.post(client, "sendgrid", body, headers: headers)
            #expect(applied.status == .ok && String(buffer: applied.body) == #"{"received":"4"}"#)
            #expect(try await Self.post(client, "sendgrid", body, headers: headers).status == .ok)  // a retry changes nothing
        }
        #expect(try await test.sql("SELECT p.email_normalized || ' ' || s.status FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id ORDER BY 1")
            == ["bo@example.org bounced", "co@example.org complained", "de@example.org confirmed", "dl@example.org confirmed",
                "pr@example.org confirmed", "un@example.org unsubscribed"])
        #expect(try await test.sql("SELECT kind || ' ' || status FROM bounce_reports ORDER BY id")
            == ["soft deferred", "hard 5.0.0", "complaint spamreport", "unsubscribe unsubscribe"])
        #expect(try await test.runtime.services.directory.suppression(of: "un@example.org") == nil)
    }
}

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

/// Amazon SES's (through SNS), Mailgun's and SendGrid's event webhooks over the real router, with
/// their documented bodies (`Tests/mail-providers/`) signed as each provider signs them: SNS's
/// RSA by the `openssl` command line with a certificate it made, Mailgun's HMAC with a signing
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

    /// Runs `openssl ARGUMENTS` in `directory`; its standard output.
    static func openssl(_ arguments: String, in directory: TemporaryDirectory) async throws -> String {
        let outcome = try await Executables.runProgram("/bin/sh", ["-c", "openssl \(arguments)"], in: directory.path)
        try #require(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout
    }

    /// Signs SNS envelopes as Amazon SNS does, with a key whose self-signed certificate the
    /// test pins in Amazon's place.
    struct SNSSigner {
        let directory: TemporaryDirectory
        var certificate: String { directory.file("sns.pem") }

        static func make(_ name: String = "sns") async throws -> SNSSigner {
            let directory = try TemporaryDirectory()
            _ = try await openssl(
                "req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out sns.pem -days 2 -subj /CN=sns.us-west-2.amazonaws.com 2>/dev/null",
                in: directory)
            return SNSSigner(directory: directory)
        }

        /// The JSON SNS posts: `fields` (Type, Message, …) with their signature.
        func envelope(_ fields: [String: String], version: Int = 2) async throws -> String {
            var fields = fields
            fields["SignatureVersion"] = String(version)
            fields["SigningCertURL"] = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
            let names =
                fields["Type"] == "Notification"
                ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
                : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
            let signed = names.compactMap { name in fields[name].map { "\(name)\n\($0)\n" } }.joined()
            try signed.write(toFile: directory.file("signed"), atomically: true, encoding: .utf8)
            fields["Signature"] = try await openssl(
                "dgst -\(version == 1 ? "sha1" : "sha256") -sign key.pem signed | base64 -w0", in: directory)
            return String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    static let topic = "arn:aws:sns:us-west-2:123456789012:masthead-ses"

    /// An SNS notification of `message` on `topic`, published at `time`.
    static func notification(_ message: String, id: String, at time: Date, topic: String = topic) -> [String: String] {
        ["Type": "Notification", "MessageId": id, "TopicArn": topic, "Message": message,
         "Timestamp": time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)),
         "UnsubscribeURL": "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=\(topic):c9135db0"]
    }

    @Test(arguments: StoreKind.allCases) func amazonSESNotificationsThroughSNSApplyOnceAndForgeriesAreRefused(_ store: StoreKind) async throws {
        let sns = try await SNSSigner.make()
        let test = try await TestRuntime(store: store, clock: TestClock(Date())) {
            $0.sesCertificateFile = sns.certificate
            $0.sesTopics = [Self.topic]
        }
        defer { test.shutdown() }
        let readers = ["BOUNCED": "anna@example.org", "COMPLAINED": "bohdan@example.org", "SOFT": "olena@example.org"]
        try await Self.readers(test, readers.values.sorted())
        let now = test.clock.function()
        let bounce = try await sns.envelope(
            Self.notification(try Self.fixture("ses-bounce.json", readers), id: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", at: now), version: 1)
        let complaint = try await sns.envelope(Self.notification(try Self.fixture("ses-complaint.json", readers), id: "c0b1", at: now))
        let transient = try await sns.envelope(Self.notification(try Self.fixture("ses-transient.json", readers), id: "c0b2", at: now))
        let otherKey = try await SNSSigner.make()
        let forgeries = [
            // Signed by a key that is not the pinned certificate's.
            try await otherKey.envelope(Self.notification(try Self.fixture("ses-complaint.json", ["COMPLAINED": "olena@example.org"]), id: "f1", at: now)),
            // Genuinely signed, but for another AWS customer's topic.
            try await sns.envelope(Self.notification(
                try Self.fixture("ses-complaint.json", ["COMPLAINED": "olena@example.org"]), id: "f2", at: now,
                topic: "arn:aws:sns:us-west-2:999999999999:someone-else")),
            // Published two hours ago.
            try await sns.envelope(Self.notification(
                try Self.fixture("ses-complaint.json", ["COMPLAINED": "olena@example.org"]), id: "f3", at: now.addingTimeInterval(-7200))),
            // Changed after signing.
            complaint.replacingOccurrences(of: "bohdan@example.org", with: "olena@example.org"),
        ]
        try await test.application.test(.router) { client in
            // SNS posts text/plain.
            let headers: HTTPFields = [.contentType: "text/plain; charset=UTF-8", HTTPField.Name("x-amz-sns-message-type")!: "Notification"]
            func post(_ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/v1/webhooks/mail/ses", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            for forged in forgeries {
                let refused = try await post(forged)
                #expect(refused.status == .badRequest && refused.headers[.contentType] == "application/problem+json", "\(String(buffer: refused.body))")
            }
            let applied = try await post(bounce)
            #expect(applied.status == .ok && String(buffer: applied.body) == #"{"received":"1"}"#)
            #expect(try await post(bounce).status == .ok)  // SNS's retry: applied once
            #expect(try await post(complaint).status == .ok)
            #expect(try await post(transient).status == .ok)
        }
        #expect(try await test.sql("SELECT p.email_normalized || ' ' || s.status FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id ORDER BY 1")
            == ["anna@example.org bounced", "bohdan@example.org complained", "olena@example.org confirmed"])
        #expect(try await test.sql("SELECT kind || ' ' || status FROM bounce_reports ORDER BY id") == ["hard 5.1.1", "complaint abuse", "soft 5.2.2"])
        #expect(try await test.sql("SELECT provider || ' ' || event_id FROM mail_provider_events ORDER BY 1")
            == ["ses 22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324 anna@example.org", "ses c0b1 bohdan@example.org", "ses c0b2 olena@example.org"])
        #expect(try await test.runtime.services.directory.suppression(of: "bohdan@example.org")?.reason == .complained)
    }

    @Test func anSNSSubscriptionIsConfirmedOnlyWhenAllowedAndOnlyAtSNS() async throws {
        let sns = try await SNSSigner.make()
        // A real HTTP server on loopback in SNS's place, logging each request it answers.
        let served = try TemporaryDirectory()
        let port = try Loopback.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-u", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", served.path]
        server.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: served.file("access.log"), contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: served.file("access.log")))
        try ChildProcesses.run(server)
        defer { server.terminate() }
        for _ in 0..<200 {
            if Loopback.accepts(port) { break }
            try await Task.sleep(for: .milliseconds(50))
        }

        @Sendable func confirmation(_ url: String, at time: Date) async throws -> String {
            var fields = Self.notification("You have chosen to subscribe to the topic \(Self.topic).", id: UUID().uuidString, at: time)
            fields["Type"] = "SubscriptionConfirmation"
            fields["Token"] = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736"
            fields["SubscribeURL"] = url
            fields["UnsubscribeURL"] = nil
            return try await sns.envelope(fields)
        }
        for confirming in [false, true] {
            let test = try await TestRuntime(clock: TestClock(Date())) {
                $0.sesCertificateFile = sns.certificate
                $0.sesTopics = [Self.topic]
                $0.sesConfirmSubscriptions = confirming
            }
            defer { test.shutdown() }
            let now = test.clock.function()
            try await test.application.test(.router) { client in
                func post(_ body: String) async throws -> TestResponse {
                    try await client.execute(uri: "/v1/webhooks/mail/ses", method: .post, body: ByteBuffer(string: body))
                }
                let local = try await post(try await confirmation("http://127.0.0.1:\(port)/?Action=ConfirmSubscription&confirming=\(confirming)", at: now))
                #expect(local.status == .ok)
                #expect(String(buffer: local.body) == (confirming ? #"{"subscription":"confirmed"}"# : #"{"subscription":"pending"}"#))
                if confirming {
                    // A signed confirmation naming a URL that is not SNS's is not fetched.
                    let elsewhere = try await post(try await confirmation("https://attacker.example/?Action=ConfirmSubscription", at: now))
                    #expect(elsewhere.status == .badGateway)
                }
            }
            if !confirming {
                #expect(test.log.text.contains("open the URL, or set MASTHEAD_SES_CONFIRM_SUBSCRIPTIONS=true"))
            }
        }
        let requests = try String(contentsOfFile: served.file("access.log"), encoding: .utf8)
        #expect(requests.contains("GET /?Action=ConfirmSubscription&confirming=true"))
        #expect(!requests.contains("confirming=false"))
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

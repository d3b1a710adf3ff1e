import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mail
import MastheadRuntime
import MastheadSettings
import TestSupport
import Testing

/// The outbox worker with the SMTP mailer: bounces mark subscriptions, transient failures retry.
@Suite(.timeLimit(.minutes(3)), .enabled(if: SMTPServers.available || ProcessInfo.processInfo.environment["CI"] != nil, "aiosmtpd is not installed; Ops/test installs it"))
struct DeliveryWorkerSMTPTests {
    func runtime(_ store: StoreKind, _ url: String) async throws -> TestRuntime {
        try await TestRuntime(store: store) { $0.mailer = .smtp(try! SMTPConfiguration(url: url)) }  // a literal test URL
    }

    func state(_ test: TestRuntime) async throws -> [String] {
        try await test.sql("SELECT state || ':' || attempts FROM outbox ORDER BY id")
    }

    @Test(arguments: StoreKind.allCases) func aRefusedRecipientIsADeadLetterAndBouncesTheSubscription(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.faults(spool: directory.file("spool"), scenario: "rcpt-550")
        let test = try await runtime(store, "smtp://127.0.0.1:\(server.port)?tls=none&helo=c")
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "nobody@example.org"])
        }
        #expect(try await test.deliver() == 1)
        await #expect(try state(test) == ["dead:1"])
        let status = try await test.sql("SELECT status FROM subscriptions")
        #expect(status == ["bounced"])
        let events = try await test.sql("SELECT action FROM events ORDER BY id")
        #expect(events.last == "subscription.bounced")
        let error = try await test.sql("SELECT last_error FROM outbox")
        #expect(error.first?.contains("550 5.1.1") == true)

        // The address is now suppressed: signing up again, a day later, sends nothing.
        #expect(try await test.sql("SELECT reason FROM suppressions") == ["bounced"])
        test.clock.advance(by: 86_400)
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "nobody@example.org"])
        }
        #expect(try await test.sql("SELECT count(*) FROM outbox") == ["1"])
        #expect(try await test.sql("SELECT action FROM events ORDER BY id").last == "signup.suppressed")
    }

    @Test(arguments: StoreKind.allCases) func temporaryRefusalsAreRetriedUntilDelivered(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.faults(spool: directory.file("spool"), scenario: "greeting-421-twice")
        let test = try await runtime(store, "smtp://127.0.0.1:\(server.port)?tls=none&helo=c")
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "patient@example.org"])
        }
        #expect(try await test.deliver() == 1)
        await #expect(try state(test) == ["queued:1"])
        test.clock.advance(by: 46)  // the first backoff: 30 s plus at most half again
        #expect(try await test.deliver() == 1)
        await #expect(try state(test) == ["queued:2"])
        test.clock.advance(by: 91)
        #expect(try await test.deliver() == 1)
        await #expect(try state(test) == ["sent:3"])
        #expect(try await server.waitForMessages(1).count == 1)
        #expect(try await test.sql("SELECT status FROM subscriptions") == ["pending"])
        #expect(!test.log.text.contains("confirmation written"), "a link is never logged when the mail is real")
    }

    /// A relay that is down is probed by one message at a time instead of being dialed by every
    /// queued message; once it answers, the queue drains and nothing is sent twice.
    @Test(arguments: StoreKind.allCases) func aRelayThatIsDownIsProbedByOneMessageThenTheQueueDrains(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let port = try FreePort.find()
        let test = try await runtime(store, "smtp://127.0.0.1:\(port)?tls=none&helo=c&pool=2")
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            for number in 0..<40 { _ = try await SignupHTTP.signUp(client, ["email": "reader\(number)@example.org"]) }
        }
        func count(_ condition: String) async throws -> Int { Int(try await test.sql("SELECT count(*) FROM outbox WHERE \(condition)")[0])! }

        #expect(try await test.deliver() == 32)
        // Under way: twice the pool, those composed ahead waiting for one of its two connections.
        await #expect(try count("last_error LIKE 'cannot connect%'") <= 4, "only the messages already under way dialed")
        await #expect(try count("last_error LIKE 'not tried%'") >= 28)
        #expect(try await test.deliver() == 0, "paused: nothing is claimed")
        test.clock.advance(by: 6)
        #expect(try await test.deliver() == 1, "one message probes the relay")
        #expect(try await test.deliver() == 0)
        #expect(test.log.text.components(separatedBy: "SMTP relay").count - 1 == 2, "one line when it went down, one per failed probe")
        #expect(!test.log.text.contains("outbox delivery failed"), "no line per message")

        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"), ["--port", "\(port)"])
        test.clock.advance(by: 11)
        #expect(try await test.deliver() == 1, "the probe gets through")
        while try await test.deliver() > 0 {}
        let received = try await server.waitForMessages(40)
        #expect(received.count == 40)
        #expect(Set(received.compactMap { ($0.envelope["rcpt_tos"] as? [String])?.first }).count == 40, "nothing sent twice")
        await #expect(try count("state = 'sent'") == 40)
        #expect(test.log.text.contains("SMTP relay available again"))
    }

    @Test(arguments: StoreKind.allCases) func metricsCountDeliveriesAndShowTheQueue(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let server = try await SMTPTestServer.faults(spool: directory.file("spool"), scenario: "rcpt-550")
        let test = try await runtime(store, "smtp://127.0.0.1:\(server.port)?tls=none&helo=c")
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "a@example.org"])
            _ = try await SignupHTTP.signUp(client, ["email": "b@example.org"])
            let before = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(before.contains("masthead_outbox_queue_depth 2"))
            try await test.deliver()
            let after = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(after.contains("masthead_outbox_queue_depth 0"))
            #expect(after.contains("masthead_outbox_dead 2"))
            #expect(after.contains("masthead_mail_failed_total 2"))
            #expect(after.contains("masthead_mail_dead_total 2"))
        }
    }
}

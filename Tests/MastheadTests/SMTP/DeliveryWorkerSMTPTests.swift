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
@Suite(.timeLimit(.minutes(2)), .enabled(if: SMTPServers.available || ProcessInfo.processInfo.environment["CI"] != nil, "aiosmtpd is not installed; Ops/test installs it"))
struct DeliveryWorkerSMTPTests {
    func runtime(_ store: StoreKind, _ url: String) async throws -> TestRuntime {
        try await TestRuntime(store: store) { $0.mailer = .smtp(try! SMTPConfiguration(url: url)) }  // a literal test URL
    }

    func state(_ test: TestRuntime) throws -> [String] {
        try test.sql("SELECT state || ':' || attempts FROM outbox ORDER BY id")
    }

    @Test(arguments: StoreKind.allCases) func aRefusedRecipientIsADeadLetterAndBouncesTheSubscription(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let server = try SMTPTestServer.faults(spool: directory.file("spool"), scenario: "rcpt-550")
        let test = try await runtime(store, "smtp://127.0.0.1:\(server.port)?tls=none&helo=c")
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "nobody@example.org"])
        }
        #expect(try await test.deliver() == 1)
        #expect(try state(test) == ["dead:1"])
        let status = try test.sql("SELECT status FROM subscriptions")
        #expect(status == ["bounced"])
        let events = try test.sql("SELECT action FROM events ORDER BY id")
        #expect(events.last == "subscription.bounced")
        let error = try test.sql("SELECT last_error FROM outbox")
        #expect(error.first?.contains("550 5.1.1") == true)

        // The address is now suppressed: signing up again, a day later, sends nothing.
        #expect(try test.sql("SELECT reason FROM suppressions") == ["bounced"])
        test.clock.advance(by: 86_400)
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "nobody@example.org"])
        }
        #expect(try test.sql("SELECT count(*) FROM outbox") == ["1"])
        #expect(try test.sql("SELECT action FROM events ORDER BY id").last == "signup.suppressed")
    }

    @Test(arguments: StoreKind.allCases) func temporaryRefusalsAreRetriedUntilDelivered(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let server = try SMTPTestServer.faults(spool: directory.file("spool"), scenario: "greeting-421-twice")
        let test = try await runtime(store, "smtp://127.0.0.1:\(server.port)?tls=none&helo=c")
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            _ = try await SignupHTTP.signUp(client, ["email": "patient@example.org"])
        }
        #expect(try await test.deliver() == 1)
        #expect(try state(test) == ["queued:1"])
        test.clock.advance(by: 46)  // the first backoff: 30 s plus at most half again
        #expect(try await test.deliver() == 1)
        #expect(try state(test) == ["queued:2"])
        test.clock.advance(by: 91)
        #expect(try await test.deliver() == 1)
        #expect(try state(test) == ["sent:3"])
        #expect(try await server.waitForMessages(1).count == 1)
        #expect(try test.sql("SELECT status FROM subscriptions") == ["pending"])
    }

    @Test(arguments: StoreKind.allCases) func metricsCountDeliveriesAndShowTheQueue(_ store: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let server = try SMTPTestServer.faults(spool: directory.file("spool"), scenario: "rcpt-550")
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

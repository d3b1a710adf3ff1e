import Foundation
import Logging
import MastheadRuntime
import MastheadSettings
import Metrics
import NewsletterSignup
import Prometheus
import SubscriberLists
import Testing

/// Retention on an injected clock: a sign-up nobody confirmed is erased once its confirmation
/// link expired and the grace period passed; a confirmed reader is kept.
@Suite(.timeLimit(.minutes(3))) struct PendingRetentionTests {
    static let client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140")

    @Test(arguments: StoreKind.allCases) func aNeverConfirmedSignUpGoesAfterTheWindowAndGrace(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.pendingRetentionGrace = .seconds(2 * 86_400) }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        try await test.newsletter("weekend-reads")
        let signup = test.runtime.services.signup
        for email in ["pending@example.org", "reader@example.org"] {
            try await signup.signUp(SignupRequest(email: email, newsletters: ["ukraine-daily"], client: Self.client))
        }
        try await test.deliver()
        let confirmation = try await ParsedEmail.parse(try #require(try test.emails().first { try String(contentsOfFile: $0, encoding: .utf8).contains("reader@example.org") }))
        _ = try await signup.confirm(token: try #require(confirmation.link("/v1/confirm")).token, client: Self.client)
        // The confirmed reader also left a second sign-up unconfirmed: it is kept with them.
        try await signup.signUp(SignupRequest(email: "reader@example.org", newsletters: ["weekend-reads"], client: Self.client))

        let sweeper = test.runtime.retentionSweeper
        test.clock.advance(by: 9 * 86_400 - 60)  // 7 days' link + 2 days' grace, less a minute
        #expect(await sweeper.sweep() == 0)
        test.clock.advance(by: 120)
        #expect(await sweeper.sweep() == 1)
        #expect(try await test.sql("SELECT email_normalized FROM subscribers") == ["reader@example.org"])
        #expect(try await test.sql("SELECT count(*) FROM consent_records") == ["2"])
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE recipient = 'pending@example.org'") == ["0"])
        #expect(try await test.sql("SELECT count(*) FROM events WHERE details LIKE '%pending@%'") == ["0"])
        #expect(try await test.sql("SELECT details FROM events WHERE action = 'subscribers.retention_erased'").first?.contains(#""count":"1""#) == true)
        #expect(await sweeper.sweep() == 0, "a second sweep finds nothing")
        // Not suppressed: the person may sign up again.
        let again = try await signup.signUp(SignupRequest(email: "pending@example.org", newsletters: ["ukraine-daily"], client: Self.client))
        #expect(again.plan.reason == "confirmation_queued")

        var bytes: [UInt8] = []
        test.runtime.metrics.emit(into: &bytes)
        let metrics = String(decoding: bytes, as: UTF8.self)
        #expect(metrics.contains("masthead_retention_erased_total 1"))
        #expect(test.log.text.contains("retention erased sign-ups nobody confirmed"))
    }

    @Test func theDaemonSweepsOnItsSchedule() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        try await test.runtime.services.signup.signUp(
            SignupRequest(email: "pending@example.org", newsletters: ["ukraine-daily"], client: Self.client))
        test.clock.advance(by: 15 * 86_400)
        let sweeper = PendingRetentionSweeper(
            directory: test.runtime.services.directory, retention: PendingRetention(confirmationLifetime: .seconds(7 * 86_400), grace: .seconds(7 * 86_400)),
            interval: .milliseconds(20), firstDelay: .milliseconds(20), metrics: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()),
            logger: test.log.logger)
        let running = Task { try await sweeper.run() }
        let deadline = Date().addingTimeInterval(20)
        while try await test.sql("SELECT count(*) FROM subscribers") != ["0"], Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        try await running.value
        #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["0"])
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import SideEffects
import SubscriberLists
import Testing
import TestSupport
import Webhooks

/// Outgoing webhooks end to end, on both stores: changes made through the real router queue
/// their events in the change's transaction, the webhook worker posts them over real HTTP to
/// `Tests/webhooks/receiver.py`, which checks each signature with the `standardwebhooks`
/// package (PyPI), independently of Masthead's own signing code.
@Suite(.timeLimit(.minutes(3)))
struct WebhookDeliveryTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// A runtime on the real clock (receivers refuse signatures more than 5 minutes off), a
    /// newsletter, a receiver and an endpoint for `events`.
    static func withReceiver(
        _ store: StoreKind, events: [String] = ["*"], retryWindow: Duration = .seconds(259_200), operatorEmail: String? = nil,
        _ body: (TestRuntime, WebhookReceiver, WebhookEndpoint) async throws -> Void
    ) async throws {
        let test = try await TestRuntime(store: store, clock: TestClock(Date())) { configuration in
            configuration.webhookRetryWindow = retryWindow
            configuration.operatorEmail = operatorEmail
        }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        let receiver = try await WebhookReceiver(in: test.directory.path, secret: secret)
        let endpoint = try await test.runtime.services.webhooks.add(
            url: receiver.url, events: events, description: "test", secret: secret, actor: "test")
        do {
            try await body(test, receiver, endpoint)
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    /// Runs the webhook worker until the receiver got `count` requests (or 10 s passed).
    @discardableResult
    static func deliver(_ test: TestRuntime, _ receiver: WebhookReceiver, until count: Int) async throws -> [WebhookReceiver.Received] {
        for _ in 0..<100 where receiver.received().count < count {
            try await test.runtime.webhookWorker.deliverDue()
            try await Task.sleep(for: .milliseconds(100))
        }
        return receiver.received()
    }

    @Test(arguments: StoreKind.allCases) func aReadersJourneyIsFourSignedEventsInOrder(_ store: StoreKind) async throws {
        try await Self.withReceiver(store) { test, receiver, _ in
            // The worker runs between the steps, as the daemon's does all along: an erasure drops
            // the events about the address that are still waiting (its own event supersedes them).
            try await test.application.test(.router) { client in
                #expect(try await SignupHTTP.signUp(client, ["email": "Reader@Example.org", "newsletters": ["ukraine-daily"]]).status == .accepted)
                try await Self.deliver(test, receiver, until: 1)
                test.clock.advance(by: 1)  // the test's clock stands still otherwise: events one second apart
                try await test.deliver()
                let email = try await ParsedEmail.parse(try test.emails()[0])
                let token = try #require(email.link("/v1/confirm")).token
                _ = try await client.execute(
                    uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": token]))
                try await Self.deliver(test, receiver, until: 2)
                test.clock.advance(by: 1)
                let unsubscribe = try #require(email.link("/v1/unsubscribe")).token
                #expect(try await client.execute(uri: "/v1/unsubscribe?token=\(unsubscribe)", method: .post).status == .ok)
                try await Self.deliver(test, receiver, until: 3)
                test.clock.advance(by: 1)
            }
            _ = try await test.runtime.services.directory.erase("reader@example.org", actor: "admin:test")
            let received = try await Self.deliver(test, receiver, until: 4)
            let types = received.sorted { $0.timestamp < $1.timestamp }.map(\.type)
            #expect(types == ["subscriber.pending", "subscriber.confirmed", "subscriber.unsubscribed", "subscriber.erased"])
            #expect(received.allSatisfy { $0.verified }, "every signature verifies with the standardwebhooks library")
            #expect(Set(received.map(\.id)).count == 4)
            for event in received where event.type != "subscriber.erased" {
                #expect(event.data["email"] as? String == "reader@example.org")
                #expect(event.data["newsletters"] as? [String] == ["ukraine-daily"])
            }
            // The erasure names no address, only its hash; and the log keeps no event naming it.
            let erased = try #require(received.first { $0.type == "subscriber.erased" })
            #expect(erased.data["email"] == nil && (erased.data["address_hash"] as? String)?.count == 64)
            #expect(try await test.sql("SELECT count(*) FROM webhook_deliveries WHERE payload LIKE '%reader@example.org%'") == ["0"])
            // Nothing more arrives: exactly those four.
            try await test.runtime.webhookWorker.deliverDue()
            #expect(receiver.received().count == 4)
            try await test.application.test(.router) { client in
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(metrics.contains(#"masthead_webhook_deliveries_total{endpoint="1",outcome="delivered"} 4"#), "\(metrics)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func aSimulatedPledgeIsCreatedThenSucceeded(_ store: StoreKind) async throws {
        try await Self.withReceiver(store, events: ["pledge.created", "pledge.succeeded"]) { test, receiver, _ in
            try await PledgeHTTP.live(test) { client in
                let created = try await PledgeHTTP.create(client, ["email": "anna@example.org", "amount": "5", "currency": "USD"])
                #expect(created.status == .created)
                test.clock.advance(by: 1)  // the test's clock stands still otherwise: events one second apart
                _ = try await PledgeHTTP.pay(client, try PledgeHTTP.checkoutPath(created), brand: "visa", outcome: "succeeded")
            }
            let received = try await Self.deliver(test, receiver, until: 2)
            #expect(received.sorted { $0.timestamp < $1.timestamp }.map(\.type) == ["pledge.created", "pledge.succeeded"])
            #expect(received.allSatisfy { $0.verified })
            let succeeded = try #require(received.first { $0.type == "pledge.succeeded" })
            #expect(succeeded.data["amount_minor"] as? Int == 500 && succeeded.data["currency"] as? String == "USD")
            #expect(succeeded.data["status"] as? String == "succeeded" && succeeded.data["email"] as? String == "anna@example.org")
        }
    }

    @Test(arguments: StoreKind.allCases) func aReceiverDownForAWhileGetsEverythingOnceItIsBack(_ store: StoreKind) async throws {
        try await Self.withReceiver(store) { test, receiver, endpoint in
            let port = receiver.port
            await receiver.stop()
            try await test.application.test(.router) { client in
                for index in 1...3 {
                    _ = try await SignupHTTP.signUp(client, ["email": "reader\(index)@example.org", "newsletters": ["ukraine-daily"]])
                }
            }
            try await test.runtime.webhookWorker.deliverDue()
            let waiting = try await test.runtime.services.webhooks.deliveries(endpoint: endpoint.id, failedOnly: false, limit: 10)
            #expect(waiting.count == 3 && waiting.allSatisfy { $0.state == .pending && $0.attempts == 1 && $0.lastError != nil })
            // Not due again before the backoff.
            #expect(try await test.runtime.webhookWorker.deliverDue() == 0)

            let back = try await WebhookReceiver(in: test.directory.path, secret: Self.secret, port: port)
            test.clock.advance(by: 30)
            #expect(try await test.runtime.store.webhookQueueStatus(at: test.clock.now).oldestDueAge >= 30, "the queue-age gauge")
            let received = try await Self.deliver(test, back, until: 3)
            #expect(received.count == 3 && received.allSatisfy { $0.verified })
            let log = try await test.runtime.services.webhooks.deliveries(endpoint: endpoint.id, failedOnly: false, limit: 10)
            #expect(log.allSatisfy { $0.state == .delivered && $0.attempts == 2 })
            #expect(Set(received.map(\.id)) == Set(log.map { "msg_\($0.id)" }), "the webhook-id a retry carries is the first attempt's")
            await back.stop()
        }
    }

    @Test(arguments: StoreKind.allCases) func aReceiverFailingForTheWholeWindowIsPausedAndReplayResends(_ store: StoreKind) async throws {
        try await Self.withReceiver(store, retryWindow: .seconds(600), operatorEmail: "ops@example.org") { test, receiver, endpoint in
            receiver.setFailing(true)
            try await test.application.test(.router) { client in
                _ = try await SignupHTTP.signUp(client, ["email": "reader@example.org", "newsletters": ["ukraine-daily"]])
            }
            try await Self.deliver(test, receiver, until: 1)
            for _ in 0..<12 {
                test.clock.advance(by: 120)
                try await test.runtime.webhookWorker.deliverDue()
            }
            let webhooks = test.runtime.services.webhooks
            let paused = try await webhooks.endpoint(endpoint.id)
            #expect(paused.isPaused && paused.pausedReason == "failing")
            #expect(try await test.runtime.store.webhookQueueStatus(at: test.clock.now).pausedEndpoints == 1, "the paused gauge")
            let failed = try await webhooks.deliveries(endpoint: endpoint.id, failedOnly: true, limit: 10)
            #expect(failed.count == 1 && failed[0].lastStatus == 500)
            #expect(try await test.sql("SELECT action FROM events WHERE action = 'webhook.paused'") == ["webhook.paused"])
            // The operator is told once, by email through the outbox.
            try await test.deliver()
            var alerts: [ParsedEmail] = []
            for file in try test.emails() {
                let email = try await ParsedEmail.parse(file)
                if (email.header("Subject") ?? "").contains("Webhook endpoint \(endpoint.id) paused") { alerts.append(email) }
            }
            #expect(alerts.count == 1 && alerts.first?.header("To") == "ops@example.org")
            #expect(alerts.first?.text.contains("masthead webhooks resume \(endpoint.id)") == true)

            // Paused: a new event is held, not sent.
            let before = receiver.received().count
            try await test.application.test(.router) { client in
                _ = try await SignupHTTP.signUp(client, ["email": "second@example.org", "newsletters": ["ukraine-daily"]])
            }
            #expect(try await test.runtime.webhookWorker.deliverDue() == 0)
            #expect(receiver.received().count == before)

            // Fixed and resumed: the held event goes; the failed one goes once replayed.
            receiver.setFailing(false)
            test.clock.advance(by: -12 * 120)  // back to the real time the receiver checks signatures against
            _ = try await webhooks.resume(endpoint.id, actor: "admin:test")
            #expect(try await webhooks.replayFailed(endpoint: endpoint.id) == 1)
            let received = try await Self.deliver(test, receiver, until: before + 2)
            let delivered = received.dropFirst(before)
            #expect(Set(delivered.map { $0.data["email"] as? String ?? "" }) == ["reader@example.org", "second@example.org"])
            #expect(delivered.allSatisfy { $0.answered == 204 })
        }
    }

    @Test func aRotatedSecretSignsBesideTheOldOneUntilTheOverlapEnds() async throws {
        try await Self.withReceiver(.sqlite) { test, receiver, endpoint in
            let newSecret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
            let webhooks = test.runtime.services.webhooks
            _ = try await webhooks.rotateSecret(endpoint.id, to: newSecret, overlap: .seconds(3600), actor: "admin:test")
            try await test.application.test(.router) { client in
                _ = try await SignupHTTP.signUp(client, ["email": "first@example.org", "newsletters": ["ukraine-daily"]])
            }
            // The receiver still knows only the old secret: the message verifies, and carries two signatures.
            let first = try await Self.deliver(test, receiver, until: 1)
            #expect(first.count == 1 && first[0].verified && first[0].signatures == 2)
            await receiver.stop()

            // The receiver switches to the new secret alone.
            let switched = try await WebhookReceiver(in: test.directory.path, secret: newSecret, port: receiver.port)
            try await test.application.test(.router) { client in
                _ = try await SignupHTTP.signUp(client, ["email": "second@example.org", "newsletters": ["ukraine-daily"]])
            }
            let second = try await Self.deliver(test, switched, until: 2)
            #expect(second.count == 2 && second[1].verified)
            await switched.stop()
            #expect(try await webhooks.endpoint(endpoint.id).signingSecrets(at: test.clock.now.addingTimeInterval(3601)) == [newSecret])
        }
    }

    @Test(arguments: StoreKind.allCases) func aRolledBackChangeSendsNoEvent(_ store: StoreKind) async throws {
        try await Self.withReceiver(store) { test, receiver, endpoint in
            // An injected failure after the delivery row is written, in the same transaction: the
            // confirmation's audit record cannot be inserted.
            switch store {
            case .sqlite:
                _ = try await test.sql("""
                    CREATE TRIGGER refuse_confirmation BEFORE INSERT ON events WHEN NEW.action = 'subscription.confirmed'
                    BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                    """)
            case .postgres:
                _ = try await test.sql("""
                    CREATE FUNCTION refuse_confirmation() RETURNS trigger AS $$ BEGIN
                    IF NEW.action = 'subscription.confirmed' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$
                    LANGUAGE plpgsql
                    """)
                _ = try await test.sql("""
                    CREATE TRIGGER refuse_confirmation BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_confirmation()
                    """)
            }
            try await test.application.test(.router) { client in
                _ = try await SignupHTTP.signUp(client, ["email": "reader@example.org", "newsletters": ["ukraine-daily"]])
                try await test.deliver()
                let token = try #require(try await ParsedEmail.parse(try test.emails()[0]).link("/v1/confirm")).token
                let confirmed = try await client.execute(
                    uri: "/v1/confirm", method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["token": token]))
                #expect(confirmed.status.code >= 500, "the confirmation failed in its transaction")
            }
            let types = try await test.runtime.services.webhooks.deliveries(endpoint: endpoint.id, failedOnly: false, limit: 10)
                .map(\.eventType)
            #expect(types == ["subscriber.pending"], "the committed sign-up's event, and nothing of the rolled-back confirmation")
            #expect(try await test.sql("SELECT status FROM subscriptions") == ["pending"])
        }
    }
}

import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import PaymentProviders
import Signing
import Testing

/// `POST /v1/webhooks/payments`: signature first, each event once, never backwards.
@Suite(.timeLimit(.minutes(3))) struct PaymentWebhookTests {
    /// A pending pledge made through the API; returns its public id.
    func pledge(_ client: some TestClientProtocol, interval: String = "once") async throws -> String {
        let created = try await PledgeHTTP.create(client, ["email": "a@example.org", "amount": "5", "interval": interval])
        return try #require(try SignupHTTP.object(created)["pledge"] as? String)
    }

    func event(_ test: TestRuntime, _ kind: PaymentEvent.Kind, _ pledge: String, id: String, at offset: TimeInterval) -> PaymentEvent {
        PaymentEvent(
            id: id, kind: kind, pledge: pledge, occurredAt: test.clock.now.addingTimeInterval(offset), amountMinor: 500, currency: "USD",
            card: CardSummary(brand: "amex", last4: "0005"))
    }

    @Test(arguments: StoreKind.allCases) func badSignaturesAndStaleTimestampsAreRefused(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let id = try await pledge(client)
            let (body, signature) = test.simulated.signedEvent(event(test, .paymentSucceeded, id, id: "evt_1", at: 0))
            var tampered = body
            tampered[tampered.count / 2] ^= 1
            let otherSecret = WebhookSignature.header(for: body, secret: Array(repeating: 7, count: 32), at: test.clock.now)
            let stale = WebhookSignature.header(
                for: body, secret: Services.simulatedWebhookSecret(test.runtime.keys), at: test.clock.now.addingTimeInterval(-301))
            for (payload, header) in [(tampered, signature), (body, otherSecret), (body, stale), (body, nil), (body, "t=abc,v1=00")] {
                let response = try await PledgeHTTP.webhook(client, body: payload, signature: header)
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            #expect(try await test.pledge(id)?.status == .pending)
            // The genuine one still works, and a signature made a few seconds ago is within the tolerance.
            let recent = WebhookSignature.header(for: body, secret: Services.simulatedWebhookSecret(test.runtime.keys), at: test.clock.now.addingTimeInterval(-60))
            #expect(try await PledgeHTTP.webhook(client, body: body, signature: recent).status == .ok)
            #expect(try await test.pledge(id)?.status == .succeeded)
        }
        #expect(test.log.text.contains("payment webhook refused"))
    }

    /// Numbers no provider sends: refused with a 400 before anything reads them, and a signed
    /// `created` of `Int64.max` (which crashed the daemon, and again on each retry) is one of
    /// them (hardening, item 5).
    @Test(arguments: StoreKind.allCases) func outOfRangeNumbersAreRefusedAndNothingMoves(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let id = try await pledge(client)
            func signed(created: Int64, amount: Int64 = 500) -> (body: [UInt8], signature: String) {
                let body = Array(
                    #"{"created":\#(created),"data":{"amount_minor":\#(amount),"currency":"USD","pledge":"\#(id)"},"id":"evt_\#(created)_\#(amount)","type":"payment_succeeded"}"#
                        .utf8)
                return (body, WebhookSignature.header(for: body, secret: Services.simulatedWebhookSecret(test.runtime.keys), at: test.clock.now))
            }
            let now = Int64(test.clock.now.timeIntervalSince1970)
            let refused = [
                signed(created: .max), signed(created: .max), signed(created: -1), signed(created: 4_102_444_800),
                signed(created: now - 31 * 86_400), signed(created: now, amount: -5), signed(created: now, amount: .max),
            ]
            for (body, signature) in refused {
                let response = try await PledgeHTTP.webhook(client, body: body, signature: signature)
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            #expect(try await test.pledge(id)?.status == .pending)
            // The provider's clock may run a little behind ours: an event dated before the pledge still moves it.
            let (body, signature) = signed(created: now - 10)
            #expect(try await PledgeHTTP.webhook(client, body: body, signature: signature).status == .ok)
            #expect(try await test.pledge(id)?.status == .succeeded)
        }
        #expect(try await test.sql("SELECT count(*) FROM payment_events") == ["1"], "no refused event was recorded")
    }

    @Test(arguments: StoreKind.allCases) func aReplayedEventChangesNothing(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let id = try await pledge(client)
            let (body, signature) = test.simulated.signedEvent(event(test, .paymentSucceeded, id, id: "evt_once", at: 0))
            for _ in 1...3 { #expect(try await PledgeHTTP.webhook(client, body: body, signature: signature).status == .ok) }
        }
        #expect(try await test.sql("SELECT count(*) FROM pledge_payments") == ["1"])
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'receipt'") == ["1"])
        #expect(try await test.sql("SELECT count(*) FROM payment_events") == ["1"])
    }

    @Test(arguments: StoreKind.allCases) func eventsArrivingOutOfOrderNeverMoveAPledgeBack(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            // Paid, then a declined attempt from before it arrives late: still succeeded.
            let once = try await pledge(client)
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentSucceeded, once, id: "e1", at: 10))
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentFailed, once, id: "e2", at: 5))
            #expect(try await test.pledge(once)?.status == .succeeded)

            // Declined then paid on a second try: the payment wins.
            let retried = try await pledge(client)
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentFailed, retried, id: "e3", at: 5))
            #expect(try await test.pledge(retried)?.status == .failed)
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentSucceeded, retried, id: "e4", at: 10))
            #expect(try await test.pledge(retried)?.status == .succeeded)

            // Declined at 10, then a cancellation stamped 5 arrives: older than the last change, ignored.
            let abandoned = try await pledge(client)
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentFailed, abandoned, id: "e5", at: 10))
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .canceled, abandoned, id: "e6", at: 5))
            #expect(try await test.pledge(abandoned)?.status == .failed)

            // Monthly: canceled, then a late decline: still canceled.
            let monthly = try await pledge(client, interval: "monthly")
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentSucceeded, monthly, id: "e7", at: 1))
            #expect(try await test.pledge(monthly)?.status == .active)
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .canceled, monthly, id: "e8", at: 20))
            _ = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentFailed, monthly, id: "e9", at: 15))
            #expect(try await test.pledge(monthly)?.status == .canceled)

            // Types we do not act on, and unknown pledges, are acknowledged and logged.
            let unknownType = try await PledgeHTTP.webhook(client, test.simulated, event(test, .other("charge.dispute.created"), once, id: "e10", at: 30))
            #expect(unknownType.status == .ok)
            let unknownPledge = try await PledgeHTTP.webhook(client, test.simulated, event(test, .paymentSucceeded, "pl_nosuchpledge", id: "e11", at: 30))
            #expect(unknownPledge.status == .ok)
        }
        #expect(test.log.text.contains("outcome=unhandled type charge.dispute.created"))
        #expect(test.log.text.contains("outcome=moved pending -> succeeded"))
        // Log lines are for people: no Swift type names (`DonationPledges.PledgeStatus.pending`).
        #expect(!test.log.text.contains("DonationPledges."))
        #expect(test.log.text.firstMatch(of: /[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+\.[a-z]/) == nil)
        #expect(try await test.sql("SELECT outcome FROM payment_events WHERE event_id = 'e2'") == ["ignored: succeeded cannot become failed"])
        #expect(try await test.sql("SELECT outcome FROM payment_events WHERE event_id = 'e6'") == ["ignored: older than the last change"])
    }
}


import DonationPledges
import Foundation
import PaymentProviders
import Signing
import Testing

/// The simulated provider's events, as its webhook reads them: every field of its type, the
/// optional ones absent, null or of their type; anything else is a malformed event.
@Suite struct SimulatedEventTests {
    static let provider = WebhookBodyFuzzProperty.provider
    static let now = WebhookBodyFuzzProperty.now

    func parse(_ json: String) throws(WebhookRejection) -> PaymentEvent {
        let body = Array(json.utf8)
        return try Self.provider.parseWebhook(
            body: body, signatureHeader: WebhookSignature.header(for: body, secret: WebhookBodyFuzzProperty.secret, at: Self.now),
            at: Self.now)
    }

    @Test func fullAndSparseEventsAreRead() throws {
        let full = try parse(
            #"{"created":1767225600,"data":{"amount_minor":500,"card":{"brand":"visa","last4":"4242"},"currency":"USD","pledge":"pl_1"},"#
                + #""id":"evt_1","type":"payment_succeeded"}"#)
        #expect(full.id == "evt_1" && full.pledge == "pl_1" && full.amountMinor == 500 && full.currency == "USD")
        #expect(full.card == CardSummary(brand: "visa", last4: "4242"))
        #expect(full.occurredAt == Self.now)
        let sparse = try parse(#"{"id":"evt_2","type":"payment_failed","created":1767225600,"data":{"pledge":"pl_1","amount_minor":null}}"#)
        #expect(sparse.amountMinor == nil && sparse.currency == nil && sparse.card == nil)
    }

    @Test(arguments: [
        #"{"id":"evt_1","type":"payment_succeeded","created":1767225600.5,"data":{"pledge":"pl_1"}}"#,
        #"{"id":"evt_1","type":"payment_succeeded","created":"1767225600","data":{"pledge":"pl_1"}}"#,
        #"{"id":"evt_1","type":"payment_succeeded","created":1767225600,"data":{"pledge":"pl_1","amount_minor":"500"}}"#,
        #"{"id":"evt_1","type":"payment_succeeded","created":1767225600,"data":{"pledge":"pl_1","currency":5}}"#,
        #"{"id":"evt_1","type":"payment_succeeded","created":1767225600,"data":{"pledge":"pl_1","card":{"brand":"visa"}}}"#,
        #"{"id":"evt_1","type":"payment_succeeded","created":1767225600,"data":{"pledge":7}}"#,
        #"{"id":"evt_1","type":"payment_succeeded","created":1767225600}"#,
        #"[]"#,
    ])
    func aFieldOfTheWrongTypeIsAMalformedEvent(_ json: String) {
        do {
            let event = try parse(json)
            Issue.record("accepted \(event)")
        } catch {
            if case .malformedEvent = error { return }
            Issue.record("refused as \(error)")
        }
    }
}

// The webhook-body fuzzer's property, and the test that replays its seed corpus and every input
// it ever crashed on. Ops/fuzz's target FuzzWebhookBody compiles this same file (a symlink, built
// with FUZZING defined, which hides the suite), so the property is written once.
import DonationPledges
import Foundation
import Logging
import PaymentProviders
import SideEffects
import Signing
import SubscriberLists
#if !FUZZING
import Testing
import TestSupport
#endif

/// What must hold for any body a payment provider posts, beyond not crashing: a correctly
/// signed body is either refused as malformed or becomes an event with sane numbers, which the
/// provider would send back byte for byte the same way; and the path every accepted event takes
/// next (checked against the clock, planned against each kind of pledge, its effects and its
/// time written down) never traps. A past bug: `created` = Int64.max crashed through a
/// Double → Int64 conversion.
enum WebhookBodyFuzzProperty {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let secret = Array("whsec_fuzz_webhook".utf8)
    static let provider = SimulatedProvider(
        secrets: [secret], publicURL: "http://127.0.0.1:8080",
        webhookURL: { "http://127.0.0.1:8080/v1/webhooks/payments" }, now: { now },
        logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))

    /// Nil when the property holds for `body`; otherwise what broke.
    static func check(_ body: [UInt8]) -> String? {
        // Signed as the provider signs, so every input gets past the signature to the decoder.
        let header = WebhookSignature.header(for: body, secret: secret, at: now)
        let event: PaymentEvent
        do {
            event = try provider.parseWebhook(body: body, signatureHeader: header, at: now)
        } catch {
            guard case .malformedEvent = error else { return "a correctly signed body was refused: \(error)" }
            return nil
        }
        guard !event.id.isEmpty, event.id.utf8.count <= 100, !event.pledge.isEmpty else { return "accepted \(event)" }
        let seconds = event.occurredAt.timeIntervalSince1970
        guard (0...253_402_300_799).contains(seconds), seconds == seconds.rounded(.down) else {
            return "accepted a time of \(seconds) s"
        }
        let (again, signature) = provider.signedEvent(event)
        guard (try? provider.parseWebhook(body: again, signatureHeader: signature, at: now)) == event else {
            return "\(event) does not survive the provider's own encoding"
        }
        guard let checked = try? event.checked(at: now) else { return nil }
        guard Timestamp.parse(Timestamp.format(checked.occurredAt)) == checked.occurredAt else {
            return "the event's time \(seconds) s is not written down exactly"
        }
        for pledge in pledges(for: checked.pledge) {
            let plan = checked.plan(for: pledge, lastChange: now.addingTimeInterval(-3600))
            if let move = plan.move, !pledge.status.canMove(to: move, interval: pledge.interval) {
                return "\(checked.kind) moves a \(pledge.interval) pledge from \(pledge.status) to \(move)"
            }
            if plan.recordsPayment, checked.kind != .paymentSucceeded { return "\(checked.kind) records a payment" }
            let actions = plan.effects(of: checked, on: pledge, address: "reader@example.org", at: now).audit.map(\.action)
            if plan.recordsPayment, !actions.contains("pledge.payment_received") { return "a payment left no audit record" }
            if let move = plan.move, !actions.contains("pledge.\(move.rawValue)") { return "a move left no audit record" }
        }
        return nil
    }

    /// A pledge in every state and interval, in a currency with and without minor units, and one
    /// whose reader was erased (no receipt).
    static func pledges(for publicID: String) -> [Pledge] {
        var pledges: [Pledge] = []
        for status in PledgeStatus.allCases {
            for interval in PledgeInterval.allCases {
                for (code, email) in [("USD", "reader@example.org"), ("JPY", ErasedAddress.placeholder)] {
                    guard let currency = Currency.named(code) else { continue }
                    pledges.append(Pledge(
                        id: 1, publicID: publicID, email: email, name: nil, amount: Money(minorUnits: 500, currency: currency),
                        interval: interval, tier: nil, status: status, card: nil, checkoutURL: nil, returnURL: nil,
                        provider: provider.name, createdAt: now.addingTimeInterval(-7200), updatedAt: now.addingTimeInterval(-3600)))
                }
            }
        }
        return pledges
    }
}

#if !FUZZING
/// Every seed and every saved crash input of the webhook-body fuzzer, without the fuzzer.
@Suite struct FuzzCorpusTests {
    @Test func everySeedAndRegressionKeepsTheWebhookBodyProperty() throws {
        let (count, failures) = try FuzzInputs.replay("FuzzWebhookBody", through: WebhookBodyFuzzProperty.check)
        #expect(count > 0, "no corpus found under Ops/fuzz/corpus/FuzzWebhookBody")
        #expect(failures.isEmpty, "\(failures)")
    }
}

#endif

import DonationPledges
import Foundation
import SideEffects
import SubscriberLists
import Testing

/// What a provider's event does to a pledge, and what it leaves: the payment's record and
/// receipt, the move's record.
@Suite struct PaymentEventPlanTests {
    static let created = Date(timeIntervalSince1970: 1_795_618_800)
    static let usd = Currency.named("USD")!  // A currency of the ISO table: always there.

    static func pledge(_ interval: PledgeInterval = .once, status: PledgeStatus = .pending, email: String = "Anna@Example.org") -> Pledge {
        Pledge(
            id: 4, publicID: "pl_abc", email: email, name: "Anna", amount: Money(minorUnits: 500, currency: usd), interval: interval,
            tier: nil, status: status, card: nil, checkoutURL: nil, returnURL: nil, provider: "simulated", createdAt: created,
            updatedAt: created)
    }

    func event(_ kind: PaymentEvent.Kind, after seconds: TimeInterval = 60) -> PaymentEvent {
        PaymentEvent(
            id: "evt_1", kind: kind, pledge: "pl_abc", occurredAt: Self.created.addingTimeInterval(seconds), amountMinor: 500,
            currency: "USD", card: CardSummary(brand: "visa", last4: "4242"))
    }

    @Test func aFirstPaymentMovesThePledgeAndQueuesAReceipt() throws {
        let pledge = Self.pledge()
        let event = event(.paymentSucceeded)
        let plan = event.plan(for: pledge, lastChange: Self.created)
        #expect(plan.move == .succeeded)
        #expect(plan.outcome == .moved(from: .pending, to: .succeeded))
        let effects = plan.effects(of: event, on: pledge, address: "anna@example.org", at: Self.created.addingTimeInterval(61))
        #expect(effects.audit.map(\.action) == ["pledge.payment_received", "pledge.succeeded"])
        #expect(effects.audit[0].details == ["amount": "$5.00", "event": "evt_1"])
        #expect(effects.audit[1].details == ["from": "pending", "event": "evt_1"])
        let receipt = try PledgeReceipt.decode(#require(effects.mail.first).payload)
        #expect(effects.mail.first?.recipient == "Anna@Example.org")
        #expect(receipt.address == "anna@example.org")
        #expect(receipt.card?.display == "Visa ending in 4242")
    }

    @Test func anErasedReaderGetsNoReceipt() {
        let pledge = Self.pledge(email: ErasedAddress.placeholder)
        let event = event(.paymentSucceeded)
        let effects = event.plan(for: pledge, lastChange: Self.created).effects(of: event, on: pledge, address: "erased", at: Self.created)
        #expect(effects.mail.isEmpty)
        #expect(effects.audit.map(\.action) == ["pledge.payment_received", "pledge.succeeded"])
    }

    @Test func aRenewalRecordsThePaymentWithoutAMove() {
        let pledge = Self.pledge(.monthly, status: .active)
        let event = event(.paymentSucceeded)
        let plan = event.plan(for: pledge, lastChange: Self.created)
        #expect(plan.move == nil)
        #expect(plan.outcome == .recorded)
        #expect(plan.effects(of: event, on: pledge, address: "anna@example.org", at: Self.created).audit.map(\.action)
            == ["pledge.payment_received"])
    }

    @Test func anEventOlderThanTheLastChangeMovesNothingAndLeavesNoRecord() {
        let pledge = Self.pledge()
        let event = event(.paymentFailed, after: -60)
        let plan = event.plan(for: pledge, lastChange: Self.created)
        #expect(plan.move == nil)
        #expect(plan.outcome == .ignored("older than the last change"))
        #expect(plan.effects(of: event, on: pledge, address: "anna@example.org", at: Self.created).isEmpty)
    }
}

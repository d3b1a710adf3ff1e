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
        #expect(effects.events.map(\.type) == ["pledge.succeeded"])
        let body = String(decoding: effects.events[0].body, as: UTF8.self)
        #expect(body.contains(#""payment":{"amount_minor":500,"event":"evt_1"}"#) && body.contains(#""status":"succeeded""#))
        #expect(effects.events[0].address == "anna@example.org")
    }

    @Test(arguments: [(PaymentEvent.Kind.paymentFailed, "pledge.failed"), (.refunded, "pledge.refunded")])
    func failuresAndRefundsAreTold(kind: PaymentEvent.Kind, type: String) {
        let pledge = Self.pledge(status: kind == .refunded ? .succeeded : .pending)
        let event = event(kind)
        let effects = event.plan(for: pledge, lastChange: Self.created).effects(of: event, on: pledge, address: "anna@example.org", at: Self.created)
        #expect(effects.events.map(\.type) == [type])
    }

    /// A provider whose clock runs ahead dates its event minutes after our now: the receipt is
    /// still due at once (queued when the event arrived), and says when the payment was made.
    @Test func aReceiptIsDueWhenTheEventArrivesNotWhenTheProviderDatesIt() throws {
        let pledge = Self.pledge()
        let event = event(.paymentSucceeded, after: 240)
        let received = Self.created.addingTimeInterval(30)
        let effects = event.plan(for: pledge, lastChange: Self.created).effects(of: event, on: pledge, address: "anna@example.org", at: received)
        let draft = try #require(effects.mail.first)
        #expect(draft.queuedAt == received)
        #expect(try PledgeReceipt.decode(draft.payload).paidAt == event.occurredAt)
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
        let effects = plan.effects(of: event, on: pledge, address: "anna@example.org", at: Self.created)
        #expect(effects.audit.map(\.action) == ["pledge.payment_received"])
        #expect(effects.events.map(\.type) == ["pledge.succeeded"], "each renewal is told")
    }

    @Test func anEventOlderThanTheLastChangeMovesNothingAndLeavesNoRecord() {
        let pledge = Self.pledge(.monthly, status: .active)
        let event = event(.canceled, after: -60)
        let plan = event.plan(for: pledge, lastChange: Self.created)
        #expect(plan.move == nil)
        #expect(plan.outcome == .ignored("older than the last change"))
        #expect(plan.effects(of: event, on: pledge, address: "anna@example.org", at: Self.created).isEmpty)
    }

    /// A refund in full and a dispute move a one-time payment; a dispute won moves it back. The
    /// money's record stays as it was (the summary subtracts a returned pledge's payments).
    @Test func aRefundOrADisputeMovesAPaidPledgeAndAWonDisputeMovesItBack() {
        let paid = Self.pledge(status: .succeeded)
        for (kind, target) in [(PaymentEvent.Kind.refunded, PledgeStatus.refunded), (.disputed, .disputed)] {
            let event = event(kind)
            let plan = event.plan(for: paid, lastChange: Self.created)
            #expect(plan.move == target && !plan.recordsPayment)
            #expect(plan.effects(of: event, on: paid, address: "anna@example.org", at: Self.created).audit.map(\.action)
                == ["pledge.\(target.rawValue)"])
        }
        let won = event(.disputeWon)
        #expect(won.plan(for: Self.pledge(status: .disputed), lastChange: Self.created).move == .succeeded)
        #expect(won.plan(for: paid, lastChange: Self.created).outcome == .ignored("a dispute won on a pledge that is succeeded"))
        // Refunded is final: a late dispute (or anything else) moves nothing.
        #expect(event(.disputed).plan(for: Self.pledge(status: .refunded), lastChange: Self.created).move == nil)
    }

    @Test func aPartialRefundOrARefundOfAMonthlyPledgeIsKeptWithoutAMove() {
        var part = event(.refunded)
        part.amountMinor = 200
        #expect(part.plan(for: Self.pledge(status: .succeeded), lastChange: Self.created).outcome == .ignored("a partial refund ($2.00)"))
        let monthly = event(.refunded).plan(for: Self.pledge(.monthly, status: .active), lastChange: Self.created)
        #expect(monthly.move == nil && monthly.outcome == .ignored("active cannot become refunded"))
        // Nor is a pledge never paid refunded.
        #expect(event(.refunded).plan(for: Self.pledge(), lastChange: Self.created).move == nil)
    }
}

/// The numbers an event may carry (hardening, item 5).
@Suite struct PaymentEventBoundsTests {
    let now = PaymentEventPlanTests.created

    func event(at offset: TimeInterval, amount: Int64? = 500) -> PaymentEvent {
        PaymentEvent(id: "evt_1", kind: .paymentSucceeded, pledge: "pl_abc", occurredAt: now.addingTimeInterval(offset), amountMinor: amount)
    }

    @Test func eventsFarInThePastOrTheFutureAreRefused() {
        #expect(throws: WebhookRejection.self) { try event(at: -31 * 86_400).checked(at: now) }
        #expect(throws: WebhookRejection.self) { try event(at: 600).checked(at: now) }
        #expect(throws: WebhookRejection.self) { try event(at: 0, amount: 0).checked(at: now) }
        #expect(throws: WebhookRejection.self) { try event(at: 0, amount: .max).checked(at: now) }
        #expect(throws: Never.self) { try event(at: -29 * 86_400).checked(at: now) }
        #expect(throws: Never.self) { try event(at: 120, amount: nil).checked(at: now) }
    }

    @Test func aPendingPledgeTakesAnEventOlderThanItself() {
        let pledge = PaymentEventPlanTests.pledge()
        let early = event(at: -10)
        #expect(early.plan(for: pledge, lastChange: now).move == .succeeded)
        let failed = PaymentEventPlanTests.pledge(status: .failed)
        #expect(early.plan(for: failed, lastChange: now).move == nil, "after a provider's change, order matters")
    }
}

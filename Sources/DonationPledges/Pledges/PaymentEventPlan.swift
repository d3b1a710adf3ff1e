public import Foundation

/// What a verified provider event does to a pledge, decided from the pledge as the store read it
/// (locked) inside the event's transaction. Every store applies the same plan.
public struct PaymentEventPlan: Sendable, Equatable {
    /// Record the money (a payment row and its receipt).
    public var recordsPayment: Bool
    /// The state the pledge moves to, if it moves.
    public var move: PledgeStatus?
    /// What to report and keep in `payment_events`.
    public var outcome: PaymentEventOutcome
}

extension PaymentEvent {
    /// The plan for `pledge`, whose status last changed at `lastChange`.
    ///
    /// Money received is recorded whatever the state (a renewal, or a payment the provider took
    /// before a cancellation reached us); a move happens only when the state machine allows it
    /// and the event is not older than the last change it made.
    public func plan(for pledge: Pledge, lastChange: Date) -> PaymentEventPlan {
        let target: PledgeStatus
        switch kind {
        case .paymentSucceeded: target = PledgeStatus.paid(pledge.interval)
        case .paymentFailed: target = .failed
        case .canceled: target = .canceled
        case .refunded: target = .refunded
        case .disputed: target = .disputed
        case .disputeWon:
            guard pledge.status == .disputed else {
                return PaymentEventPlan(
                    recordsPayment: false, move: nil, outcome: .ignored("a dispute won on a pledge that is \(pledge.status.rawValue)"))
            }
            target = .succeeded
        case .other(let type): return PaymentEventPlan(recordsPayment: false, move: nil, outcome: .unhandledType(type))
        }
        let paid = kind == .paymentSucceeded
        if paid, let currency, currency != pledge.amount.currency.code {
            return PaymentEventPlan(
                recordsPayment: false, move: nil,
                outcome: .ignored("payment in \(currency) for a pledge in \(pledge.amount.currency.code)"))
        }
        if kind == .refunded, let refunded = amountMinor, refunded < pledge.amount.minorUnits {
            return PaymentEventPlan(
                recordsPayment: false, move: nil,
                outcome: .ignored("a partial refund (\(Money(minorUnits: refunded, currency: pledge.amount.currency).formatted))"))
        }
        func stays(_ reason: String) -> PaymentEventPlan {
            PaymentEventPlan(recordsPayment: paid, move: nil, outcome: paid ? .recorded : .ignored(reason))
        }
        guard pledge.status != target else { return stays("already \(target.rawValue)") }
        guard pledge.status.canMove(to: target, interval: pledge.interval) else {
            return stays("\(pledge.status.rawValue) cannot become \(target.rawValue)")
        }
        // Only the provider moves a pledge after it is created, so a pending pledge has no change
        // an event could be older than (the provider's clock may run behind ours). Provider
        // times are whole seconds; ours are finer, so compare at the provider's grain.
        guard pledge.status == .pending || occurredAt.timeIntervalSince1970 >= lastChange.timeIntervalSince1970.rounded(.down) else {
            return stays("older than the last change")
        }
        return PaymentEventPlan(recordsPayment: paid, move: target, outcome: .moved(from: pledge.status, to: target))
    }
}

public import Foundation
public import SideEffects
import SubscriberLists

/// The side effects of pledges: the offer's changes, a new pledge, the provider's events and
/// cancellations.
extension Effects {
    /// A currency's limits were set.
    public static func currencyLimitsSet(minimum: Money, maximum: Money, customAmount: Bool, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "pledges.currency_set", subjectType: "currency",
            details: [
                "currency": minimum.currency.code, "minimum": minimum.decimalText, "maximum": maximum.decimalText,
                "custom_amount": String(customAmount),
            ]))
    }

    /// A tier was created or changed.
    public static func tierSet(_ tier: Tier, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "pledges.tier_set", subjectType: "tier",
            details: ["tier": tier.name, "interval": tier.interval.rawValue, "amount": tier.amount.formatted]))
    }

    /// A tier was removed.
    public static func tierRemoved(name: String, currency: String, interval: PledgeInterval, actor: String, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: actor, action: "pledges.tier_removed", subjectType: "tier",
            details: ["tier": name, "interval": interval.rawValue, "currency": currency]))
    }

    /// A reader's pledge was recorded, pending the provider's checkout.
    public static func pledgeCreated(_ record: PledgeRecord, id: Int64) -> Effects {
        let pledge = Pledge(
            id: id, publicID: record.publicID, email: record.email, name: record.name, amount: record.amount,
            interval: record.interval, tier: record.tier, status: .pending, card: nil, checkoutURL: record.checkoutURL,
            returnURL: record.returnURL, provider: record.provider, createdAt: record.time, updatedAt: record.time)
        return Effects.record(AuditRecord(
            occurredAt: record.time, actor: "reader", action: "pledge.created", subjectType: "pledge", subjectID: id,
            details: ["amount": record.amount.formatted, "interval": record.interval.rawValue, "tier": record.tier ?? ""])
        ).sending(PledgeEvent.event("created", pledge, address: record.normalizedEmail, status: .pending, at: record.time))
    }

    /// The provider started charging a recurring pledge (the reader's card is saved).
    public static func recurringStarted(_ pledge: Pledge, _ start: RecurringStart, at time: Date) -> Effects {
        .record(AuditRecord(
            occurredAt: time, actor: "reader", action: "pledge.recurring_started", subjectType: "pledge", subjectID: pledge.id,
            details: ["reference": start.reference, "interval": pledge.interval.rawValue]))
    }

    /// A monthly or annual pledge was canceled by the reader or staff (`address`: its normalised address).
    public static func pledgeCanceled(_ pledge: Pledge, address: String, actor: String, at time: Date) -> Effects {
        Effects.record(AuditRecord(
            occurredAt: time, actor: actor, action: "pledge.canceled", subjectType: "pledge", subjectID: pledge.id,
            details: ["from": pledge.status.rawValue])
        ).sending(PledgeEvent.event("canceled", pledge, address: address, status: .canceled, at: time))
    }
}

extension PaymentEventPlan {
    /// What applying the plan leaves besides the pledge's row: the payment's record and its
    /// receipt (not for a pledge whose reader was erased), then the move's record; and the
    /// webhook events `pledge.succeeded` (each payment), `pledge.failed`, `.canceled`, `.refunded`.
    /// `address` is the pledge's normalised address (its receipt's link is bound to it).
    public func effects(of event: PaymentEvent, on pledge: Pledge, address: String, at time: Date) -> Effects {
        var effects = Effects.none
        let status = move ?? pledge.status
        let payment = PledgeEvent.Payment(amountMinor: event.amountMinor ?? pledge.amount.minorUnits, event: event.id)
        if recordsPayment {
            let amount = payment.amountMinor
            effects.audit.append(AuditRecord(
                occurredAt: event.occurredAt, actor: "provider", action: "pledge.payment_received", subjectType: "pledge",
                subjectID: pledge.id,
                details: ["amount": Money(minorUnits: amount, currency: pledge.amount.currency).formatted, "event": event.id]))
            if pledge.email != ErasedAddress.placeholder {
                let receipt = PledgeReceipt(
                    pledgeID: pledge.id, publicID: pledge.publicID, address: address, name: pledge.name, amountMinor: amount,
                    currency: pledge.amount.currency.code, interval: pledge.interval, card: event.card ?? pledge.card,
                    paidAt: event.occurredAt, locale: pledge.locale)
                effects.mail.append(receipt.draft(recipient: pledge.email, queuedAt: time))
            }
        }
        if let move {
            effects.audit.append(AuditRecord(
                occurredAt: time, actor: "provider", action: "pledge.\(move.rawValue)", subjectType: "pledge", subjectID: pledge.id,
                details: ["from": pledge.status.rawValue, "event": event.id]))
        }
        let verb: String? =
            if recordsPayment { "succeeded" } else if event.kind == .paymentFailed { "failed" } else {
                switch move {
                case .canceled?: "canceled"
                case .refunded?: "refunded"
                default: nil
                }
            }
        if let verb {
            let reported = verb == "canceled" ? nil : payment
            effects.events.append(PledgeEvent.event(verb, pledge, address: address, status: status, payment: reported, at: time))
        }
        return effects
    }
}

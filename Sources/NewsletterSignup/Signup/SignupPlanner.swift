public import Foundation
public import SubscriberLists

/// Decides what a sign-up changes and whether it sends an email. Pure: the store calls it
/// inside its transaction with the current state, so the same rules hold for every store.
public enum SignupPlanner {
    /// The plan for a sign-up to `newsletters` given the address's current state.
    ///
    /// - A newsletter never joined (or left, or expired) becomes pending, or confirmed at once
    ///   for single opt-in. Pending ones stay pending; confirmed ones stay confirmed; bounced and
    ///   complained addresses are left alone (the address itself is the problem).
    /// - One confirmation email covers every pending newsletter of the request. It is sent when
    ///   the request adds a newsletter, or repeats one after the cooldown — and never more than
    ///   `maximumEmailsPerDay` times a day per address, whatever the number of requests.
    /// - A request only for newsletters already confirmed may send a notice, under the same limits.
    public static func plan(
        _ snapshot: SignupSnapshot, newsletters: [Newsletter], policy: SignupPolicy, at now: Date
    ) -> SignupPlan {
        var changes: [Int64: SubscriptionStatus] = [:]
        var newlyPending: [Int64] = []
        var stillPending: [Int64] = []
        var alreadyConfirmed: [Int64] = []
        for newsletter in newsletters {
            switch snapshot.statuses[newsletter.id] {
            case nil, .unsubscribed, .expired:
                if newsletter.optIn == .single {
                    changes[newsletter.id] = .confirmed
                } else {
                    changes[newsletter.id] = .pending
                    newlyPending.append(newsletter.id)
                }
            case .pending: stillPending.append(newsletter.id)
            case .confirmed: alreadyConfirmed.append(newsletter.id)
            case .bounced, .complained: continue
            }
        }
        let underCap = snapshot.emailsInLastDay < policy.maximumEmailsPerDay
        let cooledDown = snapshot.lastEmailAt.map { now.timeIntervalSince($0) >= policy.repeatCooldown.seconds } ?? true
        let toConfirm = newlyPending + stillPending
        if !toConfirm.isEmpty {
            if newlyPending.isEmpty, !cooledDown { return SignupPlan(changes: changes, email: nil, reason: "cooldown") }
            guard underCap else { return SignupPlan(changes: changes, email: nil, reason: "daily_cap") }
            return SignupPlan(
                changes: changes, email: PlannedEmail(kind: .confirmation, newsletterIDs: toConfirm),
                reason: "confirmation_queued")
        }
        guard !alreadyConfirmed.isEmpty else {
            return SignupPlan(changes: changes, email: nil, reason: changes.isEmpty ? "suppressed" : "confirmed_single_opt_in")
        }
        guard policy.noticeWhenAlreadySubscribed else { return SignupPlan(changes: changes, email: nil, reason: "already_subscribed") }
        guard cooledDown else { return SignupPlan(changes: changes, email: nil, reason: "cooldown") }
        guard underCap else { return SignupPlan(changes: changes, email: nil, reason: "daily_cap") }
        return SignupPlan(
            changes: changes, email: PlannedEmail(kind: .alreadySubscribed, newsletterIDs: alreadyConfirmed),
            reason: "notice_queued")
    }

    /// Why a resend may not go out now, or nil when it may: something is pending, past the
    /// cooldown and under the daily cap.
    public static func resendRefusal(_ snapshot: SignupSnapshot, policy: SignupPolicy, at now: Date) -> ResendRefusal? {
        guard snapshot.statuses.values.contains(.pending) else { return .nothingPending }
        if let last = snapshot.lastEmailAt, now.timeIntervalSince(last) < policy.repeatCooldown.seconds { return .cooldown }
        guard snapshot.emailsInLastDay < policy.maximumEmailsPerDay else { return .dailyCap }
        return nil
    }
}

/// What a resend did. The reader's answer is the same either way (it must not reveal the
/// address's state); the reason goes to the log, so an operator can tell why nothing went out.
public enum ResendOutcome: Sendable, Equatable {
    /// A fresh confirmation email is queued.
    case queued
    /// Nothing was queued, and why.
    case notQueued(ResendRefusal)
}

/// Why a resend queued nothing.
public enum ResendRefusal: String, Sendable, Equatable {
    /// No subscriber has this address.
    case unknownAddress = "unknown address"
    /// The address is on the suppression list (it bounced, complained or was erased).
    case suppressed
    /// Nothing of the address is waiting for confirmation.
    case nothingPending = "nothing pending"
    /// An email went to the address less than the cooldown ago (``SignupPolicy/repeatCooldown``).
    case cooldown
    /// The address had its emails for the last 24 hours (``SignupPolicy/maximumEmailsPerDay``).
    case dailyCap = "daily cap"
}

extension Duration {
    /// The duration in seconds, for arithmetic with `Date`.
    var seconds: TimeInterval {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

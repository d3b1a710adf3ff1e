import Foundation
import NewsletterSignup
import SubscriberLists
import Testing

/// The sign-up rules, pure: what a request changes and whether it sends an email.
@Suite struct SignupPlannerTests {
    static let now = Date(timeIntervalSince1970: 1_795_618_800)
    static func newsletter(_ id: Int64, _ slug: String, optIn: Newsletter.OptIn = .double) -> Newsletter {
        Newsletter(
            id: id, slug: slug, name: slug.capitalized, description: "", visibility: .public, optIn: optIn, archivedAt: nil,
            createdAt: now, updatedAt: now)
    }
    let daily = newsletter(1, "daily")
    let weekend = newsletter(2, "weekend", optIn: .single)
    let policy = SignupPolicy()

    func plan(_ newsletters: [Newsletter], _ statuses: [Int64: SubscriptionStatus] = [:], emails: Int = 0, last: Date? = nil) -> SignupPlan {
        SignupPlanner.plan(
            SignupSnapshot(statuses: statuses, emailsInLastDay: emails, lastEmailAt: last), newsletters: newsletters, policy: policy,
            at: Self.now)
    }

    @Test func aNewAddressBecomesPendingAndIsAskedToConfirm() {
        let plan = plan([daily])
        #expect(plan.changes == [1: .pending])
        #expect(plan.email == PlannedEmail(kind: .confirmation, newsletterIDs: [1]))
        #expect(plan.reason == "confirmation_queued")
    }

    @Test func singleOptInConfirmsAtOnceAndSendsNothing() {
        let plan = plan([weekend])
        #expect(plan.changes == [2: .confirmed])
        #expect(plan.email == nil)
        #expect(plan.reason == "confirmed_single_opt_in")
    }

    @Test func aRepeatWithinTheCooldownSendsNothing() {
        let plan = plan([daily], [1: .pending], emails: 1, last: Self.now.addingTimeInterval(-30))
        #expect(plan.changes.isEmpty)
        #expect(plan.email == nil)
        #expect(plan.reason == "cooldown")
    }

    @Test func theDailyCapHoldsWhateverTheRequest() {
        let plan = plan([daily], [1: .pending], emails: policy.maximumEmailsPerDay, last: Self.now.addingTimeInterval(-3600))
        #expect(plan.email == nil)
        #expect(plan.reason == "daily_cap")
    }

    @Test func anAddressAlreadyConfirmedGetsANoticeNotAConfirmation() {
        let plan = plan([daily], [1: .confirmed])
        #expect(plan.changes.isEmpty)
        #expect(plan.email == PlannedEmail(kind: .alreadySubscribed, newsletterIDs: [1]))
    }

    @Test func aBouncedAddressIsLeftAlone() {
        let plan = plan([daily], [1: .bounced])
        #expect(plan.changes.isEmpty)
        #expect(plan.email == nil)
    }

    @Test func aResendNeedsSomethingPendingAndTheLimitsAndSaysWhichFailed() {
        func refusal(_ statuses: [Int64: SubscriptionStatus], emails: Int = 0, last: Date? = nil) -> ResendRefusal? {
            SignupPlanner.resendRefusal(SignupSnapshot(statuses: statuses, emailsInLastDay: emails, lastEmailAt: last), policy: policy, at: Self.now)
        }
        #expect(refusal([1: .pending]) == nil)
        #expect(refusal([1: .confirmed]) == .nothingPending)
        #expect(refusal([1: .pending], emails: 1, last: Self.now.addingTimeInterval(-5)) == .cooldown)
        #expect(refusal([1: .pending], emails: 3, last: Self.now.addingTimeInterval(-3_600)) == .dailyCap)
    }
}

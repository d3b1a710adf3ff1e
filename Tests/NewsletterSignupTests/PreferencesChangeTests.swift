import NewsletterSignup
import SubscriberLists
import Testing

/// What saving the preferences page changes, decided from the page as it was.
@Suite struct PreferencesChangeTests {
    let page = Preferences(
        address: "anna@example.org",
        entries: [
            .init(newsletter: SignupPlannerTests.newsletter(1, "daily"), status: .confirmed),
            .init(newsletter: SignupPlannerTests.newsletter(2, "weekend"), status: nil),
            .init(newsletter: SignupPlannerTests.newsletter(3, "culture"), status: .bounced),
            .init(newsletter: SignupPlannerTests.newsletter(4, "sport"), status: .pending),
            .init(newsletter: SignupPlannerTests.newsletter(5, "science"), status: .unsubscribed),
        ])

    @Test func theWantedAreJoinedAndTheActiveOthersLeft() {
        let change = page.change(to: PreferencesChoice(wanted: ["weekend", "culture", "science"]))
        #expect(change.joining.map(\.newsletter.slug) == ["weekend", "science"], "a bounced address is not joined again")
        #expect(change.leaving.map(\.slug) == ["daily", "sport"])
        let after = page.applying(change)
        #expect(after.entries.map(\.status) == [.unsubscribed, .confirmed, .bounced, .unsubscribed, .confirmed])
    }

    @Test func savingThePageAsItIsChangesNothing() {
        let change = page.change(to: PreferencesChoice(wanted: ["daily", "sport"]))
        #expect(change.joining.map(\.newsletter.slug) == ["sport"], "pending becomes confirmed: the link proved the address")
        #expect(change.leaving.isEmpty)
        #expect(page.change(to: PreferencesChoice(wanted: ["daily"])).leaving.map(\.slug) == ["sport"])
    }

    @Test func throughAnOldLinkLeavingWorksButJoiningWaitsForAConfirmation() {
        let change = page.change(to: PreferencesChoice(wanted: ["weekend", "sport", "science"], linkProvesAddress: false))
        #expect(change.joining.isEmpty, "an old link confirms nothing")
        #expect(change.confirming.map(\.slug) == ["weekend", "science"], "pending stays pending; bounced is left alone")
        #expect(change.leaving.map(\.slug) == ["daily"])
        let after = page.applying(change)
        #expect(after.entries.map(\.status) == [.unsubscribed, nil, .bounced, .pending, .unsubscribed])
        #expect(after.awaitingConfirmation.map(\.slug) == ["weekend", "science"])
    }
}

/// What a confirm or unsubscribe link changes.
@Suite struct LinkPlanTests {
    func member(_ id: Int64, _ status: SubscriptionStatus?) -> ConsentMember {
        ConsentMember(newsletter: SignupPlannerTests.newsletter(id, "n\(id)"), status: status, pendingSince: nil)
    }

    @Test func confirmingTwiceIsHarmlessAndAfterLeavingThereIsNothingToDo() {
        let first = LinkPlan.confirming([member(1, .pending), member(2, .confirmed)])
        #expect(first.changing.map(\.id) == [1])
        #expect(first.outcome == .done(newsletters: [member(2, nil).newsletter, member(1, nil).newsletter], changed: true))
        let again = LinkPlan.confirming([member(1, .confirmed)])
        #expect(again.changing.isEmpty)
        #expect(again.outcome == .done(newsletters: [member(1, nil).newsletter], changed: false))
        #expect(LinkPlan.confirming([member(1, .unsubscribed)]).outcome == .nothingToDo)
    }

    @Test func unsubscribingLeavesEveryActiveNewsletter() {
        let plan = LinkPlan.unsubscribing([member(1, .pending), member(2, .confirmed), member(3, .bounced)])
        #expect(plan.changing.map(\.id) == [1, 2])
        #expect(LinkPlan.unsubscribing([member(3, .unsubscribed)]).outcome == .done(newsletters: [member(3, nil).newsletter], changed: false))
    }
}

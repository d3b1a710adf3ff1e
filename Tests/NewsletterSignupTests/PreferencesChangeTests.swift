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
        let change = page.change(to: ["weekend", "culture", "science"])
        #expect(change.joining.map(\.newsletter.slug) == ["weekend", "science"], "a bounced address is not joined again")
        #expect(change.leaving.map(\.slug) == ["daily", "sport"])
        let after = page.applying(change)
        #expect(after.entries.map(\.status) == [.unsubscribed, .confirmed, .bounced, .unsubscribed, .confirmed])
    }

    @Test func savingThePageAsItIsChangesNothing() {
        let change = page.change(to: ["daily", "sport"])
        #expect(change.joining.map(\.newsletter.slug) == ["sport"], "pending becomes confirmed: the link proved the address")
        #expect(change.leaving.isEmpty)
        #expect(page.change(to: ["daily"]).leaving.map(\.slug) == ["sport"])
    }
}

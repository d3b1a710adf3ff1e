import Foundation
import SubscriberLists
import Testing

/// What one imported row writes, and how it completes a subscriber's details.
@Suite struct ImportRowPlanTests {
    func row(_ state: SubscriptionStatus, name: String? = "Bo", attributes: [String: String] = ["city": "Lviv"]) -> ImportRow {
        ImportRow(
            line: 2, email: "bo@example.org", normalizedEmail: "bo@example.org", addressHash: "h", name: name, locale: "uk",
            createdAt: nil, newsletter: "daily", state: state, attributes: attributes)
    }
    let asking = ImportOptions(newsletter: "daily", sendConfirmations: true)

    @Test func aNewPendingMemberIsRecordedAndAskedToConfirmOnlyWhenTheImportSaysSo() {
        let plan = ImportRowPlan(row: row(.pending), current: nil, options: asking)
        #expect(plan.outcome == .added)
        #expect(plan.writesMembership && plan.recordsConsent && plan.asksConfirmation)
        #expect(!ImportRowPlan(row: row(.pending), current: nil, options: ImportOptions(newsletter: "daily")).asksConfirmation)
        #expect(!ImportRowPlan(row: row(.confirmed), current: nil, options: asking).asksConfirmation)
    }

    @Test func aReaderWhoLeftIsNotBroughtBack() {
        let plan = ImportRowPlan(row: row(.confirmed), current: .unsubscribed, options: asking)
        #expect(plan.outcome == .kept(.unsubscribed))
        #expect(!plan.writesMembership && !plan.recordsConsent && !plan.asksConfirmation)
    }

    @Test func aRecordedDepartureChangesTheStateWithoutAConsentRecord() {
        let plan = ImportRowPlan(row: row(.unsubscribed), current: .confirmed, options: asking)
        #expect(plan.outcome == .updated)
        #expect(plan.writesMembership)
        #expect(!plan.recordsConsent)
    }

    @Test func detailsAreFilledNeverOverwritten() {
        let stored = SubscriberDetails(name: "Bohdan", locale: nil, attributes: ["city": "Kyiv"])
        let filled = stored.filled(from: row(.confirmed, attributes: ["city": "Lviv", "plan": "gold"]))
        #expect(filled == SubscriberDetails(name: "Bohdan", locale: "uk", attributes: ["city": "Kyiv", "plan": "gold"]))
        #expect(filled.filled(from: row(.confirmed, attributes: ["city": "Lviv", "plan": "gold"])) == filled, "a re-run changes nothing")
    }
}

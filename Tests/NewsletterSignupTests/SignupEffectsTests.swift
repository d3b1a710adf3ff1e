import Foundation
@testable import NewsletterSignup
import SideEffects
import SubscriberLists
import Testing

/// What sign-up decides besides the subscription itself: the audit records and the mail.
@Suite struct SignupEffectsTests {
    let now = SignupPlannerTests.now
    let daily = SignupPlannerTests.newsletter(1, "daily")
    var signup: SignupRecord {
        SignupRecord(
            normalizedAddress: "anna@example.org", mailbox: "Anna@Example.org", addressHash: "h", locale: "uk", source: "home",
            client: ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox"), consentTextVersion: "1", time: now)
    }

    @Test func aPlannedConfirmationIsQueuedToTheMailboxAndBoundToTheAddress() throws {
        let plan = SignupPlan(changes: [1: .pending], email: PlannedEmail(kind: .confirmation, newsletterIDs: [1]), reason: "confirmation_queued")
        let effects = Effects.signupRequested(signup, newsletters: [daily], plan: plan, consent: 7, subscriber: 3)
        #expect(effects.audit == [AuditRecord(
            occurredAt: now, actor: "reader", action: "signup.requested", subjectType: "consent", subjectID: 7, subscriberID: 3,
            details: ["newsletters": "daily", "outcome": "confirmation_queued"])])
        let draft = try #require(effects.mail.first)
        #expect(effects.mail.count == 1)
        #expect(draft.kind == "confirmation")
        #expect(draft.recipient == "Anna@Example.org")
        #expect(draft.subscriberID == 3)
        #expect(draft.queuedAt == now)
        let email = try SignupEmail.decode(draft.payload)
        #expect(email.consentID == 7)
        #expect(email.address == "anna@example.org")
        #expect(email.locale == "uk")
        #expect(email.newsletters.map(\.slug) == ["daily"])
        #expect(effects.events.map(\.type) == ["subscriber.pending"])
        #expect(String(decoding: effects.events[0].body, as: UTF8.self) == #"{"data":{"email":"anna@example.org","newsletters":["daily"],"subscriber_id":3},"timestamp":"\#(Timestamp.format(now))","type":"subscriber.pending"}"#)
    }

    @Test func withoutAPlannedEmailNothingIsQueued() {
        let plan = SignupPlan(changes: [:], email: nil, reason: "cooldown")
        let effects = Effects.signupRequested(signup, newsletters: [daily], plan: plan, consent: 7, subscriber: 3)
        #expect(effects.mail.isEmpty)
        #expect(effects.audit.map(\.details["outcome"]) == ["cooldown"])
        #expect(effects.events.isEmpty, "no membership moved")
    }

    @Test func aSuppressedSignUpIsRecordedWithoutTheAddress() {
        let effects = Effects.signupSuppressed(signup, newsletters: [daily])
        #expect(effects.mail.isEmpty)
        let record = effects.audit[0]
        #expect(record.action == "signup.suppressed")
        #expect(record.subscriberID == nil)
        #expect(!record.details.values.contains { $0.contains("anna") })
    }

    @Test func linksThatChangeNothingLeaveNoRecord() {
        let address = "anna@example.org"
        #expect(Effects.subscriptionConfirmed(consent: 1, subscriber: 1, address: address, newsletters: [], at: now).isEmpty)
        #expect(Effects.unsubscribedByLink(consent: 1, subscriber: 1, address: address, newsletters: [], client: signup.client, at: now).isEmpty)
        #expect(
            Effects.preferencesChosen(PreferencesChange(joining: [], leaving: []), subscriber: 1, address: address, client: nil, at: now)
                .isEmpty)
        let left = Effects.unsubscribedByLink(consent: 1, subscriber: 1, address: address, newsletters: [daily], client: signup.client, at: now)
        #expect(left.audit.first?.details == ["newsletters": "daily", "client_ip": "203.0.113.7"])
        #expect(left.events.map(\.type) == ["subscriber.unsubscribed"] && left.events[0].address == address)
        #expect(
            Effects.subscriptionConfirmed(consent: 1, subscriber: 1, address: address, newsletters: [daily], at: now).events
                .map(\.type) == ["subscriber.confirmed"])
    }

    @Test func aBounceReasonIsCutToFiveHundredCharacters() {
        let effects = Effects.subscriptionBounced(
            consent: 1, subscriber: 1, address: "anna@example.org", newsletters: [daily], reason: String(repeating: "x", count: 900),
            at: now)
        #expect(effects.audit.first?.details["reason"]?.count == 500)
        #expect(effects.events.map(\.type) == ["subscriber.bounced"])
        #expect(effects.audit.first?.actor == "system")
    }

    @Test func aResendQueuesOneConfirmationOfThePendingNewsletters() throws {
        let contact = SubscriberContact(id: 3, email: "Anna@Example.org", normalizedEmail: "anna@example.org", locale: nil)
        let effects = Effects.signupResent(consent: 7, subscriber: contact, pending: [daily], at: now)
        #expect(effects.audit.map(\.action) == ["signup.resent"])
        #expect(try SignupEmail.decode(#require(effects.mail.first).payload).kind == .confirmation)
    }
}

import Foundation
import SideEffects
import Testing
import Webhooks

/// When a failed delivery is tried again, given up, and its endpoint paused.
@Suite struct WebhookRetryPolicyTests {
    let start = Date(timeIntervalSince1970: 1_795_618_800)
    let policy = WebhookRetryPolicy.standard

    func delivery(attempts: Int) -> ClaimedDelivery {
        ClaimedDelivery(
            id: 7, endpointID: 3, url: "https://crm.example.org/hooks", secrets: [], eventType: "subscriber.confirmed", payload: [],
            attempts: attempts, retrySince: start)
    }

    @Test func backoffDoublesFromFiveSecondsWithUpToHalfAgainOfJitter() {
        let first = policy.plan(delivery(attempts: 1), failingSince: nil, alreadyPaused: false, at: start, jitter: 0, alertRecipient: nil)
        #expect(first.nextAttempt == start.addingTimeInterval(5) && !first.pause && first.effects.isEmpty)
        let third = policy.plan(delivery(attempts: 3), failingSince: start, alreadyPaused: false, at: start, jitter: 1, alertRecipient: nil)
        #expect(third.nextAttempt == start.addingTimeInterval(20 * 1.5))
        let late = policy.plan(delivery(attempts: 40), failingSince: start, alreadyPaused: false, at: start, jitter: 0, alertRecipient: nil)
        #expect(late.nextAttempt == start.addingTimeInterval(3600), "capped at an hour")
    }

    @Test func afterTheWindowTheDeliveryFailsAndTheEndpointPausesWithAnAlert() throws {
        let later = start.addingTimeInterval(3 * 86_400)
        let plan = policy.plan(
            delivery(attempts: 80), failingSince: start, alreadyPaused: false, at: later, jitter: 0, alertRecipient: "ops@example.org")
        #expect(plan.nextAttempt == nil && plan.pause)
        #expect(plan.effects.audit.map(\.action) == ["webhook.paused"])
        let alert = try #require(plan.effects.mail.first)
        #expect(alert.kind == EndpointPausedAlert.kind && alert.recipient == "ops@example.org")
        let again = policy.plan(delivery(attempts: 80), failingSince: start, alreadyPaused: true, at: later, jitter: 0, alertRecipient: "ops@example.org")
        #expect(!again.pause && again.effects.isEmpty, "paused once, alerted once")
        let noRecipient = policy.plan(delivery(attempts: 80), failingSince: start, alreadyPaused: false, at: later, jitter: 0, alertRecipient: nil)
        #expect(noRecipient.pause && noRecipient.effects.mail.isEmpty)
    }

    @Test func anEndpointThatRecoveredInTheMeantimeIsNotPaused() {
        // The delivery is old, but the endpoint's failures began an hour ago.
        let later = start.addingTimeInterval(3 * 86_400)
        let plan = policy.plan(
            delivery(attempts: 80), failingSince: later.addingTimeInterval(-3600), alreadyPaused: false, at: later, jitter: 0,
            alertRecipient: nil)
        #expect(plan.nextAttempt == nil && !plan.pause)
    }
}

/// What `webhooks add` accepts.
@Suite struct EndpointDraftTests {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test func knownTypesOrEverything() throws {
        let some = try EndpointDraft(
            url: "https://crm.example.org/h", events: ["pledge.succeeded", " subscriber.confirmed", "pledge.succeeded"],
            description: nil, secret: secret, requireHTTPS: true)
        #expect(some.events == ["pledge.succeeded", "subscriber.confirmed"])
        #expect(try EndpointDraft(url: "http://127.0.0.1:9/h", events: ["*"], description: nil, secret: secret, requireHTTPS: false).events == ["*"])
    }

    @Test(arguments: [
        ("ftp://crm.example.org/h", ["*"], "url"), ("https:///nohost", ["*"], "url"), ("https://u:p@crm.example.org/", ["*"], "url"),
        ("http://crm.example.org/h", ["*"], "url"), ("https://crm.example.org/h", ["subscriber.joined"], "events"),
        ("https://crm.example.org/h", [], "events"),
    ])
    func refusalsNameTheField(url: String, events: [String], field: String) {
        #expect {
            try EndpointDraft(url: url, events: events, description: nil, secret: secret, requireHTTPS: true)
        } throws: { error in
            guard case .invalid(let named, _) = error as? WebhookError else { return false }
            return named == field
        }
    }
}

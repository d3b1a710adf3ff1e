import Foundation
import SideEffects
import SubscriberLists
import Testing

/// What the list operations leave besides their changes.
@Suite struct ListEffectsTests {
    let now = Date(timeIntervalSince1970: 1_795_618_800)
    var daily: Newsletter {
        Newsletter(
            id: 1, slug: "daily", name: "Daily", description: "", visibility: .public, optIn: .double, archivedAt: nil,
            createdAt: now, updatedAt: now)
    }
    var contact: SubscriberContact { SubscriberContact(id: 5, email: "Bo@Example.org", normalizedEmail: "bo@example.org", locale: "uk") }

    func addition(confirmed: Bool) -> MembershipAddition {
        MembershipAddition(
            email: "bo@example.org", normalizedEmail: "bo@example.org", addressHash: "h", newsletter: "daily", confirmed: confirmed,
            basis: confirmed ? "paper form" : nil, time: now, actor: "admin:alice")
    }

    @Test func aPendingAdditionSendsTheConfirmationToTheStoredMailbox() throws {
        let effects = Effects.membershipAdded(addition(confirmed: false), newsletter: daily, from: nil, to: .pending, consent: 9, subscriber: contact)
        #expect(effects.audit.first?.details == ["newsletter": "daily", "state": "pending", "from": "none"])
        let draft = try #require(effects.mail.first)
        #expect(draft.recipient == "Bo@Example.org")
        let email = try SignupEmail.decode(draft.payload)
        #expect(email.consentID == 9)
        #expect(email.address == "bo@example.org")
        #expect(email.locale == "uk")
        #expect(effects.events.map(\.type) == ["subscriber.pending"])
        #expect(String(decoding: effects.events[0].body, as: UTF8.self).contains(#""email":"bo@example.org""#))
        #expect(effects.events[0].address == "bo@example.org", "erasing the address deletes the event's copies")
    }

    @Test func aConfirmedAdditionSendsNothing() {
        let effects = Effects.membershipAdded(
            addition(confirmed: true), newsletter: daily, from: .unsubscribed, to: .confirmed, consent: 9, subscriber: contact)
        #expect(effects.mail.isEmpty)
        #expect(effects.audit.first?.details["from"] == "unsubscribed")
        #expect(effects.events.map(\.type) == ["subscriber.confirmed"])
        let unchanged = Effects.membershipAdded(
            addition(confirmed: true), newsletter: daily, from: .confirmed, to: .confirmed, consent: 9, subscriber: contact)
        #expect(unchanged.events.isEmpty, "nothing moved, nothing to tell")
    }

    @Test func anImportBatchCountsItsOutcomesAndADryRunRecordsNothing() {
        var batch = ImportBatch(run: 1, rows: [], options: ImportOptions(newsletter: "daily", source: "list.csv"), time: now, actor: "admin:alice")
        let outcomes: [ImportRowOutcome] = [.added, .added, .unchanged, .duplicate(ofLine: 2)]
        let effects = Effects.importApplied(batch, outcomes: outcomes, newsletters: ["weekend", "daily"], confirmations: 0)
        #expect(effects.audit.first?.details == [
            "added": "2", "unchanged": "1", "duplicates": "1", "source": "list.csv", "newsletters": "daily,weekend",
        ])
        #expect(effects.events.map(\.type) == ["subscriber.imported"], "one event per batch")
        #expect(
            Effects.importApplied(batch, outcomes: [.unchanged, .kept(.unsubscribed), .duplicate(ofLine: 2)], newsletters: ["daily"], confirmations: 0)
                .isEmpty, "a batch that changed nothing leaves no record (hardening, item 12)")
        batch.options.dryRun = true
        #expect(Effects.importApplied(batch, outcomes: outcomes, newsletters: ["daily"], confirmations: 0).isEmpty)
    }

    @Test func anErasureSaysWhatWasHeldButNotWhose() {
        let erased = Effects.erased(subscriber: 5, addressHash: "ab12", memberships: 2, pledges: 1, actor: "admin:alice", at: now)
        #expect(erased.audit.first?.action == "subscriber.erased")
        #expect(erased.audit.first?.details == ["memberships": "2", "pledges": "1"])
        #expect(erased.audit.first?.subscriberID == nil)
        #expect(erased.events.map(\.type) == ["subscriber.erased"])
        #expect(erased.events.first?.address == nil)
        #expect(String(decoding: erased.events[0].body, as: UTF8.self).hasPrefix(#"{"data":{"address_hash":"ab12"},"timestamp":"#))
        let unknown = Effects.erased(subscriber: nil, addressHash: "ab12", memberships: nil, pledges: 0, actor: "admin:alice", at: now)
        #expect(unknown.audit.first?.action == "subscriber.erase_requested")
        #expect(unknown.audit.first?.details == [:])
        #expect(unknown.events.isEmpty, "nothing was held: nothing to tell")
    }

    @Test func nothingExpiredOrUnsubscribedLeavesNoRecord() {
        #expect(Effects.pendingExpired(count: 0, cutoff: now, actor: "system", at: now).isEmpty)
        #expect(Effects.membershipsUnsubscribed(subscriber: 5, address: "bo@example.org", slugs: [], actor: "admin:alice", at: now).isEmpty)
        #expect(Effects.pendingExpired(count: 3, cutoff: now, actor: "system", at: now).audit.first?.details["count"] == "3")
    }
}

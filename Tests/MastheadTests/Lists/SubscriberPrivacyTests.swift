import DonationPledges
import Foundation
import MastheadRuntime
import NewsletterSignup
import SQLiteStorage
import Signing
import SubscriberLists
import Testing

/// Erasure, access and the suppression list, on the real store with real sign-ups and links.
@Suite(.timeLimit(.minutes(3))) struct SubscriberPrivacyTests {
    static let client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140")

    /// Signs anna up through the real service and returns her confirmation and unsubscribe tokens.
    func signUpAnna(_ lists: ListsFixture) async throws -> (confirm: String, unsubscribe: String) {
        try await lists.test.runtime.services.signup.signUp(
            SignupRequest(email: "Anna@Example.org", newsletters: ["ukraine-daily"], locale: "uk", source: "footer", client: Self.client))
        try await lists.test.deliver()
        let email = try await ParsedEmail.parse(try #require(try lists.test.emails().last))
        return (try #require(email.link("/v1/confirm")).token, try #require(email.link("/v1/unsubscribe")).token)
    }

    /// A $5 monthly pledge made through the real service; returns the link to its page.
    @discardableResult
    func addPledge(_ lists: ListsFixture, email: String) async throws -> String {
        let service = try #require(lists.test.runtime.services.pledges)
        guard case .new(let prepared) = try await service.prepare(
            PledgeRequest(
                email: email, name: "Anna K", amount: "5", interval: "monthly", idempotencyKey: "k-\(email)",
                clientIP: "203.0.113.7", userAgent: "Firefox/140"))
        else { throw CancellationError() }
        let answer = try await service.create(prepared)
        let id = answer.pledge
        let pledge = try #require(try await lists.test.runtime.store.pledge(publicID: id))
        let link = try #require(service.link(for: pledge, publicURL: ""))
        return String(link.split(separator: "=", maxSplits: 1)[1])
    }

    @Test(arguments: StoreKind.allCases) func accessListsEveryTablesDataForTheAddress(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let (confirm, _) = try await signUpAnna(lists)
        _ = try await lists.test.runtime.services.signup.confirm(token: confirm, client: Self.client)
        try await addPledge(lists, email: "anna@example.org")

        let document = try await lists.directory.access("anna@example.org")
        let profile = try #require(document.profile)
        #expect(profile.subscriber.email == "Anna@example.org")
        #expect(profile.subscriber.locale == "uk")
        #expect(profile.memberships.map(\.status) == [.confirmed])
        #expect(profile.consents.map(\.clientIP) == ["203.0.113.7"])
        #expect(profile.consents.first?.source == "footer")
        #expect(profile.consents.first?.confirmedAt != nil)
        #expect(profile.events.map(\.action) == ["signup.requested", "subscription.confirmed"])
        #expect(document.outbox.map { $0["kind"] } == ["confirmation"])
        #expect(document.outbox.first?["state"] == "sent")
        #expect(document.pledges.map { $0["amount_minor"] } == ["500"])
        #expect(document.suppression == nil)

        await #expect(throws: SubscriberError.unknownSubscriber("nobody@example.org")) {
            _ = try await lists.directory.access("nobody@example.org")
        }
    }

    @Test(arguments: StoreKind.allCases) func eraseRemovesThePersonKillsTheirLinksAndKeepsThemSuppressed(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let (confirm, unsubscribe) = try await signUpAnna(lists)
        let pledgeToken = try await addPledge(lists, email: "anna@example.org")
        let pledges = try #require(lists.test.runtime.services.pledges)
        _ = try await pledges.pledge(token: pledgeToken)  // works before the erasure

        #expect(try await lists.directory.erase("anna@example.org", actor: "admin:test"))

        await #expect(throws: SubscriberError.unknownSubscriber("anna@example.org")) { _ = try await lists.directory.show("anna@example.org") }
        #expect(try await lists.sql("SELECT count(*) FROM subscribers") == ["0"])
        #expect(try await lists.sql("SELECT count(*) FROM consent_records") == ["0"])
        #expect(try await lists.sql("SELECT count(*) FROM outbox") == ["0"])
        #expect(try await lists.sql("SELECT email || '|' || email_normalized || '|' || coalesce(name, '-') || '|' || amount_minor FROM pledges") == ["erased|erased|-|500"])
        #expect(try await lists.sql("SELECT coalesce(client_ip, '-') || coalesce(user_agent, '-') FROM pledges") == ["--"])
        await #expect(throws: PledgeLinkError.self) { _ = try await pledges.pledge(token: pledgeToken) }
        // The audit trail keeps what happened, not to whom: no address, no client IP.
        #expect(try await lists.sql("SELECT count(*) FROM events WHERE details LIKE '%anna%' OR details LIKE '%203.0.113.7%' OR subscriber_id IS NOT NULL") == ["0"])
        #expect(try await lists.sql("SELECT action FROM events ORDER BY id").suffix(2) == ["suppression.added", "subscriber.erased"])
        #expect(try await lists.directory.suppression(of: "ANNA@example.org")?.reason == .erased)

        // Links already sent stop working.
        await #expect(throws: LinkProblem.rejected(.addressMismatch)) {
            _ = try await lists.test.runtime.services.signup.confirm(token: confirm, client: Self.client)
        }
        await #expect(throws: LinkProblem.rejected(.addressMismatch)) {
            _ = try await lists.test.runtime.services.signup.unsubscribe(token: unsubscribe, client: Self.client)
        }

        // Neither an import nor a new sign-up brings the address back silently.
        let path = try lists.file("list.csv", "email\nanna@example.org\n")
        let (report, rejections) = try await lists.importFile(path)
        #expect(report.added == 0)
        #expect(rejections.first?.reason.hasPrefix("the address is on the suppression list (erased)") == true)
        lists.test.clock.advance(by: 86_400)
        let outcome = try await lists.test.runtime.services.signup.signUp(
            SignupRequest(email: "anna@example.org", newsletters: ["ukraine-daily"], client: Self.client))
        #expect(outcome.plan.reason == "suppressed")
        #expect(outcome.subscriberID == nil)
        #expect(try await lists.sql("SELECT count(*) FROM subscribers") == ["0"])
        #expect(try await lists.sql("SELECT count(*) FROM outbox") == ["0"])

        // Only a person lifting the suppression lets them back in.
        try await lists.directory.unsuppress("anna@example.org", actor: "admin:test")
        let back = try await lists.test.runtime.services.signup.signUp(
            SignupRequest(email: "anna@example.org", newsletters: ["ukraine-daily"], client: Self.client))
        #expect(back.plan.reason == "confirmation_queued")
    }

    @Test(arguments: StoreKind.allCases) func staffAdditionsNeedABasisToSkipConfirmationAndRespectSuppression(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let directory = lists.directory
        await #expect(throws: SubscriberError.confirmedNeedsBasis) {
            _ = try await directory.add("b@example.org", newsletter: "ukraine-daily", confirmed: true, basis: " ", actor: "admin:test")
        }
        #expect(try await directory.add("b@example.org", newsletter: "ukraine-daily", confirmed: false, basis: nil, actor: "admin:test")
            == .changed(.pending, confirmationQueued: true))
        #expect(try await directory.add("b@example.org", newsletter: "ukraine-daily", confirmed: false, basis: nil, actor: "admin:test")
            == .unchanged(.pending))
        #expect(try await directory.add("b@example.org", newsletter: "ukraine-daily", confirmed: true, basis: "paper form", actor: "admin:test")
            == .changed(.confirmed, confirmationQueued: false))
        #expect(try await lists.sql("SELECT action || '|' || coalesce(basis, '-') || '|' || source FROM consent_records ORDER BY id") == [
            "admin|-|admin:test", "admin|paper form|admin:test",
        ])
        #expect(try await lists.test.deliver() == 1)

        try await directory.suppress("c@example.org", note: nil, actor: "admin:test")
        await #expect(throws: SubscriberError.suppressed(.manual)) {
            _ = try await directory.add("c@example.org", newsletter: "ukraine-daily", confirmed: false, basis: nil, actor: "admin:test")
        }
        await #expect(throws: SubscriberError.unknownNewsletter("nope")) {
            _ = try await directory.add("d@example.org", newsletter: "nope", confirmed: false, basis: nil, actor: "admin:test")
        }
    }

    @Test(arguments: StoreKind.allCases) func expiryAndStatisticsFollowTheClock(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let signup = lists.test.runtime.services.signup
        for name in ["a", "b", "c"] {
            try await signup.signUp(SignupRequest(email: "\(name)@example.org", newsletters: ["ukraine-daily"], client: Self.client))
        }
        try await lists.test.deliver()
        let token = try #require(try await ParsedEmail.parse(try lists.test.emails()[0]).link("/v1/confirm")).token
        lists.test.clock.advance(by: 86_400)
        _ = try await signup.confirm(token: token, client: Self.client)
        lists.test.clock.advance(by: 7 * 86_400)
        #expect(try await lists.directory.expirePending(olderThan: 7 * 86_400, actor: "admin:test") == 2)

        let stats = try #require(try await lists.directory.stats(newsletter: "ukraine-daily", days: 9).first)
        #expect(stats.states["confirmed"] == 1)
        #expect(stats.states["expired"] == 2)
        #expect(stats.signUps == 3)
        #expect(stats.confirmations == 1)
        #expect(stats.optInRate == 1.0 / 3.0)
        #expect(stats.days.count == 9)
        #expect(stats.days.first?.signUps == 3)
        #expect(stats.days.dropFirst().first?.confirmations == 1)
        #expect(stats.days.map(\.signUps).reduce(0, +) == 3)
    }
}

import DNSLookup
import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadSettings
import Testing

/// The card-testing defence through the daemon's router: declined payments and pledges counted
/// per client address (as a trusted proxy names it) and per reader address, refusals with
/// `Retry-After`, nothing sent to the provider, and the limit lifting when its window passes.
/// One case at a time: each is a live daemon (its client waits up to 90 s for an answer), and
/// four of them writing beside the rest of the suite made single pledges take up to 17 s in CI.
@Suite(.serialized, .timeLimit(.minutes(3))) struct CardTestingLimitTests {
    static func runtime(_ store: StoreKind) async throws -> TestRuntime {
        try await TestRuntime(store: store) {
            $0.trustedProxies = [IPNetwork("127.0.0.1")!]
            $0.rateLimitPerMinute = 0  // The per-request rate is another defence, tested on its own.
        }
    }

    /// Posts a pledge from `client` and, when it is taken, declines its payment as the provider would.
    static func declinedAttempt(_ test: TestRuntime, _ client: some TestClientProtocol, from address: String, email: String) async throws -> TestResponse {
        let created = try await PledgeHTTP.create(client, ["email": email, "amount": "1", "currency": "USD"], from: address)
        if created.status == .created, let id = try SignupHTTP.object(created)["pledge"] as? String {
            let declined = PaymentEvent(id: "evt_\(id)", kind: .paymentFailed, pledge: id, occurredAt: test.clock.now)
            #expect(try await PledgeHTTP.webhook(client, test.simulated, declined).status == .ok)
        }
        return created
    }

    @Test(arguments: StoreKind.allCases) func declinedAttemptsFromOneClientAreStoppedAndAnotherClientIsNot(_ store: StoreKind) async throws {
        let test = try await Self.runtime(store)
        defer { test.shutdown() }
        try await PledgeHTTP.live(test) { client in
            var answers: [TestResponse] = []
            // Twelve attempts: five declined, seven refused. (Each is real HTTP to a live daemon: on
            // a loaded machine, the fewer requests, the shorter the test.)
            for attempt in 1...12 {
                answers.append(try await Self.declinedAttempt(test, client, from: "198.51.100.7", email: "tester\(attempt)@example.org"))
            }
            // Five payments declined, then every pledge refused before it reaches the provider.
            #expect(answers.prefix(5).allSatisfy { $0.status == .created })
            #expect(answers.dropFirst(5).allSatisfy { $0.status == .tooManyRequests })
            let refused = try #require(answers.last)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(String(buffer: refused.body).contains("urn:masthead:problem:too-many-pledges"))
            let wait = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...21_600).contains(wait))

            // Another client is unaffected; the metric counts the refusals by limit.
            let other = try await PledgeHTTP.create(client, ["email": "reader@example.org", "amount": "5", "currency": "USD"], from: "203.0.113.20")
            #expect(other.status == .created)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"masthead_pledges_refused_total{reason="declines_from_client"} 7"#), "\(metrics)")

            // Once the declines are older than the cool-down, the client may pledge again.
            test.clock.advance(by: 6 * 3600 + 1)
            let later = try await PledgeHTTP.create(client, ["email": "tester13@example.org", "amount": "1", "currency": "USD"], from: "198.51.100.7")
            #expect(later.status == .created)
        }
        #expect(try await test.sql("SELECT count(*) FROM pledges") == ["7"], "refused pledges were never recorded")
    }

    /// One reader address declined five times is refused from any client; and a reader address
    /// may make ten pledges a day, however many clients it uses.
    @Test(arguments: StoreKind.allCases) func aReaderAddressIsLimitedWhateverTheClient(_ store: StoreKind) async throws {
        let test = try await Self.runtime(store)
        defer { test.shutdown() }
        try await PledgeHTTP.live(test) { client in
            for attempt in 1...5 {
                let answer = try await Self.declinedAttempt(test, client, from: "198.51.100.\(attempt)", email: "card@example.org")
                #expect(answer.status == .created)
            }
            let sixth = try await PledgeHTTP.create(client, ["email": "Card@Example.org", "amount": "1", "currency": "USD"], from: "198.51.100.99")
            #expect(sixth.status == .tooManyRequests)

            for attempt in 1...10 {
                let answer = try await PledgeHTTP.create(
                    client, ["email": "generous@example.org", "amount": "5", "currency": "USD"], from: "203.0.113.\(attempt)")
                #expect(answer.status == .created)
            }
            let eleventh = try await PledgeHTTP.create(
                client, ["email": "generous@example.org", "amount": "5", "currency": "USD"], from: "203.0.113.50")
            #expect(eleventh.status == .tooManyRequests)
            // The support form goes back to its page, which says to try later.
            let form = try await client.execute(
                uri: "/v1/pledges", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([
                    ("email", "generous@example.org"), ("amount", "5"), ("currency", "USD"), ("idempotency_key", "formkeyformkeyformkey"),
                ]))
            let back = try #require(form.headers[.location]).replacingOccurrences(of: "https://news.example.org/masthead", with: "")
            #expect(back.contains("error=too_many_pledges"), "\(back)")
            #expect(String(buffer: try await client.execute(uri: back, method: .get).body).contains("try again later"))
        }
    }
}

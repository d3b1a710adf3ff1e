import AbuseDefence
import DNSLookup
import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import SideEffects
import Signing
import Synchronization
import Testing
import TestSupport

/// The abuse defence through the daemon's router: the proof-of-work challenge on the API, a
/// simulated sign-up flood (alert, operator email, adaptive challenge, confirmation budget,
/// calm after the cool-down), and card testing turning the challenge on for pledges.
@Suite struct AbuseDefenceFlowTests {
    struct Issued {
        var challenge: String
        var difficulty: Int
        var required: Bool
    }

    static func challenge(_ client: some TestClientProtocol, _ purpose: String) async throws -> Issued {
        let answer = try await client.execute(uri: "/v1/challenge?purpose=\(purpose)", method: .get)
        #expect(answer.status == .ok)
        let object = try SignupHTTP.object(answer)
        return Issued(
            challenge: object["challenge"] as? String ?? "", difficulty: object["difficulty"] as? Int ?? 0,
            required: object["required"] as? Bool ?? false)
    }

    static func proof(_ client: some TestClientProtocol, _ purpose: String) async throws -> String {
        let issued = try await challenge(client, purpose)
        return ChallengeSigner.solve(issued.challenge, difficulty: issued.difficulty)
    }

    static func firstError(_ response: TestResponse) throws -> (field: String, code: String) {
        let error = (try SignupHTTP.object(response)["errors"] as? [[String: Any]])?.first ?? [:]
        return (error["field"] as? String ?? "", error["code"] as? String ?? "")
    }

    @Test(.timeLimit(.minutes(3)), arguments: StoreKind.allCases) func theAPIRequiresASolvedSingleUseChallengeWhenTheModeSaysSo(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) {
            $0.challenge = .always
            $0.challengeDifficulty = 10
        }
        defer { test.shutdown() }
        _ = try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let missing = try await SignupHTTP.signUp(client, ["email": "anna@example.org"])
            #expect(missing.status == .preconditionRequired)
            #expect(missing.headers[.contentType] == "application/problem+json")
            #expect(try Self.firstError(missing) == ("proof", "required"))

            let issued = try await Self.challenge(client, "signup")
            #expect(issued.required && issued.difficulty == 10)
            let proof = ChallengeSigner.solve(issued.challenge, difficulty: 10)
            #expect(try await SignupHTTP.signUp(client, ["email": "anna@example.org", "proof": proof]).status == .accepted)
            let replay = try await SignupHTTP.signUp(client, ["email": "boris@example.org", "proof": proof])
            #expect(replay.status == .unprocessableContent)
            #expect(try Self.firstError(replay) == ("proof", "replayed_proof"))

            // A pledge's challenge does not open a sign-up; an expired one opens nothing.
            let pledgeProof = try await Self.proof(client, "pledge")
            #expect(try Self.firstError(try await SignupHTTP.signUp(client, ["email": "c@example.org", "proof": pledgeProof])) == ("proof", "invalid_proof"))
            let stale = try await Self.proof(client, "signup")
            test.clock.advance(by: 301)
            #expect(try Self.firstError(try await SignupHTTP.signUp(client, ["email": "c@example.org", "proof": stale])) == ("proof", "expired_proof"))
            let unsolved = try await Self.challenge(client, "signup").challenge + ":0"
            #expect(try await SignupHTTP.signUp(client, ["email": "c@example.org", "proof": unsolved]).status == .unprocessableContent)

            // A plain form without JavaScript is told what it needs, in a page.
            let form = try await client.execute(
                uri: "/v1/subscriptions", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("email", "c@example.org")]))
            #expect(form.status == .preconditionRequired)
            #expect(String(buffer: form.body).contains("JavaScript"))

            // Pledges need one of their own.
            let pledge = ["email": "d@example.org", "amount": "5", "currency": "USD"]
            #expect(try await PledgeHTTP.create(client, pledge).status == .preconditionRequired)
            let paid = try await PledgeHTTP.create(client, pledge.merging(["proof": try await Self.proof(client, "pledge")]) { $1 })
            #expect(paid.status == .created)
        }
        #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["1"])
        // The pledge's proof is remembered; anna's expired with the clock's 301 s and was forgotten.
        #expect(try await test.sql("SELECT count(*) FROM spent_challenges") == ["1"])
    }

    /// 5,000 sign-ups in 60 s (on the injected clock) from 500 client addresses that a trusted
    /// proxy names, for 2,000 addresses at 50 domains. One client in ten is a robot that solves a
    /// challenge once asked (and then brings one every time); the others give up at the 428.
    /// About 5,600 live requests: half a minute alone, more beside the rest of the suite.
    @Test(.timeLimit(.minutes(8))) func aSignupFloodIsDetectedMailedOnceChallengedBudgetedAndEnds() async throws {
        let test = try await TestRuntime(store: .sqlite) {
            $0.trustedProxies = [IPNetwork("127.0.0.1")!]
            $0.challenge = .adaptive
            $0.challengeDifficulty = 6
            $0.operatorEmail = "desk@example.org"
            $0.confirmationBudget = .perHour(100)
        }
        defer { test.shutdown() }
        _ = try await test.newsletter("daily")
        let start = test.clock.now
        let requests = 5_000
        let counts = Mutex((refused: 0, accepted: 0))
        try await PledgeHTTP.live(test) { client in
            var solvers: Set<Int> = []
            for index in 0..<requests {
                if index > 0 { test.clock.advance(by: 60.0 / Double(requests)) }
                let robot = index % 500
                var headers = SignupHTTP.jsonHeaders
                headers[HTTPField.Name("X-Forwarded-For")!] = "10.\(robot / 250).\(robot % 250).7"
                var body: [String: Any] = ["email": "reader\(index % 2_000)@example\(index % 50).org"]
                if solvers.contains(robot) { body["proof"] = try await Self.proof(client, "signup") }
                var answer = try await SignupHTTP.signUp(client, body, headers: headers)
                if answer.status == .preconditionRequired, robot % 10 == 0 {
                    solvers.insert(robot)
                    body["proof"] = try await Self.proof(client, "signup")
                    answer = try await SignupHTTP.signUp(client, body, headers: headers)
                }
                counts.withLock { answer.status == .accepted ? ($0.accepted += 1) : ($0.refused += 1) }
            }
        }
        let (refused, accepted) = counts.withLock { $0 }
        // One alert, within the first minute; the operator mailed once.
        #expect(try await test.sql("SELECT kind FROM alerts") == ["signup_rate"])
        #expect(try await test.sql("SELECT mailed FROM alerts") == ["1"])
        let raised = try #require(try await test.sql("SELECT raised_at FROM alerts").first.flatMap(Timestamp.parse))
        let timeToAlert = raised.timeIntervalSince(start)
        #expect(timeToAlert < 60)
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'operator_alert'") == ["1"])
        #expect(try await test.sql("SELECT count(*) FROM events WHERE action = 'alert.raised'") == ["1"])
        // The challenge turned on as the alert did, at the 61st request: from then on only the
        // solving robots' requests (every tenth, 494 of the remaining 4,940) got through.
        #expect(accepted == 60 + 494)
        #expect(refused == 4_940 - 494)
        #expect(try await test.sql("SELECT count(*) FROM spent_challenges") == ["494"])
        #expect(test.runtime.services.abuse.challengeRequired(.signup))
        try await test.application.test(.router) { client in
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"masthead_abuse_alerts_active{kind="signup_rate"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"masthead_abuse_distinct_sources{of="network"} 500"#))
            #expect(metrics.contains(#"masthead_abuse_distinct_sources{of="domain"} 50"#))
        }

        // Delivery sends no more confirmations than the budget; the rest wait for the next hour.
        while try await test.deliver() > 0 {}
        let sent = try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND state = 'sent'")
        let held = try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND state = 'queued'")
        // 254 distinct addresses got through (readers 0-59, then every tenth of 0-1990), one
        // confirmation each: 100 within the budget, the rest held for the next hour.
        #expect(sent == ["100"])
        #expect(held == ["154"])
        print("flood: \(requests) sign-up requests, \(refused) refused (428), \(accepted) accepted, alert after \(timeToAlert) s, \(sent[0]) confirmations sent, \(held[0]) held")

        // After a quiet cool-down the alert ends and a plain form works again.
        test.clock.advance(by: 15 * 60 + 1)
        await test.runtime.services.abuse.tick()
        #expect(try await test.sql("SELECT count(*) FROM alerts WHERE cleared_at IS NOT NULL") == ["1"])
        #expect(!test.runtime.services.abuse.challengeRequired(.signup))
        try await test.application.test(.router) { client in
            #expect(try await Self.challenge(client, "signup").required == false)
            #expect(try await SignupHTTP.signUp(client, ["email": "calm@example.org"]).status == .accepted)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"masthead_abuse_challenge_required{purpose="signup"} 0"#), "\(metrics)")
            #expect(metrics.contains(#"masthead_mail_confirmation_budget 100"#))
        }
    }

    /// Fifty failed payments from three clients within a minute: an alert, and pledges need a
    /// proof of work while sign-ups do not.
    @Test(.timeLimit(.minutes(3)), arguments: StoreKind.allCases) func cardTestingTurnsTheChallengeOnForPledges(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) {
            $0.trustedProxies = [IPNetwork("127.0.0.1")!]
            $0.challenge = .adaptive
            $0.rateLimitPerMinute = 0
            $0.pledgeDeclines = 0
            $0.pledgesPerDay = 0
            $0.operatorEmail = "desk@example.org"
        }
        defer { test.shutdown() }
        try await PledgeHTTP.live(test) { client in
            for attempt in 0..<50 {
                test.clock.advance(by: 1)
                let answer = try await CardTestingLimitTests.declinedAttempt(
                    test, client, from: "198.51.100.\(attempt % 3)", email: "tester\(attempt)@example.org")
                if attempt < 10 { #expect(answer.status == .created) }
            }
            #expect(test.runtime.services.abuse.challengeRequired(.pledge))
            #expect(!test.runtime.services.abuse.challengeRequired(.signup))
            let refused = try await PledgeHTTP.create(client, ["email": "next@example.org", "amount": "1", "currency": "USD"], from: "198.51.100.9")
            #expect(refused.status == .preconditionRequired)
            let issued = try await Self.challenge(client, "pledge")
            #expect(issued.required)
        }
        #expect(try await test.sql("SELECT kind FROM alerts") == ["payment_failures"])
        #expect(try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'operator_alert'") == ["1"])

        // Staff see it with the CLI.
        let listed = try await Executables.run(
            "masthead", ["alerts", "list", "--format", "json", "--database", test.databaseArgument], in: test.directory.path,
            environment: ["MASTHEAD_KEYS": test.directory.file("masthead.keys")])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == 1)
        #expect(rows.first?["kind"] as? String == "payment_failures")
        #expect(rows.first?["mailed"] as? Bool == true)
        #expect((rows.first?["cleared"] as? String)?.isEmpty == true)
        #expect((rows.first?["detail"] as? String)?.contains("failed payments in the last minute") == true)
    }
}

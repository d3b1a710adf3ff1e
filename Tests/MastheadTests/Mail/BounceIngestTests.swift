import Foundation
import HTTPTypes
import HummingbirdTesting
import MastheadRuntime
import NewsletterSignup
import NIOCore
import SubscriberLists
import Testing
import TestSupport

/// Reports that come back to a message's VERP return path, as mail systems write them
/// (`Tests/bounces/`): each ends, counts or leaves the address's mail as the standards say, a
/// forged return path changes nothing, and `masthead bounces ingest` exits as an MTA needs.
@Suite(.timeLimit(.minutes(3))) struct BounceIngestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("bounces")

    /// A reader confirmed on one newsletter and pending on another, and the return path of the
    /// confirmation just sent to them (from the `.eml`'s `Return-Path`).
    static func readerWithMail(_ store: StoreKind) async throws -> (TestRuntime, returnPath: String) {
        let test = try await TestRuntime(store: store)
        try await test.newsletter("ukraine-daily")
        try await test.newsletter("culture")
        _ = try await test.runtime.services.directory.add("anna@example.org", newsletter: "ukraine-daily", confirmed: true, basis: "form", actor: "test")
        _ = try await test.runtime.services.directory.add("Anna@Example.org", newsletter: "culture", confirmed: false, basis: nil, actor: "test")
        try await test.deliver()
        let email = try #require(try test.emails().last)
        let returnPath = try #require(try String(contentsOfFile: email, encoding: .utf8).firstMatch(of: /^Return-Path: <([^>]+)>/)?.output.1)
        return (test, String(returnPath))
    }

    static func report(_ name: String, returnPath: String) throws -> [UInt8] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
            .replacingOccurrences(of: "{{RETURN_PATH}}", with: returnPath).replacingOccurrences(of: "{{RECIPIENT}}", with: "anna@example.org")
        return Array(text.utf8)
    }

    struct Case: Sendable, CustomStringConvertible {
        let fixture: String
        let result: String
        let states: [String]
        var description: String { fixture }
    }

    static let cases = [
        Case(fixture: "rfc3464-failed.eml", result: "hard 5.0.0", states: ["culture bounced", "ukraine-daily bounced"]),
        Case(fixture: "postfix-user-unknown.eml", result: "hard 5.1.1", states: ["culture bounced", "ukraine-daily bounced"]),
        Case(fixture: "exim-failed.eml", result: "hard 5.0.0", states: ["culture bounced", "ukraine-daily bounced"]),
        Case(fixture: "gmail-no-such-user.eml", result: "hard 5.1.1", states: ["culture bounced", "ukraine-daily bounced"]),
        Case(fixture: "m365-ndr.eml", result: "hard 5.1.10", states: ["culture bounced", "ukraine-daily bounced"]),
        Case(fixture: "postfix-delayed.eml", result: "soft 4.4.1", states: ["culture pending", "ukraine-daily confirmed"]),
        Case(fixture: "qmail-prose.eml", result: "soft unknown", states: ["culture pending", "ukraine-daily confirmed"]),
        Case(fixture: "delivered.eml", result: "ignored", states: ["culture pending", "ukraine-daily confirmed"]),
        Case(fixture: "arf-abuse.eml", result: "complaint abuse", states: ["culture complained", "ukraine-daily complained"]),
    ]

    @Test(arguments: cases) func eachReportChangesWhatItSays(_ report: Case) async throws {
        let (test, returnPath) = try await Self.readerWithMail(.sqlite)
        defer { test.shutdown() }
        let result = try await test.runtime.services.bounceIntake.ingest(try Self.report(report.fixture, returnPath: returnPath), recipient: nil)
        switch result {
        case .applied(let kind, let status, _): #expect("\(kind.rawValue) \(status)" == report.result)
        case .ignored: #expect(report.result == "ignored", "\(result)")
        }
        #expect(try await Self.states(test) == report.states)
        let suppressed = try await test.runtime.services.directory.suppression(of: "anna@example.org")
        #expect(suppressed?.reason.rawValue == ["hard": "bounced", "complaint": "complained"][String(report.result.prefix { $0 != " " })])
    }

    /// Both stores: a complaint ends everything at once with its audit record and webhook event;
    /// five soft bounces within a week count as a hard one.
    @Test(arguments: StoreKind.allCases) func complaintsEndMailAtOnceAndSoftBouncesAddUp(_ store: StoreKind) async throws {
        let (test, returnPath) = try await Self.readerWithMail(store)
        defer { test.shutdown() }
        let intake = test.runtime.services.bounceIntake
        for attempt in 1...4 {
            let result = try await intake.ingest(try Self.report("postfix-delayed.eml", returnPath: returnPath), recipient: nil)
            #expect(result == .applied(.softBounce, status: "4.4.1", .softBounceCounted(count: attempt)))
            test.clock.advance(by: 3600)
        }
        #expect(try await Self.states(test) == ["culture pending", "ukraine-daily confirmed"])
        let fifth = try await intake.ingest(try Self.report("postfix-delayed.eml", returnPath: returnPath), recipient: nil)
        #expect(fifth == .applied(.softBounce, status: "4.4.1", .bounced(newsletters: ["culture", "ukraine-daily"], escalated: true)))
        #expect(try await Self.states(test) == ["culture bounced", "ukraine-daily bounced"])

        let (other, otherPath) = try await Self.readerWithMail(store)
        defer { other.shutdown() }
        let complained = try await other.runtime.services.bounceIntake.ingest(try Self.report("arf-abuse.eml", returnPath: otherPath), recipient: otherPath)
        #expect(complained == .applied(.complaint, status: "abuse", .complained(newsletters: ["culture", "ukraine-daily"])))
        let audit = try await other.sql("SELECT action || ' ' || actor FROM events WHERE action = 'subscription.complained'")
        #expect(audit == ["subscription.complained system"])
        // A later sign-up is refused by the suppression list like any other suppressed address.
        await #expect(throws: SubscriberError.suppressed(.complained)) {
            try await other.runtime.services.directory.add("anna@example.org", newsletter: "culture", confirmed: false, basis: nil, actor: "test")
        }
    }

    /// `/metrics` counts what came back from the database (so a report the command took in, in
    /// another process, counts too): reports by kind, and per newsletter the week's messages,
    /// complaints and their rate.
    @Test(arguments: StoreKind.allCases) func metricsShowReportsByKindAndEachNewslettersComplaintRate(_ store: StoreKind) async throws {
        let (test, returnPath) = try await Self.readerWithMail(store)
        defer { test.shutdown() }
        _ = try await test.runtime.services.directory.add("bohdan@example.org", newsletter: "culture", confirmed: false, basis: nil, actor: "test")
        try await test.deliver()
        let intake = test.runtime.services.bounceIntake
        _ = try await intake.ingest(try Self.report("postfix-delayed.eml", returnPath: returnPath), recipient: nil)
        _ = try await intake.ingest(try Self.report("arf-abuse.eml", returnPath: returnPath), recipient: nil)
        func metrics() async throws -> [String] {
            try await test.application.test(.router) { client in
                let response = try await client.execute(uri: "/metrics", method: .get)
                return String(buffer: response.body).split(separator: "\n").map(String.init).filter { $0.hasPrefix("masthead_mail_") }
            }
        }
        let now = try await metrics()
        for line in [
            #"masthead_mail_feedback_reports{kind="soft"} 1.0"#, #"masthead_mail_feedback_reports{kind="complaint"} 1.0"#,
            #"masthead_mail_feedback_reports{kind="hard"} 0.0"#,
            // culture: anna's and bohdan's confirmations, anna complained; ukraine-daily: anna's only.
            #"masthead_mail_sent_7d{newsletter="culture"} 2.0"#, #"masthead_mail_complaints_7d{newsletter="culture"} 1.0"#,
            #"masthead_mail_complaint_rate{newsletter="culture"} 0.5"#,
            #"masthead_mail_sent_7d{newsletter="ukraine-daily"} 1.0"#, #"masthead_mail_complaint_rate{newsletter="ukraine-daily"} 1.0"#,
        ] {
            #expect(now.contains(line), "\(line) in \(now)")
        }
        // A week later the window holds neither the messages nor the complaint.
        test.clock.advance(by: 8 * 86_400)
        let later = try await metrics()
        #expect(later.contains(#"masthead_mail_sent_7d{newsletter="culture"} 0.0"#) && later.contains(#"masthead_mail_complaint_rate{newsletter="culture"} 0.0"#))
        #expect(later.contains(#"masthead_mail_feedback_reports{kind="complaint"} 1.0"#))
    }

    /// A return path whose token was altered, or that names another message's recipient, is ignored.
    @Test func aForgedReturnPathChangesNothing() async throws {
        let (test, returnPath) = try await Self.readerWithMail(.sqlite)
        defer { test.shutdown() }
        let token = returnPath.dropFirst("bounces+".count).prefix { $0 != "@" }
        var altered = Array(token)
        altered[3] = altered[3] == "a" ? "b" : "a"
        let forged = returnPath.replacingOccurrences(of: String(token), with: String(altered))
        let result = try await test.runtime.services.bounceIntake.ingest(try Self.report("postfix-user-unknown.eml", returnPath: forged), recipient: nil)
        #expect(result == .ignored("not a valid, current return path: \(forged)"))
        #expect(try await Self.states(test) == ["culture pending", "ukraine-daily confirmed"])
        // Thirty-one days later the genuine one is too old to be believed.
        test.clock.advance(by: 31 * 86_400)
        let stale = try await test.runtime.services.bounceIntake.ingest(try Self.report("postfix-user-unknown.eml", returnPath: returnPath), recipient: nil)
        #expect(stale == .ignored("not a valid, current return path: \(returnPath)"))
    }

    /// As Postfix's pipe runs it: the report on stdin, the return path as `--recipient`; exit 0
    /// for what it applied or ignored, non-zero when it cannot reach its database.
    @Test func theCommandTakesAReportOnStandardInput() async throws {
        let (test, returnPath) = try await Self.readerWithMail(.sqlite)
        defer { test.shutdown() }
        let file = test.directory.file("report.eml")
        try Data(try Self.report("gmail-no-such-user.eml", returnPath: "someone-else@example.org")).write(to: URL(fileURLWithPath: file))
        func ingest(_ arguments: [String]) async throws -> Executables.Outcome {
            try await Executables.runProgram(
                "/bin/sh", ["-c", "exec \"$0\" bounces ingest \"$@\" < \"\(file)\"", Executables.path("masthead")] + arguments,
                in: test.directory.path)
        }
        let applied = try await ingest(["--recipient", returnPath, "--database", test.databaseArgument])
        #expect(applied.status == 0 && applied.stdout == "applied hard (5.1.1): suppressed; bounced from culture, ukraine-daily\n", "\(applied.stderr)")
        let ignored = try await ingest(["--recipient", "news@news.example.org", "--database", test.databaseArgument])
        #expect(ignored.status == 0 && ignored.stdout.hasPrefix("ignored: not a valid, current return path"))
        let broken = try await ingest(["--recipient", returnPath, "--database", "sqlite:\(test.directory.file("missing/nothing.sqlite"))"])
        #expect(broken.status != 0)
    }

    static func states(_ test: TestRuntime) async throws -> [String] {
        try await test.sql("""
            SELECT n.slug || ' ' || s.status FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
            JOIN subscribers p ON p.id = s.subscriber_id WHERE p.email_normalized = 'anna@example.org' ORDER BY n.slug
            """)
    }
}

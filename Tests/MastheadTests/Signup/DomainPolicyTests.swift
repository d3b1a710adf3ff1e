import DNSLookup
import Foundation
import HTTPTypes
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import NewsletterSignup
import NIOCore
import Testing
import TestSupport

/// The sign-up domain policy over the real router: the built-in email-to-SMS gateways, staff's
/// block and allow rules (set with the real `masthead domains`), the hourly cap per domain, and
/// the MX check against dnsmasq. A refused sign-up records nothing.
@Suite(.timeLimit(.minutes(3))) struct DomainPolicyTests {
    /// The `email` error's code of a refused sign-up, or the status when it was accepted.
    static func outcome(_ client: some TestClientProtocol, _ email: String) async throws -> String {
        let response = try await SignupHTTP.signUp(client, ["email": email, "newsletters": ["ukraine-daily"]])
        guard response.status.code >= 400 else { return String(response.status.code) }
        let errors = try SignupHTTP.object(response)["errors"] as? [[String: Any]] ?? []
        let field = errors.first { $0["field"] as? String == "email" }
        return "\(response.status.code) \(field?["code"] as? String ?? "?")"
    }

    @Test(arguments: StoreKind.allCases) func gatewaysAndStaffRulesDecideWithTheMostSpecificDomainFirst(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        let rules = test.runtime.services.domainRules
        try await test.application.test(.router) { client in
            #expect(try await Self.outcome(client, "2025550143@vtext.com") == "422 refused_domain")
            #expect(try await Self.outcome(client, "2025550143@TXT.ATT.NET") == "422 refused_domain")
            try await rules.set(["spam.example.net"], rule: .block, source: "test", actor: "test")
            #expect(try await Self.outcome(client, "a@spam.example.net") == "422 refused_domain")
            #expect(try await Self.outcome(client, "a@mx1.spam.example.net") == "422 refused_domain")  // a subdomain too
            try await rules.set(["ok.spam.example.net", "vtext.com"], rule: .allow, source: "test", actor: "test")
            #expect(try await Self.outcome(client, "b@ok.spam.example.net") == "202")
            #expect(try await Self.outcome(client, "2025550143@vtext.com") == "202")  // staff allowed a built-in one
            #expect(try await Self.outcome(client, "c@spam.example.net") == "422 refused_domain")
            #expect(try await Self.outcome(client, "anna@example.org") == "202")
            // The reader sees why, in their language.
            let refused = try await SignupHTTP.signUp(
                client, ["email": "c@spam.example.net", "newsletters": ["ukraine-daily"], "locale": "uk"],
                headers: SignupHTTP.jsonHeaders + [HTTPField(name: .acceptLanguage, value: "uk")])
            #expect(String(buffer: refused.body).contains("Ми не можемо надсилати листи на адреси цього домену"))
        }
        #expect(try await test.sql("SELECT email_normalized FROM subscribers ORDER BY 1")
            == ["2025550143@vtext.com", "anna@example.org", "b@ok.spam.example.net"])
        #expect(try await test.sql("SELECT action || ' ' || actor FROM events WHERE action LIKE 'domain.%' ORDER BY id")
            == ["domain.blocked test", "domain.allowed test"])
    }

    @Test func theCommandBlocksImportsListsAndRemoves() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        // The running daemon holds the rules in memory; it has read them (none yet) before the command changes them.
        let before = try await test.application.test(.router) { client in try await Self.outcome(client, "a@mailinator.com") }
        #expect(before == "202")
        let list = test.directory.file("disposable.conf")
        try "# disposable-email-domains\nmailinator.com\n\nguerrillamail.com   # trailing comment\nnot a domain\nYOPMAIL.com\n"
            .write(toFile: list, atomically: true, encoding: .utf8)
        func masthead(_ arguments: [String]) async throws -> Executables.Outcome {
            try await Executables.run("masthead", arguments + ["--database", test.databaseArgument], in: test.directory.path)
        }
        let imported = try await masthead(["domains", "import", list])
        #expect(imported.status == 1 && imported.stderr.contains("line 5: 'not a domain' is not a domain; skipped"), "\(imported.stderr)")
        #expect(imported.stdout.contains("blocked 3 domains (3 changed), 1 lines rejected"), "\(imported.stdout)")
        #expect(try await masthead(["domains", "allow", "newsroom.example.org"]).status == 0)
        let badDomain = try await masthead(["domains", "block", "not_a_domain"])
        #expect(badDomain.status == 1 && badDomain.stderr.contains("is not a domain name"))
        let listed = try await masthead(["domains", "list", "--format", "csv"])
        #expect(listed.stdout.split(separator: "\r\n").map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
            == ["DOMAIN,RULE,SOURCE", "guerrillamail.com,block,import:disposable.conf", "mailinator.com,block,import:disposable.conf",
                "newsroom.example.org,allow,masthead domains allow", "yopmail.com,block,import:disposable.conf"], "\(listed.stdout)")
        // Another process's change reaches the daemon's sign-ups within seconds (its cache checks every 5 s).
        var after = ""
        for _ in 0..<80 where after != "422 refused_domain" {
            after = try await test.application.test(.router) { client in try await Self.outcome(client, "b@yopmail.com") }
            if after != "422 refused_domain" { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(after == "422 refused_domain")
        #expect(try await masthead(["domains", "remove", "mailinator.com"]).status == 0)
        let missing = try await masthead(["domains", "remove", "mailinator.com"])
        #expect(missing.status == 1 && missing.stderr.contains("mailinator.com has no rule"))
        #expect(try await masthead(["domains", "list", "--built-in"]).stdout.contains("vtext.com"))
    }

    @Test func eachDomainHasItsHourlyCapButAnAllowedOne() async throws {
        let test = try await TestRuntime(clock: TestClock(Date(timeIntervalSince1970: 1_800_000_000))) { $0.signupDomainHourly = 2 }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        try await test.runtime.services.domainRules.set(["newsroom.example.org"], rule: .allow, source: "test", actor: "test")
        try await test.application.test(.router) { client in
            #expect(try await Self.outcome(client, "a@flood.example.net") == "202")
            #expect(try await Self.outcome(client, "b@flood.example.net") == "202")
            let third = try await SignupHTTP.signUp(client, ["email": "c@flood.example.net", "newsletters": ["ukraine-daily"]])
            #expect(third.status == .tooManyRequests && third.headers[.contentType] == "application/problem+json")
            #expect(try await Self.outcome(client, "a@other.example.net") == "202")
            for reader in ["a", "b", "c"] { #expect(try await Self.outcome(client, "\(reader)@newsroom.example.org") == "202") }
            test.clock.advance(by: 3600)
            #expect(try await Self.outcome(client, "c@flood.example.net") == "202")
        }
    }

    @Test(.enabled(if: DNSServerProcess.isInstalled || ProcessInfo.processInfo.environment["CI"] != nil, "dnsmasq is needed; Ops/test installs it"))
    func theMXCheckRefusesDomainsThatReceiveNoMailAndADNSFailureRefusesNothing() async throws {
        let zone = try TemporaryDirectory()
        let dns = try await DNSServerProcess([
            "--mx-host=mx.example.org,mail.example.net,10", "--host-record=mail.example.net,203.0.113.25",
            "--host-record=a-only.example.org,203.0.113.7", "--mx-host=null-mx.example.org,.,0",
        ], in: zone)
        let server = try DNSServer(dns.address)
        let test = try await TestRuntime {
            $0.signupMXCheck = true
            $0.dnsServer = server
        }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        let outcomes = try await test.application.test(.router) { client in
            var outcomes: [String] = []
            for domain in ["mx", "a-only", "null-mx", "typo"] { outcomes.append(try await Self.outcome(client, "anna@\(domain).example.org")) }
            return outcomes
        }
        // An address stands in for MX (RFC 5321); a null MX and a name that does not exist take no mail.
        #expect(outcomes == ["202", "202", "422 no_mail_server", "422 no_mail_server"])
        // No DNS server answering: readers are not refused for it.
        let nobody = try DNSServer("127.0.0.1:\(try Loopback.freePort())")
        let silent = try await TestRuntime {
            $0.signupMXCheck = true
            $0.dnsServer = nobody
        }
        defer { silent.shutdown() }
        try await silent.newsletter("ukraine-daily")
        let accepted = try await silent.application.test(.router) { client in try await Self.outcome(client, "anna@typo.example.org") }
        #expect(accepted == "202")
    }
}

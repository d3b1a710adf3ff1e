import DNSLookup
import Foundation
import SenderChecks
import Testing
import TestSupport

/// The SPF evaluator `masthead doctor` uses, against zones dnsmasq serves: each mechanism, the
/// qualifiers, `redirect`, includes that fail, and the ten-lookup limit.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: DNSServerProcess.isInstalled || ProcessInfo.processInfo.environment["CI"] != nil, "dnsmasq is needed; Ops/test installs it"))
struct SPFEvaluationTests {
    struct Case: Sendable, CustomStringConvertible {
        let domain: String
        let ip: String
        let result: SPFEvaluation.Result
        var description: String { "\(ip) from \(domain)" }
    }

    static let zone: [String] = [
        DNSServerProcess.txt("ip.example.org", "v=spf1 ip4:192.0.2.0/25 ip6:2001:db8::/48 -all"),
        DNSServerProcess.txt("a.example.org", "v=spf1 a:relay.example.net/30 ~all"),
        DNSServerProcess.txt("mx.example.org", "v=spf1 mx ?all"),
        DNSServerProcess.txt("redirect.example.org", "v=spf1 redirect=ip.example.org"),
        DNSServerProcess.txt("include.example.org", "v=spf1 include:missing.example.net -all"),
        DNSServerProcess.txt("two.example.org", "v=spf1 -all"), DNSServerProcess.txt("two.example.org", "v=spf1 +all"),
        DNSServerProcess.txt("loop.example.org", "v=spf1 include:loop.example.org -all"),
        DNSServerProcess.txt("neutral.example.org", "v=spf1 ip4:198.51.100.1"),
        "--host-record=relay.example.net,203.0.113.8",
        "--mx-host=mx.example.org,in.example.net,10", "--host-record=in.example.net,203.0.113.50",
    ]

    static let cases = [
        Case(domain: "ip.example.org", ip: "192.0.2.100", result: .pass),
        Case(domain: "ip.example.org", ip: "192.0.2.200", result: .fail),
        Case(domain: "ip.example.org", ip: "2001:db8::25", result: .pass),
        Case(domain: "a.example.org", ip: "203.0.113.10", result: .pass),  // inside relay's /30
        Case(domain: "a.example.org", ip: "203.0.113.12", result: .softfail),
        Case(domain: "mx.example.org", ip: "203.0.113.50", result: .pass),
        Case(domain: "mx.example.org", ip: "203.0.113.51", result: .neutral),
        Case(domain: "redirect.example.org", ip: "192.0.2.1", result: .pass),
        Case(domain: "redirect.example.org", ip: "10.0.0.1", result: .fail),
        Case(domain: "include.example.org", ip: "192.0.2.1", result: .permerror),  // the include has no record
        Case(domain: "two.example.org", ip: "192.0.2.1", result: .permerror),
        Case(domain: "loop.example.org", ip: "192.0.2.1", result: .permerror),  // more than ten lookups
        Case(domain: "neutral.example.org", ip: "192.0.2.1", result: .neutral),
        Case(domain: "none.example.org", ip: "192.0.2.1", result: .none),
    ]

    @Test func eachMechanismAndLimitAsRFC7208Says() async throws {
        let directory = try TemporaryDirectory()
        let server = try await DNSServerProcess(Self.zone, in: directory)
        let dns = DNSResolver(server: try DNSServer(server.address))
        let verdicts = try await offThePool { Self.cases.map { SPFEvaluation.check(IPAddress($0.ip)!, domain: $0.domain, dns: dns).result } }
        for (check, verdict) in zip(Self.cases, verdicts) {
            #expect(verdict == check.result, "\(check)")
        }
        // An unreachable server is an error to report, not a missing record.
        let silent = DNSResolver(server: try DNSServer("127.0.0.1:\(try Loopback.freePort())"), timeout: .milliseconds(200))
        #expect(throws: DNSLookupError.self) { try silent.records("ip.example.org", .txt) }
    }
}

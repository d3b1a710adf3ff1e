import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

/// `Ops/prometheus/`'s alert rules: valid for Prometheus's own `promtool`, firing as their unit
/// tests say, and written against series the daemon really exposes.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") || ProcessInfo.processInfo.environment["CI"] != nil,
        "promtool (Debian's prometheus) is needed; Ops/test installs it"))
struct PrometheusRuleTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Ops/prometheus").path

    @Test func theRulesCheckTheirTestsPassAndTheirSeriesExist() async throws {
        for arguments in [["check", "rules", "masthead-deliverability.rules.yml"], ["test", "rules", "masthead-deliverability.test.yml"]] {
            let outcome = try await Executables.runProgram("/usr/bin/promtool", arguments, in: Self.directory)
            #expect(outcome.status == 0, "promtool \(arguments.joined(separator: " ")): \(outcome.stdout)\(outcome.stderr)")
        }
        let rules = try String(contentsOfFile: Self.directory + "/masthead-deliverability.rules.yml", encoding: .utf8)
        let used = Set(rules.matches(of: /masthead_[a-z0-9_]+/).map { String($0.output) })
        #expect(!used.isEmpty)
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        let exposed = try await test.application.test(.router) { client in
            String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
        }
        for name in used {
            #expect(exposed.contains("\n\(name){"), "\(name) is not among /metrics' series")
        }
    }
}

import Foundation
import Testing
import TestSupport

/// schemathesis (PyPI) against the served `/openapi.yaml` of the real daemon, with a fixed seed
/// and a bounded number of examples per operation, so the run is the same each time and takes
/// about 30 seconds: no answer may be a server error, or have a status, content type or body
/// the document does not describe. Requests carry an admin token with every scope (the public
/// routes ignore it). `SCHEMATHESIS_EXAMPLES` asks for a longer run by hand.
@Suite(
    .timeLimit(.minutes(5)),
    .enabled(if: Schemathesis.available || ProcessInfo.processInfo.environment["CI"] != nil, "schemathesis is not installed; Ops/test installs it"))
struct SchemathesisTests {
    @Test func everyAnswerIsDocumentedAndNoneIsAServerError() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        let added = try await Executables.run("masthead", ["newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily"], in: directory.path)
        try #require(added.status == 0, "\(added.stderr)")
        // A token with every scope, so the admin API is tested past its bearer check.
        let scopes = "subscribers:read,subscribers:write,newsletters:read,newsletters:write,pledges:read,outbox:read,outbox:write,"
            + "webhooks:read,webhooks:write,stats:read"
        let created = try await Executables.run("masthead", ["tokens", "create", "--name", "schemathesis", "--scope", scopes], in: directory.path)
        let token = try #require(created.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines), "\(created.stderr)")
        // The per-client and per-token limits would answer most generated requests 429, and test little else.
        let daemon = try await DaemonProcess(
            in: directory.path, environment: ["MASTHEAD_RATE_LIMIT": "0", "MASTHEAD_ADMIN_RATE_LIMIT": "0", "MASTHEAD_CHALLENGE": "off"])
        let examples = ProcessInfo.processInfo.environment["SCHEMATHESIS_EXAMPLES"] ?? "25"
        let run = try await Executables.runProgram(
            "/usr/bin/env",
            [
                "schemathesis", "run", daemon.baseURL + "/openapi.yaml",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--seed", "20261201", "--max-examples", examples, "--workers", "1", "--no-color",
                "--header", "Authorization: Bearer \(token)",
            ],
            in: directory.path)
        let summary = run.stdout.split(separator: "\n").filter { $0.contains(" generated, ") || $0.hasPrefix("====") && $0.contains(" in ") }
        print("schemathesis: \(summary.joined(separator: " | "))")
        #expect(run.status == 0, "\(run.stdout.suffix(6_000))\(run.stderr.suffix(2_000))")
        #expect(run.stdout.contains("passed"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
    }
}

enum Schemathesis {
    static let available: Bool = (try? Executables.runProgramOnThisThread("/usr/bin/env", ["schemathesis", "--version"]).status) == 0
}

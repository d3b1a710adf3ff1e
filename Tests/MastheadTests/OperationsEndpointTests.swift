import Foundation
import GRDB
import Hummingbird
import MastheadRuntime
import HummingbirdTesting
import TestSupport
import Testing

@testable import MastheadHTTP

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml` through the real router.
@Suite struct OperationsEndpointTests {
    @Test func healthIsOKWhileTheProcessRuns() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok\n")
        }
    }

    @Test func readyWhenTheDatabaseAnswersAndMigrationsAreCurrent() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
        }
    }

    @Test func notReadyWhenAMigrationIsMissing() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let queue = try DatabaseQueue(path: test.databasePath)
        try await queue.write { db in try db.execute(sql: "DELETE FROM schema_migrations") }
        try queue.close()
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            // The reason goes to the log, not to the (possibly public) probe.
            #expect(!String(buffer: response.body).contains("0001_init"))
        }
        #expect(test.log.text.contains("migrations pending: 0001_init"))
    }

    @Test func notReadyWhenTheDatabaseFileIsGone() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try FileManager.default.moveItem(atPath: test.databasePath, toPath: test.databasePath + ".moved")
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
    }

    @Test func notReadyWhenTheDatabaseFileIsReplacedByGarbage() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.moveItem(atPath: test.databasePath + suffix, toPath: test.databasePath + suffix + ".moved")
        }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: test.databasePath))
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
        #expect(test.log.text.contains("does not answer"))
    }

    @Test(.enabled(if: geteuid() != 0, "root reads files whatever their mode; CI runs as root"))
    func notReadyWhenTheDatabaseFileIsUnreadable() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: test.databasePath)
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
    }

    @Test func metricsCountTheRequestJustMade() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            // Twice: the second request finds its series already made.
            _ = try await client.execute(uri: "/healthz", method: .get)
            _ = try await client.execute(uri: "/healthz", method: .get)
            _ = try await client.execute(uri: "/no-such-page", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains(#"masthead_http_requests_total{route="/healthz",method="GET",status="200"} 2"#))
            #expect(text.contains(#"masthead_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(text.contains(#"masthead_http_request_duration_seconds_count{route="/healthz",method="GET"} 2"#))
            #expect(text.contains("masthead_db_pool_readers_max 8"))
        }
    }

    @Test func openAPIDocumentListsExactlyTheRoutesTheRouterServes() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let router = try test.runtime.router()
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        try await Application(router: router, logger: test.runtime.logger).test(.router) { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            let documented = Set(OpenAPIPaths.operations(in: String(buffer: response.body)))
            #expect(documented == served)
        }
    }
}

/// The served document is valid OpenAPI 3.1, checked by `openapi-spec-validator` from PyPI
/// (Ops/test installs it; without it, and outside CI, the check is skipped).
@Suite(.enabled(if: OpenAPIValidator.available || ProcessInfo.processInfo.environment["CI"] != nil, "openapi-spec-validator is not installed; Ops/test installs it"))
struct OpenAPIValidityTests {
    @Test func servedDocumentIsValidOpenAPI() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let document = try await test.application.test(.router) { client in
            String(buffer: try await client.execute(uri: "/openapi.yaml", method: .get).body)
        }
        let file = test.directory.file("openapi.yaml")
        try document.write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try await Executables.runProgram("/usr/bin/env", ["python3", "-m", "openapi_spec_validator", file])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
    }
}

enum OpenAPIValidator {
    static let available: Bool =
        (try? Executables.runProgramOnThisThread("/usr/bin/env", ["python3", "-c", "import openapi_spec_validator"]).status) == 0
}

/// Reads `METHOD /path` pairs from the `paths:` section of an OpenAPI YAML document.
enum OpenAPIPaths {
    static func operations(in yaml: String) -> [String] {
        var operations: [String] = []
        var inPaths = false
        var currentPath: String?
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, !first.isWhitespace { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if methods.contains(String(key)) { operations.append("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }
}

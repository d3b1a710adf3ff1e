import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// PostgreSQL going read-only (a promoted standby's old primary, an operator's switch) and its
/// connections being cut: the server's condition, so 503 with `Retry-After` and `/readyz` 503,
/// until writes work again — with no restart.
@Suite(.timeLimit(.minutes(2))) struct DatabaseUnavailableTests {
    @Test func aReadOnlyDatabaseIsA503AndNotReadyUntilWritesWorkAgain() async throws {
        let test = try await TestRuntime(store: .postgres)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        // Switched from the server's maintenance database: a read-only database cannot switch itself back.
        let name = String(try #require(URLComponents(string: test.databaseArgument)).path.dropFirst())
        let server = try PostgresTestServer.url.get()
        @Sendable func readOnly(_ on: Bool) async throws {
            _ = try await PostgresTestServer.rows(server, "ALTER DATABASE \(name) SET default_transaction_read_only = \(on ? "on" : "off")")
            _ = try await PostgresTestServer.rows(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        }
        try await test.application.test(.router) { client in
            #expect(try await SignupHTTP.signUp(client, ["email": "before@example.org"]).status == .accepted)
            try await readOnly(true)
            for number in 0..<3 {
                let refused = try await SignupHTTP.signUp(client, ["email": "during\(number)@example.org"])
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "10")
                #expect(refused.headers[.contentType] == "application/problem+json")
                if number == 0 {
                    let spec = String(buffer: try await client.execute(uri: "/openapi.yaml", method: .get).body)
                    let documented = try await SpecConformanceTests.lookUp(refused, of: .post, "/v1/subscriptions", in: spec, directory: test.directory)
                    #expect(documented.status == 0, "the 503 is in /openapi.yaml: \(documented.stderr)")
                }
            }
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)

            try await readOnly(false)
            var status = HTTPResponse.Status.serviceUnavailable
            for number in 0..<5 where status != .accepted {
                // The first try may still meet a connection the server just cut.
                status = try await SignupHTTP.signUp(client, ["email": "after\(number)@example.org"]).status
            }
            #expect(status == .accepted)
            // Ready again once no write has failed for the window (10 s).
            var ready = HTTPResponse.Status.serviceUnavailable
            for _ in 0..<40 where ready != .ok {
                try await Task.sleep(for: .milliseconds(500))
                ready = try await client.execute(uri: "/readyz", method: .get).status
            }
            #expect(ready == .ok)
        }
        #expect(try await test.sql("SELECT count(*) FROM subscribers WHERE email LIKE 'during%'") == ["0"], "nothing half-saved")
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// PostgreSQL going read-only (a promoted standby's old primary, an operator's switch) and its
/// connections being cut: the server's condition, so 503 with `Retry-After` and `/readyz` 503,
/// until writes work again — with no restart.
///
/// Each step has a deadline that names it: some awaits do not end when the test's time limit
/// cancels them, and a hang then held the whole run (found so: see the second test).
@Suite(.timeLimit(.minutes(3))) struct DatabaseUnavailableTests {
    /// Makes `test`'s database read-only or read-write, and cuts every connection to it, as a
    /// failover does. Done from the server's maintenance database: a read-only database cannot
    /// switch itself back.
    static func switcher(_ test: TestRuntime) throws -> @Sendable (Bool) async throws -> Void {
        let name = String(try #require(URLComponents(string: test.databaseArgument)).path.dropFirst())
        let server = try PostgresTestServer.url.get()
        return { on in
            _ = try await PostgresTestServer.rows(server, "ALTER DATABASE \(name) SET default_transaction_read_only = \(on ? "on" : "off")")
            _ = try await PostgresTestServer.rows(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        }
    }

    @Test func aReadOnlyDatabaseIsA503AndNotReadyUntilWritesWorkAgain() async throws {
        let test = try await TestRuntime(store: .postgres)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        let readOnly = try Self.switcher(test)
        try await test.application.test(.router) { client in
            #expect(try await within(30, "the first sign-up") { try await SignupHTTP.signUp(client, ["email": "before@example.org"]) }.status == .accepted)
            try await within(60, "switching the database to read-only") { try await readOnly(true) }
            for number in 0..<3 {
                let refused = try await within(30, "sign-up \(number) while read-only") {
                    try await SignupHTTP.signUp(client, ["email": "during\(number)@example.org"])
                }
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "10")
                #expect(refused.headers[.contentType] == "application/problem+json")
                if number == 0 {
                    let spec = String(buffer: try await client.execute(uri: "/openapi.yaml", method: .get).body)
                    let documented = try await SpecConformanceTests.lookUp(refused, of: .post, "/v1/subscriptions", in: spec, directory: test.directory)
                    #expect(documented.status == 0, "the 503 is in /openapi.yaml: \(documented.stderr)")
                }
            }
            #expect(try await within(30, "/readyz while read-only") { try await client.execute(uri: "/readyz", method: .get) }.status == .serviceUnavailable)

            try await within(60, "switching the database back to read-write") { try await readOnly(false) }
            var status = HTTPResponse.Status.serviceUnavailable
            for number in 0..<5 where status != .accepted {
                // The first try may still meet a connection the server just cut.
                status = try await within(30, "sign-up \(number) after writes came back") {
                    try await SignupHTTP.signUp(client, ["email": "after\(number)@example.org"])
                }.status
            }
            #expect(status == .accepted)
            // Ready again once no write has failed for the window (10 s).
            var ready = HTTPResponse.Status.serviceUnavailable
            for _ in 0..<40 where ready != .ok {
                try await Task.sleep(for: .milliseconds(500))
                ready = try await within(30, "/readyz after writes came back") { try await client.execute(uri: "/readyz", method: .get) }.status
            }
            #expect(ready == .ok)
        }
        #expect(
            try await within(30, "the final count") { try await test.sql("SELECT count(*) FROM subscribers WHERE email LIKE 'during%'") } == ["0"],
            "nothing half-saved")
    }

    /// Connections cut again and again, each time right after a write, on six databases at once:
    /// no request may hang. postgres-nio's pool handed out a connection the server had just
    /// closed, and a query on it never ended: before `PostgresSession` refused closed
    /// connections, one or two of these six hung in most runs on the loaded machine.
    @Test(arguments: 0..<6) func connectionsCutAgainAndAgainNeverHangARequest(_ database: Int) async throws {
        let test = try await TestRuntime(store: .postgres)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        let readOnly = try Self.switcher(test)
        try await test.application.test(.router) { client in
            for round in 0..<15 {
                // Just after the last cut, a try may still meet a cut connection (a 503).
                var before = HTTPResponse.Status.serviceUnavailable
                for attempt in 0..<5 where before != .accepted {
                    before = try await within(20, "sign-up before cut \(database).\(round), try \(attempt)") {
                        try await SignupHTTP.signUp(client, ["email": "before\(round)@example.org"])
                    }.status
                }
                #expect(before == .accepted)
                try await within(40, "read-only \(database).\(round)") { try await readOnly(true) }
                let during = try await within(20, "sign-up after cut \(database).\(round)") {
                    try await SignupHTTP.signUp(client, ["email": "during\(round)@example.org"])
                }
                #expect(during.status == .serviceUnavailable)
                try await within(40, "read-write \(database).\(round)") { try await readOnly(false) }
            }
        }
    }
}

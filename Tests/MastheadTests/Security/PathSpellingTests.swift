import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import Testing

/// One spelling per route: other spellings of a limited route are not served, so the
/// per-client limit (which matches the path) cannot be walked around (hardening, item 1).
@Suite(.timeLimit(.minutes(3))) struct PathSpellingTests {
    static let otherSpellings = [
        "/v1/subscriptions/", "//v1/subscriptions", "/v1//subscriptions", "/v1/./subscriptions", "/v1/x/../subscriptions",
        "/v1/subscription%73", "/v1/subscriptions//",
    ]

    @Test(arguments: otherSpellings) func aPostToAnotherSpellingIsA404NamingTheRoute(_ path: String) async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let response = try await client.execute(
                uri: path, method: .post, headers: SignupHTTP.jsonHeaders, body: SignupHTTP.json(["email": "a@example.org"]))
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            if !path.contains("%") { #expect(String(buffer: response.body).contains("/v1/subscriptions")) }
        }
        #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["0"], "nothing was recorded")
    }

    @Test func aGetToAnotherSpellingIsRedirectedToTheRoute() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "//subscribe/?lang=uk", method: .get)
            #expect(response.status == .permanentRedirect)
            #expect(response.headers[.location] == "/subscribe?lang=uk")
            #expect(try await client.execute(uri: "/healthz/", method: .head).status == .permanentRedirect)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    /// The attack as it was found: 50 sign-ups from one client, spelled every way; only the
    /// burst gets through.
    @Test func fiftySignUpsFromOneClientAreLimitedWhateverTheSpelling() async throws {
        let test = try await TestRuntime { $0.rateBurst = 10 }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        let app = Application(
            router: try test.runtime.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: test.runtime.logger)
        let paths = ["/v1/subscriptions"] + Self.otherSpellings
        try await app.test(.live) { client in
            var accepted = 0
            for number in 0..<50 {
                let response = try await client.execute(
                    uri: paths[number % paths.count], method: .post, headers: SignupHTTP.jsonHeaders,
                    body: SignupHTTP.json(["email": "r\(number)@example.org"]))
                if response.status == .accepted { accepted += 1 }
                #expect([.accepted, .notFound, .tooManyRequests].contains(response.status))
            }
            #expect(accepted <= 10)
        }
        #expect(try await Int(#require(test.sql("SELECT count(*) FROM subscribers").first)) ?? 99 <= 10)
    }
}

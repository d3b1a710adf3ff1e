import DNSLookup
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadHTTP
import MastheadRuntime
import MastheadSettings
import Synchronization
import Testing

/// Per-address rate limits (429 + Retry-After) and CORS, over a real socket so the client
/// address is the real peer.
/// The time limit is a hang guard, not a speed check: on 2 cores beside the browser tests these
/// live-socket tests have taken over a minute.
@Suite(.timeLimit(.minutes(3))) struct AbuseLimitTests {
    final class ManualSeconds: Sendable {
        let value = Mutex<Double>(1000)
        func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
    }

    @Test(arguments: StoreKind.allCases) func clientAddressGets429AfterItsBucketEmpties(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) {
            $0.rateBurst = 3
            $0.rateLimitPerMinute = 6
        }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        let seconds = ManualSeconds()
        let router = try test.runtime.router(rateClock: { seconds.value.withLock { $0 } })
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: test.runtime.logger)
        try await app.test(.live) { client in
            for number in 1...3 {
                let response = try await SignupHTTP.signUp(client, ["email": "r\(number)@example.org"])
                #expect(response.status == .accepted)
            }
            let limited = try await SignupHTTP.signUp(client, ["email": "r4@example.org"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "10")
            #expect(limited.headers[.contentType] == "application/problem+json")
            // Other routes are not limited.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            seconds.advance(10)
            #expect(try await SignupHTTP.signUp(client, ["email": "r5@example.org"]).status == .accepted)
        }
        #expect(try test.emails().isEmpty)  // nothing delivered yet, and the limited request queued nothing
        try await test.deliver()
        #expect(try test.emails().count == 4)
    }

    @Test(arguments: StoreKind.allCases) func aLimitOfZeroTurnsThePerClientLimitOff(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.rateLimitPerMinute = 0 }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        // Live: the limit applies per client address, which only a real connection has.
        try await test.application.test(.live) { client in
            for number in 1...20 {
                let response = try await SignupHTTP.signUp(client, ["email": "r\(number)@example.org"])
                #expect(response.status == .accepted)
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func consentRecordsTheClientAddressBehindATrustedProxy(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.trustedProxies = [IPNetwork("127.0.0.1")!] }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        let app = Application(
            router: try test.runtime.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: test.runtime.logger)
        try await app.test(.live) { client in
            var headers = SignupHTTP.jsonHeaders
            headers[.init("X-Forwarded-For")!] = "203.0.113.9"
            headers[.userAgent] = "Mozilla/5.0 (test)"
            let response = try await SignupHTTP.signUp(client, ["email": "proxied@example.org"], headers: headers)
            #expect(response.status == .accepted)
        }
        let row = try await test.sql("SELECT client_ip || ' ' || user_agent FROM consent_records")
        #expect(row == ["203.0.113.9 Mozilla/5.0 (test)"])
    }

    @Test(arguments: StoreKind.allCases) func oneClickUnsubscribeIsNotRateLimited(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) {
            $0.rateBurst = 1
            $0.rateLimitPerMinute = 1
        }
        defer { test.shutdown() }
        let app = Application(
            router: try test.runtime.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: test.runtime.logger)
        try await app.test(.live) { client in
            for _ in 1...5 {
                let response = try await client.execute(uri: "/v1/unsubscribe?token=v1.bogus", method: .post)
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func corsAllowsConfiguredOriginsOnly(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store) { $0.corsOrigins = ["https://news.example.org"] }
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let preflight = try await client.execute(
                uri: "/v1/subscriptions", method: .options,
                headers: [.origin: "https://news.example.org", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://news.example.org")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Content-Type") == true)

            let stranger = try await client.execute(
                uri: "/v1/subscriptions", method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(stranger.status == .forbidden)
            #expect(stranger.headers[.accessControlAllowOrigin] == nil)

            var headers = SignupHTTP.jsonHeaders
            headers[.origin] = "https://news.example.org"
            let accepted = try await SignupHTTP.signUp(client, ["email": "a@example.org"], headers: headers)
            #expect(accepted.headers[.accessControlAllowOrigin] == "https://news.example.org")
            #expect(accepted.headers[.vary] == "Origin")
            // Errors carry the headers too, so the box's script can show them.
            let refused = try await SignupHTTP.signUp(client, ["email": "nope"], headers: headers)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.headers[.accessControlAllowOrigin] == "https://news.example.org")

            headers[.origin] = "https://evil.example"
            let foreign = try await SignupHTTP.signUp(client, ["email": "b@example.org"], headers: headers)
            #expect(foreign.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test(arguments: StoreKind.allCases) func fieldLimitsAreEnforced(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let longSource = try await SignupHTTP.signUp(client, ["email": "a@example.org", "source": String(repeating: "s", count: 101)])
            #expect((try SignupHTTP.object(longSource)["errors"] as? [[String: String]])?.first?["field"] == "source")
            let badLocale = try await SignupHTTP.signUp(client, ["email": "a@example.org", "locale": "en;drop table"])
            #expect((try SignupHTTP.object(badLocale)["errors"] as? [[String: String]])?.first?["field"] == "locale")
            let many = try await SignupHTTP.signUp(client, ["email": "a@example.org", "newsletters": (0..<21).map { "n\($0)" }])
            #expect((try SignupHTTP.object(many)["errors"] as? [[String: String]])?.first?["code"] == "too_many")
            let longEmail = try await SignupHTTP.signUp(client, ["email": String(repeating: "a", count: 400) + "@example.org"])
            #expect((try SignupHTTP.object(longEmail)["errors"] as? [[String: String]])?.first?["code"] == "address_too_long")
            let garbage = try await client.execute(
                uri: "/v1/subscriptions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{not json"))
            #expect(garbage.status == .badRequest)
            let xml = try await client.execute(
                uri: "/v1/subscriptions", method: .post, headers: [.contentType: "text/xml"], body: ByteBuffer(string: "<a/>"))
            #expect(xml.status == .unsupportedMediaType)
        }
    }
}

import AdminAccess
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import Testing

/// Who may call the admin API: every route needs a usable token and exactly its scope; a token
/// that cannot be used gets one answer whatever the reason; each token has its own rate limit.
@Suite(.timeLimit(.minutes(3))) struct AdminAccessTests {
    struct Route: Sendable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        let body: String?
        let scope: AdminScope
        var description: String { "\(method) \(path)" }
    }

    /// Every admin route, with the scope it needs (the test below fails for a route missing here).
    static let routes: [Route] = [
        Route(method: .get, path: "/admin/v1/subscribers", body: nil, scope: .subscribersRead),
        Route(method: .post, path: "/admin/v1/subscribers", body: #"{"email":"anna@example.org","newsletter":"ukraine-daily"}"#, scope: .subscribersWrite),
        Route(method: .get, path: "/admin/v1/subscribers/search", body: nil, scope: .subscribersRead),
        Route(method: .get, path: "/admin/v1/subscribers/anna@example.org", body: nil, scope: .subscribersRead),
        Route(method: .delete, path: "/admin/v1/subscribers/anna@example.org", body: nil, scope: .subscribersWrite),
        Route(method: .post, path: "/admin/v1/subscribers/anna@example.org/unsubscribe", body: "{}", scope: .subscribersWrite),
        Route(method: .get, path: "/admin/v1/subscribers/anna@example.org/access", body: nil, scope: .subscribersRead),
        Route(method: .get, path: "/admin/v1/newsletters", body: nil, scope: .newslettersRead),
        Route(method: .post, path: "/admin/v1/newsletters", body: #"{"slug":"culture","name":"Culture"}"#, scope: .newslettersWrite),
        Route(method: .patch, path: "/admin/v1/newsletters/ukraine-daily", body: #"{"name":"Ukraine Daily"}"#, scope: .newslettersWrite),
        Route(method: .post, path: "/admin/v1/newsletters/ukraine-daily/archive", body: nil, scope: .newslettersWrite),
        Route(method: .get, path: "/admin/v1/stats", body: nil, scope: .statsRead),
        Route(method: .get, path: "/admin/v1/pledges", body: nil, scope: .pledgesRead),
        Route(method: .get, path: "/admin/v1/pledges/summary", body: nil, scope: .pledgesRead),
        Route(method: .get, path: "/admin/v1/pledges/pl_nothing", body: nil, scope: .pledgesRead),
        Route(method: .get, path: "/admin/v1/outbox", body: nil, scope: .outboxRead),
        Route(method: .post, path: "/admin/v1/outbox/1/retry", body: nil, scope: .outboxWrite),
        Route(method: .post, path: "/admin/v1/outbox/retry-dead", body: nil, scope: .outboxWrite),
        Route(method: .get, path: "/admin/v1/webhooks", body: nil, scope: .webhooksRead),
        Route(method: .post, path: "/admin/v1/webhooks", body: #"{"url":"http://127.0.0.1:9/hook","events":["*"]}"#, scope: .webhooksWrite),
        Route(method: .get, path: "/admin/v1/webhooks/1", body: nil, scope: .webhooksRead),
        Route(method: .delete, path: "/admin/v1/webhooks/99", body: nil, scope: .webhooksWrite),
        Route(method: .post, path: "/admin/v1/webhooks/99/pause", body: nil, scope: .webhooksWrite),
        Route(method: .post, path: "/admin/v1/webhooks/99/resume", body: nil, scope: .webhooksWrite),
        Route(method: .post, path: "/admin/v1/webhooks/99/rotate-secret", body: "{}", scope: .webhooksWrite),
        Route(method: .post, path: "/admin/v1/webhooks/99/test", body: nil, scope: .webhooksWrite),
        Route(method: .get, path: "/admin/v1/webhooks/99/deliveries", body: nil, scope: .webhooksRead),
        Route(method: .post, path: "/admin/v1/webhooks/99/replay-failed", body: nil, scope: .webhooksWrite),
        Route(method: .post, path: "/admin/v1/webhooks/deliveries/99/replay", body: nil, scope: .webhooksWrite),
    ]

    /// Table-driven: for every route, no token is a 401, each token without the route's scope
    /// a 403 naming it, and a token with only that scope passes the check.
    @Test func everyRouteNeedsItsOwnScope() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        var made: [AdminScope: String] = [:]
        for scope in AdminScope.allCases { made[scope] = try await test.adminToken(scope.rawValue.replacingOccurrences(of: ":", with: "-"), [scope]) }
        let tokens = made
        let served = try test.runtime.router().routes.filter { $0.path.description.hasPrefix("/admin/") }
            .map { "\($0.method.rawValue) \($0.path)" }
        #expect(Set(served) == Set(Self.routes.map { "\($0.method.rawValue) \(Self.template($0.path))" }))

        try await test.application.test(.router) { client in
            for route in Self.routes {
                let anonymous = try await AdminHTTP.request(client, route.method, route.path, token: nil, json: route.body)
                #expect(anonymous.status == .unauthorized, "\(route)")
                for scope in AdminScope.allCases where scope != route.scope {
                    let refused = try await AdminHTTP.request(client, route.method, route.path, token: tokens[scope], json: route.body)
                    #expect(refused.status == .forbidden, "\(route) with \(scope.rawValue)")
                    #expect(refused.headers[.wwwAuthenticate]?.contains(#"scope="\#(route.scope.rawValue)""#) == true)
                }
                let allowed = try await AdminHTTP.request(client, route.method, route.path, token: tokens[route.scope], json: route.body)
                #expect(![.unauthorized, .forbidden, .internalServerError].contains(allowed.status), "\(route): \(allowed.status)")
                #expect(allowed.headers[.contentType]?.hasPrefix("application/") == true, "\(route)")
            }
        }
    }

    /// `/admin/v1/subscribers/anna@example.org` as the router spells it: `{email}` for a capture.
    static func template(_ path: String) -> String {
        let captures = ["anna@example.org": "{email}", "ukraine-daily": "{slug}", "pl_nothing": "{pledge}", "1": "{id}", "99": "{id}"]
        return "/" + path.split(separator: "/").map { segment in captures[String(segment)] ?? String(segment) }.joined(separator: "/")
    }

    /// Unknown, malformed, wrong-secret, revoked and expired tokens all get the same 401 body,
    /// on both stores; the token works until then.
    @Test(arguments: StoreKind.allCases) func everyUnusableTokenGetsTheSameAnswer(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        let revoked = try await test.adminToken("revoked", [.statsRead])
        let expiring = try await test.adminToken("expiring", [.statsRead], lifetime: 3600)
        try await test.application.test(.router) { client in
            #expect(try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: revoked).status == .ok)
            #expect(try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: expiring).status == .ok)
            _ = try await test.runtime.services.adminTokens.revoke(name: "revoked", actor: "admin:test")
            test.clock.advance(by: 3600)

            var wrongSecret = Array(expiring)
            wrongSecret[wrongSecret.count - 1] = wrongSecret.last == "A" ? "B" : "A"
            let answers = [
                try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: nil),
                try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: "mht_0123456789abcdef_nothing"),
                try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: "not-a-token"),
                try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: String(wrongSecret)),
                try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: revoked),
                try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: expiring),
            ]
            let first = try AdminHTTP.object(answers[0])
            for answer in answers {
                #expect(answer.status == .unauthorized)
                #expect(answer.headers[.contentType] == "application/problem+json")
                #expect(NSDictionary(dictionary: try AdminHTTP.object(answer)).isEqual(to: first))
            }
        }
        // Neither the secret nor anything but its hash is in the database.
        let stored = try await test.sql("SELECT name || '|' || secret_hash || '|' || selector FROM admin_tokens ORDER BY id")
        #expect(stored.count == 2 && !stored.joined().contains(revoked) && !stored.joined().contains(String(revoked.suffix(43))))
    }

    /// Each token has its own bucket: one that used its burst gets 429 with `Retry-After`, another does not.
    @Test func eachTokenHasItsOwnRateLimit() async throws {
        let test = try await TestRuntime { $0.adminRateLimitPerMinute = 60 }
        defer { test.shutdown() }
        let busy = try await test.adminToken("busy", [.statsRead])
        let quiet = try await test.adminToken("quiet", [.statsRead])
        let router = try test.runtime.router(rateClock: { 1000 })
        try await Application(router: router, logger: test.runtime.logger).test(.router) { client in
            for _ in 0..<10 { #expect(try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: busy).status == .ok) }
            let limited = try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: busy)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] == "1")
            #expect(try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: quiet).status == .ok)
        }
    }
}

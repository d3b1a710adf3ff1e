import AdminAccess
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import Testing

/// The admin API end to end on both stores: what the CLI does, over HTTP, through the same
/// services, every write in the audit trail as `token:NAME`, every mistake a 4xx naming the field.
@Suite(.timeLimit(.minutes(3))) struct AdminAPITests {
    @Test(arguments: StoreKind.allCases) func aCRMManagesListsAndEveryWriteIsAuditedAsItsToken(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        let token = try await test.adminToken("crm-sync", AdminScope.allCases)
        try await test.application.test(.router) { client in
            func call(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
                let answer = try await AdminHTTP.request(client, method, path, token: token, json: body)
                return (answer.status, try AdminHTTP.object(answer))
            }

            // Newsletters: create, change, list.
            let (created, newsletter) = try await call(.post, "/admin/v1/newsletters", #"{"slug":"ukraine-daily","name":"Ukraine Daily","opt_in":"double"}"#)
            #expect(created == .created && newsletter["slug"] as? String == "ukraine-daily" && newsletter["opt_in"] as? String == "double")
            #expect(try await call(.post, "/admin/v1/newsletters", #"{"slug":"ukraine-daily","name":"Again"}"#).0 == .conflict)
            let (changed, renamed) = try await call(.patch, "/admin/v1/newsletters/ukraine-daily", #"{"description":"Every morning"}"#)
            #expect(changed == .ok && renamed["description"] as? String == "Every morning")
            let (badSlug, problem) = try await call(.post, "/admin/v1/newsletters", #"{"slug":"Not A Slug","name":"X"}"#)
            #expect(badSlug == .unprocessableContent && Self.fields(problem) == ["slug"])

            // Subscribers: a pending addition queues a confirmation; confirmed needs a basis.
            let (added, addition) = try await call(.post, "/admin/v1/subscribers", #"{"email":"Anna@Example.org","newsletter":"ukraine-daily"}"#)
            #expect(added == .created && addition["status"] as? String == "pending" && addition["confirmation_queued"] as? Bool == true)
            let (again, same) = try await call(.post, "/admin/v1/subscribers", #"{"email":"anna@example.org","newsletter":"ukraine-daily"}"#)
            #expect(again == .ok && same["changed"] as? Bool == false)
            let (noBasis, basisProblem) = try await call(
                .post, "/admin/v1/subscribers", #"{"email":"bohdan@example.org","newsletter":"ukraine-daily","confirmed":true}"#)
            #expect(noBasis == .unprocessableContent && Self.fields(basisProblem) == ["basis"])
            #expect(try await call(.post, "/admin/v1/subscribers", #"{"email":"bohdan@example.org","newsletter":"ukraine-daily","confirmed":true,"basis":"paper form, 2026-11-30"}"#).0 == .created)
            for (body, field) in [
                (#"{"email":"not an address","newsletter":"ukraine-daily"}"#, "email"), (#"{"email":"c@example.org","newsletter":"nope"}"#, "newsletter"),
                (#"{"newsletter":"ukraine-daily"}"#, "email"), (#"{"email":"c@example.org","newsletter":["a"]}"#, "newsletter"),
            ] {
                let (status, refused) = try await call(.post, "/admin/v1/subscribers", body)
                #expect(status == .unprocessableContent && Self.fields(refused) == [field], "\(body)")
            }
            #expect(try await call(.post, "/admin/v1/subscribers", "[1, 2").0 == .badRequest)
            #expect(Self.fields(try await call(.post, "/admin/v1/subscribers").1) == ["email"])

            // Look up (an escaped address too), search, unsubscribe, access, erase.
            let (found, profile) = try await call(.get, "/admin/v1/subscribers/anna%40example.org")
            #expect(found == .ok && (profile["subscriber"] as? [String: Any])?["normalized_email"] as? String == "anna@example.org")
            let (_, search) = try await call(.get, "/admin/v1/subscribers/search?q=bohdan&state=confirmed")
            #expect((search["data"] as? [[String: Any]])?.map { $0["email"] as? String } == ["bohdan@example.org"])
            let (_, unsubscribed) = try await call(.post, "/admin/v1/subscribers/bohdan@example.org/unsubscribe")
            #expect(unsubscribed["unsubscribed"] as? [String] == ["ukraine-daily"])
            let (_, access) = try await call(.get, "/admin/v1/subscribers/anna@example.org/access")
            #expect((access["outbox"] as? [Any])?.count == 1)
            // Her confirmation could not be sent: staff queue it again.
            _ = try await test.sql("UPDATE outbox SET state = 'dead'")
            let (_, dead) = try await call(.get, "/admin/v1/outbox?state=dead")
            let deadID = try #require((dead["data"] as? [[String: Any]])?.first?["id"] as? Int)
            #expect(try await call(.post, "/admin/v1/outbox/\(deadID)/retry").0 == .ok)
            #expect(try await call(.post, "/admin/v1/outbox/999999/retry").0 == .notFound)
            #expect(try await call(.delete, "/admin/v1/subscribers/anna@example.org").0 == .ok)
            #expect(try await call(.get, "/admin/v1/subscribers/anna@example.org").0 == .notFound)
            #expect(try await call(.delete, "/admin/v1/subscribers/anna@example.org").0 == .notFound)

            // Stats, outbox, webhooks (the secret only in the answer that made it).
            let (_, stats) = try await call(.get, "/admin/v1/stats?newsletter=ukraine-daily&days=7")
            #expect((stats["counts"] as? [String: Int])?["unsubscribed"] == 1)
            let (_, outbox) = try await call(.get, "/admin/v1/outbox?state=queued")
            #expect((outbox["data"] as? [Any])?.isEmpty == true)  // Anna's confirmation went with her erasure.
            let (hooked, endpoint) = try await call(.post, "/admin/v1/webhooks", #"{"url":"http://127.0.0.1:9/hook","events":["subscriber.confirmed"]}"#)
            #expect(hooked == .created && (endpoint["secret"] as? String)?.hasPrefix("whsec_") == true)
            let (_, endpoints) = try await call(.get, "/admin/v1/webhooks")
            #expect((endpoints["data"] as? [[String: Any]])?.first?["secret"] == nil)
            let id = try #require(((endpoint["endpoint"] as? [String: Any])?["id"] as? Int))
            let (_, paused) = try await call(.post, "/admin/v1/webhooks/\(id)/pause")
            #expect((paused["state"] as? String)?.hasPrefix("paused (paused by token:crm-sync)") == true)
            let (badHook, hookProblem) = try await call(.post, "/admin/v1/webhooks", #"{"url":"ftp://x","events":["nope"]}"#)
            #expect(badHook == .unprocessableContent && !Self.fields(hookProblem).isEmpty)
            #expect(try await call(.post, "/admin/v1/newsletters/ukraine-daily/archive").0 == .ok)
            #expect(try await call(.post, "/admin/v1/newsletters/ukraine-daily/archive").0 == .conflict)
        }
        let audited = try await test.sql("SELECT action FROM events WHERE actor = 'token:crm-sync' ORDER BY id")
        #expect(Set(audited).isSuperset(of: [
            "newsletter.created", "newsletter.updated", "subscription.added", "subscription.unsubscribed", "subscriber.erased",
            "webhook.added", "webhook.paused", "newsletter.archived", "outbox.retried",
        ]), "\(audited)")
    }

    static func fields(_ problem: [String: Any]) -> [String] {
        ((problem["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }
}

import AdminAccess
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import Signing
import SubscriberLists
import Testing
import TestSupport

/// Cursor pagination of `GET /admin/v1/subscribers` holds while readers keep signing up: a
/// client paging through 10,000 memberships sees each of them exactly once, in order.
@Suite(.timeLimit(.minutes(5))) struct AdminPaginationTests {
    @Test(arguments: StoreKind.allCases) func pagingThroughTenThousandWhileReadersSignUpSeesEachOnce(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        let file = test.directory.file("list.csv")
        try ("email\n" + (0..<10_000).map { "reader\($0)@example.org\n" }.joined()).write(toFile: file, atomically: true, encoding: .utf8)
        let report = try await SubscriberImporter(store: test.runtime.store, addressHash: test.runtime.keys.addressHash, now: test.clock.function)
            .run(path: file, options: ImportOptions(newsletter: "ukraine-daily", confirmed: true, basis: "test list"), actor: "test", reject: { _ in })
        #expect(report.added == 10_000)
        let token = try await test.adminToken("warehouse", [.subscribersRead])

        let (seen, signedUp) = try await test.application.test(.router) { client in
            // Sign-ups run beside the paging, as a live site's would.
            let signUps = Task {
                var count = 0
                for index in 0..<60 {
                    let answer = try await SignupHTTP.signUp(client, ["email": "new\(index)@example.org", "newsletters": ["ukraine-daily"]])
                    if answer.status == .accepted { count += 1 }
                }
                return count
            }
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let query = "limit=900&newsletter=ukraine-daily" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try AdminHTTP.object(try await AdminHTTP.request(client, .get, "/admin/v1/subscribers?\(query)", token: token))
                seen += try #require(page["data"] as? [[String: Any]]).compactMap { $0["subscription_id"] as? Int }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            return (seen, try await signUps.value)
        }
        #expect(signedUp == 60)
        #expect(seen == seen.sorted() && Set(seen).count == seen.count, "no membership twice, in id order")
        let imported = try await test.sql("SELECT s.id FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id WHERE p.email_normalized LIKE 'reader%'")
        #expect(Set(imported.compactMap { Int($0) }).isSubset(of: Set(seen)) && imported.count == 10_000)
        // Every membership that existed when the last page was read was on a page.
        #expect(seen.count >= 10_000 && seen.count <= 10_060)
    }

    /// `state`, `newsletter` and `updated_since` narrow the list; a bad value is a 422 naming it.
    @Test func filtersNarrowTheListAndBadValuesNameTheirField() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        try await test.newsletter("culture")
        let directory = test.runtime.services.directory
        _ = try await directory.add("anna@example.org", newsletter: "ukraine-daily", confirmed: true, basis: "form", actor: "test")
        test.clock.advance(by: 86_400)
        let since = Date(timeIntervalSince1970: test.clock.function().timeIntervalSince1970.rounded(.down))
        _ = try await directory.add("bohdan@example.org", newsletter: "culture", confirmed: false, basis: nil, actor: "test")
        let token = try await test.adminToken("reader", [.subscribersRead])
        try await test.application.test(.router) { client in
            func emails(_ query: String) async throws -> [String] {
                let page = try AdminHTTP.object(try await AdminHTTP.request(client, .get, "/admin/v1/subscribers?\(query)", token: token))
                return (page["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
            }
            #expect(try await emails("") == ["anna@example.org", "bohdan@example.org"])
            #expect(try await emails("state=pending") == ["bohdan@example.org"])
            #expect(try await emails("newsletter=ukraine-daily") == ["anna@example.org"])
            #expect(try await emails("updated_since=\(since.formatted(.iso8601))") == ["bohdan@example.org"])
            for (query, field) in [("state=gone", "state"), ("limit=0", "limit"), ("cursor=abc", "cursor"), ("updated_since=yesterday", "updated_since"),
                                   ("newsletter=nope", "newsletter")] {
                let answer = try await AdminHTTP.request(client, .get, "/admin/v1/subscribers?\(query)", token: token)
                let problem = try AdminHTTP.object(answer)
                #expect(answer.status == .unprocessableContent && AdminAPITests.fields(problem) == [field], "\(query)")
            }
        }
    }
}

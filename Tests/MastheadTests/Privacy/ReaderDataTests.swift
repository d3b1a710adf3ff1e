import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime
import MastheadSettings
import NewsletterSignup
import SubscriberLists
import TestSupport
import Testing

/// A reader's own data from the preferences page, over the real router and store: the report
/// (at once through a recent link, by email through an old one) and the erasure with its receipt.
@Suite(.timeLimit(.minutes(3))) struct ReaderDataTests {
    static let html: HTTPFields = [.accept: "text/html"]
    static let words = "I agree to receive Ukraine Daily by email. Version 1 words."

    /// Anna signed up (consent text version 1 stored first) and confirmed; returns her `manage` token.
    func annaConfirmed(_ test: TestRuntime, _ client: some TestClientProtocol) async throws -> String {
        try await test.runtime.services.consentTexts.set(version: "1", locale: "en", body: Self.words, actor: "admin:test")
        _ = try await SignupHTTP.signUp(client, ["email": "Anna@Example.org", "newsletters": ["ukraine-daily"], "locale": "en"])
        try await test.deliver()
        let email = try await ParsedEmail.parse(try #require(try test.emails().last))
        let confirm = try #require(email.link("/v1/confirm"))
        _ = try await client.execute(
            uri: "/v1/confirm", method: .post, headers: SignupHTTP.formHeaders, body: SignupHTTP.form([("token", confirm.token)]))
        return try #require(email.link("/v1/preferences")).token
    }

    /// The database as a dump (sqlite3 .dump, pg_dump): what erasure must leave without the address.
    func dump(_ test: TestRuntime) async throws -> String {
        let outcome: Executables.Outcome
        switch test.database {
        case .sqlite(path: let path): outcome = try await Executables.runProgram("/usr/bin/sqlite3", [path, ".dump"])
        case .postgres(url: let url): outcome = try await Executables.runProgram("/usr/bin/pg_dump", ["--data-only", url])
        }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout
    }

    @Test(arguments: StoreKind.allCases) func aRecentLinkShowsTheReportWithTheConsentWords(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            let manage = try await annaConfirmed(test, client)
            let preferences = try await client.execute(uri: "/v1/preferences?token=\(manage)", method: .get, headers: Self.html)
            #expect(String(buffer: preferences.body).contains(#"id="download-data""#))
            #expect(String(buffer: preferences.body).contains("/v1/preferences/delete?token=\(manage)"))

            let asked = try await client.execute(
                uri: "/v1/preferences/data?lang=en", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([("token", manage)]))
            #expect(asked.status == .seeOther)
            let redirect = try #require(asked.headers[.location])
            #expect(redirect.hasPrefix("https://news.example.org/masthead/v1/data?token=v1."))
            let location = String(redirect.dropFirst("https://news.example.org/masthead/".count))
            let page = try await client.execute(uri: "/" + location, method: .get, headers: Self.html)
            #expect(page.status == .ok)
            let text = String(buffer: page.body)
            #expect(text.contains("Everything we hold about Anna@example.org."))
            #expect(text.contains(Self.words))
            #expect(text.contains("ukraine-daily"))

            let download = try await client.execute(uri: "/" + location + "&format=json", method: .get)
            #expect(download.headers[.contentDisposition] == #"attachment; filename="my-data.json""#)
            let document = try JSONSerialization.jsonObject(with: Data(String(buffer: download.body).utf8)) as? [String: Any]
            let profile = try #require(document?["profile"] as? [String: Any])
            let consents = try #require(profile["consents"] as? [[String: Any]])
            #expect(consents.first?["consent_text"] as? String == Self.words)
            #expect(consents.first?["consent_text_version"] as? String == "1")
            #expect((profile["memberships"] as? [[String: Any]])?.first?["status"] as? String == "confirmed")
            #expect(try test.emails().count == 1, "nothing mailed: the link was recent")

            // The access token opens the report only: not the preferences, not an erasure.
            let token = try #require(location.components(separatedBy: "token=").last?.split(separator: "&").first).description
            let wrongUse = try await client.execute(uri: "/v1/preferences?token=\(token)", method: .get, headers: Self.html)
            #expect(wrongUse.status == .badRequest)
            // It expires within the hour.
            test.clock.advance(by: 3_601)
            let expired = try await client.execute(uri: "/" + location, method: .get, headers: Self.html)
            #expect(expired.status == .badRequest)
            #expect(String(buffer: expired.body).contains("This link is no longer valid."))
        }
    }

    @Test(arguments: StoreKind.allCases) func anOldLinkMailsTheReportInstead(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            let manage = try await annaConfirmed(test, client)
            test.clock.advance(by: 2 * 3_600)
            func ask() async throws -> TestResponse {
                try await client.execute(
                    uri: "/v1/preferences/data?lang=uk", method: .post, headers: SignupHTTP.formHeaders,
                    body: SignupHTTP.form([("token", manage)]))
            }
            let asked = try await ask()
            #expect(asked.status == .ok)
            #expect(String(buffer: asked.body).contains("Перевірте пошту"))
            try await test.deliver()
            let email = try await ParsedEmail.parse(try #require(try test.emails().last))
            #expect(email.header("To")?.contains("Anna@example.org") == true)
            #expect(email.header("Subject")?.hasPrefix("Ваші дані") == true)
            let link = try #require(email.link("/v1/data"))
            let report = try await client.execute(uri: "/v1/data?token=\(link.token)&format=json", method: .get)
            #expect(report.status == .ok)
            #expect(String(buffer: report.body).contains(Self.words))

            // Three such emails a day at most, whatever a forwarded link's holder does.
            for _ in 0..<4 { _ = try await ask() }
            try await test.deliver()
            #expect(try test.emails().count == 1 + 3)
            #expect(try await test.sql("SELECT count(*) FROM outbox WHERE kind = 'data_access'") == ["3"])
        }
    }

    @Test(arguments: StoreKind.allCases) func deletingFromThePreferencesPageLeavesNoAddressBehind(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily", name: "Ukraine Daily")
        try await test.application.test(.router) { client in
            let manage = try await annaConfirmed(test, client)
            let warning = try await client.execute(uri: "/v1/preferences/delete?token=\(manage)&lang=en", method: .get, headers: Self.html)
            #expect(warning.status == .ok)
            #expect(String(buffer: warning.body).contains("This deletes everything we hold about Anna@example.org"))
            #expect(try await test.sql("SELECT count(*) FROM subscribers") == ["1"], "the warning changes nothing")

            let unconfirmed = try await client.execute(
                uri: "/v1/preferences/delete", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .accept: "application/json"],
                body: SignupHTTP.form([("token", manage)]))
            #expect(unconfirmed.status == .unprocessableContent)
            #expect(unconfirmed.headers[.contentType] == "application/problem+json")
            #expect(String(buffer: unconfirmed.body).contains(#""field":"confirm""#))

            let deleted = try await client.execute(
                uri: "/v1/preferences/delete?lang=en", method: .post, headers: SignupHTTP.formHeaders,
                body: SignupHTTP.form([("token", manage), ("confirm", "yes")]))
            #expect(deleted.status == .ok)
            #expect(String(buffer: deleted.body).contains("Your data has been deleted"))

            try await test.deliver()
            let receipt = try await ParsedEmail.parse(try #require(try test.emails().last))
            #expect(receipt.header("To")?.contains("Anna@example.org") == true)
            #expect(receipt.header("Subject")?.hasSuffix("has been deleted") == true)
            #expect(receipt.text.contains("suppression list"))

            let database = try await dump(test)
            #expect(!database.lowercased().contains("anna"), "the address is gone from every table")
            #expect(try await test.sql("SELECT action FROM events WHERE action = 'subscriber.erased'") == ["subscriber.erased"])
            #expect(try await test.sql("SELECT actor FROM events WHERE action = 'subscriber.erased'") == ["reader"])
            #expect(try await test.sql("SELECT recipient || '|' || payload || '|' || state FROM outbox WHERE kind = 'erasure_receipt'") == ["erased|{}|sent"])

            // The old link gets the polite page; an import is refused by the suppression list.
            let old = try await client.execute(uri: "/v1/preferences?token=\(manage)", method: .get, headers: Self.html)
            #expect(old.status == .badRequest)
            #expect(String(buffer: old.body).contains("This link is no longer valid."))
            let csv = test.directory.file("list.csv")
            try Data("email\nanna@example.org\n".utf8).write(to: URL(fileURLWithPath: csv))
            var rejections: [ImportRejection] = []
            let report = try await test.runtime.services.importer.run(
                path: csv, options: ImportOptions(newsletter: "ukraine-daily"), actor: "test", reject: { rejections.append($0) },
                progress: { _ in }, shouldStop: { false })
            #expect(report.added == 0)
            #expect(rejections.first?.reason.hasPrefix("the address is on the suppression list (erased)") == true)
        }
    }
}

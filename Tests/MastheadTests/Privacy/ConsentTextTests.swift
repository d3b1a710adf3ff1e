import Foundation
import MastheadRuntime
import NewsletterSignup
import SubscriberLists
import TestSupport
import Testing

/// Consent texts by version: stored once, never edited, and what every access report and
/// export shows next to each consent record.
@Suite(.timeLimit(.minutes(3))) struct ConsentTextTests {
    static let client = ClientContext(ipAddress: "203.0.113.7", userAgent: "Firefox/140")

    @Test(arguments: StoreKind.allCases) func aRecordKeepsItsVersionsWordsAfterANewVersion(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        let texts = test.runtime.services.consentTexts
        #expect(try await texts.set(version: "1", locale: "en", body: "Version one, in English.\n", actor: "admin:test") == .stored)
        #expect(try await texts.set(version: "1", locale: "uk", body: "Версія перша.", actor: "admin:test") == .stored)
        try await test.runtime.services.signup.signUp(
            SignupRequest(email: "anna@example.org", newsletters: ["ukraine-daily"], locale: "en-GB", client: Self.client))
        try await test.runtime.services.signup.signUp(
            SignupRequest(email: "bohdan@example.org", newsletters: ["ukraine-daily"], locale: "uk", client: Self.client))

        #expect(try await texts.set(version: "2", locale: "en", body: "Version two.", actor: "admin:test") == .stored)
        // The same words again change nothing; other words for a stored version are refused.
        #expect(try await texts.set(version: "1", locale: "en", body: "Version one, in English.", actor: "admin:test") == .unchanged)
        await #expect(throws: ConsentTextError.alreadyStored(version: "1", locale: "en")) {
            try await texts.set(version: "1", locale: "en", body: "Edited words.", actor: "admin:test")
        }
        // Not even SQL can change a stored text.
        await #expect(throws: (any Error).self) { _ = try await test.sql("UPDATE consent_texts SET body = 'x' WHERE version = '1'") }
        await #expect(throws: (any Error).self) { _ = try await test.sql("DELETE FROM consent_texts WHERE version = '1'") }

        let directory = test.runtime.services.directory
        let anna = try await directory.access("anna@example.org")
        #expect(anna.profile?.consents.map(\.consentText) == ["Version one, in English."], "en-GB falls back to en")
        let bohdan = try await directory.access("bohdan@example.org")
        #expect(bohdan.profile?.consents.map(\.consentText) == ["Версія перша."])
        #expect(try await texts.show(version: "1", locale: "UK").map(\.body) == ["Версія перша."])
        #expect(try await texts.missingLocales(version: "2", served: ["en", "uk"]) == ["uk"])
        #expect(try await test.sql("SELECT count(*) FROM events WHERE action = 'consent_text.stored'") == ["3"])

        // The export with consent carries the words.
        let path = test.directory.file("export.csv")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try await SubscriberExporter(store: test.runtime.store).export(newsletter: nil, state: nil, format: .csv, withConsent: true, to: handle)
        try handle.close()
        let csv = try String(contentsOfFile: path, encoding: .utf8)
        #expect(csv.hasPrefix("email,name,locale,newsletter,state,created_at,confirmed_at,unsubscribed_at,attributes,consent_action,"))
        #expect(csv.contains("consent_text_version,consent_text\r\n"))
        #expect(csv.contains(",1,\"Version one, in English.\"\r\n"))
        #expect(csv.contains(",1,Версія перша.\r\n"))
    }

    @Test func theCommandsStoreListAndShowAndRefuseAnEdit() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        try "I agree to receive the newsletters I chose.\n".write(toFile: directory.file("en.txt"), atomically: true, encoding: .utf8)
        let set = try await Executables.run("masthead", ["consent", "set-text", "--version", "3", "--locale", "en", "--file", "en.txt"], in: directory.path)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "stored version 3 (en)\n")
        try "Other words.\n".write(toFile: directory.file("edit.txt"), atomically: true, encoding: .utf8)
        let edit = try await Executables.run("masthead", ["consent", "set-text", "--version", "3", "--locale", "en", "--file", "edit.txt"], in: directory.path)
        #expect(edit.status == 1)
        #expect(edit.stderr.hasPrefix("masthead: version 3 already has other words for en; texts are append-only"))
        let show = try await Executables.run("masthead", ["consent", "show", "--version", "3", "--locale", "en"], in: directory.path)
        #expect(show.stdout == "I agree to receive the newsletters I chose.\n")
        let list = try await Executables.run("masthead", ["consent", "list", "--format", "csv"], in: directory.path)
        #expect(list.stdout.hasPrefix("VERSION,LOCALE,STORED,BY,BEGINNING\r\n3,en,"))
        let missing = try await Executables.run("masthead", ["consent", "show", "--version", "9"], in: directory.path)
        #expect(missing.status == 1)
        #expect(missing.stderr == "masthead: no consent text is stored for version 9; `masthead consent list` shows them\n")
    }

    @Test func productionRefusesToStartWithoutTheWordsForEachServedLanguage() async throws {
        let directory = try TemporaryDirectory()
        let production = [
            "MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org",
            "MASTHEAD_MAILER": "sendmail:/usr/sbin/sendmail", "MASTHEAD_MAIL_FROM": "news@example.org", "MASTHEAD_CONSENT_VERSION": "2026-12",
        ]
        try await Executables.prepareDeployment(in: directory.path, environment: production)
        let refused = try await Executables.run("mastheadd", [], in: directory.path, environment: production)
        #expect(refused.status == 78)
        #expect(refused.stderr.split(separator: "\n").last?.hasPrefix("mastheadd: no consent text is stored for MASTHEAD_CONSENT_VERSION=2026-12 in en, uk: store the words") == true)
        for (locale, words) in [("en", "I agree."), ("uk", "Я погоджуюся.")] {
            try words.write(toFile: directory.file("\(locale).txt"), atomically: true, encoding: .utf8)
            let set = try await Executables.run(
                "masthead", ["consent", "set-text", "--version", "2026-12", "--locale", locale, "--file", "\(locale).txt"],
                in: directory.path, environment: production)
            #expect(set.status == 0, "\(set.stderr)")
            if locale == "en" {
                let stillRefused = try await Executables.run("mastheadd", [], in: directory.path, environment: production)
                #expect(stillRefused.stderr.contains("in uk: store the words"))
            }
        }
        let daemon = try await DaemonProcess(in: directory.path, environment: production)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
    }

    @Test func aDevelopmentDaemonStoresThePagesNoticeOnItsFirstStart() async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path)
        #expect(daemon.log.contains("stored the pages' consent notice as the consent text"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        let shown = try await Executables.run("masthead", ["consent", "show", "--version", "1", "--locale", "en"], in: directory.path)
        #expect(shown.stdout == "We use your address only to send the newsletters you choose. Every email has a link to unsubscribe.\n")
    }
}

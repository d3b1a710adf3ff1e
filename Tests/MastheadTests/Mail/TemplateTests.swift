import Foundation
import Mail
import TestSupport
import Testing

@testable import MastheadHTTP

/// Built-in templates are all embedded, and a templates directory overrides them file by file.
@Suite struct TemplateTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    func files(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.sources.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(".mustache".count)) }.sorted()
    }

    @Test func everyEmailTemplateFileIsEmbedded() throws {
        #expect(MailTemplates.defaults.keys.sorted() == (try files("Mail/Resources/Templates")))
        for (name, text) in MailTemplates.defaults {
            let onDisk = try String(contentsOf: Self.sources.appendingPathComponent("Mail/Resources/Templates/\(name).mustache"), encoding: .utf8)
            #expect(onDisk == text)
        }
    }

    @Test func everyPageTemplateFileIsEmbedded() throws {
        #expect(PageTemplates.defaults.keys.sorted() == (try files("MastheadHTTP/Resources/Pages")))
    }

    @Test func aFileInTheTemplatesDirectoryReplacesItsDefault() throws {
        let directory = try TemporaryDirectory()
        try "{{% CONTENT_TYPE: TEXT}}Please confirm: {{newsletter_list}}".write(
            toFile: directory.file("confirmation.subject.mustache"), atomically: true, encoding: .utf8)
        try "x".write(toFile: directory.file("confirmaton.text.mustache"), atomically: true, encoding: .utf8)
        let library = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: directory.path)
        #expect(library.overridden == ["confirmation.subject"])
        #expect(library.unrecognized == ["confirmaton.text.mustache"])
        #expect(try library.render("confirmation.subject", ["newsletter_list": "Ukraine Daily & Co"]) == "Please confirm: Ukraine Daily & Co")
        // Text templates are not HTML-escaped; HTML ones are.
        let html = try library.render("confirmation.html", ["newsletter_list": "<b>x</b>", "newsroom": "N"])
        #expect(html.contains("&lt;b&gt;x&lt;/b&gt;"))
    }

    @Test func preparedTemplatesFillTheirHolesLikeAFullRender() throws {
        let library = try TemplateLibrary(defaults: MailTemplates.defaults)
        let context: [String: Any] = [
            "newsroom": "Kyiv <Post>", "newsletter_list": "Daily", "plural": false, "confirm_days": 7,
            "newsletters": [["name": "Daily", "description": "News & views"]],
        ]
        // "&" in a link: the HTML template escapes it, and so must the filled hole.
        let links = [
            "confirm_url": "https://n.example/v1/confirm?token=v1.AbC-_&lang=uk", "unsubscribe_url": "https://n.example/v1/unsubscribe?token=v1.XyZ",
        ]
        #expect(library.isPreparable("confirmation"))
        for name in ["confirmation.subject", "confirmation.text", "confirmation.html"] {
            let prepared = try library.prepare(name, context, holes: ["confirm_url", "unsubscribe_url"])
            let full = try library.render(name, context.merging(links) { $1 })
            #expect(prepared.fill(links) == full, "\(name)")
        }
    }

    @Test func aHoleIsEscapedWhereTheTemplateEscapesItAndOnlyThere() throws {
        let directory = try TemporaryDirectory()
        try "<p>{{name}}</p><p>{{{name}}}</p><p>{{&name}}</p>{{#name}}<i>{{.}}</i>{{/name}}{{^name}}none{{/name}}".write(
            toFile: directory.file("receipt.html.mustache"), atomically: true, encoding: .utf8)
        let library = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: directory.path)
        #expect(library.isPreparable("receipt"))
        let prepared = try library.prepare("receipt.html", [:], holes: ["name"])
        for name in [#"Anna "Nan" O'Brien & <Co>"#, "Bohdan", ""] {
            #expect(prepared.fill(["name": name]) == (try library.render("receipt.html", ["name": name])), "\(name)")
        }
    }

    @Test(arguments: ["{{uppercased(name)}}", "{{name.count}}", "{{> footer}}", "{{=<% %>=}}<% name %>"])
    func aTemplateThatWorksOnItsValuesIsNotPrepared(_ body: String) throws {
        let directory = try TemporaryDirectory()
        try "{{% CONTENT_TYPE: TEXT}}Dear \(body)".write(toFile: directory.file("receipt.text.mustache"), atomically: true, encoding: .utf8)
        let library = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: directory.path)
        #expect(!library.isPreparable("receipt"))
        #expect(library.isPreparable("confirmation"))
    }

    @Test func aTemplateThatDoesNotParseNamesItsFile() throws {
        let directory = try TemporaryDirectory()
        try "{{#open}} never closed".write(toFile: directory.file("confirmation.text.mustache"), atomically: true, encoding: .utf8)
        #expect {
            _ = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: directory.path)
        } throws: { error in
            "\(error)".contains("confirmation.text.mustache")
        }
    }

    @Test func messagesJSONOverridesReaderSentences() async throws {
        let templates = try TemporaryDirectory()
        try #"{"signup.invalid_email": "Будь ласка, введіть правильну адресу"}"#.write(
            toFile: templates.file("messages.json"), atomically: true, encoding: .utf8)
        let messages = try ReaderMessages(overrides: templates.path)
        #expect(messages["signup.invalid_email"] == "Будь ласка, введіть правильну адресу")
        #expect(messages["signup.accepted"] == "Thank you for signing up for this newsletter. We've sent you a confirmation email.")
        // Ukrainian keeps its own text; a messages.uk.json would replace it.
        #expect(messages["signup.invalid_email", "uk"] == "Будь ласка, введіть правильну електронну адресу")
        try #"{"subscribe.button": "Підписуюсь"}"#.write(toFile: templates.file("messages.uk.json"), atomically: true, encoding: .utf8)
        let again = try ReaderMessages(overrides: templates.path)
        #expect(again["subscribe.button", "uk"] == "Підписуюсь")
        #expect(again["subscribe.button", "en"] == "Subscribe")
    }

    @Test func everyCatalogueHasEveryKey() throws {
        let messages = try ReaderMessages(overrides: nil)
        let english = messages.catalogue("en")
        let ukrainian = messages.catalogue("uk")
        #expect(Set(english.keys) == Set(ukrainian.keys))
        for (key, text) in ukrainian where !["page_language"].contains(key) {
            #expect(text != english[key] || text.allSatisfy { !$0.isLetter }, "\(key) is not translated")
        }
    }

    @Test(arguments: [
        (nil, nil, "en"), ("uk", nil, "uk"), ("UK", "en", "uk"), ("fr", nil, "en"), (nil, "uk-UA,uk;q=0.9,en;q=0.8", "uk"),
        (nil, "de-DE, en;q=0.5, uk;q=0.7", "uk"), (nil, "de, fr", "en"), ("en", "uk", "en"), (nil, "uk;q=0", "en"),
    ] as [(String?, String?, String)])
    func theLanguageComesFromTheQueryThenAcceptLanguage(query: String?, header: String?, language: String) {
        #expect(ReaderMessages.language(query: query, acceptLanguage: header) == language)
    }
}

import ArgumentParser
import Foundation
import MastheadRuntime
import SideEffects
import SubscriberLists

/// `masthead consent …`: the exact words readers agree to, by version and locale.
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Store and show the consent texts readers agree to, word for word.",
        discussion: """
            Every consent record names the version of the consent text (MASTHEAD_CONSENT_VERSION) \
            and the page's language. Storing each version's words here lets the access report \
            and `subscribers export --with-consent` show what exactly each reader agreed to. \
            Texts are append-only: new wording is a new version. In production the daemon \
            refuses to start while the configured version has no text for a language the \
            pages serve (en, uk).
            """,
        subcommands: [SetConsentText.self, ListConsentTexts.self, ShowConsentText.self])
}

struct SetConsentText: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-text",
        abstract: "Store the words of one version of the consent text in one language.",
        discussion: """
            The same words again change nothing; other words for a stored version and \
            language are refused (consent records point at them).

            Examples:
              masthead consent set-text --version 2 --locale en --file consent-en.txt
              masthead consent set-text --version 2 --locale uk --file consent-uk.txt
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The version, as MASTHEAD_CONSENT_VERSION names it.") var version: String
    @Option(help: "The language the text is in (en, uk, en-GB, …).") var locale: String
    @Option(help: "A UTF-8 text file with the words (- for standard input).") var file: String

    func run() async throws {
        let text = try await CommandFailure.reporting {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            guard let text = String(data: data, encoding: .utf8) else { throw NotUTF8(file: file) }
            return text
        }
        let change = try await global.withServices {
            try await $0.consentTexts.set(version: version, locale: locale, body: text, actor: AdminActor.current)
        }
        print(change == .stored ? "stored version \(version) (\(locale.lowercased()))" : "unchanged: version \(version) (\(locale.lowercased())) already has these words")
    }

    struct NotUTF8: Error, CustomStringConvertible {
        let file: String
        var description: String { "\(file) is not UTF-8 text" }
    }
}

struct ListConsentTexts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the stored consent texts.",
        discussion: "Examples:\n  masthead consent list\n  masthead consent list --format json")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    struct Entry: Encodable {
        let version: String
        let locale: String
        let stored: String
        let storedBy: String
        let words: String
    }

    func run() async throws {
        let texts = try await global.withServices { try await $0.consentTexts.list() }
        let entries = texts.map {
            Entry(version: $0.version, locale: $0.locale, stored: Timestamp.format($0.createdAt), storedBy: $0.createdBy, words: $0.body)
        }
        let listing = Listing<Entry>(columns: [
            ("VERSION", \.version), ("LOCALE", \.locale), ("STORED", \.stored), ("BY", \.storedBy),
            ("BEGINNING", { String($0.words.prefix(60)).replacingOccurrences(of: "\n", with: " ") }),
        ])
        print(try listing.render(entries, as: output.resolved), terminator: "")
    }
}

struct ShowConsentText: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the words of one version (one language, or each).",
        discussion: "Examples:\n  masthead consent show --version 2 --locale uk\n  masthead consent show --version 1")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The version.") var version: String
    @Option(help: "Only this language.") var locale: String?

    func run() async throws {
        let texts = try await global.withServices { try await $0.consentTexts.show(version: version, locale: locale) }
        if let only = texts.first, texts.count == 1, locale != nil {
            print(only.body)
            return
        }
        print(texts.map { "# version \($0.version), \($0.locale)\n\($0.body)\n" }.joined(separator: "\n"), terminator: "")
    }
}

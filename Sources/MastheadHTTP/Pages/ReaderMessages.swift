import Foundation
import DonationPledges

/// Every sentence readers see — pages, API answers, the embeddable box — per language, from the
/// catalogues in `Resources/Locales/` (English and Ukrainian). A `messages.json` (English) or
/// `messages.LANG.json` in the templates directory replaces any text by key.
struct ReaderMessages: Sendable {
    /// The languages with a catalogue; the first is the default.
    static let languages = ["en", "uk"]
    static let defaultLanguage = "en"
    /// Each language in its own words, for the language switch.
    static let languageNames = ["en": "English", "uk": "Українська"]

    private let catalogues: [String: [String: String]]

    /// The built-in catalogues, with the override files from `directory` laid over them.
    init(overrides directory: String?) throws {
        var catalogues: [String: [String: String]] = [
            "en": try JSONDecoder().decode([String: String].self, from: Data(PackageResources.en_json)),
            "uk": try JSONDecoder().decode([String: String].self, from: Data(PackageResources.uk_json)),
        ]
        if let directory {
            for language in Self.languages {
                let file = directory + (language == Self.defaultLanguage ? "/messages.json" : "/messages.\(language).json")
                guard FileManager.default.fileExists(atPath: file) else { continue }
                let overrides = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
                for (key, value) in overrides where catalogues[Self.defaultLanguage]?[key] != nil { catalogues[language]?[key] = value }
            }
        }
        self.catalogues = catalogues
    }

    /// The English text (API answers without a language).
    subscript(key: String) -> String { self[key, Self.defaultLanguage] }

    /// The text in `language`, falling back to English, then to the key itself.
    subscript(key: String, language: String) -> String {
        catalogues[language]?[key] ?? catalogues[Self.defaultLanguage]?[key] ?? key
    }

    /// The text with `{name}` placeholders filled.
    func format(_ key: String, _ language: String, _ values: [String: String]) -> String {
        values.reduce(self[key, language]) { text, pair in text.replacingOccurrences(of: "{\(pair.key)}", with: pair.value) }
    }

    /// What follows an amount of a pledge paid at `interval`: ` a month`, ` на рік`, or nothing.
    func intervalSuffix(_ interval: PledgeInterval, _ language: String) -> String {
        switch interval {
        case .once: ""
        case .monthly: " " + self["support.month", language]
        case .annual: " " + self["support.year", language]
        }
    }

    /// The whole catalogue of `language` for a template, keys with `_` for `.` (`{{t.subscribe_button}}`).
    func catalogue(_ language: String) -> [String: String] {
        var texts: [String: String] = [:]
        for (key, _) in catalogues[Self.defaultLanguage] ?? [:] { texts[key.replacingOccurrences(of: ".", with: "_")] = self[key, language] }
        return texts
    }

    /// The language of a request: `?lang=` when it names a catalogue, else the first supported
    /// language of `Accept-Language` (by quality), else English.
    static func language(query: String?, acceptLanguage: String?) -> String {
        if let query = query?.lowercased(), languages.contains(query) { return query }
        guard let acceptLanguage else { return defaultLanguage }
        let ranked = acceptLanguage.split(separator: ",").compactMap { item -> (String, Double)? in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { return nil }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (String(tag.split(separator: "-").first ?? ""), quality)
        }
        return ranked.filter { languages.contains($0.0) && $0.1 > 0 }.max { $0.1 < $1.1 }?.0 ?? defaultLanguage
    }
}

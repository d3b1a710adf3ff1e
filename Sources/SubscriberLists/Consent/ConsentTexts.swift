public import Foundation

/// Staff's consent texts: store a version's words per locale (`masthead consent set-text`), list
/// and show them, and say which locales a version lacks (a production daemon refuses to start
/// without them). Texts are append-only: new words are a new version.
public struct ConsentTexts: Sendable {
    /// The locale a record without one (or with one no text has) falls back to.
    public static let fallbackLocale = "en"
    /// Longer than any consent paragraph; stops a wrong file (a PDF, a log) being stored.
    public static let maximumLength = 20_000

    let store: any ConsentTextStore
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(store: any ConsentTextStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// Stores the words of `version` in `locale`. The same words again change nothing; other
    /// words for a stored version and locale are refused.
    @discardableResult
    public func set(version: String, locale: String, body: String, actor: String) async throws -> ConsentTextChange {
        let version = try Self.validatedVersion(version)
        let locale = try Self.validatedLocale(locale)
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw ConsentTextError.emptyText }
        guard body.count <= Self.maximumLength else { throw ConsentTextError.textTooLong(maximum: Self.maximumLength) }
        let text = ConsentText(version: version, locale: locale, body: body, createdAt: now(), createdBy: actor)
        guard let stored = try await store.addConsentText(text, effects: .consentTextStored(text)) else { return .stored }
        guard stored.body == body else { throw ConsentTextError.alreadyStored(version: version, locale: locale) }
        return .unchanged
    }

    /// Every stored text.
    public func list() async throws -> [ConsentText] {
        try await store.consentTexts()
    }

    /// The texts of `version` (one locale, or all of them).
    public func show(version: String, locale: String?) async throws -> [ConsentText] {
        let texts = try await store.consentTexts().filter {
            $0.version == version && (locale == nil || $0.locale.lowercased() == locale?.lowercased())
        }
        guard !texts.isEmpty else { throw ConsentTextError.unknown(version: version, locale: locale) }
        return texts
    }

    /// The locales among `served` that have no text for `version`.
    public func missingLocales(version: String, served: [String]) async throws -> [String] {
        let stored = Set(try await store.consentTexts().filter { $0.version == version }.map { $0.locale.lowercased() })
        return served.filter { !stored.contains($0.lowercased()) }
    }

    /// `profile` with each consent record's words filled in from the stored texts.
    public static func withWords(_ profile: SubscriberProfile, from texts: [ConsentText]) -> SubscriberProfile {
        var profile = profile
        for index in profile.consents.indices {
            let consent = profile.consents[index]
            profile.consents[index].consentText = ConsentText.matching(
                version: consent.consentTextVersion, locale: consent.locale, in: texts)?.body
        }
        return profile
    }

    static func validatedVersion(_ version: String) throws(ConsentTextError) -> String {
        let version = version.trimmingCharacters(in: .whitespaces)
        guard (1...50).contains(version.count), !version.unicodeScalars.contains(where: {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }) else { throw .invalidVersion(version) }
        return version
    }

    static func validatedLocale(_ locale: String) throws(ConsentTextError) -> String {
        let locale = locale.trimmingCharacters(in: .whitespaces)
        let parts = locale.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...35).contains(locale.count), let first = parts.first, (2...8).contains(first.count),
            first.allSatisfy({ $0.isASCII && $0.isLetter }),
            parts.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else { throw .invalidLocale(locale) }
        return locale.lowercased()
    }
}

public import Foundation
public import SideEffects

/// The exact words of one version of the consent text in one locale, as readers saw them beside
/// the sign-up button. Consent records name a version and a locale; this is what they mean.
public struct ConsentText: Sendable, Equatable, Codable {
    public var version: String
    public var locale: String
    public var body: String
    public var createdAt: Date
    public var createdBy: String

    /// Creates a text value.
    public init(version: String, locale: String, body: String, createdAt: Date, createdBy: String) {
        self.version = version
        self.locale = locale
        self.body = body
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// The text a record made under `version` on a page in `locale` points at, among `texts`:
    /// the exact locale, else its language (`en` for `en-GB`), else the first served language's
    /// (the pages fall back to it too). Nil when that version was never stored.
    public static func matching(
        version: String?, locale: String?, in texts: [ConsentText], fallback: String = ConsentTexts.fallbackLocale
    ) -> ConsentText? {
        guard let version else { return nil }
        let ofVersion = texts.filter { $0.version == version }
        let wanted = (locale ?? fallback).lowercased()
        let language = String(wanted.split(separator: "-").first ?? "")
        for candidate in [wanted, language, fallback] {
            if let text = ofVersion.first(where: { $0.locale.lowercased() == candidate }) { return text }
        }
        return nil
    }
}

/// What storing a text did.
public enum ConsentTextChange: Sendable, Equatable {
    /// The text was stored.
    case stored
    /// The same words were already stored under this version and locale: nothing changed.
    case unchanged
}

/// Why a consent text command was refused.
public enum ConsentTextError: Error, Equatable, CustomStringConvertible {
    case invalidVersion(String)
    case invalidLocale(String)
    case emptyText
    case textTooLong(maximum: Int)
    /// Other words are already stored under this version and locale: texts are append-only.
    case alreadyStored(version: String, locale: String)
    case unknown(version: String, locale: String?)

    public var description: String {
        switch self {
        case .invalidVersion(let version): "version '\(version)' must be 1-50 characters without spaces"
        case .invalidLocale(let locale): "locale '\(locale)' must be a language tag such as en, uk or en-GB"
        case .emptyText: "the consent text is empty"
        case .textTooLong(let maximum): "the consent text is longer than \(maximum) characters"
        case .alreadyStored(let version, let locale):
            "version \(version) already has other words for \(locale); texts are append-only (consent records point at them): "
                + "store the new wording as a new version and set MASTHEAD_CONSENT_VERSION to it"
        case .unknown(let version, let locale):
            "no consent text is stored for version \(version)\(locale.map { " in \($0)" } ?? ""); `masthead consent list` shows them"
        }
    }
}

extension Effects {
    /// A consent text was stored (the words are in `consent_texts`; the trail says who and when).
    public static func consentTextStored(_ text: ConsentText) -> Effects {
        .record(AuditRecord(
            occurredAt: text.createdAt, actor: text.createdBy, action: "consent_text.stored", subjectType: "consent_text",
            details: ["version": text.version, "locale": text.locale]))
    }
}

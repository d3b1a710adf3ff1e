import Logging
import MastheadHTTP
import MastheadSettings
import NewsletterSignup
import SubscriberLists

extension Runtime {
    /// The slug of the newsletter a first start in development creates.
    public static let firstNewsletterSlug = "newsletter"

    /// In development, a database with no newsletter at all gets one, named after the newsroom,
    /// so that the first sign-up of someone trying Masthead works before they know
    /// `masthead newsletters add`; it is logged. Production creates nothing: which newsletters a
    /// newsroom offers is its staff's decision. The daemon calls it at start.
    public func createFirstNewsletterInDevelopment() async throws {
        guard configuration.environment == .development,
            try await services.catalog.list(includingArchived: true).isEmpty
        else { return }
        let created: Newsletter
        do {
            created = try await services.catalog.create(
                NewsletterDraft(slug: Self.firstNewsletterSlug, name: configuration.newsroom), actor: "mastheadd (first start, development)")
        } catch NewsletterError.slugTaken {
            // Another daemon on the same database made it between our look and our write.
            return
        }
        logger.notice(
            "created a first newsletter, as this is development and there was none",
            metadata: ["slug": "\(created.slug)", "name": "\(created.name)", "hint": "rename it with masthead newsletters update, or add others with masthead newsletters add"])
    }
}

extension Runtime {
    /// A daemon's start checks the consent texts of `MASTHEAD_CONSENT_VERSION`: in production
    /// it refuses to start while a served language has none (consent could not be proven word
    /// for word); in development it stores the pages' own notice for each missing language, so
    /// a first try needs no setup, and logs that it did.
    public func checkConsentTexts() async throws {
        let version = configuration.signup.consentTextVersion
        let missing = try await services.consentTexts.missingLocales(version: version, served: ReaderLanguages.served)
        guard !missing.isEmpty else { return }
        guard configuration.environment == .development else { throw MissingConsentText(version: version, locales: missing) }
        for locale in missing {
            let notice = try ReaderLanguages.consentNotice(locale, templatesDirectory: configuration.templatesDirectory)
            try await services.consentTexts.set(
                version: version, locale: locale, body: notice, actor: "mastheadd (first start, development)")
        }
        logger.notice(
            "stored the pages' consent notice as the consent text, as this is development and there was none",
            metadata: ["version": "\(version)", "locales": "\(missing.joined(separator: ","))",
                       "hint": "store the real words with masthead consent set-text"])
    }
}

/// Production without the words of the configured consent text: a configuration error (78).
public struct MissingConsentText: Error, CustomStringConvertible {
    public let version: String
    public let locales: [String]

    public var description: String {
        "no consent text is stored for MASTHEAD_CONSENT_VERSION=\(version) in \(locales.joined(separator: ", ")): "
            + "store the words readers see with `masthead consent set-text --version \(version) --locale \(locales[0]) --file FILE`"
    }
}

import Logging
import MastheadSettings
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

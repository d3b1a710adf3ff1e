public import Foundation

/// The persistence a newsletter catalogue needs, in its own words.
///
/// Every change also appends an audit event in the same transaction; `actor` says who made it
/// (`admin:alice`, `system`). Implementations: `SQLiteStore` and `PostgresStore`.
public protocol NewsletterStore: Sendable {
    /// Inserts a newsletter; throws ``NewsletterError/slugTaken(_:)`` when the slug exists.
    func createNewsletter(_ draft: NewsletterDraft, at time: Date, actor: String) async throws -> Newsletter
    /// Every newsletter ordered by slug, archived ones only when asked.
    func newsletters(includingArchived: Bool) async throws -> [Newsletter]
    /// The newsletter with this slug, archived or not.
    func newsletter(slug: String) async throws -> Newsletter?
    /// Applies the changes; throws ``NewsletterError/notFound(_:)`` for an unknown slug.
    func updateNewsletter(slug: String, changes: NewsletterChanges, at time: Date, actor: String) async throws -> Newsletter
    /// Marks the newsletter archived; throws ``NewsletterError/notFound(_:)`` or
    /// ``NewsletterError/alreadyArchived(_:)``.
    func archiveNewsletter(slug: String, at time: Date, actor: String) async throws -> Newsletter
}

public import Foundation

/// Staff operations on newsletters: validate, then persist through a ``NewsletterStore``.
///
/// ```swift
/// let catalog = NewsletterCatalog(store: store, now: Date.init)
/// let daily = try await catalog.create(NewsletterDraft(slug: "ukraine-daily", name: "Ukraine Daily"), actor: "admin:alice")
/// ```
public struct NewsletterCatalog: Sendable {
    let store: any NewsletterStore
    let now: @Sendable () -> Date

    /// Creates a catalogue over a store, with an injected clock.
    public init(store: any NewsletterStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    /// Creates a newsletter after checking its slug, name and description.
    public func create(_ draft: NewsletterDraft, actor: String) async throws -> Newsletter {
        try NewsletterRules.checkSlug(draft.slug)
        try NewsletterRules.checkName(draft.name)
        try NewsletterRules.checkDescription(draft.description)
        return try await store.createNewsletter(draft, at: now(), actor: actor)
    }

    /// Lists newsletters by slug.
    public func list(includingArchived: Bool) async throws -> [Newsletter] {
        try await store.newsletters(includingArchived: includingArchived)
    }

    /// Changes some fields of a newsletter.
    public func update(slug: String, changes: NewsletterChanges, actor: String) async throws -> Newsletter {
        guard !changes.isEmpty else { throw NewsletterError.nothingToChange }
        if let name = changes.name { try NewsletterRules.checkName(name) }
        if let description = changes.description { try NewsletterRules.checkDescription(description) }
        return try await store.updateNewsletter(slug: slug, changes: changes, at: now(), actor: actor)
    }

    /// Archives a newsletter: it keeps its members and history but takes no new sign-ups.
    public func archive(slug: String, actor: String) async throws -> Newsletter {
        try await store.archiveNewsletter(slug: slug, at: now(), actor: actor)
    }
}

public import Foundation
import SideEffects
public import SubscriberLists
import PostgresNIO
import StoredRows

/// Newsletters in the `newsletters` table (migration 0001).
extension PostgresStore: NewsletterStore {
    public func createNewsletter(_ draft: NewsletterDraft, at time: Date, actor: String) async throws -> Newsletter {
        try await write { session in
            let stamp = Timestamp.format(time)
            // The unique slug decides between two daemons creating the same newsletter at once.
            guard let id = try await session.value(
                """
                INSERT INTO newsletters (slug, name, description, visibility, opt_in, created_at, updated_at)
                VALUES (\(draft.slug), \(draft.name), \(draft.description), \(draft.visibility.rawValue), \(draft.optIn.rawValue), \(stamp), \(stamp))
                ON CONFLICT (slug) DO NOTHING RETURNING id
                """, as: Int64.self)
            else { throw NewsletterError.slugTaken(draft.slug) }
            try await Self.save(.newsletterCreated(id: id, slug: draft.slug, actor: actor, at: time), session)
            return try await Self.requireNewsletter(session, slug: draft.slug)
        }
    }

    public func newsletters(includingArchived: Bool) async throws -> [Newsletter] {
        try await read { session in
            try await session.rows(
                "SELECT * FROM newsletters WHERE \(includingArchived) OR archived_at IS NULL ORDER BY slug COLLATE \"C\""
            ).map(Newsletter.init(stored:))
        }
    }

    public func newsletter(slug: String) async throws -> Newsletter? {
        try await read { session in try await Self.fetchNewsletter(session, slug: slug) }
    }

    public func updateNewsletter(
        slug: String, changes: NewsletterChanges, at time: Date, actor: String
    ) async throws -> Newsletter {
        try await write { session in
            let current = try await Self.requireNewsletter(session, slug: slug, forUpdate: true)
            try await session.execute(
                """
                UPDATE newsletters SET name = \(changes.name ?? current.name),
                    description = \(changes.description ?? current.description),
                    visibility = \((changes.visibility ?? current.visibility).rawValue),
                    opt_in = \((changes.optIn ?? current.optIn).rawValue), updated_at = \(Timestamp.format(time))
                WHERE id = \(current.id)
                """)
            try await Self.save(.newsletterUpdated(current, changes: changes, actor: actor, at: time), session)
            return try await Self.requireNewsletter(session, slug: slug)
        }
    }

    public func archiveNewsletter(slug: String, at time: Date, actor: String) async throws -> Newsletter {
        try await write { session in
            let current = try await Self.requireNewsletter(session, slug: slug, forUpdate: true)
            guard !current.isArchived else { throw NewsletterError.alreadyArchived(slug) }
            let stamp = Timestamp.format(time)
            try await session.execute("UPDATE newsletters SET archived_at = \(stamp), updated_at = \(stamp) WHERE id = \(current.id)")
            try await Self.save(.newsletterArchived(current, actor: actor, at: time), session)
            return try await Self.requireNewsletter(session, slug: slug)
        }
    }

    static func fetchNewsletter(_ session: PostgresSession, slug: String, forUpdate: Bool = false) async throws -> Newsletter? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        var query: PostgresQuery = "SELECT * FROM newsletters WHERE slug = \(slug)"
        query.sql += lock
        return try await session.row(query).map(Newsletter.init(stored:))
    }

    static func requireNewsletter(_ session: PostgresSession, slug: String, forUpdate: Bool = false) async throws -> Newsletter {
        guard let newsletter = try await fetchNewsletter(session, slug: slug, forUpdate: forUpdate) else {
            throw NewsletterError.notFound(slug)
        }
        return newsletter
    }
}

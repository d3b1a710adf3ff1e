public import Foundation
public import SubscriberLists
import GRDB
import StoredRows
import SideEffects

/// Newsletters in the `newsletters` table (migration 0001).
extension SQLiteStore: NewsletterStore {
    public func createNewsletter(_ draft: NewsletterDraft, at time: Date, actor: String) async throws -> Newsletter {
        try await write { db in
            guard try Self.fetchNewsletter(db, slug: draft.slug) == nil else {
                throw NewsletterError.slugTaken(draft.slug)
            }
            let stamp = Timestamp.format(time)
            try db.execute(
                sql: """
                    INSERT INTO newsletters (slug, name, description, visibility, opt_in, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    draft.slug, draft.name, draft.description, draft.visibility.rawValue, draft.optIn.rawValue,
                    stamp, stamp,
                ])
            try Self.save(.newsletterCreated(id: db.lastInsertedRowID, slug: draft.slug, actor: actor, at: time), db)
            return try Self.requireNewsletter(db, slug: draft.slug)
        }
    }

    public func newsletters(includingArchived: Bool) async throws -> [Newsletter] {
        try await read { db in
            let filter = includingArchived ? "" : "WHERE archived_at IS NULL"
            return try Row.fetchAll(db, sql: "SELECT * FROM newsletters \(filter) ORDER BY slug")
                .map(Newsletter.init(stored:))
        }
    }

    public func newsletter(slug: String) async throws -> Newsletter? {
        try lookup { db in try Self.fetchNewsletter(db, slug: slug) }
    }

    public func updateNewsletter(
        slug: String, changes: NewsletterChanges, at time: Date, actor: String
    ) async throws -> Newsletter {
        try await write { db in
            let current = try Self.requireNewsletter(db, slug: slug)
            try db.execute(
                sql: """
                    UPDATE newsletters SET name = ?, description = ?, visibility = ?, opt_in = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    changes.name ?? current.name, changes.description ?? current.description,
                    (changes.visibility ?? current.visibility).rawValue, (changes.optIn ?? current.optIn).rawValue,
                    Timestamp.format(time), current.id,
                ])
            try Self.save(.newsletterUpdated(current, changes: changes, actor: actor, at: time), db)
            return try Self.requireNewsletter(db, slug: slug)
        }
    }

    public func archiveNewsletter(slug: String, at time: Date, actor: String) async throws -> Newsletter {
        try await write { db in
            let current = try Self.requireNewsletter(db, slug: slug)
            guard !current.isArchived else { throw NewsletterError.alreadyArchived(slug) }
            let stamp = Timestamp.format(time)
            try db.execute(
                sql: "UPDATE newsletters SET archived_at = ?, updated_at = ? WHERE id = ?",
                arguments: [stamp, stamp, current.id])
            try Self.save(.newsletterArchived(current, actor: actor, at: time), db)
            return try Self.requireNewsletter(db, slug: slug)
        }
    }

    static func fetchNewsletter(_ db: Database, slug: String) throws -> Newsletter? {
        try Row.fetchOne(db, sql: "SELECT * FROM newsletters WHERE slug = ?", arguments: [slug])
            .map(Newsletter.init(stored:))
    }

    static func requireNewsletter(_ db: Database, slug: String) throws -> Newsletter {
        guard let newsletter = try fetchNewsletter(db, slug: slug) else { throw NewsletterError.notFound(slug) }
        return newsletter
    }
}

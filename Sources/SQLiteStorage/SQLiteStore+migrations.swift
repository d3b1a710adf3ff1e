public import Foundation
public import Migrations
import GRDB
import SideEffects
import SubscriberLists

/// Schema steps: `schema_migrations` records each applied step with its checksum.
extension SQLiteStore {
    private static let bookkeeping = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            id         TEXT PRIMARY KEY,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    /// Compares the database with the steps this binary ships, without changing anything.
    public func migrationPlan(known: [Migration] = SQLiteMigrations.all) async throws -> MigrationPlan {
        try await read { db in try Self.plan(db, known: known) }
    }

    /// Applies every pending step, in order, in one immediate transaction (so a daemon and
    /// the CLI starting together cannot both apply a step). Returns the ids applied.
    ///
    /// Refuses a database that has a step this binary does not know or an edited step.
    @discardableResult
    public func migrate(known: [Migration] = SQLiteMigrations.all, now: Date = Date()) async throws -> [String] {
        let appliedAt = Timestamp.format(now)
        return try await pool.writeWithoutTransaction { db in
            var applied: [String] = []
            // A step may rebuild a table (SQLite's only way to change a CHECK), which needs foreign
            // keys off; they are checked before the steps commit, and turned on again after.
            // (The pragma is a no-op inside a transaction, so it is set outside.)
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try Self.keepTemporaryData(onFile: true, db)
            defer {
                try? db.execute(sql: "PRAGMA foreign_keys = ON")
                try? Self.keepTemporaryData(onFile: false, db)
            }
            try db.inTransaction(.immediate) {
                try db.execute(sql: Self.bookkeeping)
                let plan = try Self.plan(db, known: known)
                if let refusal = plan.refusal { throw StorageError.migrationRefused(refusal) }
                for step in plan.pending {
                    try db.execute(sql: step.sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migrations (id, checksum, applied_at) VALUES (?, ?, ?)",
                        arguments: [step.id, step.checksum, appliedAt])
                    applied.append(step.id)
                }
                if let broken = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
                    throw StorageError.migrationRefused("a step left a row of \(broken[0] as String? ?? "a table") without its parent")
                }
                return .commit
            }
            return applied
        }
    }

    /// The applied steps of the database as `id → checksum` (empty for a new database).
    static func appliedMigrations(_ db: Database) throws -> [String: String] {
        guard try db.tableExists("schema_migrations") else { return [:] }
        var applied: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, checksum FROM schema_migrations") {
            applied[row["id"]] = row["checksum"]
        }
        return applied
    }

    /// When each step was applied, for `masthead db status`.
    public func appliedMigrationTimes() async throws -> [String: String] {
        try await read { db in
            guard try db.tableExists("schema_migrations") else { return [:] }
            var times: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, applied_at FROM schema_migrations") {
                times[row["id"]] = row["applied_at"]
            }
            return times
        }
    }

    private static func plan(_ db: Database, known: [Migration]) throws -> MigrationPlan {
        MigrationPlan(known: known, applied: try appliedMigrations(db))
    }
}

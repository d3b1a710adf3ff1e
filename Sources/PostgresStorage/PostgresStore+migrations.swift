public import DatabaseHealth
public import Foundation
public import Migrations
public import PostgresMigrations
import PostgresNIO
import SideEffects
import SubscriberLists

/// Schema steps: `schema_migrations` records each applied step with its checksum, as in SQLite.
extension PostgresStore {
    /// The advisory lock every migrating process takes: two daemons starting together apply
    /// each step once, the second waiting for the first and then finding nothing pending.
    static let migrationLock: Int64 = 0x6d61_7374_6865_6164  // "masthead"

    private static let bookkeeping: PostgresQuery = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            id         TEXT PRIMARY KEY,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    /// Compares the database with the steps this binary ships, without changing anything.
    public func migrationPlan(known: [Migration] = PostgresMigrations.all) async throws -> MigrationPlan {
        try await checkReachable()
        return try await read { session in MigrationPlan(known: known, applied: try await Self.appliedMigrations(session)) }
    }

    /// Applies every pending step, in order, in one transaction under the migration lock.
    /// Returns the ids applied. Refuses a database that has a step this binary does not know or an edited step.
    @discardableResult
    public func migrate(known: [Migration] = PostgresMigrations.all, now: Date = Date()) async throws -> [String] {
        let appliedAt = Timestamp.format(now)
        try await checkReachable()
        return try await write { session in
            try await session.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try await session.execute(Self.bookkeeping)
            let plan = MigrationPlan(known: known, applied: try await Self.appliedMigrations(session))
            if let refusal = plan.refusal { throw PostgresStoreError.migrationRefused(refusal) }
            for step in plan.pending {
                for statement in SQLScript.statements(step.sql) {
                    try await session.execute(PostgresQuery(unsafeSQL: statement))
                }
                try await session.execute(
                    "INSERT INTO schema_migrations (id, checksum, applied_at) VALUES (\(step.id), \(step.checksum), \(appliedAt))")
            }
            return plan.pending.map(\.id)
        }
    }

    /// When each step was applied, for `masthead db status`.
    public func appliedMigrationTimes() async throws -> [String: String] {
        try await read { session in
            guard try await Self.hasMigrationTable(session) else { return [:] }
            var times: [String: String] = [:]
            for row in try await session.rows("SELECT id, applied_at FROM schema_migrations") {
                times[try row["id"]] = try row["applied_at"]
            }
            return times
        }
    }

    /// Can the server be reached and is the schema current?
    public func readiness(known: [Migration] = PostgresMigrations.all) async -> DatabaseReadiness {
        if let failure = writeAvailability.recentFailure { return .notReady("writes are failing: \(failure)") }
        do {
            return DatabaseReadiness(plan: try await migrationPlan(known: known))
        } catch {
            return .notReady("database \(location) does not answer: \(Self.describe(error))")
        }
    }

    /// Connects once, directly: a wrong host, port or password then fails at once with its
    /// reason. (The pool retries a failing server for about a minute before it gives up, and
    /// its error does not say why.) Every start, `db` command and readiness probe begins here.
    func checkReachable() async throws {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw PostgresStoreError.unreachable("\(location): \(Self.describe(error))")
        }
    }

    static func appliedMigrations(_ session: PostgresSession) async throws -> [String: String] {
        guard try await hasMigrationTable(session) else { return [:] }
        var applied: [String: String] = [:]
        for row in try await session.rows("SELECT id, checksum FROM schema_migrations") {
            applied[try row["id"]] = try row["checksum"]
        }
        return applied
    }

    private static func hasMigrationTable(_ session: PostgresSession) async throws -> Bool {
        try await session.value("SELECT to_regclass('schema_migrations') IS NOT NULL", as: Bool.self) ?? false
    }
}

/// Why the PostgreSQL store refused, in words an operator can act on.
public enum PostgresStoreError: Error, Equatable, CustomStringConvertible {
    /// The database's migrations do not fit this binary (newer database, or an edited step).
    case migrationRefused(String)
    /// The server could not be reached or refused the login.
    case unreachable(String)
    /// `masthead db backup` was asked of PostgreSQL, which its own tools back up.
    case backupByServerTools

    public var description: String {
        switch self {
        case .migrationRefused(let reason): "refusing this database: \(reason)"
        case .unreachable(let reason): "cannot connect to \(reason)"
        case .backupByServerTools:
            "db backup copies an SQLite file; back up PostgreSQL with pg_dump -Fc (see Ops/postgres/README.md)"
        }
    }
}

/// Splits a migration file into statements: the extended query protocol takes one at a time.
enum SQLScript {
    /// The statements of `sql`, split at semicolons outside quotes, dollar-quoted bodies
    /// (`$$ … $$` of a function) and comments; comment-only pieces are dropped.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var hasCode = false
        var index = sql.startIndex
        func next(_ offset: Int = 1) -> Character? {
            sql.index(index, offsetBy: offset, limitedBy: sql.endIndex).flatMap { $0 < sql.endIndex ? sql[$0] : nil }
        }
        while index < sql.endIndex {
            let character = sql[index]
            if character == "-", next() == "-" {  // a comment runs to the end of the line
                let end = sql[index...].firstIndex(of: "\n") ?? sql.endIndex
                current += sql[index..<end]
                index = end
                continue
            }
            if character == "'" || character == "$" && next() == "$" {  // a quoted run is copied whole
                let quote = character == "'" ? "'" : "$$"
                let bodyStart = sql.index(index, offsetBy: quote.count)
                let close = sql[bodyStart...].range(of: quote)?.upperBound ?? sql.endIndex
                current += sql[index..<close]
                hasCode = true
                index = close
                continue
            }
            if character == ";" {
                if hasCode { statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
                current = ""
                hasCode = false
            } else {
                current.append(character)
                if !character.isWhitespace { hasCode = true }
            }
            index = sql.index(after: index)
        }
        if hasCode { statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return statements
    }
}

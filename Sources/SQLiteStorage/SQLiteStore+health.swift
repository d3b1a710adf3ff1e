public import DatabaseHealth
public import Migrations
import GRDB

/// Readiness: can the database file be opened afresh, is its schema current, and do writes work?
extension SQLiteStore {
    /// Opens a new read-only connection to the file and checks its migrations.
    ///
    /// A new connection (rather than the pool's open ones) notices a file that was removed,
    /// replaced or made unreadable, which open connections would keep reading unaware.
    /// Not ready either while writes are failing (``WriteAvailability``): reads may still work
    /// when the disk is full, but every sign-up would fail.
    public func readiness(known: [Migration] = SQLiteMigrations.all) async -> DatabaseReadiness {
        if let failure = writeAvailability.recentFailure { return .notReady("writes are failing: \(failure)") }
        let path = self.path
        return await Task.detached {
            do {
                var configuration = Configuration()
                configuration.readonly = true
                configuration.busyMode = Self.busyMode
                let probe = try DatabaseQueue(path: path, configuration: configuration)
                defer { try? probe.close() }
                let plan = try probe.read { db in
                    MigrationPlan(known: known, applied: try Self.appliedMigrations(db))
                }
                return DatabaseReadiness(plan: plan)
            } catch {
                return .notReady("database \(path) does not answer: \(Self.describe(error))")
            }
        }.value
    }
}

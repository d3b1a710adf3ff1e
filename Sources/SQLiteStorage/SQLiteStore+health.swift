public import Migrations
import GRDB

/// Readiness: can the database file be opened afresh and is its schema current?
extension SQLiteStore {
    /// The answer of a readiness probe.
    public enum Readiness: Sendable, Equatable {
        /// The database answers and every migration is applied.
        case ready
        /// Not ready, with the reason for the log (never shown to clients).
        case notReady(String)
    }

    /// Opens a new read-only connection to the file and checks its migrations.
    ///
    /// A new connection (rather than the pool's open ones) notices a file that was removed,
    /// replaced or made unreadable, which open connections would keep reading unaware.
    public func readiness(known: [Migration] = SQLiteMigrations.all) async -> Readiness {
        let path = self.path
        return await Task.detached {
            do {
                var configuration = Configuration()
                configuration.readonly = true
                configuration.busyMode = .timeout(Self.busyTimeout)
                let probe = try DatabaseQueue(path: path, configuration: configuration)
                defer { try? probe.close() }
                let plan = try probe.read { db in
                    MigrationPlan(known: known, applied: try Self.appliedMigrations(db))
                }
                if let refusal = plan.refusal { return .notReady(refusal) }
                if !plan.pending.isEmpty {
                    return .notReady("migrations pending: \(plan.pending.map(\.id).joined(separator: ", "))")
                }
                return .ready
            } catch {
                return .notReady("database \(path) does not answer: \(Self.describe(error))")
            }
        }.value
    }
}

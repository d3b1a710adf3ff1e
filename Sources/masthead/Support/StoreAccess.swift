import MastheadRuntime
import SQLiteStorage

extension GlobalOptions {
    /// Opens the configured store and applies pending migrations, as the daemon does at start,
    /// so a command run before the daemon's first start finds the tables it needs.
    func openMigratedStore() async throws -> SQLiteStore {
        let configuration = try await loadConfiguration()
        return try await CommandFailure.reporting {
            let store = try Runtime.openStore(configuration.database)
            do {
                try await store.migrate()
            } catch {
                try? store.close()
                throw error
            }
            return store
        }
    }
}

import Logging
import MastheadRuntime

extension GlobalOptions {
    /// Opens the configured store without migrating.
    func openStore(_ configuration: MastheadConfiguration) throws -> any MastheadStore {
        // Only the database driver's warnings reach the terminal; commands print their own results.
        var logger = Logger(label: "masthead")
        logger.logLevel = .warning
        return try Runtime.openStore(configuration, logger: logger)
    }

    /// Opens the configured store and applies pending migrations, as the daemon does at start,
    /// so a command run before the daemon's first start finds the tables it needs.
    func openMigratedStore() async throws -> any MastheadStore {
        let configuration = try await loadConfiguration()
        return try await CommandFailure.reporting {
            let store = try openStore(configuration)
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

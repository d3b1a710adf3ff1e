import Logging
import MastheadRuntime
import MastheadSettings

extension GlobalOptions {
    /// Opens the configured store without migrating (the `db` commands look before they leap).
    /// A missing SQLite file is an error unless `--create` was given or `creating` is set
    /// (`db migrate`, whose job it is).
    func openStore(_ configuration: MastheadConfiguration, creating: Bool = false) throws -> any MastheadStore {
        try Runtime.openStore(configuration, logger: Self.quietLogger, creating: creating || create)
    }

    /// Runs `body` with the runtime the daemon builds (the migrated store, the keys and the
    /// services over them), so a command applies the same rules as the daemon and finds the
    /// tables it needs even before the daemon's first start. It creates no keys file, and no
    /// database unless `--create` was given. Errors become a message on stderr and a non-zero
    /// exit.
    func withRuntime<T>(_ body: (Runtime) async throws -> T) async throws -> T {
        let configuration = try await loadConfiguration()
        return try await CommandFailure.reporting {
            let runtime = try await Runtime.start(
                configuration: configuration, logger: Self.quietLogger, creating: .command(database: create))
            defer { runtime.shutdown() }
            return try await body(runtime)
        }
    }

    /// Runs `body` with the runtime's services (see ``withRuntime(_:)``).
    func withServices<T>(_ body: (Services) async throws -> T) async throws -> T {
        try await withRuntime { try await body($0.services) }
    }

    /// Warnings (a generated development key, the database driver's) reach stderr; commands
    /// print their own results.
    static var quietLogger: Logger {
        var logger = Logger(label: "masthead") { _ in StreamLogHandler.standardError(label: "masthead") }
        logger.logLevel = .warning
        return logger
    }
}

import Foundation
public import Logging
public import MastheadSettings
import PostgresStorage
import SQLiteStorage

/// Which engine the configuration names, opened: the one place that turns a
/// `MASTHEAD_DATABASE` into a concrete store.
extension Runtime {
    /// Opens the configured store without migrating (the CLI's `db status` looks before it leaps).
    /// A missing SQLite file is created only when `creating` says so; otherwise the error names
    /// the path looked at and how to point at the right one.
    public static func openStore(
        _ configuration: MastheadConfiguration, logger: Logger, creating: Bool = true
    ) throws -> any MastheadStore {
        switch configuration.database {
        case .sqlite(let path):
            guard creating || FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError(
                    .database,
                    "no database at \(absolute(path)); run masthead where mastheadd runs, or name it with --database or "
                        + "MASTHEAD_DATABASE (masthead db migrate, or --create, makes a new one)")
            }
            if path != ":memory:", !path.hasPrefix("file:"), !FileManager.default.fileExists(atPath: path) {
                // Readers' addresses: only the owner may read them. SQLite gives the -wal and
                // -shm files it makes beside the database the database's own mode.
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                if descriptor >= 0 { close(descriptor) }
            }
            return try SQLiteStore(path: path)
        case .postgres(let url):
            do {
                let location = try PostgresLocation(
                    url: url, password: try databasePassword(configuration), poolSize: configuration.databasePool)
                return PostgresStore(location, logger: logger)
            } catch let error as PostgresLocationError {
                throw ConfigurationError(.database, "the PostgreSQL URL \(error.description)")
            }
        }
    }

    /// `path` made absolute against the working directory, for messages about where we looked.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The PostgreSQL password when the URL has none: from the password file, else `PGPASSWORD`
    /// (as libpq does), so it need not sit in a URL that shows up in process lists.
    static func databasePassword(_ configuration: MastheadConfiguration) throws(ConfigurationError) -> String? {
        if let file = configuration.databasePasswordFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(.databasePasswordFile, "cannot read \(file)")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        return ProcessInfo.processInfo.environment["PGPASSWORD"]
    }
}

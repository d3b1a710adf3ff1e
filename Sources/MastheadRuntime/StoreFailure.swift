import PostgresStorage
import SQLiteStorage

/// How a failure of the configured store is told to a person, and what it means for a process's
/// exit status, whichever engine failed: the executables report failures through this and never
/// name an engine.
public enum StoreFailure {
    /// One line for an operator: the database's own message (and SQLSTATE), never a query's arguments.
    public static func describe(_ error: any Error) -> String {
        PostgresStore.describe(error)
    }

    /// Whether a person must act before a restart can help (a refused schema, a file that
    /// cannot be opened): exit 78 then, so systemd does not restart in a loop; else 1, since a
    /// database server that cannot be reached may be back in a moment.
    public static func needsAPerson(_ error: any Error) -> Bool {
        switch error {
        case is StorageError: true
        case PostgresStoreError.migrationRefused: true
        default: false
        }
    }

    /// The error `masthead db status` ends with when the database must not be used by this binary.
    public static func refused(_ reason: String) -> any Error {
        StorageError.migrationRefused(reason)
    }
}

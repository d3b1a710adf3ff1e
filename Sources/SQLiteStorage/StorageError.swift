/// Why the store could not do what was asked, in words an operator can act on.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The database's migrations do not fit this binary (newer database, or an edited step).
    case migrationRefused(String)
    /// The database has steps this binary knows but has not applied.
    case migrationsPending([String])
    /// A backup could not be written or failed its check.
    case backupFailed(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open database \(path): \(reason)"
        case .migrationRefused(let reason): "refusing this database: \(reason)"
        case .migrationsPending(let ids): "the database needs migrations \(ids.joined(separator: ", ")): run `masthead db migrate`"
        case .backupFailed(let reason): "backup failed: \(reason)"
        }
    }
}

/// What a start may create when it is missing. The daemon makes its SQLite file and, in
/// development, its keys file. The `masthead` command makes neither unless told to
/// (`--create`, `db migrate`): run in the wrong directory, it must fail and name the path it
/// looked at, not read a new empty database and print zeros.
public struct MayCreate: Sendable {
    /// A missing SQLite file may be created (PostgreSQL databases are made by their server's
    /// administrator, never by Masthead).
    public var database: Bool
    /// A missing keys file may be generated (in development only; production never does).
    public var keys: Bool

    /// What `mastheadd` may create.
    public static let daemon = MayCreate(database: true, keys: true)

    /// What a `masthead` command may create: the database when asked, the keys never.
    public static func command(database: Bool) -> MayCreate { MayCreate(database: database, keys: false) }
}

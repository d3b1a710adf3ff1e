extension PostgresStore {
    /// PostgreSQL is backed up with its own tools (`pg_dump -Fc`, Ops/postgres/README.md), which
    /// know its files, roles and point-in-time recovery; `masthead db backup` says so.
    public func backup(to destination: String) async throws {
        throw PostgresStoreError.backupByServerTools
    }
}

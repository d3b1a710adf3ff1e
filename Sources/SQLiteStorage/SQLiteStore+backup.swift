import Foundation
import GRDB

/// Online backups through SQLite's backup API.
extension SQLiteStore {
    /// Writes a consistent copy of the database to `destination` while it stays in use,
    /// then checks the copy with `PRAGMA integrity_check`. Refuses to overwrite a file.
    ///
    /// The copy is taken inside one read transaction, so concurrent writers (the daemon)
    /// neither block nor tear it: it is the database as of the moment the backup began.
    public func backup(to destination: String) async throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StorageError.backupFailed("\(destination) already exists; choose a new file name")
        }
        let pool = self.pool
        try await Task.detached {
            do {
                let copy = try DatabaseQueue(path: destination)
                defer { try? copy.close() }
                try pool.backup(to: copy)
                let verdict = try copy.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
                guard verdict == "ok" else {
                    throw StorageError.backupFailed("integrity check of \(destination) says: \(verdict ?? "nothing")")
                }
            } catch let error as StorageError {
                throw error
            } catch {
                throw StorageError.backupFailed(Self.describe(error))
            }
        }.value
    }
}

public import DatabaseHealth
import Foundation
import Migrations
import GRDB
import GRDBSQLite
import Synchronization

/// The embedded store: one SQLite file, opened through GRDB on the system libsqlite3.
///
/// One `SQLiteStore` implements every store protocol of the libraries (newsletters now,
/// subscriptions, outbox and pledges as they land). Open it once per process and share it:
///
/// ```swift
/// let store = try SQLiteStore(path: "masthead.sqlite")
/// try await store.migrate()
/// ```
public final class SQLiteStore: Sendable {
    /// The database file this store opened.
    public let path: String
    let pool: DatabasePool
    let batcher: WriteBatcher
    let activity = DatabaseActivity()
    /// Whether the last writes failed for the server's reasons (readiness reads it).
    let writeAvailability = WriteAvailability()

    /// How many read connections the pool keeps; writes always use the single writer.
    public static let maximumReaders = 8
    /// How long a statement waits for a lock held by another connection or process.
    static let busyTimeout: TimeInterval = 5

    /// Waits for a lock by trying again every millisecond, up to ``busyTimeout``. SQLite's own
    /// timeout backs off to a try every 100 ms, and so kept missing the moments another process
    /// left the lock free: the daemon's writes waited out a whole import run beside it
    /// (`ImportBesideTheDaemonTests`; ``pauseAfterImportBatch``).
    static let busyMode = Database.BusyMode.callback { tries in
        guard Double(tries) < busyTimeout * 1000 else { return false }
        usleep(1000)
        return true
    }

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String) throws(StorageError) {
        var configuration = Configuration()
        configuration.label = "masthead"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = Self.busyMode
        configuration.maximumReaderCount = Self.maximumReaders
        self.path = path
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // What was acknowledged is on stable storage, as Postfix promises for mail: with WAL,
            // FULL syncs the log at every commit, so a 202 sign-up, a 201 pledge or a 200 to a
            // payment webhook survives a power loss or an OS crash (NORMAL only survives a process
            // crash). The group commit (WriteBatcher) makes one sync cover a whole batch. Set on
            // the writer after opening: GRDB sets NORMAL when it turns WAL on, after
            // `prepareDatabase` has run.
            //
            // The writer's temporary data in memory: every write runs in a savepoint of the
            // batch's transaction (WriteBatcher), whose journal holds the first change to each
            // page that existed before it, about 20 pages for a sign-up. Past SQLite's 64 KiB in
            // memory, each transaction created a temporary file, wrote it page by page and
            // deleted it: 83% of the daemon's `pwrite` calls under sign-up load (2026-12-04,
            // strace). A larger threshold (SQLITE_CONFIG_STMTJRNL_SPILL) was tried: from 192 KiB
            // up, SQLite 3.40.1 fails a spilling write with SQLITE_FULL. What is large goes to
            // file instead (keepTemporaryData).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
            self.pool = pool
        } catch {
            throw StorageError.cannotOpen(path: path, reason: Self.describe(error))
        }
        self.batcher = WriteBatcher(pool: pool)
    }

    /// Closes every connection; later calls fail. Call once at shutdown.
    ///
    /// The readers go first: GRDB closes the writer before them, and the last connection to
    /// close is the one that checkpoints the WAL and removes it, which a read-only reader
    /// cannot do. Without this, a daemon that served any read left its `-wal` file behind.
    public func close() throws {
        pool.releaseMemory()
        try pool.close()
    }

    /// The version of the SQLite library actually linked, e.g. `3.40.1`.
    public static var sqliteVersion: String {
        String(cString: sqlite3_libversion())
    }

    /// Connection activity for the metrics endpoint.
    public var poolStatistics: PoolStatistics {
        PoolStatistics(
            maximumReaders: Self.maximumReaders,
            readsInFlight: activity.reads.load(ordering: .relaxed),
            writesInFlight: activity.writes.load(ordering: .relaxed))
    }

    /// Runs a read transaction on a reader connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        activity.reads.add(1, ordering: .relaxed)
        defer { activity.reads.subtract(1, ordering: .relaxed) }
        return try await pool.read(body)
    }

    /// Runs a point lookup (a few rows found by an index) on the calling thread: `body` runs
    /// **one statement**. GRDB's synchronous read runs its body on the caller's thread when a
    /// reader is free, where ``read`` moves to the reader's queue and back: two thread switches,
    /// which cost more than the lookup (2026-12-04: with a pledge's three lookups made this way,
    /// its daemon CPU fell from 1,163 to 883 µs; Ops/bench/README.md). It holds its thread, one
    /// of Swift's few cooperative threads, for the lookup's duration, so anything that scans uses
    /// ``read``.
    ///
    /// No transaction around it: SQLite reads one statement from one snapshot, so the savepoint
    /// a read transaction opens and releases around it (two statements more) buys nothing here.
    func lookup<T>(_ body: (Database) throws -> T) throws -> T {
        activity.reads.add(1, ordering: .relaxed)
        defer { activity.reads.subtract(1, ordering: .relaxed) }
        return try pool.unsafeRead(body)
    }

    /// Runs `body` atomically on the writer connection, in a savepoint of a transaction it may
    /// share with concurrent writes (``WriteBatcher``); returns once that transaction committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await recordingWrite { try await batcher.write(body) }
    }

    /// Runs `body` as a transaction of its own on the writer connection, outside the group
    /// commit: for a write that touches thousands of pages (an import batch). In a shared
    /// transaction its savepoint would journal the first change to each of them, in memory
    /// (`temp_store`); alone, a rollback needs no journal (WAL).
    func writeAlone<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await recordingWrite { try await pool.write(body) }
    }

    /// Runs `body` on the writer connection outside any transaction (for a pragma).
    func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await recordingWrite { try await pool.writeWithoutTransaction(body) }
    }

    /// Where the writer keeps temporary data (savepoint and statement journals, sorts,
    /// temporary tables): in memory for the group commit's small writes (init), on file while
    /// something large runs: a migration (an index built over a large table sorts it), an
    /// import (its run's table of fingerprints grows with the file: 1,000,000 rows in memory
    /// took the peak RSS from 82 to 102 MB). Changing it drops every temporary table, so it
    /// changes only while there is none. Call it outside a transaction.
    static func keepTemporaryData(onFile: Bool, _ db: Database) throws {
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.sqlite_master WHERE type = 'table'") ?? 0
        if tables == 0 { try db.execute(sql: onFile ? "PRAGMA temp_store = FILE" : "PRAGMA temp_store = MEMORY") }
    }

    /// Counts a write in flight and notes a failure that is the machine's (readiness reads it).
    private func recordingWrite<T>(_ write: () async throws -> T) async throws -> T {
        activity.writes.add(1, ordering: .relaxed)
        defer { activity.writes.subtract(1, ordering: .relaxed) }
        do {
            return try await write()
        } catch {
            if let reason = unavailability(of: error) { writeAvailability.failed(reason) }
            throw error
        }
    }

    /// The SQLite results that are the machine's condition, not the request's: the disk or
    /// quota is full, the file or its directory is read-only, the disk fails, the file cannot be
    /// opened, another process holds the lock past the busy timeout, memory ran out — and a
    /// write that shared its transaction with one of those.
    public func unavailability(of error: any Error) -> String? {
        if error is WriteBatcher.BatchAborted { return "the shared write transaction was abandoned" }
        guard let error = error as? DatabaseError else { return nil }
        return switch error.resultCode.primaryResultCode {
        case .SQLITE_FULL: "the disk is full"
        case .SQLITE_READONLY: "the database is read-only"
        case .SQLITE_IOERR: "an I/O error"
        case .SQLITE_CANTOPEN: "the database file cannot be opened"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "the database is locked by another process"
        case .SQLITE_NOMEM: "out of memory"
        default: nil
        }
    }

    /// A short, human description of a database error (no SQL arguments, which may hold personal data).
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return String(describing: error)
    }
}

/// Counters of operations running on the pool, read by the metrics endpoint.
final class DatabaseActivity: Sendable {
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
}

public import DatabaseCopy
import Foundation
public import Logging
public import MastheadSettings
import Migrations
import PostgresStorage
import SQLiteStorage

/// `masthead db copy`: moves a newsroom off its one machine, from an SQLite file into a
/// PostgreSQL database, table by table, and proves each table whole. It joins the two engines,
/// so it lives in the composition root, the one module that knows both.
public struct DatabaseCopier: Sendable {
    /// The SQLite file to copy.
    public let source: String
    /// The configuration naming the PostgreSQL target (its `database` setting).
    public let target: MastheadConfiguration
    /// Empties a target that already holds data instead of refusing it.
    public let replace: Bool
    /// Rows read and written per page.
    public static let pageSize = 5_000

    /// Describes a copy.
    public init(source: String, target: MastheadConfiguration, replace: Bool) {
        self.source = source
        self.target = target
        self.replace = replace
    }

    /// Copies every table and verifies it; `progress` gets a line per page and per table.
    /// Returns each table with its checksum, as read back from the target.
    public func run(logger: Logger, progress: (String) -> Void) async throws -> [(CopiedTable, TableChecksum)] {
        let source = try SQLiteStore(path: self.source)
        defer { try? source.close() }
        let sourcePlan = try await source.migrationPlan()
        if let refusal = sourcePlan.refusal { throw StorageError.migrationRefused(refusal) }
        guard sourcePlan.pending.isEmpty else { throw StorageError.migrationsPending(sourcePlan.pending.map(\.id)) }
        guard let target = try Runtime.openStore(self.target, logger: logger) as? PostgresStore else {
            throw CopyRefusal("--to must be postgres://user@host/db")
        }
        defer { try? target.close() }
        try await target.migrate()
        let collation = try await target.collation()
        if collation != "C", collation != "POSIX" {
            progress(
                "warning: the target's collation is \(collation), not C: some listings will sort text differently from SQLite (see Ops/postgres/README.md)")
        }
        try await prepare(target)
        var report: [(CopiedTable, TableChecksum)] = []
        for table in CopiedTable.all {
            report.append((table, try await copy(table, from: source, to: target, progress: progress)))
        }
        return report
    }

    /// Refuses a target with data (unless `replace`), then empties what will be copied.
    private func prepare(_ target: PostgresStore) async throws {
        if !replace {
            for table in CopiedTable.all where !PostgresStore.seededTables.contains(table.name) {
                let count = try await target.rowCount(of: table)
                guard count == 0 else {
                    throw CopyRefusal(
                        "the target already holds data (\(count) rows in \(table.name)); copy into an empty database, or pass --replace to empty it first")
                }
            }
        }
        try await target.empty(CopiedTable.all)
    }

    /// Streams one table and checks the copy; returns its checksum.
    private func copy(
        _ table: CopiedTable, from source: SQLiteStore, to target: PostgresStore, progress: (String) -> Void
    ) async throws -> TableChecksum {
        let columns = try await source.columns(of: table)
        guard Set(columns) == Set(try await target.columns(of: table)) else {
            throw CopyRefusal("table \(table.name) has different columns in the two databases; are both at the same version?")
        }
        let total = try await source.rowCount(of: table)
        let keyIndexes = table.key.compactMap { columns.firstIndex(of: $0) }
        var expected = TableChecksum()
        var after: [SQLValue]?
        while true {
            let page = try await source.rows(of: table, columns: columns, after: after, limit: Self.pageSize)
            guard let last = page.last else { break }
            try await target.insert(page, into: table, columns: columns)
            page.forEach { expected.add($0) }
            after = keyIndexes.map { last[$0] }
            progress("\(table.name): \(expected.rows)/\(total) rows")
        }
        try await target.moveIdentity(of: table)
        let copied = try await target.checksum(of: table, columns: columns)
        guard copied == expected else {
            throw CopyRefusal("table \(table.name) did not copy whole: source \(expected), target \(copied)")
        }
        progress("\(table.name): \(copied.rows) rows copied and verified")
        return copied
    }
}

/// Why a copy was refused or failed its check, in one line.
public struct CopyRefusal: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

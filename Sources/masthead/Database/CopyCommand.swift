import ArgumentParser
import DatabaseCopy
import Foundation
import MastheadRuntime
import MastheadSettings
import Migrations
import PostgresStorage
import SQLiteStorage

/// `masthead db copy --from sqlite:FILE --to postgres://…`: moves a newsroom off its one machine.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every table from an SQLite file into a PostgreSQL database.",
        discussion: """
            Migrates the target to the same schema, then streams each table in pages of 5,000 \
            rows, ids included, and moves the id sequences past them. Every table is then read \
            back and its row count and checksum compared with the source's; any difference fails \
            the command. Stop the daemons first: rows written during the copy may be missed.

            Refuses a target that already holds data unless --replace is given, which empties it \
            first. The USD offer a new database is seeded with is always replaced by the source's. \
            The password comes from the URL, MASTHEAD_DATABASE_PASSWORD_FILE or PGPASSWORD.

            Example:
              masthead db copy --from sqlite:/var/lib/masthead/masthead.sqlite \\
                --to postgres://masthead@db.internal/masthead
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The SQLite database to copy, as sqlite:FILE.")
    var from: String

    @Option(help: "The PostgreSQL database to fill, as postgres://user@host[:port]/db.")
    var to: String

    @Flag(help: "Empty a target that already holds data before copying.")
    var replace = false

    static let pageSize = 5_000

    func run() async throws {
        guard case .sqlite(let path) = try DatabaseLocation(parsing: from) else {
            throw ValidationError("--from must be sqlite:FILE")
        }
        guard case .postgres = try DatabaseLocation(parsing: to) else {
            throw ValidationError("--to must be postgres://user@host/db")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) does not exist") }
        let configuration = try await global.loadConfiguration(overrides: [(.database, to)])
        try await CommandFailure.reporting {
            let source = try SQLiteStore(path: path)
            defer { try? source.close() }
            let sourcePlan = try await source.migrationPlan()
            if let refusal = sourcePlan.refusal { throw StorageError.migrationRefused(refusal) }
            guard sourcePlan.pending.isEmpty else { throw StorageError.migrationsPending(sourcePlan.pending.map(\.id)) }
            guard let target = try global.openStore(configuration) as? PostgresStore else {
                throw ValidationError("--to must be postgres://user@host/db")
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
                report.append((table, try await copy(table, from: source, to: target)))
            }
            for (table, checksum) in report {
                print("\(table.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(checksum)")
            }
            print("copied \(report.count) tables; row counts and checksums match")
        }
    }

    /// Refuses a target with data (unless --replace), then empties what will be copied.
    private func prepare(_ target: PostgresStore) async throws {
        if !replace {
            for table in CopiedTable.all where !PostgresStore.seededTables.contains(table.name) {
                let count = try await target.rowCount(of: table)
                guard count == 0 else {
                    throw ValidationError(
                        "the target already holds data (\(count) rows in \(table.name)); copy into an empty database, or pass --replace to empty it first")
                }
            }
        }
        try await target.empty(CopiedTable.all)
    }

    /// Streams one table and checks the copy; returns its checksum.
    private func copy(_ table: CopiedTable, from source: SQLiteStore, to target: PostgresStore) async throws -> TableChecksum {
        let columns = try await source.columns(of: table)
        guard Set(columns) == Set(try await target.columns(of: table)) else {
            throw ValidationError("table \(table.name) has different columns in the two databases; are both at the same version?")
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
            throw ValidationError("table \(table.name) did not copy whole: source \(expected), target \(copied)")
        }
        progress("\(table.name): \(copied.rows) rows copied and verified")
        return copied
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

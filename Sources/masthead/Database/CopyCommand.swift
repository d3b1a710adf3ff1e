import ArgumentParser
import DatabaseCopy
import Foundation
import MastheadRuntime
import MastheadSettings

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

    func run() async throws {
        guard case .sqlite(let path) = try DatabaseLocation(parsing: from) else {
            throw ValidationError("--from must be sqlite:FILE")
        }
        guard case .postgres = try DatabaseLocation(parsing: to) else {
            throw ValidationError("--to must be postgres://user@host/db")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) does not exist") }
        let configuration = try await global.loadConfiguration(overrides: [(.database, to)])
        let copier = DatabaseCopier(source: path, target: configuration, replace: replace)
        let report = try await CommandFailure.reporting {
            try await copier.run(logger: GlobalOptions.quietLogger) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        for (table, checksum) in report {
            print("\(table.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(checksum)")
        }
        print("copied \(report.count) tables; row counts and checksums match")
    }
}

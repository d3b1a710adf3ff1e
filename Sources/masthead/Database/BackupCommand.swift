import ArgumentParser
import MastheadRuntime

/// `masthead db backup PATH`: an online, consistent copy.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database while the daemon runs.",
        discussion: """
            Uses SQLite's online backup API inside one read transaction, so the copy is the \
            database as of the start of the backup even while sign-ups keep arriving. The copy \
            is checked with PRAGMA integrity_check. Refuses to overwrite an existing file.

            Example:
              masthead db backup /var/backups/masthead-$(date +%F).sqlite
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to write the copy (must not exist).")
    var path: String

    func run() async throws {
        let configuration = try await global.loadConfiguration()
        try await CommandFailure.reporting {
            let store = try global.openStore(configuration)
            defer { try? store.close() }
            try await store.backup(to: path)
            print("backed up to \(path)")
        }
    }
}

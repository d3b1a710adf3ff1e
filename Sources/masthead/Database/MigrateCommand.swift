import ArgumentParser
import MastheadRuntime

/// `masthead db migrate`: applies pending schema steps.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations.",
        discussion: """
            The daemon also migrates when it starts; run this to upgrade ahead of a restart. \
            Creates a SQLite database that does not exist yet (the other commands refuse to). \
            Refuses a database that has a migration this binary does not know.

            Example:
              masthead db migrate --database sqlite:/var/lib/masthead/masthead.sqlite
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try await global.loadConfiguration()
        try await CommandFailure.reporting {
            let store = try global.openStore(configuration, creating: true)
            defer { try? store.close() }
            let applied = try await store.migrate()
            print(applied.isEmpty ? "database is up to date" : "applied \(applied.joined(separator: ", "))")
        }
    }
}

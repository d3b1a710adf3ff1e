import ArgumentParser
import MastheadRuntime
import Migrations

/// `masthead db status`: which migrations are applied, pending or unknown.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the schema migrations and whether each is applied.",
        discussion: """
            Changes nothing. Exits 1 when the database cannot be used by this binary \
            (a migration it does not know, or an edited one).

            Example:
              masthead db status --format json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    struct Entry: Encodable {
        let id: String
        let state: String
        let appliedAt: String?
    }

    func run() async throws {
        let configuration = try await global.loadConfiguration()
        try await CommandFailure.reporting {
            let store = try global.openStore(configuration)
            defer { try? store.close() }
            let plan = try await store.migrationPlan()
            let times = try await store.appliedMigrationTimes()
            let pending = Set(plan.pending.map(\.id))
            var entries = store.shippedMigrations.map { step in
                Entry(
                    id: step.id,
                    state: pending.contains(step.id) ? "pending" : plan.altered.contains(step.id) ? "edited" : "applied",
                    appliedAt: times[step.id])
            }
            entries += plan.unknown.map { Entry(id: $0, state: "unknown", appliedAt: times[$0]) }
            let listing = Listing<Entry>(columns: [
                ("MIGRATION", \.id), ("STATE", \.state), ("APPLIED AT", { $0.appliedAt ?? "" }),
            ])
            print(try listing.render(entries, as: output.resolved), terminator: "")
            if let refusal = plan.refusal {
                throw StoreFailure.refused(refusal)
            }
        }
    }
}

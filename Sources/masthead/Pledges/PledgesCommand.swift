public import ArgumentParser
import MastheadRuntime
import DonationPledges
import Foundation

/// `masthead pledges …`: who pledged what, and what came in.
struct PledgesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pledges",
        abstract: "List and inspect donation pledges; totals per currency.",
        discussion: """
            States: pending (sent to the checkout), succeeded (a one-time payment went through), \
            active (a monthly or annual pledge that is paying), failed (declined), canceled, refunded, \
            disputed. Amounts are \
            never added across currencies.
            """,
        subcommands: [ListPledges.self, ShowPledge.self, PledgeSummaryCommand.self, SyncPledges.self])
}

extension PledgeStatus: ExpressibleByArgument {}
extension PledgeInterval: ExpressibleByArgument {}
extension PledgeSummaryGrouping: ExpressibleByArgument {}

extension PledgeRow {
    static var listing: Listing<PledgeRow> {
        Listing(columns: [
            ("PLEDGE", \.pledge), ("STATUS", \.status), ("AMOUNT", \.amount), ("INTERVAL", \.interval), ("TIER", \.tier),
            ("EMAIL", \.email), ("CARD", \.card), ("CREATED", \.created),
        ])
    }
}

struct ListPledges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List pledges, newest first.",
        discussion: """
            Examples:
              masthead pledges list --status active
              masthead pledges list --since 2026-11-01 --format csv > november.csv
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only pledges in this state.") var status: PledgeStatus?
    @Option(help: "Only pledges made since this date (YYYY-MM-DD or ISO 8601 time).") var since: SinceDate?
    @Option(help: "Most rows to show (1–100000).") var limit = 100
    @OptionGroup var output: FormatOption

    func validate() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
    }

    func run() async throws {
        let pledges = try await global.withRuntime { try await $0.store.pledges(status: status, since: since?.date, limit: limit) }
        print(try PledgeRow.listing.render(pledges.map(PledgeRow.init), as: output.resolved), terminator: "")
    }
}

struct ShowPledge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a pledge and its history.",
        discussion: """
            Example:
              masthead pledges show pl_7hq2m4x9k3d5w8ra
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The pledge id (pl_…).") var pledge: String
    @OptionGroup var output: FormatOption

    func run() async throws {
        let found = try await global.withRuntime { runtime -> (Pledge, [PledgeHistoryEntry])? in
            let store = runtime.store
            guard let pledge = try await store.pledge(publicID: pledge) else { return nil }
            return (pledge, try await store.pledgeHistory(id: pledge.id))
        }
        guard let (pledge, history) = found else {
            CommandFailure.printError("masthead: no pledge has id \(self.pledge)")
            throw ExitCode.failure
        }
        if output.resolved == .json {
            print(try JSONOutput.encode(ShownPledge(pledge: PledgeRow(pledge), history: history)))
            return
        }
        let row = PledgeRow(pledge)
        print("""
            pledge    \(row.pledge)
            status    \(row.status)
            amount    \(pledge.display)
            tier      \(row.tier.isEmpty ? "(custom amount)" : row.tier)
            email     \(row.email)
            name      \(row.name)
            card      \(row.card)
            created   \(row.created)

            history
            """)
        for entry in history {
            let details = entry.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("  \(entry.occurredAt.formatted(.iso8601))  \(entry.action)  by \(entry.actor)  \(details)")
        }
    }

    struct ShownPledge: Encodable {
        let pledge: PledgeRow
        let history: [PledgeHistoryEntry]
    }
}

struct PledgeSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Pledges and money collected, per group and currency.",
        discussion: """
            One row per group and currency: pledges made, how many are paying (succeeded or \
            active), payments received, what was collected and what was given back (pledges \
            refunded in full or disputed; not counted as collected). Currencies are never added \
            together.

            Examples:
              masthead pledges summary
              masthead pledges summary --by month
              masthead pledges summary --by tier --since 2026-01-01
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Group by day, month, tier or currency.") var by: PledgeSummaryGrouping = .currency
    @Option(help: "Only pledges made since this date.") var since: SinceDate?
    @OptionGroup var output: FormatOption

    func run() async throws {
        let rows = try await global.withRuntime { try await $0.store.pledgeSummary(by: by, since: since?.date) }
        // Grouped by currency, the group is the currency column itself.
        let group: [(title: String, value: (PledgeSummaryRow) -> String)] = by == .currency ? [] : [(by.rawValue.uppercased(), \.group)]
        let listing = Listing<PledgeSummaryRow>(columns: group + [
            ("CURRENCY", \.currency), ("PLEDGES", { String($0.pledges) }),
            ("PAYING", { String($0.paying) }), ("PAYMENTS", { String($0.payments) }),
            ("COLLECTED", { amount($0.collectedMinor, $0.currency) }), ("RETURNED", { amount($0.returnedMinor, $0.currency) }),
        ])
        print(try listing.render(rows, as: output.resolved), terminator: "")
    }

    private func amount(_ minor: Int64, _ currency: String) -> String {
        Currency.named(currency).map { Money(minorUnits: minor, currency: $0).formatted } ?? String(minor)
    }
}

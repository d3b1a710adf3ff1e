import AbuseDefence
import ArgumentParser
import Foundation
import MastheadRuntime
import SideEffects

/// `masthead alerts …`: what the daemon's spike detector raised.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Show the alerts the daemon raised (sign-up floods, card testing).",
        discussion: """
            The daemon watches sign-ups, confirmations and failed payments a minute against \
            their usual rate, and one network's or domain's share of a busy minute. An alert is \
            logged, counted on /metrics, sent as the webhook event alert.raised and mailed to \
            MASTHEAD_OPERATOR_EMAIL (at most once an hour per kind); while it lasts, adaptive \
            proof of work is required on the forms. It ends after MASTHEAD_ALERT_COOLDOWN \
            minutes without its cause.
            """,
        subcommands: [ListAlerts.self], defaultSubcommand: ListAlerts.self)
}

struct ListAlerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the open alerts (newest first), or all of them.",
        discussion: "Examples:\n  masthead alerts list\n  masthead alerts list --all --format json")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Flag(help: "Include alerts that have ended.") var all = false
    @Option(help: "At most this many (1-10000).") var limit = 100

    struct Entry: Encodable {
        let id: Int64
        let kind: String
        let subject: String
        let raised: String
        let cleared: String
        let mailed: Bool
        let detail: String
    }

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1-10000") }
    }

    func run() async throws {
        let rows = try await global.withRuntime { try await $0.store.alerts(includeCleared: all, limit: limit) }
        let entries = rows.map {
            Entry(
                id: $0.id, kind: $0.kind, subject: $0.subject, raised: Timestamp.format($0.raisedAt),
                cleared: $0.clearedAt.map(Timestamp.format) ?? "", mailed: $0.mailed, detail: $0.detail)
        }
        let listing = Listing<Entry>(columns: [
            ("ID", { String($0.id) }), ("KIND", \.kind), ("SUBJECT", \.subject), ("RAISED", \.raised), ("CLEARED", \.cleared),
            ("MAILED", { $0.mailed ? "yes" : "no" }), ("DETAIL", \.detail),
        ])
        print(try listing.render(entries, as: output.resolved), terminator: "")
    }
}

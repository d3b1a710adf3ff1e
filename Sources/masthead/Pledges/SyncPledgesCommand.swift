import ArgumentParser
import DonationPledges
import Foundation
import MastheadRuntime

/// `masthead pledges sync`: repairs pledges whose provider webhook never arrived.
struct SyncPledges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Repair pledges whose payment webhook was lost, from the provider's own record.",
        discussion: """
            Reads the provider's events since --since (Stripe keeps them for 30 days, the \
            default) and applies each exactly as its webhook would have been: a pledge paid, \
            declined, canceled, refunded or disputed while the webhook endpoint was down moves, \
            and its receipt is queued. Events already applied change nothing, so running it \
            again, or from cron, is safe. It also starts the monthly and annual pledges whose \
            card was saved but whose payment page was closed before it could tell Masthead.

            Prints one line per change and a count of the rest; exits 1 when the provider \
            cannot be reached (nothing is half-applied: each event is its own transaction).

            Examples:
              masthead pledges sync
              masthead pledges sync --since 2026-11-25
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only events since this date (YYYY-MM-DD or ISO 8601 time; at most 30 days back).") var since: SinceDate?

    func run() async throws {
        let now = Date()
        let oldest = now.addingTimeInterval(-PledgeService.syncWindow)
        let from = since?.date ?? oldest
        guard from >= oldest.addingTimeInterval(-60) else {
            CommandFailure.printError("masthead: --since reaches back further than the provider keeps its events (30 days)")
            throw ExitCode.validationFailure
        }
        let (provider, report) = try await global.withServices { services -> (String, PledgeSyncReport) in
            guard let pledges = services.pledges else {
                CommandFailure.printError("masthead: payments are off (MASTHEAD_PAYMENTS): there is nothing to sync")
                throw ExitCode.failure
            }
            return (pledges.provider.name, try await pledges.sync(since: from))
        }
        for pledge in report.started {
            print("started  \(pledge.publicID)  \(pledge.display)  (its card was saved; its payment page was closed first)")
        }
        for (event, outcome) in report.changes {
            let pledge = event.pledge.isEmpty ? event.reference ?? "" : event.pledge
            print("applied  \(pledge)  \(outcome.recordedText)  (\(event.kind.type), \(event.id))")
        }
        let counts = Dictionary(grouping: report.events, by: { Self.category($0.outcome) }).mapValues(\.count)
        let parts = ["changed a pledge", "already applied", "ignored", "not about a pledge", "not acted on"].compactMap { name in
            counts[name].map { "\($0) \(name)" }
        }
        print("\(report.events.count) events from \(provider) since \(from.formatted(.iso8601))" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")))
    }

    static func category(_ outcome: PaymentEventOutcome) -> String {
        switch outcome {
        case .moved, .recorded: "changed a pledge"
        case .replayed: "already applied"
        case .ignored: "ignored"
        case .unknownPledge: "not about a pledge"
        case .unhandledType: "not acted on"
        }
    }
}

import ArgumentParser
import Foundation
import MastheadRuntime
import SubscriberLists

struct NewsletterStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Members per state, the opt-in rate and growth per day.",
        discussion: """
            The opt-in rate is confirmations over sign-ups: of every membership ever created \
            (sign-ups, imports, additions), the share that was confirmed. Days are UTC.

            Examples:
              masthead newsletters stats
              masthead newsletters stats ukraine-daily --by day --days 14
            """)

    enum Grouping: String, ExpressibleByArgument {
        case day
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "One newsletter (all open ones when omitted).") var slug: String?
    @Option(help: "day: one row per day (sign-ups, confirmations, unsubscribes).") var by: Grouping?
    @Option(help: "How many days back --by day goes.") var days = 30
    @OptionGroup var output: FormatOption

    func validate() throws {
        guard (1...3650).contains(days) else { throw ValidationError("--days must be between 1 and 3650") }
    }

    func run() async throws {
        let all = try await global.withServices { try await $0.directory.stats(newsletter: slug, days: by == nil ? 0 : days) }
        if by == .day {
            let days = all.flatMap { stats in stats.days.map { (stats.newsletter, $0) } }.map(DayRow.init)
            let listing = Listing<DayRow>(columns: [
                ("NEWSLETTER", \.newsletter), ("DATE", \.date), ("SIGN-UPS", { String($0.signUps) }),
                ("CONFIRMATIONS", { String($0.confirmations) }), ("UNSUBSCRIBES", { String($0.unsubscribes) }),
            ])
            print(try listing.render(days, as: output.resolved), terminator: "")
            return
        }
        var columns: [(title: String, value: (NewsletterStats) -> String)] = [("NEWSLETTER", \.newsletter)]
        for state in SubscriptionStatus.allCases {
            columns.append((state.rawValue.uppercased(), { String($0.states[state.rawValue] ?? 0) }))
        }
        columns += [
            ("SIGN-UPS", { String($0.signUps) }), ("CONFIRMATIONS", { String($0.confirmations) }),
            ("OPT-IN", { $0.optInRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }),
        ]
        print(try Listing(columns: columns).render(all, as: output.resolved), terminator: "")
    }

    struct DayRow: Encodable {
        let newsletter: String
        let date: String
        let signUps: Int
        let confirmations: Int
        let unsubscribes: Int

        init(_ pair: (String, NewsletterStats.Day)) {
            newsletter = pair.0
            date = pair.1.date
            signUps = pair.1.signUps
            confirmations = pair.1.confirmations
            unsubscribes = pair.1.unsubscribes
        }
    }
}

import ArgumentParser
import Foundation
import MastheadRuntime
import NewsletterSignup
import SubscriberLists

/// `masthead bounces …`: reports that come back to the return paths of sent mail.
struct BouncesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounces",
        abstract: "Take in bounces and complaints that came back to a message's return path.",
        discussion: """
            Every message leaves with its own return path, bounces+TOKEN@BOUNCE_DOMAIN (VERP; \
            MASTHEAD_BOUNCE_DOMAIN, default the From domain). The MTA that receives mail for \
            that domain pipes each report into `masthead bounces ingest` (Ops/postfix/ has the \
            lines for Postfix). A hard bounce (5.x.x) or a complaint (an RFC 5965 abuse report) \
            ends the address's mail at once and puts it on the suppression list; soft bounces \
            (4.x.x, delayed, reports in no standard format) are counted, and \
            MASTHEAD_SOFT_BOUNCE_LIMIT of them within MASTHEAD_SOFT_BOUNCE_DAYS count as a hard one.
            """,
        subcommands: [IngestBounce.self])
}

struct IngestBounce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read one report on standard input and apply it.",
        discussion: """
            Exits 0 for a report it applied or ignored (not ours, a forged or expired return \
            path, a delivery notice), so the MTA never bounces the bounce; non-zero only when it \
            could not do its work (the database is down), so the MTA keeps the report and retries.

            Examples:
              masthead bounces ingest --recipient "$ORIGINAL_RECIPIENT" < report.eml
              # Postfix master.cf: argv=/usr/local/bin/masthead bounces ingest --recipient ${original_recipient}
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The envelope recipient (the return path); else read from Delivered-To or To.") var recipient: String?

    /// Reports are small; a flood of megabytes is not one.
    static let maximumSize = 10 * 1024 * 1024

    func run() async throws {
        let message = Array(FileHandle.standardInput.readData(ofLength: Self.maximumSize + 1))
        guard message.count <= Self.maximumSize else {
            print("ignored: the report is larger than \(Self.maximumSize) bytes")
            return
        }
        let result = try await global.withServices { try await $0.bounceIntake.ingest(message, recipient: recipient) }
        switch result {
        case .ignored(let reason):
            print("ignored: \(reason)")
        case .applied(let kind, let status, let outcome):
            print("applied \(kind.rawValue) (\(status)): \(Self.describe(outcome))")
        }
    }

    static func describe(_ outcome: FeedbackPlan.Outcome) -> String {
        switch outcome {
        case .softBounceCounted(let count): "soft bounce \(count) counted"
        case .bounced(let newsletters, let escalated):
            (escalated ? "soft bounces reached the limit; " : "") + "suppressed; bounced from " + list(newsletters)
        case .complained(let newsletters): "suppressed; complained, off " + list(newsletters)
        case .unsubscribed(let newsletters): "unsubscribed from " + list(newsletters)
        case .alreadyReceived: "already received; nothing changed"
        }
    }

    private static func list(_ slugs: [String]) -> String { slugs.isEmpty ? "no newsletter" : slugs.joined(separator: ", ") }
}

import ArgumentParser
import Foundation
import MastheadRuntime
import SubscriberLists

struct AddSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an address to a newsletter.",
        discussion: """
            Without --confirmed the membership is pending and a confirmation email is queued, \
            exactly as for a sign-up on the site. --confirmed skips the email and needs \
            --consent-basis saying how the person agreed; it is kept as proof of consent. \
            Suppressed addresses are refused.

            Examples:
              masthead subscribers add anna@example.org --newsletter ukraine-daily
              masthead subscribers add anna@example.org --newsletter ukraine-daily \\
                --confirmed --consent-basis "paper form, 2026 book fair"
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address to add.") var email: String
    @Option(help: "The newsletter to add it to.") var newsletter: String
    @Flag(help: "Confirmed at once, without a confirmation email (needs --consent-basis).") var confirmed = false
    @Option(help: "How the person agreed (required with --confirmed).") var consentBasis: String?

    func run() async throws {
        let change = try await global.withServices {
            try await $0.directory.add(
                email, newsletter: newsletter, confirmed: confirmed, basis: consentBasis, actor: AdminActor.current)
        }
        switch change {
        case .changed(let state, let queued): print("\(newsletter): \(state.rawValue)" + (queued ? " (confirmation email queued)" : ""))
        case .unchanged(let state): print("\(newsletter): already \(state.rawValue), nothing changed")
        case .suppressed(let reason): print("\(newsletter): suppressed (\(reason.rawValue))")
        }
    }
}

struct ShowSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an address's memberships, consent records and history.",
        discussion: """
            Example:
              masthead subscribers show anna@example.org
              masthead subscribers show anna@example.org --format json
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String
    @OptionGroup var output: FormatOption

    func run() async throws {
        let profile = try await global.withServices { try await $0.directory.show(email) }
        switch output.resolved {
        case .json: print(try JSONOutput.encode(profile), terminator: "")
        case .csv:
            let listing = Listing<Membership>(columns: [
                ("NEWSLETTER", \.newsletter), ("STATE", \.status.rawValue), ("SUBSCRIBED", { $0.createdAt.formatted(.iso8601) }),
                ("CONFIRMED", { $0.confirmedAt?.formatted(.iso8601) ?? "" }),
                ("UNSUBSCRIBED", { $0.unsubscribedAt?.formatted(.iso8601) ?? "" }),
            ])
            print(try listing.render(profile.memberships, as: .csv), terminator: "")
        case .table: print(ProfileText.render(profile), terminator: "")
        }
    }
}

struct FindSubscribers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find memberships, newest first.",
        discussion: """
            Every option narrows the search; with none, the newest memberships are listed.

            Examples:
              masthead subscribers find --email-contains anna
              masthead subscribers find --domain ukr.net --state pending
              masthead subscribers find --since 2026-11-01 --format csv > nov.csv
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Part of the address.") var emailContains: String?
    @Option(help: "The address's domain, e.g. ukr.net.") var domain: String?
    @Option(help: "Only members of this newsletter.") var newsletter: String?
    @Option(help: "Only memberships in this state.") var state: SubscriptionStatus?
    @Option(help: "Only memberships created since this date (YYYY-MM-DD or ISO 8601 time).") var since: SinceDate?
    @Option(help: "Most rows to show (1–100000).") var limit = 100
    @OptionGroup var output: FormatOption

    func run() async throws {
        let search = SubscriberSearch(
            emailContains: emailContains, domain: domain, newsletter: newsletter, state: state, since: since?.date, limit: limit)
        let rows = try await global.withServices { try await $0.directory.find(search) }
        print(try membershipListing.render(rows, as: output.resolved), terminator: "")
    }
}

struct UnsubscribeSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsubscribe",
        abstract: "Unsubscribe an address from some or all newsletters.",
        discussion: """
            Examples:
              masthead subscribers unsubscribe anna@example.org
              masthead subscribers unsubscribe anna@example.org --newsletter ukraine-daily
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String
    @Option(help: "A newsletter to leave (repeat for several; all when omitted).") var newsletter: [String] = []

    func run() async throws {
        let changed = try await global.withServices {
            try await $0.directory.unsubscribe(email, newsletters: newsletter, actor: AdminActor.current)
        }
        print(changed.isEmpty ? "nothing to unsubscribe" : "unsubscribed from \(changed.joined(separator: ", "))")
    }
}

struct CountSubscribers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count memberships per state.",
        discussion: """
            Example:
              masthead subscribers count --newsletter ukraine-daily
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this newsletter.") var newsletter: String?
    @OptionGroup var output: FormatOption

    struct Entry: Encodable {
        let state: String
        let count: Int
    }

    func run() async throws {
        let counts = try await global.withServices { try await $0.directory.count(newsletter: newsletter) }
        var entries = SubscriptionStatus.allCases.map { Entry(state: $0.rawValue, count: counts[$0] ?? 0) }
        entries.append(Entry(state: "total", count: counts.values.reduce(0, +)))
        let listing = Listing<Entry>(columns: [("STATE", \.state), ("COUNT", { String($0.count) })])
        print(try listing.render(entries, as: output.resolved), terminator: "")
    }
}

struct ExpireSubscribers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Expire memberships that were never confirmed.",
        discussion: """
            Pending memberships older than --older-than become expired (the confirmation link \
            has long stopped working by then). Run it daily from cron or a systemd timer.

            Example:
              masthead subscribers expire --older-than 7d
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Age after which a pending membership expires, e.g. 7d or 48h.") var olderThan: Age = Age(argument: "7d")!

    func run() async throws {
        let expired = try await global.withServices {
            try await $0.directory.expirePending(olderThan: olderThan.seconds, actor: AdminActor.current)
        }
        print("expired \(expired) pending membership\(expired == 1 ? "" : "s")")
    }
}

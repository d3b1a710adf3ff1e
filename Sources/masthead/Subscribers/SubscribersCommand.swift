public import ArgumentParser
import Foundation
import Logging
import MastheadRuntime
import Signing
import SubscriberLists

/// `masthead subscribers …`: who is on which newsletter, in which state.
struct SubscribersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers",
        abstract: "Find, add, import, export, unsubscribe and erase subscribers.",
        discussion: """
            States: pending (waiting for the confirmation click), confirmed, unsubscribed, \
            expired (never confirmed), bounced, complained. Addresses that bounced, complained \
            or were erased are on the suppression list and are never mailed again until it is \
            lifted with `masthead subscribers unsuppress`.
            """,
        subcommands: [
            AddSubscriber.self, ShowSubscriber.self, FindSubscribers.self, UnsubscribeSubscriber.self, CountSubscribers.self,
            ImportSubscribers.self, ExportSubscribers.self, EraseSubscriber.self, AccessSubscriber.self,
            SuppressAddress.self, UnsuppressAddress.self, ExpireSubscribers.self,
        ])
}

extension SubscriptionStatus: ExpressibleByArgument {}

/// Table and CSV columns of a membership row.
var membershipListing: Listing<MembershipRow> {
    Listing(columns: [
        ("EMAIL", \.email), ("NEWSLETTER", \.newsletter), ("STATE", \.status.rawValue),
        ("SUBSCRIBED", { $0.subscribedAt.formatted(.iso8601) }), ("CONFIRMED", { $0.confirmedAt?.formatted(.iso8601) ?? "" }),
        ("NAME", { $0.name ?? "" }),
    ])
}

/// `--since`: a date or a time, as an import's `created_at` column accepts.
struct SinceDate: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        guard let date = ImportDate.parse(argument) else { return nil }
        self.date = date
    }
}

/// `--older-than 7d`: a duration in days (d) or hours (h).
struct Age: ExpressibleByArgument {
    let seconds: TimeInterval
    /// As typed (`7d`), for the help text's default.
    let defaultValueDescription: String

    init?(argument: String) {
        guard let unit = argument.last, let number = Double(argument.dropLast()), number > 0 else { return nil }
        switch unit {
        case "d": seconds = number * 86_400
        case "h": seconds = number * 3600
        default: return nil
        }
        defaultValueDescription = argument
    }
}

public import Foundation
import GRDB
import SideEffects
public import SubscriberLists

/// Newsletter statistics from the timestamps of `subscriptions` (migration 0001).
extension SQLiteStore {
    public func newsletterStats(slug: String, days: Int, at time: Date) async throws -> NewsletterStats {
        try await read { db in
            let newsletter = try Self.requireNewsletter(db, slug: slug)
            var states: [String: Int] = Dictionary(uniqueKeysWithValues: SubscriptionStatus.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(
                db, sql: "SELECT status, count(*) AS n FROM subscriptions WHERE newsletter_id = ? GROUP BY status",
                arguments: [newsletter.id])
            {
                states[row["status"]] = row["n"]
            }
            let totals = try Row.fetchOne(
                db, sql: "SELECT count(*) AS signups, count(confirmed_at) AS confirmations FROM subscriptions WHERE newsletter_id = ?",
                arguments: [newsletter.id])
            let empty = NewsletterStats.Day.zeroes(days: days, endingAt: time)
            let since = Timestamp.format(empty.start)
            var perDay = empty.days
            for (column, keyPath) in [
                ("created_at", \NewsletterStats.Day.signUps), ("confirmed_at", \.confirmations), ("unsubscribed_at", \.unsubscribes),
            ] {
                // The column name comes from the list above, never from input.
                for row in try Row.fetchAll(
                    db, sql: """
                        SELECT substr(\(column), 1, 10) AS day, count(*) AS n FROM subscriptions
                        WHERE newsletter_id = ? AND \(column) >= ? GROUP BY day
                        """, arguments: [newsletter.id, since])
                {
                    let day: String = row["day"]
                    perDay[day]?[keyPath: keyPath] = row["n"]
                }
            }
            return NewsletterStats(
                newsletter: slug, states: states, signUps: totals?["signups"] ?? 0, confirmations: totals?["confirmations"] ?? 0,
                days: perDay.values.sorted { $0.date < $1.date })
        }
    }
}

public import Foundation
import PostgresNIO
import SideEffects
public import SubscriberLists

/// Newsletter statistics from the timestamps of `subscriptions` (migration 0001).
extension PostgresStore {
    public func newsletterStats(slug: String, days: Int, at time: Date) async throws -> NewsletterStats {
        try await read { session in
            let newsletter = try await Self.requireNewsletter(session, slug: slug)
            var states: [String: Int] = Dictionary(uniqueKeysWithValues: SubscriptionStatus.allCases.map { ($0.rawValue, 0) })
            for row in try await session.rows(
                "SELECT status, count(*) AS n FROM subscriptions WHERE newsletter_id = \(newsletter.id) GROUP BY status")
            {
                states[try row["status", as: String.self]] = try row["n", as: Int.self]
            }
            let totals = try await session.row(
                """
                SELECT count(*) AS signups, count(confirmed_at) AS confirmations FROM subscriptions
                WHERE newsletter_id = \(newsletter.id)
                """)
            let empty = NewsletterStats.Day.zeroes(days: days, endingAt: time)
            let since = Timestamp.format(empty.start)
            var perDay = empty.days
            for (column, keyPath) in [
                ("created_at", \NewsletterStats.Day.signUps), ("confirmed_at", \.confirmations), ("unsubscribed_at", \.unsubscribes),
            ] {
                // The column name comes from the list above, never from input.
                for row in try await session.rows(
                    """
                    SELECT substr(\(unescaped: column), 1, 10) AS day, count(*) AS n FROM subscriptions
                    WHERE newsletter_id = \(newsletter.id) AND \(unescaped: column) >= \(since) GROUP BY day
                    """)
                {
                    let day = try row["day", as: String.self]
                    perDay[day]?[keyPath: keyPath] = try row["n", as: Int.self]
                }
            }
            return NewsletterStats(
                newsletter: slug, states: states, signUps: try totals.map { try $0["signups", as: Int.self] } ?? 0,
                confirmations: try totals.map { try $0["confirmations", as: Int.self] } ?? 0,
                days: perDay.values.sorted { $0.date < $1.date })
        }
    }
}

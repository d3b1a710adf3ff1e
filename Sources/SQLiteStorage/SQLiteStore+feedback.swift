public import Foundation
import GRDB
import SideEffects
import StoredRows
public import SubscriberLists

/// Bounce and complaint reports (migration 0009).
extension SQLiteStore: FeedbackStore {
    public func applyFeedback(_ feedback: AddressFeedback, policy: SoftBouncePolicy) async throws -> FeedbackPlan.Outcome {
        try await write { db in
            if let event = feedback.providerEvent {
                // A provider delivers an event again when it is unsure it arrived: the second time changes nothing.
                try db.cachedStatement(sql: "INSERT INTO mail_provider_events (provider, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                    .execute(arguments: [event.provider, event.eventID, Timestamp.format(feedback.receivedAt)])
                guard db.changesCount > 0 else { return .alreadyReceived }
            }
            let subscriber = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM subscribers WHERE email_normalized = ?"), arguments: [feedback.address])
            var members: [FeedbackMember] = []
            if let subscriber {
                let rows = try Row.fetchAll(
                    db.cachedStatement(sql: """
                        SELECT n.id, n.slug, s.status FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
                        WHERE s.subscriber_id = ? ORDER BY n.slug
                        """), arguments: [subscriber])
                members = try rows.map { row in
                    FeedbackMember(newsletterID: try row.value("id"), slug: try row.value("slug"), status: try row.value("status"))
                }
            }
            let soft = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM bounce_reports WHERE address_hash = ? AND kind = 'soft' AND received_at >= ?"),
                arguments: [feedback.addressHash, Timestamp.format(policy.windowStart(at: feedback.receivedAt))]) ?? 0
            let plan = FeedbackPlan.deciding(feedback, subscriber: subscriber, members: members, softBounces: soft, policy: policy)
            let stamp = Timestamp.format(feedback.receivedAt)
            try db.cachedStatement(sql: "INSERT INTO bounce_reports (address_hash, kind, status, outbox_id, received_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [feedback.addressHash, plan.recordedKind.rawValue, feedback.status, feedback.outboxID, stamp])
            if let status = plan.newStatus, let subscriber {
                for member in plan.changing {
                    try db.cachedStatement(sql: """
                        UPDATE subscriptions SET status = ?, updated_at = ?, unsubscribed_at = coalesce(unsubscribed_at, ?)
                        WHERE subscriber_id = ? AND newsletter_id = ?
                        """).execute(arguments: [status.rawValue, stamp, stamp, subscriber, member.newsletterID])
                }
            }
            if let reason = plan.suppression {
                try Self.addSuppression(db, addressHash: feedback.addressHash, reason: reason, note: nil, at: feedback.receivedAt, actor: "system")
            }
            try Self.save(plan.effects, db)
            return plan.outcome
        }
    }

    public func feedbackStatistics(since start: Date) async throws -> FeedbackStatistics {
        try await read { db in
            let since = Timestamp.format(start)
            var reports: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, count(*) AS n FROM bounce_reports GROUP BY kind")) {
                reports[row["kind"]] = row["n"]
            }
            let newsletters = try Row.fetchAll(db.cachedStatement(sql: StoreSQL.feedbackPerNewsletter(since: "?1")), arguments: [since]).map { row in
                FeedbackStatistics.Newsletter(slug: row["slug"], sent: row["sent"], complaints: row["complaints"])
            }
            return FeedbackStatistics(reports: reports, newsletters: newsletters)
        }
    }
}

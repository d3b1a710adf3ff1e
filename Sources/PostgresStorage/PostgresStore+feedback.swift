public import Foundation
import PostgresNIO
import SideEffects
import StoredRows
public import SubscriberLists

/// Bounce and complaint reports (migration 0009), applied by whichever daemon or command
/// received them: the subscriber row is locked first, as every change to an address is.
extension PostgresStore: FeedbackStore {
    public func applyFeedback(_ feedback: AddressFeedback, policy: SoftBouncePolicy) async throws -> FeedbackPlan.Outcome {
        try await write { session in
            if let event = feedback.providerEvent {
                // A provider delivers an event again when it is unsure it arrived: the second time changes nothing.
                let inserted = try await session.execute(
                    """
                    INSERT INTO mail_provider_events (provider, event_id, received_at)
                    VALUES (\(event.provider), \(event.eventID), \(Timestamp.format(feedback.receivedAt))) ON CONFLICT DO NOTHING RETURNING 1
                    """)
                guard inserted > 0 else { return .alreadyReceived }
            }
            let subscriber = try await session.value(
                "SELECT id FROM subscribers WHERE email_normalized = \(feedback.address) FOR UPDATE", as: Int64.self)
            var members: [FeedbackMember] = []
            if let subscriber {
                members = try await session.rows(
                    """
                    SELECT n.id, n.slug, s.status FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
                    WHERE s.subscriber_id = \(subscriber) ORDER BY n.slug COLLATE "C"
                    """
                ).map { row in FeedbackMember(newsletterID: try row.value("id"), slug: try row.value("slug"), status: try row.value("status")) }
            }
            let windowStart = Timestamp.format(policy.windowStart(at: feedback.receivedAt))
            let soft = try await session.value(
                """
                SELECT count(*)::bigint FROM bounce_reports
                WHERE address_hash = \(feedback.addressHash) AND kind = 'soft' AND received_at >= \(windowStart)
                """, as: Int64.self) ?? 0
            let plan = FeedbackPlan.deciding(feedback, subscriber: subscriber, members: members, softBounces: Int(soft), policy: policy)
            let stamp = Timestamp.format(feedback.receivedAt)
            try await session.execute(
                """
                INSERT INTO bounce_reports (address_hash, kind, status, outbox_id, received_at)
                VALUES (\(feedback.addressHash), \(plan.recordedKind.rawValue), \(feedback.status), \(feedback.outboxID), \(stamp))
                """)
            if let status = plan.newStatus, let subscriber, !plan.changing.isEmpty {
                let ids = plan.changing.map(\.newsletterID)
                try await session.execute(
                    """
                    UPDATE subscriptions SET status = \(status.rawValue), updated_at = \(stamp), unsubscribed_at = coalesce(unsubscribed_at, \(stamp))
                    WHERE subscriber_id = \(subscriber) AND newsletter_id = ANY(\(ids))
                    """)
            }
            if let reason = plan.suppression {
                try await Self.addSuppression(
                    session, addressHash: feedback.addressHash, reason: reason, note: nil, at: feedback.receivedAt, actor: "system")
            }
            try await Self.save(plan.effects, session)
            return plan.outcome
        }
    }

    public func feedbackStatistics(since start: Date) async throws -> FeedbackStatistics {
        try await read { session in
            let since = Timestamp.format(start)
            var reports: [String: Int] = [:]
            for row in try await session.rows("SELECT kind, count(*)::bigint AS n FROM bounce_reports GROUP BY kind") {
                reports[try row.value("kind")] = try row["n", as: Int.self]
            }
            var binds = PostgresBindings()
            binds.append(since)
            let newsletters = try await session.rows(PostgresQuery(unsafeSQL: StoreSQL.feedbackPerNewsletter(since: "$1"), binds: binds)).map { row in
                FeedbackStatistics.Newsletter(slug: try row.value("slug"), sent: try row["sent", as: Int.self], complaints: try row["complaints", as: Int.self])
            }
            return FeedbackStatistics(reports: reports, newsletters: newsletters)
        }
    }
}

import Foundation
import PostgresNIO
import SubscriberLists

/// One row of the append-only `events` table (migration 0001), written inside the
/// transaction of the change it records.
struct AuditEvent {
    var occurredAt: Date
    var actor: String
    var action: String
    var subjectType: String
    var subjectID: Int64?
    var subscriberID: Int64? = nil
    var details: [String: String] = [:]

    func append(to session: PostgresSession) async throws {
        try await session.execute(
            """
            INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
            VALUES (\(Timestamp.format(occurredAt)), \(actor), \(action), \(subjectType), \(subjectID), \(subscriberID), \(JSONText.object(details)))
            """)
    }
}

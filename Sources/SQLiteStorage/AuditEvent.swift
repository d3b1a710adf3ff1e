import Foundation
import GRDB
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

    func append(to db: Database) throws {
        // Cached: every write path appends events, and parsing the statement each time showed in the profile.
        try db.cachedStatement(
            sql: """
                INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            Timestamp.format(occurredAt), actor, action, subjectType, subjectID, subscriberID, JSONText.object(details),
        ])
    }
}

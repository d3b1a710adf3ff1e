import Foundation
import GRDB

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
        try db.execute(
            sql: """
                INSERT INTO events (occurred_at, actor, action, subject_type, subject_id, subscriber_id, details)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Timestamp.format(occurredAt), actor, action, subjectType, subjectID, subscriberID,
                Self.encode(details),
            ])
    }

    /// Details as a JSON object with sorted keys, so equal details are equal text.
    static func encode(_ details: [String: String]) -> String {
        guard !details.isEmpty, let data = try? encoder.encode(details) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// One encoder for every event: it is only configured here, so sharing it is safe.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

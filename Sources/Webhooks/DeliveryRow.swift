import Foundation
import SideEffects

/// A delivery as the log shows it (`masthead webhooks deliveries`, the admin API).
public struct DeliveryRow: Encodable, Sendable {
    public let id: Int64
    public let event: String
    public let state: String
    public let attempts: Int
    public let lastStatus: Int?
    public let lastError: String?
    public let created: String
    public let delivered: String?
    public let nextAttempt: String?

    public init(_ record: DeliveryRecord) {
        id = record.id
        event = record.eventType
        state = record.state.rawValue
        attempts = record.attempts
        lastStatus = record.lastStatus
        lastError = record.lastError
        created = Timestamp.format(record.createdAt)
        delivered = record.deliveredAt.map(Timestamp.format)
        nextAttempt = record.state == .pending ? Timestamp.format(record.nextAttemptAt) : nil
    }
}

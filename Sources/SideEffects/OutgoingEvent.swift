public import Foundation

/// An event for the newsroom's other systems (outgoing webhooks), decided by a library and saved
/// by the store in the same transaction as the change (the transactional outbox, as for mail):
/// a committed change always yields its event, a rolled-back one never does.
///
/// The store copies it into one delivery per webhook endpoint that asked for its ``type``; the
/// body is final here, so every attempt and every replay sends the same bytes.
///
/// ```json
/// {"type":"subscriber.confirmed","timestamp":"2026-12-02T07:00:00.123Z",
///  "data":{"email":"reader@example.org","newsletters":["ukraine-daily"],"subscriber_id":12}}
/// ```
public struct OutgoingEvent: Sendable, Equatable {
    /// `noun.verb`, one of ``OutgoingEvent/types``.
    public var type: String
    /// When the change happened.
    public var occurredAt: Date
    /// The normalised address the event is about, when it names one: erasing the address deletes
    /// the event's undelivered and logged copies.
    public var address: String?
    /// The whole JSON body: `type`, `timestamp` and the type's `data`.
    public var body: [UInt8]

    /// Creates an event whose body carries `data` (keys sorted, so equal data is equal text).
    public init(type: String, at time: Date, about address: String?, data: [String: JSONValue]) {
        self.type = type
        self.occurredAt = time
        self.address = address
        body = Array(
            JSONValue.object(["data": .object(data), "timestamp": .string(Timestamp.format(time)), "type": .string(type)]).text.utf8)
    }

    /// Every type an endpoint can ask for, in the order the README lists them.
    public static let types: [String] = [
        "subscriber.pending", "subscriber.confirmed", "subscriber.unsubscribed", "subscriber.bounced",
        "subscriber.complained", "subscriber.erased", "subscriber.imported",
        "pledge.created", "pledge.succeeded", "pledge.failed", "pledge.canceled", "pledge.refunded",
        "alert.raised",
    ]

    /// Wakes this process's webhook worker once a transaction that saved events has committed
    /// (other daemons sharing a PostgreSQL database find them at their next poll).
    public static let committed = WakeSignal()
}

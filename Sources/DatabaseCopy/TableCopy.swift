import Migrations

/// What `masthead db copy` needs to move every table from one engine to another and prove the
/// copy whole: the tables in foreign-key order, a value both engines store alike, and a checksum.

/// One stored value. Our schema holds only integers, text and NULL (times are text), so these
/// three cases carry every column of every table, in either engine.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
}

/// A table `db copy` moves, with the columns that identify a row (for paging the source).
public struct CopiedTable: Sendable, Equatable {
    public let name: String
    /// The primary key's columns.
    public let key: [String]
    /// True when `key` is an identity column whose sequence must move past the copied ids.
    public var hasIdentity: Bool { key == ["id"] }

    public init(_ name: String, key: [String] = ["id"]) {
        self.name = name
        self.key = key
    }

    /// Every lasting data table, parents before children; `schema_migrations` is each engine's own.
    public static let all: [CopiedTable] = [
        CopiedTable("newsletters"),
        CopiedTable("subscribers"),
        CopiedTable("subscriptions"),
        CopiedTable("consent_records"),
        CopiedTable("consent_newsletters", key: ["consent_id", "newsletter_id"]),
        CopiedTable("outbox"),
        CopiedTable("events"),
        CopiedTable("suppressions", key: ["address_hash"]),
        CopiedTable("pledge_currencies", key: ["currency"]),
        CopiedTable("pledge_tiers", key: ["currency", "interval", "name"]),
        CopiedTable("pledges"),
        CopiedTable("pledge_payments"),
        CopiedTable("payment_events", key: ["provider", "event_id"]),
        CopiedTable("webhook_endpoints"),
        CopiedTable("webhook_deliveries"),
        CopiedTable("admin_tokens"),
        CopiedTable("bounce_reports"),
        CopiedTable("mail_provider_events", key: ["provider", "event_id"]),
        CopiedTable("domain_rules", key: ["domain"]),
        CopiedTable("alerts"),
        CopiedTable("consent_texts", key: ["version", "locale"]),
        // Not `spent_challenges`: each lives five minutes, and a copy is made with the daemons stopped.
    ]
}

/// Row count and an order-independent fingerprint of a table's rows: the sum of each row's
/// 64-bit FNV-1a hash over a typed encoding of its values. Both engines' rows are summed the
/// same way, so the checksum does not depend on how either engine orders text.
///
/// It detects a lost, doubled or altered row in a copy; it is not a security boundary.
public struct TableChecksum: Sendable, Equatable, CustomStringConvertible {
    public private(set) var rows = 0
    public private(set) var sum: UInt64 = 0

    public init() {}

    public mutating func add(_ row: [SQLValue]) {
        var hash = FNV1a64()
        func mix(_ byte: UInt8) { hash.mix(byte) }
        for value in row {
            switch value {
            case .null: mix(0)
            case .integer(let number):
                mix(1)
                for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: number >> Int64(shift))) }
            case .text(let text):
                mix(2)
                for byte in text.utf8 { mix(byte) }
                mix(0xff)  // 0xff never occurs in UTF-8: the end of the text
            }
        }
        rows += 1
        sum = sum &+ hash.value
    }

    /// `12345 rows, 0f3a…`.
    public var description: String {
        let hex = String(sum, radix: 16)
        return "\(rows) rows, \(String(repeating: "0", count: 16 - hex.count) + hex)"
    }
}

public import Foundation

/// How an import treats its rows.
public struct ImportOptions: Sendable, Equatable {
    /// The newsletter rows join when the file has no `newsletter` column (or leaves it empty).
    public var newsletter: String?
    /// Rows without a `state` column become confirmed (requires `basis`) or pending.
    public var confirmed: Bool
    /// Why consent may be assumed for confirmed rows, kept in each consent record.
    public var basis: String?
    /// Queue a confirmation email for each row that becomes pending.
    public var sendConfirmations: Bool
    /// Check everything, write nothing.
    public var dryRun: Bool
    /// Rows per transaction; nil for the store's own (``SubscriberStore/preferredImportBatchSize``).
    public var batchSize: Int?
    /// Where the rows came from (the file name), kept in each consent record.
    public var source: String

    /// Creates options.
    public init(
        newsletter: String?, confirmed: Bool = false, basis: String? = nil, sendConfirmations: Bool = false,
        dryRun: Bool = false, batchSize: Int? = nil, source: String = "import"
    ) {
        self.newsletter = newsletter
        self.source = source
        self.confirmed = confirmed
        self.basis = basis
        self.sendConfirmations = sendConfirmations
        self.dryRun = dryRun
        self.batchSize = batchSize
    }
}

/// One valid row, ready for the store.
public struct ImportRow: Sendable, Equatable {
    public var line: Int
    public var email: String
    public var normalizedEmail: String
    public var addressHash: String
    public var name: String?
    public var locale: String?
    public var createdAt: Date?
    /// The newsletter the row joins.
    public var newsletter: String
    /// The state the membership takes when it is new.
    public var state: SubscriptionStatus
    public var attributes: [String: String]

    /// Creates a row.
    public init(
        line: Int, email: String, normalizedEmail: String, addressHash: String, name: String?, locale: String?,
        createdAt: Date?, newsletter: String, state: SubscriptionStatus, attributes: [String: String]
    ) {
        self.newsletter = newsletter
        self.line = line
        self.email = email
        self.normalizedEmail = normalizedEmail
        self.addressHash = addressHash
        self.name = name
        self.locale = locale
        self.createdAt = createdAt
        self.state = state
        self.attributes = attributes
    }
}

/// A batch handed to the store: one transaction.
public struct ImportBatch: Sendable {
    /// Identifies the run (for duplicate detection across batches).
    public var run: Int64
    public var rows: [ImportRow]
    public var options: ImportOptions
    public var time: Date
    public var actor: String

    /// Creates a batch.
    public init(run: Int64, rows: [ImportRow], options: ImportOptions, time: Date, actor: String) {
        self.run = run
        self.rows = rows
        self.options = options
        self.time = time
        self.actor = actor
    }
}

/// What the store did with one row.
extension ImportRowOutcome {
    /// What importing a row asking for `wanted` does to a membership now in `current`.
    /// Readers who left (unsubscribed, bounced, complained) are never brought back by an import;
    /// a file may still record that someone left (a `state` column from another tool).
    public static func deciding(current: SubscriptionStatus?, wanted: SubscriptionStatus) -> ImportRowOutcome {
        guard let current else { return .added }
        if current == wanted { return .unchanged }
        switch current {
        case .unsubscribed, .bounced, .complained:
            return wanted.isActive ? .kept(current) : (current.canMove(to: wanted) ? .updated : .unchanged)
        case .pending, .confirmed, .expired:
            return current.canMove(to: wanted) ? .updated : .unchanged
        }
    }
}

extension ImportRowOutcome {
    /// The key the run's report counts this outcome under.
    public var reportKey: String {
        switch self {
        case .added: "added"
        case .updated: "updated"
        case .unchanged: "unchanged"
        case .kept: "kept"
        case .duplicate: "duplicates"
        case .suppressed: "suppressed"
        }
    }
}

/// How an import run recognises a row it has seen: 64 bits of the address's keyed hash, mixed
/// with the newsletter. Two different rows share one with a probability of about 3 in 100
/// million for a million-row file.
public enum ImportFingerprint {
    public static func of(addressHash: String, newsletter: Int64) -> Int64 {
        let prefix = UInt64(addressHash.prefix(16), radix: 16) ?? UInt64(truncatingIfNeeded: addressHash.hashValue)
        return Int64(bitPattern: prefix ^ (UInt64(bitPattern: newsletter) &* 0x9E37_79B9_7F4A_7C15))
    }
}

public enum ImportRowOutcome: Sendable, Equatable {
    /// A new subscriber or membership (or a re-activated one).
    case added
    /// The membership changed state (pending → confirmed).
    case updated
    /// Nothing to do: already there.
    case unchanged
    /// The same address appeared earlier in the file, on this line.
    case duplicate(ofLine: Int)
    /// The address is suppressed.
    case suppressed(SuppressionReason)
    /// The reader left this newsletter (unsubscribed, bounced, complained): an import does not
    /// bring them back.
    case kept(SubscriptionStatus)
}

/// A rejected row, as the errors file and the summary report it.
public struct ImportRejection: Error, Sendable, Equatable {
    public var line: Int
    public var reason: String
    public var email: String

    /// Creates a rejection.
    public init(line: Int, reason: String, email: String) {
        self.line = line
        self.reason = reason
        self.email = email
    }
}

/// The totals of an import.
public struct ImportReport: Sendable, Equatable {
    public var rows = 0
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows of readers who had left the newsletter, left as they were.
    public var kept = 0
    public var rejected = 0
    /// Confirmation emails queued (`--send-confirmations`).
    public var confirmationsQueued = 0
    /// True when the run stopped early (Ctrl-C) at a batch boundary.
    public var interrupted = false
    /// The last line applied (the next run may resume after it; a re-run is idempotent anyway).
    public var lastLine = 0

    /// An empty report.
    public init() {}
}

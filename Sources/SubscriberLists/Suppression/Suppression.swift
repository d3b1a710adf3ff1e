public import Foundation

/// Why an address is on the suppression list.
public enum SuppressionReason: String, Sendable, Codable, CaseIterable {
    /// Mail to it failed permanently.
    case bounced
    /// The reader reported our mail as spam.
    case complained
    /// The person asked to be forgotten.
    case erased
    /// Staff put it there.
    case manual
}

/// An entry of the suppression list: a keyed hash, never the address.
public struct Suppression: Sendable, Equatable, Codable {
    public var reason: SuppressionReason
    public var createdAt: Date
    public var note: String?

    /// Creates an entry.
    public init(reason: SuppressionReason, createdAt: Date, note: String?) {
        self.reason = reason
        self.createdAt = createdAt
        self.note = note
    }
}

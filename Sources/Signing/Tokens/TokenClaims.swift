public import Foundation

/// What a verified token says: its purpose, who signed it and what it acts on.
public struct TokenClaims: Sendable, Equatable {
    /// What the token may be used for.
    public let purpose: TokenPurpose
    /// The key that signed it.
    public let keyID: String
    /// The record it acts on (a subscription, subscriber or pledge id).
    public let subject: Int64
    /// When it was signed (whole seconds).
    public let issuedAt: Date
    /// When it stops working, if it ever does.
    public let expiresAt: Date?
    /// Keyed hash of the normalised address the token was made for.
    let addressBinding: [UInt8]
}

/// Why a token was refused. The reason is for logs; a reader sees one polite page whatever it is.
public enum TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a token of ours: wrong prefix, alphabet, length or layout.
    case malformed
    /// Signed by a key that is not (or no longer) in the ring.
    case unknownKey
    /// The signature does not match: the token was altered or forged.
    case badSignature
    /// Signed for another purpose.
    case wrongPurpose
    /// Past its expiry.
    case expired
    /// Made for another address (or the address changed or was erased).
    case addressMismatch

    public var description: String {
        switch self {
        case .malformed: "malformed token"
        case .unknownKey: "token signed by an unknown key"
        case .badSignature: "bad token signature"
        case .wrongPurpose: "token for another purpose"
        case .expired: "expired token"
        case .addressMismatch: "token bound to another address"
        }
    }
}

public import Foundation

/// One HMAC key of the ring, named by a short key id (`kid`) that tokens carry.
public struct SigningKey: Sendable, Equatable {
    /// Short public name of the key, carried in every token it signs.
    public var kid: String
    /// The secret; never logged, printed or echoed.
    public var secret: [UInt8]
    /// When the key was generated.
    public var createdAt: Date
    /// Whether the key signs new tokens or only verifies old ones.
    public var state: State

    /// The life of a key: exactly one is active; retired keys verify until removed.
    public enum State: String, Sendable, Codable {
        /// Signs new tokens (and verifies).
        case active
        /// Only verifies tokens signed before the rotation.
        case retired
    }

    /// Key ids travel inside tokens: 1–16 printable ASCII characters, no spaces.
    static func isValidKeyID(_ kid: String) -> Bool {
        (1...16).contains(kid.utf8.count) && kid.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Length of generated secrets: 256 bits, the HMAC-SHA256 block-size sweet spot.
    public static let secretLength = 32

    /// Creates a key value.
    public init(kid: String, secret: [UInt8], createdAt: Date, state: State) {
        self.kid = kid
        self.secret = secret
        self.createdAt = createdAt
        self.state = state
    }
}

extension SigningKey: CustomStringConvertible {
    /// Describes the key without its secret, so a stray `print` or log line leaks nothing.
    public var description: String { "SigningKey(kid: \(kid), state: \(state.rawValue))" }
}

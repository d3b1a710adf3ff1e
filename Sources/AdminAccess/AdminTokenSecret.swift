import Signing

/// The text a client sends as `Authorization: Bearer mht_<selector>_<verifier>`.
///
/// The selector (16 random hex digits) finds the stored row; the verifier (32 random bytes,
/// base64url) is what makes it secret. Only SHA-256 of the whole text is stored, and it is
/// compared in constant time, so neither a database dump nor timing gives a token away.
public struct AdminTokenSecret: Sendable, Equatable {
    public let text: String
    public let selector: String

    static let prefix = "mht_"

    /// A new random secret.
    public static func generate() throws -> AdminTokenSecret {
        let selector = String(SHA256Digest.hexHash(try SecureRandom.bytes(count: 32)).prefix(16))
        let verifier = Base64URL.encode(try SecureRandom.bytes(count: 32))
        return AdminTokenSecret(text: prefix + selector + "_" + verifier, selector: selector)
    }

    private init(text: String, selector: String) {
        self.text = text
        self.selector = selector
    }

    /// Reads a presented token; nil when it is not in the shape Masthead issues.
    public init?(presented text: String) {
        guard text.hasPrefix(Self.prefix), text.utf8.count <= 128 else { return nil }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 16, parts[0].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            !parts[1].isEmpty
        else { return nil }
        self.init(text: text, selector: String(parts[0]))
    }

    /// SHA-256 of the text, hex: what is stored.
    public var hash: String { SHA256Digest.hexHash(Array(text.utf8)) }

    /// Whether this secret's hash is `stored`, compared in constant time.
    public func matches(storedHash stored: String) -> Bool {
        HMACSHA256.constantTimeEquals(Array(hash.utf8), Array(stored.utf8))
    }
}

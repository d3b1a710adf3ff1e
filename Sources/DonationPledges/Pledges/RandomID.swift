import Signing

/// Public identifiers (`pl_…`, `evt_…`): 16 characters of a lower-case base-32 alphabet from
/// the system's secure random source (80 bits): unguessable, so a pledge id in a URL reveals
/// nothing about other pledges.
public enum RandomID {
    private static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)

    /// A fresh identifier with `prefix` (`pl_`, `evt_`).
    public static func make(prefix: String) throws -> String {
        let bytes = try SecureRandom.bytes(count: 16)
        return prefix + String(decoding: bytes.map { alphabet[Int($0 & 31)] }, as: UTF8.self)
    }
}

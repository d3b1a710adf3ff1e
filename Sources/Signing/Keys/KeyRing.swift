public import Foundation

/// The signing keys of a deployment: exactly one active key signs; retired keys still verify.
///
/// Rotation generates a new active key and retires the old one, so links already sent keep
/// working until the old key is removed.
public struct KeyRing: Sendable, Equatable {
    /// The key that signs new tokens.
    public private(set) var activeKey: SigningKey
    /// Keys that only verify, oldest first.
    public private(set) var retiredKeys: [SigningKey]

    /// Creates a ring; refuses one without exactly one active key or with a repeated kid.
    public init(keys: [SigningKey]) throws(KeyRingError) {
        let active = keys.filter { $0.state == .active }
        guard active.count == 1, let activeKey = active.first else { throw .notExactlyOneActiveKey }
        guard Set(keys.map(\.kid)).count == keys.count else { throw .duplicateKeyID }
        for key in keys where key.secret.count < 16 { throw .secretTooShort(kid: key.kid) }
        self.activeKey = activeKey
        self.retiredKeys = keys.filter { $0.state == .retired }
    }

    /// Every key: the retired ones, oldest first, then the active one.
    public var keys: [SigningKey] { retiredKeys + [activeKey] }

    /// A new ring holding one freshly generated active key.
    public static func generate(at time: Date) throws -> KeyRing {
        try KeyRing(keys: [try SigningKey.generate(at: time, avoiding: [])])
    }

    /// The key with this id, active or retired.
    public func key(withID kid: String) -> SigningKey? {
        keys.first { $0.kid == kid }
    }

    /// Generates a new active key and retires the current one. Returns the new key.
    @discardableResult
    public mutating func rotate(at time: Date) throws -> SigningKey {
        let fresh = try SigningKey.generate(at: time, avoiding: Set(keys.map(\.kid)))
        var previous = activeKey
        previous.state = .retired
        retiredKeys.append(previous)
        activeKey = fresh
        return fresh
    }
}

/// Why a key ring is unusable.
public enum KeyRingError: Error, Equatable, CustomStringConvertible {
    case notExactlyOneActiveKey
    case duplicateKeyID
    case secretTooShort(kid: String)

    public var description: String {
        switch self {
        case .notExactlyOneActiveKey: "the key ring must have exactly one active key"
        case .duplicateKeyID: "two keys of the ring share a key id"
        case .secretTooShort(let kid): "key \(kid) has a secret shorter than 16 bytes"
        }
    }
}

extension SigningKey {
    /// A new active key with a random secret and a random 6-character key id not in `taken`.
    static func generate(at time: Date, avoiding taken: Set<String>) throws -> SigningKey {
        var kid: String
        repeat {
            kid = try SecureRandom.bytes(count: 3).map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
        } while taken.contains(kid)
        // Whole seconds: the keys file stores ISO 8601 times without fractions.
        let created = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        return SigningKey(
            kid: kid, secret: try SecureRandom.bytes(count: secretLength), createdAt: created, state: .active)
    }
}

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
    /// The secret of keyed address hashes (the suppression list). Unlike signing keys it never
    /// rotates: a hash made today must match the same address years later.
    public let addressSecret: [UInt8]

    /// Creates a ring; refuses one without exactly one active key or with a repeated kid.
    public init(keys: [SigningKey], addressSecret: [UInt8]) throws(KeyRingError) {
        guard addressSecret.count >= 16 else { throw .secretTooShort(kid: "address secret") }
        let active = keys.filter { $0.state == .active }
        guard active.count == 1, let activeKey = active.first else { throw .notExactlyOneActiveKey }
        guard Set(keys.map(\.kid)).count == keys.count else { throw .duplicateKeyID }
        for key in keys where key.secret.count < 16 { throw .secretTooShort(kid: key.kid) }
        for key in keys where !SigningKey.isValidKeyID(key.kid) { throw .invalidKeyID(kid: key.kid) }
        self.activeKey = activeKey
        self.retiredKeys = keys.filter { $0.state == .retired }
        self.addressSecret = addressSecret
    }

    /// Every key: the retired ones, oldest first, then the active one.
    public var keys: [SigningKey] { retiredKeys + [activeKey] }

    /// A new ring holding one freshly generated active key.
    public static func generate(at time: Date) throws -> KeyRing {
        try KeyRing(
            keys: [try SigningKey.generate(at: time, avoiding: [])],
            addressSecret: try SecureRandom.bytes(count: SigningKey.secretLength))
    }

    /// A keyed hash of a normalised address (HMAC-SHA256, hex): what the suppression list keeps,
    /// so it can recognise an address without holding it.
    public func addressHash(_ normalizedAddress: String) -> String {
        HMACSHA256.hexDigest(Array("masthead/suppression/v1\u{0}\(normalizedAddress)".utf8), key: addressSecret)
    }

    /// The key with this id, active or retired.
    public func key(withID kid: String) -> SigningKey? {
        keys.first { $0.kid == kid }
    }

    /// Stops signing with `kid`, the active key, and signs with the newest retired key instead:
    /// the way back from a rotation that went wrong. `kid` keeps verifying until removed.
    public mutating func retire(_ kid: String) throws(KeyRingError) {
        guard kid == activeKey.kid else {
            throw retiredKeys.contains { $0.kid == kid } ? .alreadyRetired(kid: kid) : .unknownKey(kid: kid)
        }
        guard var successor = retiredKeys.popLast() else { throw .noKeyToActivate }
        var previous = activeKey
        previous.state = .retired
        successor.state = .active
        retiredKeys.append(previous)
        activeKey = successor
    }

    /// Deletes a retired key: every token it signed stops working at once.
    public mutating func remove(_ kid: String) throws(KeyRingError) {
        guard kid != activeKey.kid else { throw .cannotRemoveActiveKey(kid: kid) }
        guard let index = retiredKeys.firstIndex(where: { $0.kid == kid }) else { throw .unknownKey(kid: kid) }
        retiredKeys.remove(at: index)
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
    case unknownKey(kid: String)
    case alreadyRetired(kid: String)
    case noKeyToActivate
    case cannotRemoveActiveKey(kid: String)
    case invalidKeyID(kid: String)

    public var description: String {
        switch self {
        case .notExactlyOneActiveKey: "the key ring must have exactly one active key"
        case .duplicateKeyID: "two keys of the ring share a key id"
        case .secretTooShort(let kid): "key \(kid) has a secret shorter than 16 bytes"
        case .unknownKey(let kid): "no key has id \(kid); `masthead keys list` shows them"
        case .alreadyRetired(let kid): "key \(kid) is already retired"
        case .noKeyToActivate: "no retired key could take over signing; use `masthead keys rotate` to make a new one"
        case .cannotRemoveActiveKey(let kid): "key \(kid) is the active key; rotate first, then remove it"
        case .invalidKeyID(let kid): "key id '\(kid)' must be 1-16 printable ASCII characters"
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

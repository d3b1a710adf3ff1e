public import Foundation

/// Signs and verifies the tokens in email links, with the active key of a ``KeyRing``.
///
/// ```swift
/// let signer = TokenSigner(ring: ring)
/// let token = signer.sign(.confirm, subject: subscriptionID, address: address.normalized,
///                         at: now, lifetime: .seconds(7 * 86_400))
/// let claims = try signer.verify(token, purpose: .confirm, address: storedAddress, at: now)
/// ```
///
/// A token is `v1.` followed by base64url of a compact binary record — purpose, key id, subject,
/// issue and expiry times, a keyed hash of the address — and the first 128 bits of its
/// HMAC-SHA256. It carries no address (the hash is keyed), is about 70 characters long, and is
/// never stored: the signature is the proof. Binding it to the address makes it die when the
/// address is changed or erased.
public struct TokenSigner: Sendable {
    /// The ring whose active key signs and whose keys verify.
    public let ring: KeyRing

    static let prefix = "v1."
    static let macLength = 16
    static let bindingLength = 8
    private static let tokenContext = Array("masthead/token/v1\u{0}".utf8)
    private static let addressContext = Array("masthead/address/v1\u{0}".utf8)

    /// Creates a signer over a ring.
    public init(ring: KeyRing) {
        self.ring = ring
    }

    /// A token for `purpose` acting on `subject`, bound to the normalised `address`.
    /// `lifetime` nil means the token never expires.
    public func sign(
        _ purpose: TokenPurpose, subject: Int64, address: String, at time: Date, lifetime: Duration?
    ) -> String {
        let key = ring.activeKey
        let issued = Self.seconds(time)
        let expires = lifetime.map { issued + UInt32(clamping: $0.components.seconds) } ?? 0
        var record = TokenRecord(
            purposeCode: purpose.rawValue, keyID: key.kid, subject: subject, issuedAt: issued, expiresAt: expires,
            binding: Self.binding(of: address, secret: key.secret)
        ).encoded()
        record += Self.mac(record, secret: key.secret)
        return Self.prefix + Base64URL.encode(record)
    }

    /// Verifies signature, purpose and expiry, then that the token was made for `address`.
    public func verify(
        _ token: String, purpose: TokenPurpose, address: String, at now: Date
    ) throws(TokenRejection) -> TokenClaims {
        let claims = try open(token, purpose: purpose, at: now)
        guard isBound(claims, to: address) else { throw .addressMismatch }
        return claims
    }

    /// Verifies signature, purpose and expiry; the caller then finds the subject's address and
    /// checks it with ``isBound(_:to:)``.
    public func open(_ token: String, purpose: TokenPurpose, at now: Date) throws(TokenRejection) -> TokenClaims {
        guard token.hasPrefix(Self.prefix), let bytes = Base64URL.decode(token.dropFirst(Self.prefix.count)),
            bytes.count > Self.macLength
        else { throw .malformed }
        let body = Array(bytes.dropLast(Self.macLength))
        guard let record = TokenRecord(decoding: body) else { throw .malformed }
        guard let key = ring.key(withID: record.keyID) else { throw .unknownKey }
        guard HMACSHA256.constantTimeEquals(Self.mac(body, secret: key.secret), bytes.suffix(Self.macLength)) else {
            throw .badSignature
        }
        guard record.purposeCode == purpose.rawValue else { throw .wrongPurpose }
        if record.expiresAt != 0, Self.seconds(now) >= record.expiresAt { throw .expired }
        return TokenClaims(
            purpose: purpose, keyID: record.keyID, subject: record.subject,
            issuedAt: Date(timeIntervalSince1970: Double(record.issuedAt)),
            expiresAt: record.expiresAt == 0 ? nil : Date(timeIntervalSince1970: Double(record.expiresAt)),
            addressBinding: record.binding)
    }

    /// True when verified claims were made for this normalised address (constant-time).
    public func isBound(_ claims: TokenClaims, to address: String) -> Bool {
        guard let key = ring.key(withID: claims.keyID) else { return false }
        return HMACSHA256.constantTimeEquals(Self.binding(of: address, secret: key.secret), claims.addressBinding)
    }

    private static func mac(_ record: [UInt8], secret: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticate(tokenContext + record, key: secret).prefix(macLength))
    }

    private static func binding(of address: String, secret: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticate(addressContext + Array(address.utf8), key: secret).prefix(bindingLength))
    }

    /// Whole seconds since 1970 as an unsigned 32-bit count (good until 2106).
    private static func seconds(_ date: Date) -> UInt32 {
        UInt32(clamping: Int64(date.timeIntervalSince1970.rounded(.down)))
    }
}

import COpenSSL
import Foundation

/// An asymmetric private key held by OpenSSL: RSA (at least 1024 bits; 2048 is what DKIM keys
/// should be) or Ed25519. DKIM signs mail with it (`Mail`'s `DKIMSigner`).
///
/// ```swift
/// let key = try PrivateSigningKey.generate(.rsa)
/// try key.pem.write(toFile: "dkim-s2026.pem", atomically: true, encoding: .utf8)
/// let signature = key.sign(Array("message".utf8))
/// ```
public final class PrivateSigningKey: @unchecked Sendable {
    // An EVP_PKEY is read-only once loaded, and OpenSSL 3 signs with one key from several
    // threads at once (each signature has its own EVP_MD_CTX): safe to share.
    private let key: OpaquePointer

    public enum Kind: String, Sendable, CaseIterable {
        case rsa, ed25519
    }

    public let kind: Kind

    /// Why a key could not be made or read.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    private init(key: OpaquePointer) throws(Failure) {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA:
            let bits = EVP_PKEY_get_bits(key)
            guard bits >= 1024 else {
                EVP_PKEY_free(key)
                throw Failure(description: "the RSA key has \(bits) bits; DKIM needs at least 1024 (use 2048)")
            }
            kind = .rsa
        case EVP_PKEY_ED25519:
            kind = .ed25519
        default:
            EVP_PKEY_free(key)
            throw Failure(description: "the key is neither RSA nor Ed25519")
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// A new random key: RSA 2048 bits, or Ed25519.
    public static func generate(_ kind: Kind) throws(Failure) -> PrivateSigningKey {
        guard let context = EVP_PKEY_CTX_new_id(kind == .rsa ? EVP_PKEY_RSA : EVP_PKEY_ED25519, nil) else {
            throw Failure(description: "OpenSSL cannot make \(kind.rawValue) keys")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var made: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, kind == .ed25519 || EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1,
            EVP_PKEY_keygen(context, &made) == 1, let made
        else { throw Failure(description: "OpenSSL failed to generate a \(kind.rawValue) key") }
        return try PrivateSigningKey(key: made)
    }

    /// Reads a PEM private key (PKCS #8 `PRIVATE KEY`, or `RSA PRIVATE KEY`).
    public convenience init(pem: String) throws(Failure) {
        let bytes = Array(pem.utf8)
        let read: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let read else { throw Failure(description: "not a PEM private key") }
        try self.init(key: read)
    }

    /// The key as PEM (PKCS #8, unencrypted: keep the file 0600).
    public var pem: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else { return "" }
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = BIO_read(bio, &text, Int32(text.count))
        return String(decoding: text.prefix(Int(max(0, read))), as: UTF8.self)
    }

    /// The public key as DKIM's `p=` tag wants it, base64: the SubjectPublicKeyInfo DER for RSA
    /// (RFC 6376 §3.6.1), the raw 32 bytes for Ed25519 (RFC 8463 §4).
    public var publicKeyBase64: String {
        switch kind {
        case .rsa:
            var output: UnsafeMutablePointer<UInt8>?
            let length = i2d_PUBKEY(key, &output)
            guard length > 0, let output else { return "" }
            defer { CRYPTO_free(output, #fileID, #line) }
            return Data(bytes: output, count: Int(length)).base64EncodedString()
        case .ed25519:
            var raw = [UInt8](repeating: 0, count: 32)
            var length = raw.count
            guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1 else { return "" }
            return Data(raw.prefix(length)).base64EncodedString()
        }
    }

    /// Signs `message`: RSASSA-PKCS1-v1_5 over its SHA-256 for RSA, PureEdDSA over the message
    /// itself for Ed25519 (DKIM's ed25519-sha256 passes the SHA-256 of its data here).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("OpenSSL EVP_MD_CTX_new() failed") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, kind == .rsa ? EVP_sha256() : nil, nil, key) == 1 else {
            preconditionFailure("OpenSSL EVP_DigestSignInit() failed for a \(kind.rawValue) key")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else { preconditionFailure("OpenSSL EVP_DigestSign() failed") }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            preconditionFailure("OpenSSL EVP_DigestSign() failed")
        }
        return Array(signature.prefix(length))
    }
}

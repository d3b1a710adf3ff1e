import COpenSSL
public import Foundation

/// An ECDSA P-256 public key, to check signatures a provider makes with its private half
/// (SendGrid's signed event webhook).
///
/// ```swift
/// let key = try ECDSAPublicKey(base64: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…")
/// let genuine = key.isValidSignature(derSignature, of: Array((timestamp + body).utf8))
/// ```
public final class ECDSAPublicKey: @unchecked Sendable {
    // Read-only once made; OpenSSL 3 verifies with one key from several threads at once.
    private let key: OpaquePointer

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reads a SubjectPublicKeyInfo, base64 of its DER (as SendGrid shows its verification key)
    /// or PEM; refuses anything but a P-256 key.
    public init(base64 text: String) throws(Failure) {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body.filter { !$0.isWhitespace }) else { throw Failure(description: "not base64") }
        let bytes = Array(der)
        let read: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var pointer = buffer.baseAddress
            return d2i_PUBKEY(nil, &pointer, buffer.count)
        }
        guard let read else { throw Failure(description: "not a public key") }
        guard EVP_PKEY_get_base_id(read) == EVP_PKEY_EC, EVP_PKEY_get_bits(read) == 256 else {
            EVP_PKEY_free(read)
            throw Failure(description: "not an ECDSA P-256 key")
        }
        key = read
    }

    deinit { EVP_PKEY_free(key) }

    /// Whether `signature` (DER, as ECDSA signatures are sent) signs `message` with SHA-256.
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }
}

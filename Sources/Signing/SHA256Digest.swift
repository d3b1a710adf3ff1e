import COpenSSL
public import Foundation

/// A plain SHA-256 digest through OpenSSL's one-shot `EVP_Digest` (a page's inline-script hash
/// for its Content-Security-Policy, the stored form of an admin API token).
public enum SHA256Digest {
    /// Length of a digest, in bytes.
    public static let length = 32

    /// The SHA-256 of `message`.
    public static func hash(_ message: some ContiguousBytes) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: length)
        var digestLength: UInt32 = 0
        let succeeded = message.withUnsafeBytes { bytes in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &digestLength, EVP_sha256(), nil) == 1
            }
        }
        precondition(succeeded && digestLength == UInt32(length), "OpenSSL EVP_Digest() failed")
        return digest
    }

    /// The SHA-256 of `message`, as lower-case hex.
    public static func hexHash(_ message: some ContiguousBytes) -> String { WebhookSignature.hex(hash(message)) }
}

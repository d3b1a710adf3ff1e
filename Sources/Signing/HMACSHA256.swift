import COpenSSL
public import Foundation

/// HMAC-SHA256 through OpenSSL's libcrypto, and a constant-time comparison.
///
/// Each key's contexts are kept keyed for the next message (``KeyedHMACContexts``); should
/// OpenSSL refuse one, the one-shot `HMAC()` answers instead. No hash is written by hand.
public enum HMACSHA256 {
    /// Length of a full HMAC-SHA256 tag, in bytes.
    public static let length = 32

    /// The HMAC-SHA256 of `message` under `key`.
    public static func authenticate(_ message: some ContiguousBytes, key: some ContiguousBytes) -> [UInt8] {
        let keyBytes = key.withUnsafeBytes { [UInt8]($0) }
        var tag = [UInt8](repeating: 0, count: length)
        let kept = message.withUnsafeBytes { messageBytes in
            tag.withUnsafeMutableBufferPointer { KeyedHMACContexts.shared.authenticate(messageBytes, key: keyBytes, into: $0) }
        }
        return kept ? tag : oneShot(message, key: keyBytes)
    }

    /// OpenSSL's one-shot `HMAC()`.
    static func oneShot(_ message: some ContiguousBytes, key: [UInt8]) -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: length)
        var tagLength: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                tag.withUnsafeMutableBufferPointer { out in
                    // With a valid digest and output buffer HMAC() cannot fail; the length check below
                    // would catch it if it did.
                    _ = HMAC(
                        EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                        messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                        out.baseAddress, &tagLength)
                }
            }
        }
        precondition(tagLength == UInt32(length), "OpenSSL HMAC() failed")
        return tag
    }

    /// The tag as lower-case hex: keyed hashes kept as text (suppression list, request fingerprints).
    public static func hexDigest(_ message: some ContiguousBytes, key: some ContiguousBytes) -> String {
        WebhookSignature.hex(authenticate(message, key: key))
    }

    /// Compares two byte strings in time that depends only on their length (`CRYPTO_memcmp`).
    public static func constantTimeEquals(_ lhs: some ContiguousBytes, _ rhs: some ContiguousBytes) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                guard left.count > 0 else { return true }
                return CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}

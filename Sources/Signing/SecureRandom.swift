import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's `RAND_bytes`.
public enum SecureRandom {
    /// Why random bytes could not be produced (the OpenSSL generator failed to seed).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "OpenSSL RAND_bytes failed: the system random source is unavailable" }
    }

    /// Returns `count` random bytes.
    public static func bytes(count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            RAND_bytes(buffer.baseAddress, Int32(buffer.count))
        }
        guard status == 1 else { throw Failure() }
        return bytes
    }
}

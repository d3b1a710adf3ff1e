import COpenSSL
import Synchronization

/// HMAC-SHA256 contexts already keyed, kept for the next message under the same key.
///
/// OpenSSL 3's one-shot `HMAC()` looks the algorithm up by name and derives the key's inner and
/// outer pads on every call: 1.1 µs for a token on this machine, where re-initialising a keyed
/// context keeps both and takes 0.24 µs. An email carries several signed links, so delivery
/// spent about 6 % of its CPU in libcrypto (Ops/bench/README.md, "HMAC contexts kept").
///
/// A context serves one caller at a time: it is taken from the key's idle list and given back
/// after its tag. The keys a process uses are few (the signing keys, the address secret, the
/// bounce secret, webhook secrets); past ``maximumKeys`` a new key's contexts are freed after
/// use rather than kept.
final class KeyedHMACContexts: @unchecked Sendable {
    // @unchecked: `algorithm` is set once and OpenSSL's fetched algorithms are shared between
    // threads by design; the idle contexts are only reached under `idle`'s lock, and a taken
    // context belongs to its caller until it is given back.

    /// The contexts every process shares.
    static let shared = KeyedHMACContexts()
    /// More keys than a deployment uses at once.
    static let maximumKeys = 64
    /// More than the threads that sign at once.
    static let maximumPerKey = 8

    /// An `EVP_MAC_CTX`, keyed.
    private struct Context: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let algorithm: OpaquePointer?
    private let idle = Mutex<[[UInt8]: [Context]]>([:])

    init() {
        algorithm = EVP_MAC_fetch(nil, "HMAC", nil)
    }

    /// Writes the HMAC-SHA256 of `message` under `key` into `tag` (32 bytes); false if OpenSSL
    /// failed, for the caller to fall back on the one-shot call.
    func authenticate(_ message: UnsafeRawBufferPointer, key: [UInt8], into tag: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard let context = take(key) else { return false }
        var length = 0
        // A key of NULL re-initialises the context with the key it already holds.
        let done = EVP_MAC_init(context.pointer, nil, 0, nil) == 1
            && EVP_MAC_update(context.pointer, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
            && EVP_MAC_final(context.pointer, tag.baseAddress, &length, tag.count) == 1
        if done {
            giveBack(context, key: key)
        } else {
            EVP_MAC_CTX_free(context.pointer)
        }
        return done && length == tag.count
    }

    private func take(_ key: [UInt8]) -> Context? {
        if let context = idle.withLock({ $0[key]?.popLast() }) { return context }
        guard let algorithm, let pointer = EVP_MAC_CTX_new(algorithm) else { return nil }
        // An empty key still needs a pointer: NULL would mean "the key already set", and there is none.
        var none: UInt8 = 0
        let keyed = key.isEmpty
            ? masthead_hmac_sha256_init(pointer, &none, 0)
            : key.withUnsafeBufferPointer { masthead_hmac_sha256_init(pointer, $0.baseAddress, $0.count) }
        guard keyed == 1 else {
            EVP_MAC_CTX_free(pointer)
            return nil
        }
        return Context(pointer: pointer)
    }

    private func giveBack(_ context: Context, key: [UInt8]) {
        let kept = idle.withLock { idle -> Bool in
            if idle[key] == nil, idle.count >= Self.maximumKeys { return false }
            guard idle[key, default: []].count < Self.maximumPerKey else { return false }
            idle[key, default: []].append(context)
            return true
        }
        if !kept { EVP_MAC_CTX_free(context.pointer) }
    }
}

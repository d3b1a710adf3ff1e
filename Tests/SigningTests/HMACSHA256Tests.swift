import Foundation
import Testing

@testable import Signing

/// HMAC-SHA256 through OpenSSL against the RFC 4231 test vectors.
@Suite struct HMACSHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "4.2", key: .init(repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
               mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(name: "4.3", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
               mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(name: "4.4", key: .init(repeating: 0xaa, count: 20), data: .init(repeating: 0xdd, count: 50),
               mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(name: "4.5", key: Array(1...25), data: .init(repeating: 0xcd, count: 50),
               mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(name: "4.6 (truncated to 128 bits)", key: .init(repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8),
               mac: "a3b6167473100ee06e0c796c2955552b"),
        Vector(name: "4.7", key: .init(repeating: 0xaa, count: 131),
               data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(name: "4.8", key: .init(repeating: 0xaa, count: 131),
               data: Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
               mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: vectors)
    func matchesRFC4231(_ vector: Vector) {
        let mac = WebhookSignature.hex(HMACSHA256.authenticate(vector.data, key: vector.key))
        #expect(mac.hasPrefix(vector.mac))
        #expect(mac.count == 64)
    }

    /// The kept contexts (``KeyedHMACContexts``) give the one-shot call's tags: a key's second
    /// and later messages (the context re-initialised), many tasks under one key at once, an
    /// empty key and message, a key longer than SHA-256's block, and more keys than are kept.
    @Test func keptContextsAgreeWithTheOneShot() async {
        let keys: [[UInt8]] = [[], Array(repeating: 0xaa, count: 131)]
            + (0..<(KeyedHMACContexts.maximumKeys + 16)).map { index in (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) } }
        let messages: [[UInt8]] = [[], Array("masthead".utf8), Array(repeating: 0x5c, count: 200)]
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var mismatches = 0
                    for _ in 0..<2 {
                        for key in keys {
                            for message in messages where HMACSHA256.authenticate(message, key: key) != HMACSHA256.oneShot(message, key: key) {
                                mismatches += 1
                            }
                        }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test func constantTimeComparison() {
        #expect(HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(HMACSHA256.constantTimeEquals([UInt8](), [UInt8]()))
    }

    @Test func base64URLRoundTripsAndIsStrict() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        #expect(Base64URL.decode("AB==") == nil)
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("AA") == [0])
        #expect(Base64URL.decode("AB") == nil)  // stray bits in the last character
        #expect(Base64URL.decode("a+b/") == nil)
    }
}

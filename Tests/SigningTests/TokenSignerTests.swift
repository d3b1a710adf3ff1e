import Foundation
import Testing

@testable import Signing

/// Signed tokens: round trips, tampering, expiry at the edge, purposes, keys, addresses.
@Suite struct TokenSignerTests {
    let now = Date(timeIntervalSince1970: 1_764_082_800)
    let address = "anna@example.org"
    let week: Duration = .seconds(7 * 86_400)

    func ring() throws -> KeyRing { try KeyRing.generate(at: now) }

    @Test(arguments: TokenPurpose.allCases)
    func roundTripsForEachPurpose(_ purpose: TokenPurpose) throws {
        let signer = TokenSigner(ring: try ring())
        let lifetime: Duration? = purpose == .unsubscribe ? nil : week
        let token = signer.sign(purpose, subject: 123_456_789, address: address, at: now, lifetime: lifetime)
        let claims = try signer.verify(token, purpose: purpose, address: address, at: now.addingTimeInterval(60))
        #expect(claims.purpose == purpose)
        #expect(claims.subject == 123_456_789)
        #expect(claims.keyID == signer.ring.activeKey.kid)
        #expect(claims.issuedAt == now)
        #expect(claims.expiresAt == lifetime.map { _ in now.addingTimeInterval(7 * 86_400) })
    }

    @Test func tokensAreShortAndURLSafeAndCarryNoAddress() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.confirm, subject: Int64.max, address: address, at: now, lifetime: week)
        #expect(token.count < 120)
        #expect(token.hasPrefix("v1."))
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        #expect(!token.contains("anna"))
    }

    @Test func everySingleCharacterChangeFails() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.unsubscribe, subject: 42, address: address, at: now, lifetime: nil)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        var characters = Array(token)
        for index in characters.indices {
            let original = characters[index]
            for replacement in alphabet where replacement != original {
                characters[index] = replacement
                #expect(throws: TokenRejection.self) {
                    try signer.verify(String(characters), purpose: .unsubscribe, address: address, at: now)
                }
            }
            characters[index] = original
        }
    }

    @Test func everySingleByteFlipFails() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.manage, subject: 7, address: address, at: now, lifetime: nil)
        let bytes = try #require(Base64URL.decode(token.dropFirst(3)))
        for index in bytes.indices {
            for bit in 0..<8 {
                var changed = bytes
                changed[index] ^= 1 << bit
                let forged = "v1." + Base64URL.encode(changed)
                #expect(throws: TokenRejection.self) { try signer.verify(forged, purpose: .manage, address: address, at: now) }
            }
        }
    }

    @Test func truncationAndPaddingFail() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.confirm, subject: 1, address: address, at: now, lifetime: week)
        for cut in 1..<token.count {
            #expect(throws: TokenRejection.self) {
                try signer.verify(String(token.dropLast(cut)), purpose: .confirm, address: address, at: now)
            }
        }
        for padding in ["=", "==", "A", "AA", "AAA", "AAAA", ".", " "] {
            #expect(throws: TokenRejection.self) {
                try signer.verify(token + padding, purpose: .confirm, address: address, at: now)
            }
        }
        #expect(throws: TokenRejection.malformed) { try signer.verify("", purpose: .confirm, address: address, at: now) }
        #expect(throws: TokenRejection.malformed) {
            try signer.verify("v2." + token.dropFirst(3), purpose: .confirm, address: address, at: now)
        }
    }

    @Test func expiryIsExactAtTheEdge() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.confirm, subject: 1, address: address, at: now, lifetime: week)
        let edge = now.addingTimeInterval(7 * 86_400)
        _ = try signer.verify(token, purpose: .confirm, address: address, at: edge.addingTimeInterval(-1))
        #expect(throws: TokenRejection.expired) { try signer.verify(token, purpose: .confirm, address: address, at: edge) }
        #expect(throws: TokenRejection.expired) {
            try signer.verify(token, purpose: .confirm, address: address, at: edge.addingTimeInterval(86_400))
        }
    }

    @Test func unsubscribeNeverExpires() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.unsubscribe, subject: 1, address: address, at: now, lifetime: nil)
        _ = try signer.verify(token, purpose: .unsubscribe, address: address, at: now.addingTimeInterval(40 * 365 * 86_400))
    }

    @Test func wrongPurposeFails() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.unsubscribe, subject: 1, address: address, at: now, lifetime: nil)
        #expect(throws: TokenRejection.wrongPurpose) { try signer.verify(token, purpose: .confirm, address: address, at: now) }
        #expect(throws: TokenRejection.wrongPurpose) { try signer.verify(token, purpose: .manage, address: address, at: now) }
    }

    @Test func anotherAddressFails() throws {
        let signer = TokenSigner(ring: try ring())
        let token = signer.sign(.confirm, subject: 1, address: address, at: now, lifetime: week)
        #expect(throws: TokenRejection.addressMismatch) {
            try signer.verify(token, purpose: .confirm, address: "anne@example.org", at: now)
        }
        let claims = try signer.open(token, purpose: .confirm, at: now)
        #expect(signer.isBound(claims, to: address))
        #expect(!signer.isBound(claims, to: "ANNA@example.org"))
    }

    @Test func retiredKeysVerifyAndRemovedKeysDoNot() throws {
        var ring = try ring()
        let old = TokenSigner(ring: ring).sign(.unsubscribe, subject: 9, address: address, at: now, lifetime: nil)
        let oldKey = ring.activeKey.kid
        try ring.rotate(at: now)
        let rotated = TokenSigner(ring: ring)
        _ = try rotated.verify(old, purpose: .unsubscribe, address: address, at: now)
        let fresh = rotated.sign(.unsubscribe, subject: 9, address: address, at: now, lifetime: nil)
        #expect(try rotated.open(fresh, purpose: .unsubscribe, at: now).keyID != oldKey)

        try ring.remove(oldKey)
        let pruned = TokenSigner(ring: ring)
        #expect(throws: TokenRejection.unknownKey) { try pruned.verify(old, purpose: .unsubscribe, address: address, at: now) }
        _ = try pruned.verify(fresh, purpose: .unsubscribe, address: address, at: now)
    }

    @Test func aTokenFromAnotherDeploymentFails() throws {
        let ours = TokenSigner(ring: try ring())
        let theirs = TokenSigner(ring: try KeyRing(keys: [SigningKey(
            kid: ours.ring.activeKey.kid, secret: Array(repeating: 7, count: 32), createdAt: now, state: .active)], addressSecret: Array(repeating: 9, count: 32)))
        let token = theirs.sign(.confirm, subject: 1, address: address, at: now, lifetime: week)
        #expect(throws: TokenRejection.badSignature) { try ours.verify(token, purpose: .confirm, address: address, at: now) }
    }
}
